"""A class clicking in the same instant, without browsers: N Grad-CAMs of N new pictures started together.

    python bench/burst.py [--n 10] [--rounds 5]

`bench/load.py` drives real browsers, and with the class's browsers on the server's own two cores they
deliver their uploads one after another, so its sessions seldom reach the server together. This script
asks what a true burst costs: N threads wait at a barrier, then each runs what the saliency page runs
for a new upload, through the same loaders, slots and thread settings as the server (decode, prepare,
classify, Grad-CAM at the suggested layer of ResNet-18 on its random initialisation: the same work as
with ImageNet weights). Streamlit's own work per rerun (widgets, figures, sending) is not in it.

Prints the single request's median (each after the machine sat idle, in a fresh thread, as a click
meets the server), each burst's median, p95 and slowest, and what the cores would allow the slowest if
every request of a burst cost the CPU time a single one does: N × that time / the cores (back to back,
with warm caches, they cost less). A benchmark, not a target: it exits 0.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["TORCH_HOME"] = tempfile.mkdtemp(prefix="explorer-burst-")  # no ImageNet weights: random init

from bench.load import picture  # noqa: E402  (after TORCH_HOME, before torch loads)
from core.probes.saliency import suggestion  # noqa: E402
from streamlit.logger import set_log_level  # noqa: E402
from ui import models, scheduling, vision  # noqa: E402

set_log_level("error")  # the loaders run outside a script run here: no warning about it per call

MODEL = "resnet18"


def request(seed: int) -> tuple[float, float]:
    """One new picture through the saliency page's loaders; (wall seconds, this thread's CPU seconds)."""
    start, cpu = time.perf_counter(), time.thread_time()
    weights = models.weights_key(MODEL)
    shown = vision.upload(f"burst-{seed}", "en", picture(seed))
    prepared = vision.model_input(MODEL, shown, shown.digest)
    key = f"{shown.digest}:{MODEL}"
    probs = vision.probabilities(MODEL, key, weights, prepared.tensor)
    layer, _ = suggestion(vision.cam_layers(MODEL, weights))
    vision.attribution(MODEL, weights, key, "Grad-CAM", int(np.argmax(probs)), (("layer", layer),), prepared.tensor)
    return time.perf_counter() - start, time.thread_time() - cpu


def in_threads(seeds: list[int]) -> list[tuple[float, float]]:
    """Run one request per seed, each in its own thread, all released at once."""
    gate = threading.Barrier(len(seeds))
    results: list[tuple[float, float]] = [(0.0, 0.0)] * len(seeds)

    def run(i: int) -> None:
        gate.wait()
        results[i] = request(seeds[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(seeds))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10, help="requests released together")
    parser.add_argument("--rounds", type=int, default=5, help="bursts (and single requests) to take medians over")
    args = parser.parse_args()

    scheduling.device_choice()  # the server's thread setting: the cores shared out among the heavy-work slots
    models.model(MODEL, models.weights_key(MODEL))
    for warm in range(3):
        request(10_000 + warm)  # warm-up: first calls of every kernel

    seed = 0
    singles = []
    for _ in range(max(5, args.rounds)):
        time.sleep(0.3)
        singles.extend(in_threads([seed]))
        seed += 1
    single_wall = statistics.median(w for w, _ in singles)
    single_cpu = statistics.median(c for _, c in singles)

    bursts = []
    for _ in range(args.rounds):
        time.sleep(1.0)
        walls = sorted(w for w, _ in in_threads(list(range(seed, seed + args.n))))
        seed += args.n
        bursts.append((statistics.median(walls), float(np.quantile(walls, 0.95)), walls[-1]))

    cores = os.cpu_count() or 1
    lanes = min(cores, scheduling.heavy_slot().slots)
    floor = args.n * single_cpu / lanes
    print(f"{cores} CPU cores, {scheduling.heavy_slot().slots} heavy-work slots; {MODEL} on {scheduling.device_choice().device}")
    print(f"single request: {single_wall * 1000:.0f} ms median ({single_cpu * 1000:.0f} ms of CPU), "
          f"{len(singles)} requests")
    print(f"{'burst':>5s} {'median ms':>10s} {'p95 ms':>7s} {'slowest ms':>11s} {'p95 / single':>13s}")
    for i, (mid, p95, slowest) in enumerate(bursts, 1):
        print(f"{i:5d} {mid * 1000:10.0f} {p95 * 1000:7.0f} {slowest * 1000:11.0f} {p95 / single_wall:12.1f}×")
    ratios = sorted(p95 / single_wall for _, p95, _ in bursts)
    print(f"{args.n} at once: p95 {statistics.median(ratios):.1f}× the single request (median of {len(bursts)} bursts, "
          f"{ratios[0]:.1f}–{ratios[-1]:.1f}); at a single request's CPU each, {lanes} cores finish the slowest "
          f"after {args.n} × {single_cpu * 1000:.0f} ms / {lanes} = {floor * 1000:.0f} ms "
          f"({floor / single_wall:.1f}× the single request)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
