"""Every cap the app puts on a training run, in one place.

A run made by a script (`python -m core.train …`) has no caps; a run a visitor starts from a page has the
caps of that page, so one session cannot hold the server for long.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Caps on one run: `None` is no cap. `max_seconds` counts the run's own compute, `max_wall_seconds`
    a pair's whole time, waiting for the CPU included. `max_step_flops` and `max_step_bytes` bound one training
    step of a network a visitor built (planned before the first step: the time cap is only checked between
    steps, and one step of a big network can take minutes and gigabytes)."""

    max_epochs: int | None = None
    max_batch: int | None = None
    max_steps: int | None = None
    max_seconds: float | None = None
    max_wall_seconds: float | None = None
    max_lr: float | None = None
    max_step_flops: int | None = None
    max_step_bytes: int | None = None


SCRIPT = Limits()
TRAINING_LAB = Limits(max_epochs=40, max_batch=512, max_steps=3000, max_seconds=90.0, max_wall_seconds=600.0,
                      max_lr=1.0, max_step_flops=300 * 10**9, max_step_bytes=500_000_000)
# 300 GFLOPs (forward and backward) is about 5 s of one CPU core; 500 MB of activations (MB: 1,000,000 bytes).
GRADIENT_LAB = Limits(max_steps=1500, max_seconds=45.0)  # the long-lag runs: three models share the 45 s
MNIST1D_PAGE = Limits(max_seconds=60.0)  # retraining one MNIST-1D model on the comparison page
