"""Attribution maps: Grad-CAM equals CAM by hand, points at the object, follows the target, keeps the sign where it
means something, refuses bad requests."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from core.data.preprocess import normalise
from core import plots
from core.data.shapes import SHAPE_CLASSES, draw_scene, draw_shape, make_shapes
from core.models import get_spec
from core.probes import saliency
from core.weights import load_model


@pytest.fixture(scope="module")
def shapes_model():
    model, status = load_model("small_vgg")
    assert status.source == "bundled"
    return model


def to_input(pixels: np.ndarray) -> torch.Tensor:
    x = torch.from_numpy(pixels).permute(2, 0, 1).unsqueeze(0).float() / 255.0
    return normalise(x, get_spec("small_vgg"))


def inside(cam: np.ndarray, box: np.ndarray) -> bool:
    y, x = np.unravel_index(int(cam.argmax()), cam.shape)
    return bool(box[0] <= x < box[2] and box[1] <= y < box[3])


class TinyCAMNet(nn.Module):
    """One conv layer, ReLU, global average pooling, a linear classifier: the network CAM was defined for."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 5, 3, padding=1)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(5, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.relu(self.conv(x)).mean(dim=(2, 3)))


def test_grad_cam_equals_the_class_activation_map_by_hand() -> None:
    torch.manual_seed(0)
    model = TinyCAMNet().eval()
    x = torch.randn(1, 3, 12, 12)
    target = 2
    ours = saliency.grad_cam(model, x, target, "relu")
    with torch.no_grad():
        acts = model.relu(model.conv(x))[0]  # (5, 12, 12)
        cam = F.relu(torch.einsum("k,khw->hw", model.fc.weight[target], acts)).numpy()
    expected = (cam - cam.min()) / (cam.max() - cam.min())
    assert ours.shape == (12, 12) and ours.dtype == np.float32
    assert np.allclose(ours, expected, atol=1e-5)


def test_pointing_game_on_held_out_shapes(shapes_model) -> None:
    spec = get_spec("small_vgg")
    layer = saliency.default_cam_layer(saliency.spatial_modules(shapes_model, spec.input_size))
    batch = make_shapes(200, seed=3)  # seed 1 trained the model, seed 2 validated it
    hits = sum(
        inside(saliency.grad_cam(shapes_model, to_input(batch.images[i]), int(batch.labels[i]), layer), batch.boxes[i])
        for i in range(len(batch.labels))
    )
    assert hits / len(batch.labels) >= 0.90, hits


def test_the_target_class_moves_the_map(shapes_model) -> None:
    rng = np.random.default_rng(11)
    star, ring = SHAPE_CLASSES.index("star"), SHAPE_CLASSES.index("ring")
    hits = 0
    for _ in range(20):
        pixels, boxes = draw_scene(rng, [star, ring], scale=(0.13, 0.2))
        x = to_input(pixels)
        hits += inside(saliency.grad_cam(shapes_model, x, star, "features.2.5"), boxes[0])
        hits += inside(saliency.grad_cam(shapes_model, x, ring, "features.2.5"), boxes[1])
    assert hits >= 32, hits  # 40 maps; each class's map should find its own shape at least 80% of the time


@pytest.mark.parametrize("method", sorted(saliency.METHODS))
def test_every_method_gives_its_map_and_leaves_the_model_clean(shapes_model, method: str) -> None:
    """Grad-CAM and Guided Grad-CAM: magnitudes in [0, 1]; the signed methods: both signs, unscaled."""
    x = to_input(make_shapes(1, seed=4).images[0])
    fn = saliency.METHODS[method]
    args = {"layer": "features.2.5"} if "Grad-CAM" in method else {}
    if method == "Integrated gradients":
        args = {"steps": 8}
    for _ in range(2):
        out = fn(shapes_model, x, 1, **args)
        assert out.shape == (64, 64) and out.dtype == np.float32 and np.isfinite(out).all()
        if method in saliency.SIGNED_METHODS:
            assert out.min() < 0.0 < out.max()
        else:
            assert out.min() >= 0.0 and out.max() == pytest.approx(1.0)
    for module in shapes_model.modules():
        assert not module._forward_hooks and not module._backward_hooks and not module._forward_pre_hooks
        assert not getattr(module, "_backward_pre_hooks", {})
    assert all(p.grad is None for p in shapes_model.parameters())


