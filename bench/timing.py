"""Timing shared by the benchmarks: medians of repeated runs, synchronised on GPUs."""
from __future__ import annotations

import statistics
import time
from typing import Callable

import torch


def seconds(fn: Callable[[], object], device: torch.device) -> float:
    """Wall time of one call of `fn`, waiting for the GPU before and after."""
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def median_seconds(fn: Callable[[], object], repeats: int, device: torch.device) -> float:
    """Median wall time of `fn` over `repeats` runs after one warm-up, waiting for the GPU each time."""
    fn()
    return statistics.median(seconds(fn, device) for _ in range(repeats))
