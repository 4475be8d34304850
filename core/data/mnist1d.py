"""MNIST-1D (Greydanus 2020, "Scaling Down Deep Learning"), generated offline by the `mnist1d` package.

Ten 1-D templates of the digits, each placed, padded, scaled, sheared, shifted and noised into a
sequence of 40 numbers. The package's defaults give 5,000 sequences: 4,000 to train, 1,000 to test.
We call `make_dataset(get_dataset_args())` and never `get_dataset()`, which tries to download first.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

LENGTH = 40
CLASSES = tuple(str(d) for d in range(10))


@dataclass(frozen=True)
class MNIST1D:
    """Train and test splits: x (N, 40) float32, y (N,) int64; `t` is the 40 sample positions."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    t: np.ndarray


@lru_cache(maxsize=2)
def load_mnist1d(seed: int = 42) -> MNIST1D:
    """The package's default dataset (seed 42) or the same recipe with another seed; deterministic."""
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.seed = seed
    data = make_dataset(args)
    return MNIST1D(
        x_train=np.asarray(data["x"], dtype=np.float32), y_train=np.asarray(data["y"], dtype=np.int64),
        x_test=np.asarray(data["x_test"], dtype=np.float32), y_test=np.asarray(data["y_test"], dtype=np.int64),
        t=np.asarray(data["t"], dtype=np.float32),
    )
