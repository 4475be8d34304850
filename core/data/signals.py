"""Generated sequences for the claims' tests: two events in an order, and a bump hidden in noise.

Both are seeded and cheap, so a script or a test makes the same sequences every time.
"""
from __future__ import annotations

import numpy as np


def make_order(n: int, length: int, distance: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (n, T, 2) and labels (n,): channel 0 marks event A, channel 1 event B, `distance` steps apart at a
    random place; the label is 1 when A comes first. No single step tells the order: a network must see both."""
    if not 0 < distance < length:
        raise ValueError("the distance must be between 1 and the length − 1")
    rng = np.random.default_rng(seed)
    first = rng.integers(0, length - distance, size=n)
    a_first = rng.integers(0, 2, size=n)
    x = np.zeros((n, length, 2), dtype=np.float32)
    rows = np.arange(n)
    x[rows, first, 1 - a_first] = 1.0
    x[rows, first + distance, a_first] = 1.0
    return x, a_first.astype(np.int64)


BUMP = np.array([0.6, 1.2, 1.8, 1.2, 0.6], dtype=np.float32)


def make_bumps(n: int, length: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (n, T, 1) of Gaussian noise, half of them with a bump (BUMP) added at a random place; label 1 for a
    bump. Its answer does not depend on the length."""
    if length < len(BUMP):
        raise ValueError(f"a sequence must have at least {len(BUMP)} steps to hold a bump")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, length)).astype(np.float32)
    y = rng.integers(0, 2, size=n)
    at = rng.integers(0, length - len(BUMP) + 1, size=n)
    for i in np.flatnonzero(y):
        x[i, at[i]:at[i] + len(BUMP)] += BUMP
    return x[..., None], y.astype(np.int64)
