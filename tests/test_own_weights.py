"""Weights a user brings: what fits loads with the classes read from it; everything else gets a reason."""
import io
import os

import pytest
import torch
import torchvision
from safetensors.torch import save

from core import own_weights
from core.data.text import VOCAB
from core.models.catalogue import get_spec
from core.models.sequence import CharModel
from core.own_weights import WeightsInputError, fit_char_model, fit_image_model, read_class_names, read_state_dict
from core.probes.saliency import cam_layer_notes, spatial_modules, suggestion


def safetensors_bytes(model: torch.nn.Module) -> bytes:
    return save({k: v.contiguous() for k, v in model.state_dict().items()})


@pytest.fixture(scope="module")
def resnet3() -> torch.nn.Module:
    torch.manual_seed(0)
    return torchvision.models.resnet18(num_classes=3).eval()


def test_resnet18_with_three_classes_loads_and_computes_the_same(resnet3) -> None:
    fitted = fit_image_model(get_spec("resnet18"), read_state_dict(safetensors_bytes(resnet3), "mine.safetensors"))
    assert fitted.num_classes == 3
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        assert torch.equal(fitted.model(x), resnet3(x))
    assert fitted.build().fc.out_features == 3


def test_a_plain_torch_state_dict_loads_and_dataparallel_prefixes_go(resnet3) -> None:
    buf = io.BytesIO()
    torch.save({f"module.{k}": v for k, v in resnet3.state_dict().items()}, buf)
    state = read_state_dict(buf.getvalue(), "mine.pth")
    assert "fc.weight" in state
    assert fit_image_model(get_spec("resnet18"), state).num_classes == 3


class Payload:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_a_pickle_with_code_is_refused_and_never_runs(tmp_path) -> None:
    marker = tmp_path / "ran"
    buf = io.BytesIO()
    torch.save({"fc.weight": torch.zeros(2, 2), "evil": Payload(str(marker))}, buf)
    with pytest.raises(WeightsInputError, match="Refused: the file holds Python objects"):
        read_state_dict(buf.getvalue(), "evil.pt")
    assert not marker.exists()


@pytest.mark.parametrize(("data", "name", "reason"), [
    (b"", "a.safetensors", "empty"),
    (b"\x00" * 64, "a.safetensors", "not a readable safetensors"),
    (b"not a zip at all" * 8, "a.pt", "not a PyTorch file"),
    (b"PK\x03\x04" + b"\x00" * 60, "a.pth", "not a readable PyTorch"),
    (b"abc", "a.onnx", "Upload a .safetensors"),
])
def test_unreadable_files_get_a_reason(data: bytes, name: str, reason: str) -> None:
    with pytest.raises(WeightsInputError, match=reason):
        read_state_dict(data, name)


def test_a_truncated_safetensors_file_is_refused(resnet3) -> None:
    data = safetensors_bytes(resnet3)
    with pytest.raises(WeightsInputError, match="not a readable safetensors"):
        read_state_dict(data[: len(data) // 2], "cut.safetensors")


def test_a_checkpoint_with_other_entries_is_refused(resnet3) -> None:
    buf = io.BytesIO()
    torch.save({"state_dict": resnet3.state_dict(), "epoch": 3}, buf)
    with pytest.raises(WeightsInputError, match="plain state dict"):
        read_state_dict(buf.getvalue(), "checkpoint.pt")


def test_an_oversized_file_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(own_weights, "MAX_WEIGHTS_BYTES", 1000)
    with pytest.raises(WeightsInputError, match="at most"):
        read_state_dict(b"x" * 1001, "big.safetensors")


def test_wrong_keys_are_named_with_the_expected_shapes(resnet3) -> None:
    state = dict(resnet3.state_dict())
    state.pop("layer1.0.conv1.weight")
    state["extra.weight"] = torch.zeros(2)
    state["fc.bias"] = torch.zeros(5)
    with pytest.raises(WeightsInputError) as err:
        fit_image_model(get_spec("resnet18"), state)
    message = str(err.value)
    assert "1 missing: layer1.0.conv1.weight (64, 64, 3, 3)" in message
    assert "extra.weight (2,)" in message
    assert "fc.bias is (5,), expected (3,)" in message


def test_weights_of_another_architecture_are_refused_with_the_first_few_names(resnet3) -> None:
    with pytest.raises(WeightsInputError) as err:
        fit_image_model(get_spec("lenet5"), dict(resnet3.state_dict()))
    assert "c1.weight (6, 1, 5, 5)" in str(err.value) and "more" in str(err.value)


def test_class_names() -> None:
    assert read_class_names(b"cat\ndog\n\nbird\n", 3) == ("cat", "dog", "bird")
    assert read_class_names(None, 2) == ("class 0", "class 1")
    with pytest.raises(WeightsInputError, match="3 classes, but the file names 2"):
        read_class_names(b"cat\ndog", 3)
    with pytest.raises(WeightsInputError, match="not UTF-8"):
        read_class_names("chat\nchien\noiseau".encode("utf-16"), 3)


def test_a_character_lstm_of_any_hidden_size_loads() -> None:
    torch.manual_seed(0)
    theirs = CharModel("lstm", len(VOCAB), 48, len(VOCAB), 32, traced=False)
    net, hidden = fit_char_model("lstm", read_state_dict(safetensors_bytes(theirs), "lstm.safetensors"), len(VOCAB))
    assert hidden == 48 and net.traced
    ids = torch.randint(0, len(VOCAB), (1, 20))
    with torch.no_grad():
        torch.testing.assert_close(net(ids)[0], theirs(ids)[0], atol=1e-5, rtol=1e-5)
    with pytest.raises(WeightsInputError, match="another shape"):
        fit_char_model("gru", dict(theirs.state_dict()), len(VOCAB))  # LSTM weights: 4 gates, a GRU has 3


def test_which_layer_notes_for_resnet18() -> None:
    net = torchvision.models.resnet18(num_classes=3).eval()
    notes = {n.name: n for n in cam_layer_notes(net, (3, 224, 224))}
    assert notes["layer4"].usable and notes["layer4"].shape == (512, 7, 7)
    assert not notes["avgpool"].usable and "1×1" in notes["avgpool"].why
    assert not notes["fc"].usable and "vector" in notes["fc"].why
    name, why = suggestion(spatial_modules(net, (3, 224, 224)))
    assert name == "layer4" and "7×7" in why


def test_which_layer_notes_for_lenet() -> None:
    net = get_spec("lenet5").build().eval()
    notes = {n.name: n for n in cam_layer_notes(net, (1, 32, 32))}
    assert notes["c3"].usable and not notes["c5"].usable  # C5's output is 120 × 1 × 1
    assert suggestion(spatial_modules(net, (1, 32, 32)))[0] in ("c3", "act3")
