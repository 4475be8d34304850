"""Every CNN of the catalogue builds, eats its declared input, and reports layers whose shapes are true."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.data.preprocess import picture_to_scan, prepare_image
from core.models import get_spec, model_names
from core.models.lenet import LeNet5
from core.probes.activations import feature_maps, first_conv_kernels, list_layers, make_extractor, rank_channels

SMALL = ["lenet5", "small_vgg"]


@pytest.mark.parametrize("name", model_names())
def test_registry_model_builds_and_runs(name: str) -> None:
    spec = get_spec(name)
    torch.manual_seed(0)
    model = spec.build().eval()
    with torch.inference_mode():
        out = model(torch.randn(2, *spec.input_size))
    assert out.shape == (2, spec.num_classes)
    assert len(spec.preprocessing.mean) == len(spec.preprocessing.std) == spec.input_size[0]


def test_imagenet_models_know_the_1000_classes() -> None:
    for name in model_names():
        spec = get_spec(name)
        if spec.input_kind == "imagenet":
            assert spec.num_classes == 1000 and spec.classes[281] == "tabby"


def test_unknown_model_lists_known_names() -> None:
    with pytest.raises(KeyError, match="lenet5"):
        get_spec("lenet6")


@pytest.mark.parametrize("name", SMALL + ["resnet18"])
def test_layer_shapes_match_the_extracted_maps(name: str) -> None:
    spec = get_spec(name)
    model = spec.build().eval()
    layers = list_layers(model, spec.input_size)
    x = torch.randn(1, *spec.input_size)
    chosen = [layers[0].name, layers[len(layers) // 2].name, layers[-1].name]
    maps = feature_maps(make_extractor(model, chosen), x)
    for layer in layers:
        if layer.name in chosen:
            assert tuple(maps[layer.name].shape[1:]) == layer.shape
    assert layers[-1].shape == (spec.num_classes,)
    assert maps[layers[-1].name].allclose(model(x), atol=1e-5)


def test_a_graph_that_runs_past_a_layer_returns_it_before_later_in_place_work() -> None:
    """ResNet's bn1 feeds ReLU(inplace=True), and a block's bn2 gets the shortcut added in place."""
    model = get_spec("resnet18").build().eval()
    x = torch.randn(1, 3, 224, 224)
    maps = feature_maps(make_extractor(model, ["bn1", "layer1.0.bn2", "fc"]), x)
    with torch.no_grad():
        bn1 = model.bn1(model.conv1(x))
        block = model.layer1[0]
        h = model.maxpool(model.relu(bn1.clone()))
        bn2 = block.bn2(block.conv2(block.relu(block.bn1(block.conv1(h)))))
    assert (maps["bn1"] < 0).any()
    assert maps["bn1"].allclose(bn1, atol=1e-5) and maps["layer1.0.bn2"].allclose(bn2, atol=1e-5)
    assert maps["fc"].allclose(model(x), atol=1e-5)


def test_lenet_layers_follow_the_1998_layout() -> None:
    shapes = {layer.name: layer.shape for layer in list_layers(LeNet5().eval(), (1, 32, 32))}
    assert shapes["c1"] == (6, 28, 28) and shapes["s2"] == (6, 14, 14)
    assert shapes["c3"] == (16, 10, 10) and shapes["s4"] == (16, 5, 5)
    assert shapes["c5"] == (120, 1, 1) and shapes["f6"] == (84,) and shapes["output"] == (10,)


def test_first_conv_maps_equal_a_hand_written_convolution() -> None:
    model = LeNet5().eval()
    x = torch.randn(1, 1, 32, 32)
    maps = feature_maps(make_extractor(model, ["c1"]), x)["c1"]
    expected = F.conv2d(x, model.c1.weight, model.c1.bias)
    assert torch.allclose(maps, expected, atol=1e-6)
    name, kernels = first_conv_kernels(model)
    assert name == "c1" and kernels.shape == (6, 1, 5, 5)


def test_extraction_leaves_nothing_on_the_shared_model() -> None:
    model = get_spec("small_vgg").build().eval()
    extractor = make_extractor(model, ["features.1.3"])
    for _ in range(3):
        feature_maps(extractor, torch.randn(1, 3, 64, 64))
    for module in model.modules():
        assert not module._forward_hooks and not module._forward_pre_hooks and not module._backward_hooks
    assert all(p.grad is None for p in model.parameters())
    shared = dict(extractor.named_parameters())["features.0.0.weight"]
    assert shared.data_ptr() == model.features[0][0].weight.data_ptr()


def test_rank_channels_orders_by_mean_activation() -> None:
    maps = np.stack([np.full((2, 2), v) for v in (0.1, 3.0, -1.0, 2.0)])
    assert rank_channels(maps, 2) == [1, 3]
    assert rank_channels(maps, 99) == [1, 3, 0, 2]


@pytest.mark.parametrize("name", ["lenet5", "small_vgg", "resnet50"])
def test_prepare_image_gives_the_declared_input(name: str) -> None:
    spec = get_spec(name)
    picture = np.random.default_rng(0).integers(0, 256, (300, 500, 3), dtype=np.uint8)
    prepared = prepare_image(picture, spec.preprocessing)
    assert prepared.tensor.shape == (1, *spec.input_size)
    assert prepared.display.shape == (spec.input_size[1], spec.input_size[2], 3)
    assert prepared.display.dtype == np.uint8


def test_digit_preparation_inverts_dark_ink_and_crops_to_it() -> None:
    page = np.full((100, 80, 3), 255, dtype=np.uint8)
    page[30:70, 38:42] = 0  # a dark vertical stroke: a "1"
    scan = picture_to_scan(page)
    assert scan.shape == (8, 8) and scan.max() == pytest.approx(1.0)
    assert scan[:, 3:5].mean() > 0.8 and scan[:, :2].max() < 0.05  # bright ink in the middle columns
    assert picture_to_scan(np.zeros((10, 10, 3), dtype=np.uint8)).max() == 0.0


def test_prepare_image_refuses_a_wrong_array() -> None:
    with pytest.raises(ValueError, match="uint8"):
        prepare_image(np.zeros((10, 10), dtype=np.float32), get_spec("lenet5").preprocessing)
