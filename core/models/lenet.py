"""LeNet-5 in the 1998 layout (LeCun et al.), layer names as in the paper: C1 S2 C3 S4 C5 F6 output.

Two simplifications, both usual: C3 connects to all six S2 maps (the paper's sparse table kept the
parameter count down on 1998 hardware), and the RBF output layer is a linear layer with softmax.
"""
from __future__ import annotations

import torch
from torch import nn


class LeNet5(nn.Module):
    """32×32 grayscale in, `num_classes` logits out; tanh activations and average pooling as in 1998."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, kernel_size=5)
        self.act1 = nn.Tanh()
        self.s2 = nn.AvgPool2d(2)
        self.c3 = nn.Conv2d(6, 16, kernel_size=5)
        self.act3 = nn.Tanh()
        self.s4 = nn.AvgPool2d(2)
        self.c5 = nn.Conv2d(16, 120, kernel_size=5)
        self.act5 = nn.Tanh()
        self.flatten = nn.Flatten()
        self.f6 = nn.Linear(120, 84)
        self.act6 = nn.Tanh()
        self.output = nn.Linear(84, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.s2(self.act1(self.c1(x)))  # (B, 6, 14, 14)
        x = self.s4(self.act3(self.c3(x)))  # (B, 16, 5, 5)
        x = self.flatten(self.act5(self.c5(x)))  # (B, 120)
        x = self.act6(self.f6(x))  # (B, 84)
        return self.output(x)  # (B, num_classes)
