"""A small VGG-style CNN: stacks of 3×3 convolutions with batch norm, max pooling, global average pooling.

Sized for 64×64 pictures of the synthetic shapes dataset; the last conv block keeps an 8×8 map so
Grad-CAM and feature maps still have a spatial layout to show.
"""
from __future__ import annotations

import torch
from torch import nn


def _block(c_in: int, c_out: int, batch_norm: bool = True) -> nn.Sequential:
    """conv–BN–ReLU twice, then 2×2 max pooling; without batch norm the convolutions get a bias instead."""
    layers: list[nn.Module] = []
    for a, b in ((c_in, c_out), (c_out, c_out)):
        layers += [nn.Conv2d(a, b, 3, padding=1, bias=not batch_norm)]
        layers += [nn.BatchNorm2d(b)] if batch_norm else []
        layers += [nn.ReLU(inplace=True)]
    return nn.Sequential(*layers, nn.MaxPool2d(2))


class SmallVGG(nn.Module):
    """(B, 3, 64, 64) in, (B, num_classes) logits out; `features` then `classifier`, as in torchvision's VGG."""

    def __init__(self, num_classes: int = 6, widths: tuple[int, int, int] = (16, 32, 64), batch_norm: bool = True,
                 dropout: float = 0.2) -> None:
        super().__init__()
        w1, w2, w3 = widths
        self.features = nn.Sequential(_block(3, w1, batch_norm), _block(w1, w2, batch_norm),
                                      _block(w2, w3, batch_norm))  # (B, w3, 8, 8)
        self.avgpool = nn.AdaptiveAvgPool2d(1)  # (B, w3, 1, 1)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(dropout) if dropout else nn.Identity(),
                                        nn.Linear(w3, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        return self.classifier(self.avgpool(x))
