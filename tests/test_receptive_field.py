"""Theoretical receptive fields match the extent of a one-unit gradient; the effective field leaves no trace."""
import pytest

from core.models import get_spec
from core.probes.receptive_field import FieldInfo, centre_unit_box, effective_field, gradient_extent, theoretical_fields


@pytest.mark.parametrize(("name", "layer", "size", "expected"), [
    ("vgg16", "features.4", 32, 6),
    ("vgg16", "features.16", 64, 44),
    ("resnet18", "maxpool", 64, 11),
    ("resnet18", "layer2.1.relu_1", 224, 99),
    ("lenet5", "c3", 32, 14),
])
def test_theory_matches_the_gradient(name: str, layer: str, size: int, expected: int) -> None:
    spec = get_spec(name)
    model = spec.build().eval()
    fields = {f.name: f for f in theoretical_fields(model)}
    assert fields[layer].r == expected
    assert gradient_extent(model, layer, (spec.input_size[0], size, size)) == (expected, expected)


def test_known_values_and_global_layers() -> None:
    fields = {f.name: f for f in theoretical_fields(get_spec("resnet18").build())}
    assert (fields["layer4.1.relu_1"].r, fields["layer4.1.relu_1"].j) == (435, 32)
    assert fields["fc"].r == float("inf")
    vgg = {f.name: f for f in theoretical_fields(get_spec("vgg16").build())}
    assert (vgg["features.29"].r, vgg["features.30"].r) == (196, 212)


def test_effective_field_is_smaller_and_leaves_the_model_clean() -> None:
    spec = get_spec("small_vgg")
    model = spec.build().eval()
    grad = effective_field(model, "features.2.5", spec.input_size)
    assert grad.shape == (64, 64) and grad.max() > 0
    assert all(p.grad is None for p in model.parameters())
    assert not any(m._forward_hooks for m in model.modules())
    ys, xs = grad.nonzero()
    assert (ys.min(), ys.max() + 1, xs.min(), xs.max() + 1) == (18, 50, 18, 50)  # the 32×32 theoretical field
    core = grad[26:42, 26:42].sum() / grad.sum()  # its central quarter (16×16) …
    assert core > 0.45  # … holds far more than a quarter of the gradient: the effective field is smaller


def test_centre_unit_box_is_the_field_around_the_centre_unit() -> None:
    # 5×5 field, jump 2, first unit centred at 2.5: the centre unit of a 7-wide map sits at 2.5 + 3·2 = 8.5
    assert centre_unit_box(FieldInfo("conv", "Conv2d", 5, 2, 2.5), (8, 7, 7), 16) == (6.0, 6.0, 11.0, 11.0)
    assert centre_unit_box(FieldInfo("fc", "Linear", float("inf"), 4, 2.5), (10, 1, 1), 32) == (0, 0, 32, 32)