def test_a_wrong_class_paints_the_right_shape_against_it(shapes_model) -> None:
    """Integrated gradients for "circle" on a picture of a star: the star is evidence *against* circle.

    With the sign dropped (|attribution| scaled to 0–1, as before) the circle's map lit the star as if it
    were evidence for a circle; signed, the star's box holds negative mass and the star's own map there is
    positive."""
    rng = np.random.default_rng(5)
    star, circle = SHAPE_CLASSES.index("star"), SHAPE_CLASSES.index("circle")
    for _ in range(4):
        pixels, box = draw_shape(rng, star)
        x = to_input(pixels)
        inside_box = np.zeros((64, 64), dtype=bool)
        inside_box[box[1]:box[3], box[0]:box[2]] = True
        wrong = saliency.integrated_gradients(shapes_model, x, circle, steps=16)
        right = saliency.integrated_gradients(shapes_model, x, star, steps=16)
        assert wrong.min() < 0.0 and wrong[inside_box].sum() < 0.0
        assert right[inside_box].sum() > 0.0


def test_the_signed_map_is_drawn_on_a_scale_centred_on_zero() -> None:
    heat = np.array([[-3.0, 0.0], [1.0, 0.5]], dtype=np.float32)
    trace = plots.channel_heatmap(heat, "signed", signed=True).data[0]
    assert trace.zmid == 0.0 and trace.reversescale
    assert trace.colorscale[0][1] != trace.colorscale[-1][1]  # two ends, two hues: a diverging scale
    picture = np.full((2, 2, 3), 128, dtype=np.uint8)
    over = plots.blend_heatmap(picture, heat, 1.0, signed=True).astype(int)
    assert over[0, 0, 2] > over[0, 0, 0]  # the most negative place is blue
    assert over[1, 0, 0] > over[1, 0, 2]  # a positive place is red
    assert np.array_equal(over[0, 1], picture[0, 1])  # zero evidence: the picture itself (in grey)
    blue_thing = np.zeros((2, 2, 3), dtype=np.uint8)
    blue_thing[..., 2] = 255
    assert len(set(plots.blend_heatmap(blue_thing, np.zeros((2, 2)), 1.0, signed=True)[0, 0])) == 1  # no blue of its own
    png = plots.colorize(heat, signed=True).astype(int)
    assert png[0, 0, 2] > png[0, 0, 0] and png[1, 0, 0] > png[1, 0, 2]
    assert abs(png[0, 1] - 247).max() <= 2  # 0 is the white middle of the scale, whatever the range


def test_bad_requests_get_a_sentence(shapes_model) -> None:
    x = to_input(make_shapes(1, seed=4).images[0])
    with pytest.raises(saliency.SaliencyError, match="spatial"):
        saliency.grad_cam(shapes_model, x, 0, "classifier.2")
    with pytest.raises(saliency.SaliencyError, match="out of range"):
        saliency.grad_cam(shapes_model, x, 6, "features")
    with pytest.raises(saliency.SaliencyError, match="no layer named"):
        saliency.grad_cam(shapes_model, x, 0, "features.9")
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(3 * 8 * 8, 4))
    with pytest.raises(saliency.SaliencyError, match="no convolution"):
        saliency.default_cam_layer(saliency.spatial_modules(mlp, (3, 8, 8)))
    with pytest.raises(saliency.SaliencyError, match="window"):
        saliency.occlusion(shapes_model, x, 0, window=100)


