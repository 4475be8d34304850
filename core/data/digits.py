"""scikit-learn's handwritten digits (1,797 real 8×8 scans, UCI) prepared for LeNet-5's 32×32 input."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

DIGIT_CLASSES: tuple[str, ...] = tuple(str(d) for d in range(10))
SPLIT_SEED = 0
TEST_FRACTION = 0.25


@dataclass(frozen=True)
class DigitsSplit:
    """Scans (N, 8, 8) in [0, 1] (ink is bright) and labels (N,) int64."""

    images: np.ndarray
    labels: np.ndarray


def load_digits_split(split: str) -> DigitsSplit:
    """The fixed, stratified train/test split ('train' or 'test') every script and test uses."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    digits = load_digits()
    images = digits.images.astype(np.float32) / 16.0
    x_train, x_test, y_train, y_test = train_test_split(
        images, digits.target, test_size=TEST_FRACTION, random_state=SPLIT_SEED, stratify=digits.target
    )
    if split == "train":
        return DigitsSplit(x_train, y_train.astype(np.int64))
    return DigitsSplit(x_test, y_test.astype(np.int64))


def scans_to_lenet(scans: torch.Tensor) -> torch.Tensor:
    """(N, 8, 8) scans in [0, 1] → (N, 1, 32, 32): upsampled to 28×28 and padded by 2, as in LeNet-5."""
    x = scans.reshape(-1, 1, 8, 8).float()
    x = F.interpolate(x, size=(28, 28), mode="bilinear", align_corners=False)
    return F.pad(x, (2, 2, 2, 2))
