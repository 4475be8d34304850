"""Bundled weights hold their accuracies; ImageNet weights load from torch's cache, or say how to get them."""
import pytest
import torch

from core.models import get_spec
from core.train import SHAPES_TEST_SIZE
from core.training.engine import accuracy
from core.training.tasks import SHAPES_TEST_SEED, digits_tensors, shapes_tensors
from core.weights import bundled_path, imagenet_cache_path, load_model, read_metadata


def test_lenet5_reaches_97_percent_on_held_out_digits() -> None:
    model, status = load_model("lenet5")
    assert status.source == "bundled"
    acc = accuracy(model, *digits_tensors("test", get_spec("lenet5")))
    assert acc >= 0.97, acc


def test_small_vgg_reaches_95_percent_on_held_out_shapes() -> None:
    model, status = load_model("small_vgg")
    assert status.source == "bundled"
    acc = accuracy(model, *shapes_tensors(SHAPES_TEST_SIZE, SHAPES_TEST_SEED, get_spec("small_vgg")))
    assert acc >= 0.95, acc


@pytest.mark.parametrize("name", ["lenet5", "small_vgg"])
def test_bundled_files_record_how_they_were_made(name: str) -> None:
    path = bundled_path(get_spec(name))
    meta = read_metadata(path)
    assert meta["command"].startswith(f"python -m core.train {name}")
    assert float(meta["test_accuracy"]) > 0.9
    assert path.stat().st_size < 2_000_000


def test_bundled_status_reports_the_measured_accuracy() -> None:
    _, status = load_model("lenet5")
    assert "held-out accuracy" in status.message and status.is_trained


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    return tmp_path


def test_imagenet_weights_missing_keeps_the_architecture_and_says_where(torch_home) -> None:
    model, status = load_model("resnet18")
    assert status.source == "random" and not status.is_trained
    path = imagenet_cache_path(get_spec("resnet18"))
    assert str(torch_home) in str(path) and path.name == "resnet18-f37072fd.pth"
    assert path.name in status.message and "python -m core.weights resnet18" in status.message
    assert model(torch.zeros(1, 3, 224, 224)).shape == (1, 1000)


@pytest.mark.parametrize("name", ["resnet18", "googlenet"])
def test_imagenet_weights_in_the_cache_are_loaded(torch_home, name: str) -> None:
    spec = get_spec(name)
    torch.manual_seed(123)
    reference = spec.build()
    state = reference.state_dict()
    if name == "googlenet":  # the real file carries the auxiliary classifiers too
        state = {**state, "aux1.fc2.weight": torch.zeros(1000, 1024), "aux2.fc2.bias": torch.zeros(1000)}
    path = imagenet_cache_path(spec)
    path.parent.mkdir(parents=True)
    torch.save(state, path)
    model, status = load_model(name)
    assert status.source == "imagenet" and status.path == str(path) and path.name in status.message
    assert str(path.parent) not in status.message  # no server path on screen
    for key, value in reference.state_dict().items():
        assert torch.equal(model.state_dict()[key], value), key


def test_a_pickled_object_in_the_cache_is_refused(torch_home) -> None:
    path = imagenet_cache_path(get_spec("resnet18"))
    path.parent.mkdir(parents=True)
    torch.save({"evil": object()}, path)
    with pytest.raises(Exception, match="(?i)weights_only|unsupported|global"):
        load_model("resnet18")