@pytest.mark.parametrize(("name", "expected"), [
    ("lenet5", "act3"), ("small_vgg", "features.2.5"), ("vgg16", "features.29"),
    ("googlenet", "inception5b"), ("resnet18", "layer4"),
])
def test_default_layer_is_the_last_conv_resolution(name: str, expected: str) -> None:
    spec = get_spec(name)
    layers = saliency.spatial_modules(spec.build().eval(), spec.input_size)
    assert saliency.default_cam_layer(layers) == expected


def test_grad_cam_on_resnet_matches_autograd_by_hand() -> None:
    torch.manual_seed(0)
    spec = get_spec("resnet18")
    model = spec.build().eval()
    x = torch.randn(1, 3, 224, 224)
    ours = saliency.grad_cam(model, x, 7, "layer4")
    feats = {}
    handle = model.layer4.register_forward_hook(lambda m, i, o: feats.setdefault("a", o))
    try:
        score = model(x)[0, 7]
    finally:
        handle.remove()
    grads = torch.autograd.grad(score, feats["a"])[0]
    cam = F.relu((grads.mean(dim=(2, 3), keepdim=True) * feats["a"]).sum(1, keepdim=True))
    cam = F.interpolate(cam, size=(224, 224), mode="bilinear", align_corners=False)[0, 0].detach().numpy()
    expected = (cam - cam.min()) / (cam.max() - cam.min())
    assert np.allclose(ours, expected, atol=1e-4)


@pytest.mark.parametrize("name", ["lenet5", "small_vgg", "resnet18", "googlenet", "vgg16"])
def test_grad_cam_equals_captums_layer_grad_cam(name: str) -> None:
    """Ours reads the layer from a feature-extraction graph instead of hooking the model; the maps must not move."""
    from captum.attr import LayerGradCam

    torch.manual_seed(1)
    spec = get_spec(name)
    model = spec.build().eval()
    x = torch.randn(1, *spec.input_size)
    layers = saliency.spatial_modules(model, spec.input_size)
    if len(layers) > 12:  # each layer is a graph to trace: the first two (ResNet's bn1 feeds an in-place
        # ReLU), one in the middle and the suggested one are enough for the ImageNet models
        suggested = saliency.default_cam_layer(layers)
        layers = [*layers[:2], layers[len(layers) // 2], next(la for la in layers if la.name == suggested)]
    for k, layer in enumerate(layers):
        target = (3 * k + 1) % spec.num_classes
        ours = saliency.grad_cam(model, x, target, layer.name)
        attr = LayerGradCam(model, model.get_submodule(layer.name)).attribute(
            x.clone().requires_grad_(True), target=target, relu_attributions=True)
        expected = saliency._finish(attr, tuple(x.shape[-2:]))  # the same scaling to [0, 1] as before
        assert np.allclose(ours, expected, atol=1e-4), (name, layer.name)
    assert not any(m._forward_hooks or m._backward_hooks for m in model.modules())


def test_the_grad_cam_graph_kept_per_model_does_not_keep_the_model_alive() -> None:
    """A session's own model must go with its session: the graph cached for it may not hold on to it."""
    import gc
    import weakref

    spec = get_spec("small_vgg")
    model = spec.build().eval()
    saliency.grad_cam(model, torch.randn(1, *spec.input_size), 1, "features.2.5")
    alive = weakref.ref(model)
    assert model in saliency._FACTS
    del model
    gc.collect()
    assert alive() is None


def test_the_saliency_page_draws_signed_methods_on_a_diverging_scale() -> None:
    import base64
    import json
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app_pages" / "saliency.py"), default_timeout=180)
    at.run()
    assert any("ReLU" in c.value for c in at.caption)  # Grad-CAM first: non-negative, and the page says why
    at.radio(key="sal_method").set_value("Integrated gradients").run()
    assert not at.exception, [e.value for e in at.exception]
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "Integrated gradients map" in c.proto.spec)
    heat = spec["data"][0]
    z = heat["z"]  # plotly sends arrays as base64 typed arrays
    values = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]) if isinstance(z, dict) else np.asarray(z)
    assert heat["zmid"] == 0 and values.min() < 0 < values.max()
    assert any("evidence *against*" in c.value for c in at.caption)


