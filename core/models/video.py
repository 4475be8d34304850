"""Two classifiers of a clip's direction of motion, around one per-frame CNN.

`CNNGRU` runs the CNN on every frame and a GRU over the frames' features, in order, and classifies its last
hidden state: the article's CNN + RNN for video. `AveragedCNN` runs the same CNN on the mean of the frames,
so it sees where the shape went but not in which order. Both take clips (B, T, H, W) and return
`(logits, trace)`: the trace holds what the model computed on the way (the CNN's last feature maps, the
per-frame features, the GRU's hidden state after every frame) as tensors, nothing stashed on the module.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from core.data.video import DIRECTIONS, SIZE

FEATURES = 32  # per-frame feature vector
HIDDEN = 32  # GRU units


class FrameCNN(nn.Module):
    """Two 3×3 convolution blocks and a linear layer: frames (N, 1, 32, 32) → maps (N, 16, 16, 16), features (N, F)."""

    def __init__(self, features: int = FEATURES) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.fc = nn.Linear(16 * (SIZE // 4) ** 2, features)

    def maps(self, x: torch.Tensor) -> torch.Tensor:
        """The last convolution's maps (N, 16, 16, 16): what Grad-CAM reads."""
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)  # (N, 8, 16, 16)
        return F.relu(self.conv2(x))  # (N, 16, 16, 16)

    def features(self, maps: torch.Tensor) -> torch.Tensor:
        """One feature vector (N, F) per frame from its maps."""
        return F.relu(self.fc(F.max_pool2d(maps, 2).flatten(1)))  # (N, F)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        maps = self.maps(x)
        return maps, self.features(maps)


@dataclass(frozen=True)
class GRUTrace:
    """What `CNNGRU` computed: per-frame maps (B, T, C, h, w) and features (B, T, F), hidden states (B, T, H)."""

    maps: torch.Tensor
    features: torch.Tensor
    hidden: torch.Tensor


@dataclass(frozen=True)
class AveragedTrace:
    """What `AveragedCNN` computed: the averaged frame (B, H, W), its maps (B, C, h, w) and features (B, F)."""

    average: torch.Tensor
    maps: torch.Tensor
    features: torch.Tensor


class CNNGRU(nn.Module):
    """The CNN on every frame, a GRU over the frames in order, a linear layer on its last hidden state."""

    def __init__(self, num_classes: int = len(DIRECTIONS), hidden: int = HIDDEN) -> None:
        super().__init__()
        self.cnn = FrameCNN()
        self.gru = nn.GRU(FEATURES, hidden, batch_first=True)
        self.head = nn.Linear(hidden, num_classes)

    def forward(self, clips: torch.Tensor) -> tuple[torch.Tensor, GRUTrace]:
        b, t, h, w = clips.shape
        maps = self.cnn.maps(clips.reshape(b * t, 1, h, w))  # every frame at once
        maps = maps.view(b, t, *maps.shape[1:])  # (B, T, C, h, w): the tensor the rest reads, so Grad-CAM can too
        features = self.cnn.features(maps.flatten(0, 1)).view(b, t, -1)  # (B, T, F)
        hidden, _ = self.gru(features)  # (B, T, H): h_t after each frame
        logits = self.head(hidden[:, -1])  # (B, classes)
        return logits, GRUTrace(maps, features, hidden)


class AveragedCNN(nn.Module):
    """The same CNN on the mean of the frames, a linear layer on its features: blind to the frames' order."""

    def __init__(self, num_classes: int = len(DIRECTIONS)) -> None:
        super().__init__()
        self.cnn = FrameCNN()
        self.head = nn.Linear(FEATURES, num_classes)

    def forward(self, clips: torch.Tensor) -> tuple[torch.Tensor, AveragedTrace]:
        average = clips.mean(1)  # (B, H, W)
        maps, features = self.cnn(average[:, None])
        return self.head(features), AveragedTrace(average, maps, features)
