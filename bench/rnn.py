"""Tracing cost: every gate of every step from the fused module (what the pages run) against torch.nn alone.

    python bench/rnn.py [--steps 500 1000] [--hidden 128] [--repeats 30] [--device cuda]

For RNN, LSTM and GRU on the same weights, in one process on one device, prints the median times of
torch.nn (no trace), `fused_trace` (torch.nn's output plus batched gate arithmetic), and our step-by-step
cells (the reference, a Python loop over steps); the ratios to torch.nn (the median of each round's own
ratio, the three timed in turn within a round, and the middle half of those ratios); the largest difference between
the two traces; and whether each row meets its target: traced ≤ 2× torch.nn on the CPU, ≤ 3× on a GPU,
and traces equal to 1e-5 (relative above 1, as in tests/test_rnn.py). Exits 1 if a row misses.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import seconds  # noqa: E402
from core.device import choose_device  # noqa: E402
from core.models.rnn import CELLS, TORCH_CELLS, fused_trace, trace_fields  # noqa: E402

TOLERANCE = 1e-5


def trace_difference(reference: object, traced: object) -> float:
    """max |traced − reference| / max(1, |reference|) over every field of two traces."""
    return max(float(((getattr(traced, f) - getattr(reference, f)).abs()
                      / getattr(reference, f).abs().clamp(min=1.0)).max()) for f in trace_fields(reference))


def timed_rounds(fns: list[Callable[[], object]], repeats: int, device: torch.device) -> list[list[float]]:
    """Seconds of each of `fns` in each of `repeats` rounds (after one warm-up round), timed in turn within a
    round, so that a slow spell of a shared machine falls on the calls of one round alike."""
    times: list[list[float]] = [[] for _ in fns]
    for round_ in range(repeats + 1):
        for fn, took in zip(fns, times):
            took.append(seconds(fn, device))
    return [took[1:] for took in times]  # the first round warms up


def median_ratio(numerator: list[float], denominator: list[float]) -> float:
    """The median of the rounds' own ratios."""
    return statistics.median(n / d for n, d in zip(numerator, denominator))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[500, 1000])
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--input", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--device", default=None)
    args = parser.parse_args()
    device = choose_device(args.device).device
    target = 3.0 if device.type == "cuda" else 2.0
    if device.type == "cuda":  # TF32 in cuDNN alone moves its states by 1–3e-4 (docs/benchmarks.md, GPU)
        torch.backends.cudnn.allow_tf32 = False
    threads = "" if device.type == "cuda" else f", {torch.get_num_threads()} thread(s)"
    print(f"one sequence (batch 1), input {args.input}, hidden {args.hidden}, {device.type}{threads}, "
          f"torch {torch.__version__}, {args.repeats} rounds; target: traced ≤ {target:g}× torch.nn, "
          f"traces equal to {TOLERANCE:g}")
    print(f"| cell | steps | torch.nn | traced | traced / torch.nn | step loop | step loop / torch.nn "
          f"| max trace difference | meets |\n|{' --- |' * 9}")
    missed = 0
    for steps in args.steps:
        for cell in ("rnn", "lstm", "gru"):
            torch.manual_seed(0)
            step_cell = CELLS[cell](args.input, args.hidden).to(device).eval()
            fused = TORCH_CELLS[cell](args.input, args.hidden, batch_first=True).to(device).eval()
            fused.load_state_dict(step_cell.state_dict())
            x = torch.randn(1, steps, args.input, device=device)
            with torch.inference_mode():
                t_fused, t_traced, t_steps = timed_rounds(
                    [lambda: fused(x), lambda: fused_trace(fused, x), lambda: step_cell(x)], args.repeats, device)
                difference = trace_difference(step_cell(x)[1], fused_trace(fused, x)[1])
            ratio = median_ratio(t_traced, t_fused)
            meets = ratio <= target and difference <= TOLERANCE
            missed += not meets
            low, _, high = statistics.quantiles([t / f for t, f in zip(t_traced, t_fused)], n=4)
            ms = lambda times: f"{statistics.median(times) * 1e3:.1f} ms"  # noqa: E731
            print(f"| {cell.upper()} | {steps:,} | {ms(t_fused)} | {ms(t_traced)} | **{ratio:.2f}** ({low:.2f}–{high:.2f}) "
                  f"| {ms(t_steps)} | {median_ratio(t_steps, t_fused):.1f} | {difference:.1e} "
                  f"| {'yes' if meets else '**no**'} |")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
