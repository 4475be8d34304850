"""Small sequence classifiers for the claims' tests of reach and length: a 1-D CNN and a GRU on (B, T, C) input.

`SequenceCNN` stacks `depth` convolutions of width `kernel` (dilated 1, 2, 4 … when `dilated`), so its receptive
field is known exactly (`receptive_field`). Its head either pools over every position (`head="pool"`: any length
goes in) or flattens the positions into a fully-connected layer (`head="flat"`: built for `length` steps, so a
shorter input is padded with zeros to that length and a longer one is refused). `GRUClassifier` reads a sequence
of any length one step at a time and classifies its last hidden state.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class LengthError(ValueError):
    """An input the fixed-size head cannot take; the message says its length and the network's."""


class SequenceCNN(nn.Module):
    """(B, T, C) → (B, classes): `depth` ReLU convolutions of `channels`, then a pooled or flattened head.

    `circular` pads each convolution cyclically, so no position is special (no edge to tell where a step is).
    """

    def __init__(self, in_channels: int, depth: int, *, kernel: int = 5, channels: int = 16, dilated: bool = False,
                 head: str = "pool", length: int | None = None, num_classes: int = 2, circular: bool = False,
                 batch_norm: bool = False) -> None:
        super().__init__()
        if head not in ("pool", "flat") or (head == "flat") != (length is not None):
            raise ValueError("head is 'pool', or 'flat' with the length it is built for")
        self.dilations = [2 ** i if dilated else 1 for i in range(depth)]
        mode = "circular" if circular else "zeros"
        self.convs = nn.ModuleList(
            nn.Conv1d(in_channels if i == 0 else channels, channels, kernel, padding=d * (kernel - 1) // 2, dilation=d,
                      padding_mode=mode) for i, d in enumerate(self.dilations))
        self.norms = nn.ModuleList(nn.BatchNorm1d(channels) if batch_norm else nn.Identity() for _ in self.dilations)
        self.kernel, self.head_kind, self.length = kernel, head, length
        self.head = nn.Linear(channels * (length or 1), num_classes)

    @property
    def receptive_field(self) -> int:
        """How many input steps one position of the last layer sees: 1 + Σ (kernel − 1) · dilation."""
        return 1 + sum((self.kernel - 1) * d for d in self.dilations)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        h = x.transpose(1, 2)  # (B, C, T)
        for conv, norm in zip(self.convs, self.norms):
            h = F.relu(norm(conv(h)))
        return h  # (B, channels, T)

    def pad(self, x: torch.Tensor) -> torch.Tensor:
        """`x` (B, T, C) padded with zeros at the end to the head's length; LengthError if it is longer."""
        if x.shape[1] > self.length:
            raise LengthError(f"an input of {x.shape[1]} steps is longer than the {self.length} this head is built for")
        return F.pad(x, (0, 0, 0, self.length - x.shape[1]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.head_kind == "pool":
            return self.head(self.features(x).amax(-1))  # max over every position: any length
        return self.head(self.features(self.pad(x)).flatten(1))  # (B, channels · length)

    def unpadded(self, x: torch.Tensor) -> torch.Tensor:
        """The flattened head on `x` as it is, without padding: torch refuses any length but the head's."""
        return self.head(self.features(x).flatten(1))


class GRUClassifier(nn.Module):
    """(B, T, C) → (B, classes): a GRU over the steps, its last hidden state read by a linear layer."""

    def __init__(self, in_channels: int, hidden: int = 32, num_classes: int = 2) -> None:
        super().__init__()
        self.rnn = nn.GRU(in_channels, hidden, batch_first=True)
        self.head = nn.Linear(hidden, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.rnn(x)[0][:, -1])  # (B, classes)
