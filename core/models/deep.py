"""Deep plain and residual CNNs of any depth, to watch gradients vanish with depth (He et al. 2015)."""
from __future__ import annotations

import torch
from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid}


class ConvUnit(nn.Module):
    """Two 3×3 convolutions (each with optional batch norm and the activation); with `residual`, x + F(x)."""

    def __init__(self, width: int, activation: str, batch_norm: bool, residual: bool) -> None:
        super().__init__()
        act = ACTIVATIONS[activation]
        norm = (lambda: nn.BatchNorm2d(width)) if batch_norm else nn.Identity
        self.conv1, self.norm1, self.act1 = nn.Conv2d(width, width, 3, padding=1), norm(), act()
        self.conv2, self.norm2, self.act2 = nn.Conv2d(width, width, 3, padding=1), norm(), act()
        self.residual = residual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.norm2(self.conv2(self.act1(self.norm1(self.conv1(x)))))
        return self.act2(out + x if self.residual else out)


class DeepCNN(nn.Module):
    """`depth` weight layers: a stem conv, (depth − 2) / 2 two-conv units, global average pooling, a linear head."""

    def __init__(self, depth: int, residual: bool, activation: str = "relu", batch_norm: bool = True,
                 width: int = 16, num_classes: int = 6) -> None:
        super().__init__()
        if depth < 4 or depth % 2:
            raise ValueError(f"depth must be an even number ≥ 4, got {depth}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}")
        self.stem = nn.Sequential(nn.Conv2d(3, width, 3, padding=1), ACTIVATIONS[activation]())
        self.units = nn.Sequential(*[ConvUnit(width, activation, batch_norm, residual) for _ in range((depth - 2) // 2)])
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.units(self.stem(x))  # (B, width, H, W)
        return self.head(self.pool(x).flatten(1))