def test_batched_occlusion_and_integrated_gradients_equal_captum_one_at_a_time(shapes_model) -> None:
    """Occlusion and integrated gradients run the model in batches: the maps equal captum's one pass per
    occluded copy or path point, within float rounding (a score difference of scores near 10: 1e-5)."""
    from captum.attr import IntegratedGradients, Occlusion

    x = to_input(make_shapes(1, seed=6).images[0])
    with torch.no_grad():
        one_by_one = Occlusion(shapes_model).attribute(
            x, sliding_window_shapes=(3, 8, 8), strides=(3, 4, 4), target=2, baselines=0.0, perturbations_per_eval=1)
    batched = saliency.occlusion(shapes_model, x, 2, window=8, stride=4)
    np.testing.assert_allclose(batched, one_by_one.mean(dim=1)[0].numpy(), rtol=1e-4, atol=1e-5)
    path = x.clone().requires_grad_(True)
    one_by_one = IntegratedGradients(shapes_model).attribute(path, baselines=torch.zeros_like(x), target=2, n_steps=20)
    batched = saliency.integrated_gradients(shapes_model, x, 2, steps=20)
    np.testing.assert_allclose(batched, one_by_one.sum(dim=1)[0].detach().numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(("method", "args", "batches"), [
    # the picture itself, then 15 × 15 windows (56 / 4 + 1 per side), or 20 × 20 (⌈57 / 3⌉ + 1: one flush with the edge)
    ("Occlusion", {"window": 8, "stride": 4}, 1 + -(-15 * 15 // saliency.OCCLUSION_BATCH)),
    ("Occlusion", {"window": 7, "stride": 3}, 1 + -(-20 * 20 // saliency.OCCLUSION_BATCH)),
    ("Integrated gradients", {"steps": 20}, -(-20 // saliency.IG_BATCH)),
])
def test_progress_comes_after_each_batch_and_false_stops_without_a_map(shapes_model, method: str, args: dict,
                                                                       batches: int) -> None:
    """`on_progress` hears k/n after each of the n batches, ending on exactly 1.0; returning False ends the call
    with AttributionStopped after that batch, and the shared model is left clean."""
    x = to_input(make_shapes(1, seed=7).images[0])
    fn = saliency.METHODS[method]
    heard: list[float] = []
    fn(shapes_model, x, 1, **args, on_progress=lambda f: heard.append(f) or True)
    assert heard == pytest.approx([k / batches for k in range(1, batches + 1)]) and heard[-1] == 1.0
    heard.clear()
    with pytest.raises(saliency.AttributionStopped):
        fn(shapes_model, x, 1, **args, on_progress=lambda f: heard.append(f) or len(heard) < 2)
    assert len(heard) == 2
    for module in shapes_model.modules():
        assert not module._forward_hooks and not module._backward_hooks and not module._forward_pre_hooks
    assert all(p.grad is None for p in shapes_model.parameters())


def test_a_stopped_attribution_is_not_cached_as_if_complete() -> None:
    """The page's loader: a map stopped halfway raises and leaves nothing in the cache; asked again, it computes."""
    from core.data.samples import samples_for
    from ui import loaders

    first = samples_for("shapes")[0]
    picture = loaders.sample(first, first.file)
    prepared = loaders.model_input("small_vgg", picture, picture.digest)
    request = ("small_vgg", loaders.weights_key("small_vgg"), f"{picture.digest}:small_vgg", "Occlusion", 3,
               (("stride", 4), ("window", 8)), prepared.tensor)
    loaders.attribution.clear()
    with pytest.raises(saliency.AttributionStopped):
        loaders.attribution(*request, lambda f: False)
    assert not loaders.attribution.has(*request)
    heat = loaders.attribution(*request, lambda f: True)
    assert loaders.attribution.has(*request) and heat.shape == (64, 64)
