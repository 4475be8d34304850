"""LeNet-5 in the 1998 layout (LeCun et al.), layer names as in the paper: C1 S2 C3 S4 C5 F6 output.

Two simplifications, both usual: C3 connects to all six S2 maps (the paper's sparse table kept the
parameter count down on 1998 hardware), and the RBF output layer is a linear layer with softmax.
"""
from __future__ import annotations

import torch
from torch import nn


class LeNet5(nn.Module):
    """32×32 grayscale in, `num_classes` logits out; tanh activations and average pooling as in 1998.

    The training lab can add what 1998 did not have: batch norm after C1 and C3, dropout before F6 and
    the output. Off by default, they add no modules, so the bundled network's layers stay the paper's.
    """

    def __init__(self, num_classes: int = 10, dropout: float = 0.0, batch_norm: bool = False) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, kernel_size=5)
        self.bn1 = nn.BatchNorm2d(6) if batch_norm else None
        self.act1 = nn.Tanh()
        self.s2 = nn.AvgPool2d(2)
        self.c3 = nn.Conv2d(6, 16, kernel_size=5)
        self.bn3 = nn.BatchNorm2d(16) if batch_norm else None
        self.act3 = nn.Tanh()
        self.s4 = nn.AvgPool2d(2)
        self.c5 = nn.Conv2d(16, 120, kernel_size=5)
        self.act5 = nn.Tanh()
        self.flatten = nn.Flatten()
        self.drop5 = nn.Dropout(dropout) if dropout else None
        self.f6 = nn.Linear(120, 84)
        self.act6 = nn.Tanh()
        self.drop6 = nn.Dropout(dropout) if dropout else None
        self.output = nn.Linear(84, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.c1(x)
        if self.bn1 is not None:
            x = self.bn1(x)
        x = self.s2(self.act1(x))  # (B, 6, 14, 14)
        x = self.c3(x)
        if self.bn3 is not None:
            x = self.bn3(x)
        x = self.s4(self.act3(x))  # (B, 16, 5, 5)
        x = self.flatten(self.act5(self.c5(x)))  # (B, 120)
        if self.drop5 is not None:
            x = self.drop5(x)
        x = self.act6(self.f6(x))  # (B, 84)
        if self.drop6 is not None:
            x = self.drop6(x)
        return self.output(x)  # (B, num_classes)
