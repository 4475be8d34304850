"""Five small CNNs, one per era of the seed's history, each built around the idea the era is known for.

All read (B, 3, 32, 32) pictures of the textured-shapes task (core.data.shapes.make_textured_shapes) and return
(B, num_classes) logits; each has 40–60 thousand parameters, so what differs is how they are put together:

- LeNet (1998): 5×5 convolutions, tanh, average-pool subsampling, fully-connected layers at the end.
- AlexNet (2012): a large first kernel with a stride, ReLU, overlapping max pooling, dropout before the classifier.
- VGG (2014): nothing but stacks of 3×3 convolutions between max poolings.
- GoogLeNet (2014): Inception blocks — 1×1, 3×3, 5×5 and pooling branches side by side, 1×1 reductions first.
- ResNet (2015): residual blocks whose shortcut adds the input back, with batch norm, deeper than the rest.

Batch norm appears only in the ResNet, as in the papers (GoogLeNet's v1 and VGG trained without it).
"""
from __future__ import annotations

import torch
from torch import nn


class EraLeNet(nn.Module):
    """LeNet-style: conv 5×5 → tanh → avg-pool, twice, then two fully-connected layers (c1 s2 c3 s4 f5 output)."""

    def __init__(self, num_classes: int = 12) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(3, 16, 5)
        self.act1 = nn.Tanh()
        self.s2 = nn.AvgPool2d(2)
        self.c3 = nn.Conv2d(16, 32, 5)
        self.act3 = nn.Tanh()
        self.s4 = nn.AvgPool2d(2)
        self.flatten = nn.Flatten()
        self.f5 = nn.Linear(32 * 5 * 5, 48)
        self.act5 = nn.Tanh()
        self.output = nn.Linear(48, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.s2(self.act1(self.c1(x)))  # (B, 16, 14, 14)
        x = self.s4(self.act3(self.c3(x)))  # (B, 32, 5, 5)
        x = self.act5(self.f5(self.flatten(x)))  # (B, 48)
        return self.output(x)  # (B, num_classes)


class EraAlexNet(nn.Module):
    """AlexNet-style: a 7×7 stride-2 first kernel, ReLU, overlapping 3×3/2 max pooling, three 3×3 convolutions,
    dropout before the classifier (`features`, `avgpool`, `classifier`, as in torchvision's AlexNet)."""

    def __init__(self, num_classes: int = 12, dropout: float = 0.3) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 7, stride=2, padding=3), nn.ReLU(inplace=True),  # (B, 32, 16, 16)
            nn.MaxPool2d(3, stride=2, padding=1),  # (B, 32, 8, 8)
            nn.Conv2d(32, 48, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(48, 48, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(48, 32, 3, padding=1), nn.ReLU(inplace=True),  # (B, 32, 8, 8)
            nn.MaxPool2d(3, stride=2, padding=1),  # (B, 32, 4, 4)
        )
        self.avgpool = nn.AdaptiveAvgPool2d(2)  # (B, 32, 2, 2)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(128, 64), nn.ReLU(inplace=True),
                                        nn.Dropout(dropout), nn.Linear(64, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.avgpool(self.features(x)))


def _vgg_stack(c_in: int, c_out: int) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(c_out, c_out, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2)]


class EraVGG(nn.Module):
    """VGG-style: three stacks of two 3×3 convolutions, each followed by 2×2 max pooling; global average pooling."""

    def __init__(self, num_classes: int = 12, widths: tuple[int, int, int] = (16, 32, 48)) -> None:
        super().__init__()
        w1, w2, w3 = widths
        self.features = nn.Sequential(*_vgg_stack(3, w1), *_vgg_stack(w1, w2), *_vgg_stack(w2, w3))  # (B, w3, 4, 4)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(w3, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.avgpool(self.features(x)))


def _conv_relu(c_in: int, c_out: int, k: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, k, padding=k // 2), nn.ReLU(inplace=True))


class Inception(nn.Module):
    """Four branches side by side, concatenated: 1×1; 1×1 then 3×3; 1×1 then 5×5; 3×3 max pool then 1×1."""

    def __init__(self, c_in: int, c1: int, r3: int, c3: int, r5: int, c5: int, pool: int) -> None:
        super().__init__()
        self.branch1 = _conv_relu(c_in, c1, 1)
        self.branch3 = nn.Sequential(_conv_relu(c_in, r3, 1), _conv_relu(r3, c3, 3))
        self.branch5 = nn.Sequential(_conv_relu(c_in, r5, 1), _conv_relu(r5, c5, 5))
        self.branch_pool = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), _conv_relu(c_in, pool, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch1(x), self.branch3(x), self.branch5(x), self.branch_pool(x)], 1)


class EraGoogLeNet(nn.Module):
    """GoogLeNet-style: a 3×3 stem, then Inception blocks between max poolings, global average pooling."""

    def __init__(self, num_classes: int = 12) -> None:
        super().__init__()
        self.stem = _conv_relu(3, 24, 3)  # (B, 24, 32, 32)
        self.pool1 = nn.MaxPool2d(2)  # (B, 24, 16, 16)
        self.inception3a = Inception(24, 12, 12, 16, 4, 8, 8)  # (B, 44, 16, 16)
        self.pool2 = nn.MaxPool2d(2)  # (B, 44, 8, 8)
        self.inception4a = Inception(44, 20, 20, 32, 8, 16, 12)  # (B, 80, 8, 8)
        self.pool3 = nn.MaxPool2d(2)  # (B, 80, 4, 4)
        self.inception5a = Inception(80, 24, 24, 36, 8, 16, 12)  # (B, 88, 4, 4)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(88, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool2(self.inception3a(self.pool1(self.stem(x))))
        x = self.inception5a(self.pool3(self.inception4a(x)))
        return self.fc(self.avgpool(x))


class BasicBlock(nn.Module):
    """Two 3×3 conv–BN layers whose output is added to the input (through a 1×1 conv when the shape changes)."""

    def __init__(self, c_in: int, c_out: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.downsample = (nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out))
                           if stride != 1 or c_in != c_out else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + identity)


class EraResNet(nn.Module):
    """ResNet-style: a 3×3 stem and 2×2 max pooling, three stages of two residual blocks (stride 2 between
    stages), global average pooling — 14 weight layers on the main path (`conv1`, `layer1`…`layer3`, `fc`)."""

    def __init__(self, num_classes: int = 12, widths: tuple[int, int, int] = (16, 24, 32)) -> None:
        super().__init__()
        w1, w2, w3 = widths
        self.conv1 = nn.Conv2d(3, w1, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(w1)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(2)  # (B, w1, 16, 16)
        self.layer1 = nn.Sequential(BasicBlock(w1, w1), BasicBlock(w1, w1))  # (B, w1, 16, 16)
        self.layer2 = nn.Sequential(BasicBlock(w1, w2, 2), BasicBlock(w2, w2))  # (B, w2, 8, 8)
        self.layer3 = nn.Sequential(BasicBlock(w2, w3, 2), BasicBlock(w3, w3))  # (B, w3, 4, 4)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(w3, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))  # (B, w1, 16, 16)
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(torch.flatten(self.avgpool(x), 1))
