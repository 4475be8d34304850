"""Translation: shift the input and watch the prediction (invariance) and a layer's maps (equivariance).

A convolution is equivariant to shifts by whole multiples of its layer's stride: shift the input by
j pixels and the map shifts by one unit. Strides and pooling break this for other shifts (Azulay &
Weiss 2019), and the prediction of a real network can change with a shift of one pixel.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.i18n import _


class ShiftError(ValueError):
    """A shift the picture cannot take; the message is for the user."""


def shift(x: torch.Tensor, dx: int, dy: int) -> torch.Tensor:
    """Move (N, C, H, W) by dx pixels right and dy down; what comes in is 0 (the mean, after normalisation)."""
    height, width = x.shape[-2:]
    if abs(dx) >= width or abs(dy) >= height:
        raise ShiftError(_("A shift of ({dx}, {dy}) moves the whole {width}×{height} picture out of view.").format(
            dx=dx, dy=dy, width=width, height=height))
    out = torch.zeros_like(x)
    src_y = slice(max(0, -dy), height - max(0, dy))
    dst_y = slice(max(0, dy), height - max(0, -dy))
    src_x = slice(max(0, -dx), width - max(0, dx))
    dst_x = slice(max(0, dx), width - max(0, -dx))
    out[..., dst_y, dst_x] = x[..., src_y, src_x]
    return out


def sweep_shifts(span_percent: float, width: int, points: int = 21) -> tuple[int, ...]:
    """Whole-pixel horizontal shifts from −`span_percent` to +`span_percent` % of `width`, `points` steps
    apart before rounding, each shift once, in order."""
    return tuple(sorted({int(round(f / 100 * width)) for f in np.linspace(-span_percent, span_percent, points)}))


@dataclass(frozen=True)
class ShiftSweep:
    """For each horizontal shift: the probability of the unshifted top-1 class, the top-1 class, and map correlation."""

    shifts: np.ndarray
    target: int
    target_prob: np.ndarray
    top1: np.ndarray
    map_correlation: np.ndarray  # correlation of F(shift(x)) with shift(F(x)), NaN when there is no overlap


def _correlation(a: torch.Tensor, b: torch.Tensor) -> float:
    a, b = a.flatten().double(), b.flatten().double()
    a, b = a - a.mean(), b - b.mean()
    denom = float(a.norm() * b.norm())
    return float((a * b).sum()) / denom if denom > 0 else float("nan")


@torch.inference_mode()
def shift_sweep(model: nn.Module, extractor: nn.Module, layer: str, x: torch.Tensor, shifts: list[int],
                jump: int) -> ShiftSweep:
    """Shift `x` (1, C, H, W) horizontally by each of `shifts` pixels; `extractor` returns {layer: maps}.

    The map of the shifted picture is compared with the unshifted picture's map moved by
    round(shift / jump) units (jump = the layer's stride in input pixels), on the part both cover.
    """
    device = next(model.parameters()).device
    x = x.to(device)
    batch = torch.cat([shift(x, int(d), 0) for d in shifts])
    probs = torch.softmax(model(batch).float(), dim=1).cpu()
    target = int(torch.softmax(model(x).float(), dim=1)[0].argmax())
    maps = extractor(torch.cat([x, batch]))[layer].float().cpu()
    base, shifted = maps[:1], maps[1:]
    corr = []
    for k, d in enumerate(shifts):
        units = int(round(d / jump))
        w = base.shape[-1]
        if abs(units) >= w:
            corr.append(float("nan"))
            continue
        moved = shift(base, units, 0)
        lo, hi = max(0, units), w - max(0, -units)
        corr.append(_correlation(shifted[k:k + 1, ..., lo:hi], moved[..., lo:hi]))
    return ShiftSweep(np.asarray(shifts), target, probs[:, target].numpy(), probs.argmax(1).numpy(), np.asarray(corr))


@dataclass(frozen=True)
class ShiftedView:
    """The shifted input as a picture, and the model's top-1 class and its probability for it."""

    x: torch.Tensor
    top1: int
    prob: float


@torch.inference_mode()
def shifted_prediction(model: nn.Module, x: torch.Tensor, dx: int) -> ShiftedView:
    """Shift `x` (1, C, H, W) by `dx` pixels to the right and classify it."""
    device = next(model.parameters()).device
    moved = shift(x, dx, 0)
    probs = torch.softmax(model(moved.to(device)).float(), dim=1)[0].cpu()
    return ShiftedView(moved, int(probs.argmax()), float(probs.max()))
