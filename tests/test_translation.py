"""Shifts: exact for the pixels, equivariance exact at multiples of the stride for a pure conv net."""
import numpy as np
import pytest
import torch
from torch import nn

from core.models import get_spec
from core.probes.activations import make_extractor
from core.probes.translation import ShiftError, shift, shift_sweep, sweep_shifts
from core.weights import load_model


def test_shift_moves_pixels_and_fills_zeros() -> None:
    x = torch.arange(12.0).view(1, 1, 3, 4)
    out = shift(x, 1, 0)
    assert out[0, 0].tolist() == [[0, 0, 1, 2], [0, 4, 5, 6], [0, 8, 9, 10]]
    assert shift(x, -1, 1)[0, 0].tolist() == [[0, 0, 0, 0], [1, 2, 3, 0], [5, 6, 7, 0]]
    with pytest.raises(ShiftError, match="out of view"):
        shift(x, 4, 0)


class StridedConvNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, stride=2, padding=1)
        self.head = nn.Linear(4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.conv(x).mean(dim=(2, 3)))


def test_equivariance_holds_at_the_stride_and_breaks_between() -> None:
    torch.manual_seed(0)
    model = StridedConvNet().eval()
    x = torch.zeros(1, 1, 32, 32)
    x[..., 8:24, 8:24] = torch.randn(16, 16)  # content away from the borders
    sweep = shift_sweep(model, make_extractor(model, ["conv"]), "conv", x, [0, 2, 4, 1, 3], jump=2)
    assert sweep.map_correlation[:3] == pytest.approx([1.0, 1.0, 1.0], abs=1e-6)
    assert all(c < 0.99 for c in sweep.map_correlation[3:])


def test_sweep_on_the_shapes_model() -> None:
    model, _ = load_model("small_vgg")
    spec = get_spec("small_vgg")
    from core.data.preprocess import prepare_image
    from core.data.samples import SAMPLES, load_sample

    picture = load_sample(next(s for s in SAMPLES if s.file == "shape_star.png"))
    x = prepare_image(picture.pixels, spec).tensor
    sweep = shift_sweep(model, make_extractor(model, ["features.0.2"]), "features.0.2", x, list(range(-8, 9, 2)), jump=1)
    assert spec.classes[sweep.target] == "star"
    assert sweep.target_prob.shape == (9,) and np.all((sweep.target_prob >= 0) & (sweep.target_prob <= 1))
    assert sweep.map_correlation[4] == pytest.approx(1.0)


def test_sweep_shifts_are_whole_pixels_each_once_in_order() -> None:
    assert sweep_shifts(25, 32, 5) == (-8, -4, 0, 4, 8)
    assert sweep_shifts(5, 28) == (-1, 0, 1)  # ±1.4 px in 21 steps rounds to three distinct shifts
    assert sweep_shifts(45, 32)[0] == -14 and len(sweep_shifts(45, 32)) == 21
