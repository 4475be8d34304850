"""One clip through both video models: their predictions, the GRU's hidden states and each frame's Grad-CAM.

Grad-CAM (Selvaraju et al. 2017) reads the maps the models return in their traces: one forward pass with
gradients on, then `torch.autograd.grad` from the class score down to those maps only, so nothing is
written into the shared models' parameters and no hook is registered on them.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class ClipView:
    """What the page shows of one clip: frames (T, H, W) and their mean (H, W); each model's class
    probabilities (classes,); the GRU's hidden states (T, H) and per-frame features (T, F); Grad-CAM of each
    model's predicted class, the GRU model's per frame (T, H, W) on one scale, the averaged model's on its
    input (H, W), each scaled to 0–1 by its own maximum."""

    frames: np.ndarray
    average: np.ndarray
    gru_probs: np.ndarray
    averaged_probs: np.ndarray
    hidden: np.ndarray
    features: np.ndarray
    gru_cam: np.ndarray
    averaged_cam: np.ndarray


def _cam(score: torch.Tensor, maps: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """ReLU(Σ_k mean(∂score/∂A_k)·A_k) for maps (..., C, h, w), upsampled to `size`: (..., H, W)."""
    (grads,) = torch.autograd.grad(score, maps)
    cam = F.relu((grads.mean(dim=(-2, -1), keepdim=True) * maps.detach()).sum(dim=-3))  # (..., h, w)
    lead = cam.shape[:-2]
    up = F.interpolate(cam.reshape(-1, 1, *cam.shape[-2:]), size=size, mode="bilinear", align_corners=False)
    return up.reshape(*lead, *size)


def _unit_scale(values: torch.Tensor) -> np.ndarray:
    top = float(values.max())
    return (values / top if top > 0 else values).cpu().numpy()


def inspect_clip(gru_model: nn.Module, averaged_model: nn.Module, clip: np.ndarray) -> ClipView:
    """Run clip (T, H, W) through the CNN + GRU and the averaged CNN and collect what `ClipView` holds.

    The models are shared, so nothing is left on them. The CNN + GRU runs as a copy in train mode, because
    cuDNN's GRU backpropagates only there; with no dropout or batch norm, train mode computes the same function.
    """
    device = next(gru_model.parameters()).device
    x = torch.as_tensor(clip, dtype=torch.float32, device=device)[None]  # (1, T, H, W)
    size = tuple(clip.shape[-2:])
    with torch.enable_grad():
        logits, trace = copy.deepcopy(gru_model).train()(x)
        gru_cam = _cam(logits[0, int(logits[0].argmax())], trace.maps, size)[0]  # (T, H, W)
        avg_logits, avg_trace = averaged_model(x)
        averaged_cam = _cam(avg_logits[0, int(avg_logits[0].argmax())], avg_trace.maps, size)[0]  # (H, W)
    return ClipView(
        frames=np.asarray(clip, dtype=np.float32), average=avg_trace.average[0].detach().cpu().numpy(),
        gru_probs=torch.softmax(logits[0].detach(), 0).cpu().numpy(),
        averaged_probs=torch.softmax(avg_logits[0].detach(), 0).cpu().numpy(),
        hidden=trace.hidden[0].detach().cpu().numpy(), features=trace.features[0].detach().cpu().numpy(),
        gru_cam=_unit_scale(gru_cam), averaged_cam=_unit_scale(averaged_cam),
    )


def within_axis_accuracy(accuracy: float, axis_accuracy: float) -> float:
    """Of the clips whose axis (horizontal or vertical) a model got right, the share whose direction it also got
    right: 0.5 is a coin flip between the two directions of the axis."""
    return accuracy / axis_accuracy if axis_accuracy > 0 else 0.0

