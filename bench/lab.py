"""The training lab, measured: what its bookkeeping costs, and what each best practice does on our tasks.

    python bench/lab.py [--seeds 3] [--skip-comparisons] [--defaults] [--device cpu]

1. Overhead: `Run.step()` (per-run random state, gradient norm, records, per-epoch evaluation)
   against a bare loop training the same LeNet-5 on the same batches, in the same process; and two
   runs interleaved on the lab's thread against the same two runs one after the other. Targets:
   ≤ 1.3 and ≤ 1.2.
2. Comparisons: each toggle of the lab against the same baseline, over `--seeds` seeds (digits), or
   one seed (shapes, text); held-out accuracy mean ± spread and seconds. Prints a Markdown table.
3. With --defaults, only each task's default pair (what the page opens on) over `--seeds` seeds: both
   runs' held-out metric, mean ± standard deviation, and the gap; the spreads behind `DefaultPair.spread`.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import lab  # noqa: E402
from core.device import choose_device, configure_threads  # noqa: E402
from core.training.engine import Run, RunConfig, RunPair, train  # noqa: E402
from core.training.limits import TRAINING_LAB  # noqa: E402
from core.training.tasks import get_task  # noqa: E402
from core.weights import ASSETS  # noqa: E402

LIMITS = TRAINING_LAB  # every run here is one the lab could start, under the lab's caps


def bare_loop(config: RunConfig, device: torch.device) -> float:
    """Seconds to train the lab's model for the same number of steps with nothing but forward, backward, step."""
    run = Run(config, device, limits=LIMITS)  # for its model, optimizer and data; trained below without its bookkeeping
    data, model, opt = run.data, run.model, run.opt
    gen = torch.Generator().manual_seed(config.seed)
    start = time.perf_counter()
    for _ in range(config.epochs):
        order = torch.randperm(len(data.x_train), generator=gen)
        for i in range(0, len(order), config.batch_size):
            idx = order[i:i + config.batch_size]
            loss = F.cross_entropy(model(data.x_train[idx].to(device)), data.y_train[idx].to(device))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def lab_loop(config: RunConfig, device: torch.device) -> float:
    run = Run(config, device, limits=LIMITS)
    start = time.perf_counter()
    train(run)
    return time.perf_counter() - start


def overhead(device: torch.device, repeats: int = 5) -> list[tuple[str, float, float]]:
    """Medians of `repeats` rounds; each round times ours and the reference back to back, so drifts in the
    machine's speed hit both alike."""
    config = RunConfig("digits", epochs=6)
    other = replace(config, batch_norm=True, dropout=0.3)
    get_task("digits").data()

    def paired() -> float:
        pair = RunPair([Run(config, device, limits=LIMITS), Run(other, device, limits=LIMITS)])
        start = time.perf_counter()
        pair.start().join()
        return time.perf_counter() - start

    rounds = [(lab_loop(config, device), bare_loop(config, device), paired(),
               lab_loop(config, device) + lab_loop(other, device)) for _ in range(repeats)]
    ours, bare, interleaved, sequential = (statistics.median(r[i] for r in rounds) for i in range(4))
    return [("Run.step vs bare loop (LeNet-5, 132 steps)", ours, bare),
            ("two runs interleaved on the lab's thread vs one after the other", interleaved, sequential)]


COMPARISONS: list[tuple[str, RunConfig, list[tuple[str, dict]], int]] = [
    ("digits", RunConfig("digits", epochs=12), [
        ("baseline: Adam 3e-3, constant, batch 64", {}),
        ("+ dropout 0.3", dict(dropout=0.3)),
        ("+ batch norm", dict(batch_norm=True)),
        ("+ shift and rotation", dict(augment=("shift", "rotate"))),
        ("+ one-cycle schedule", dict(schedule="onecycle")),
        ("+ weight decay 1e-2", dict(weight_decay=1e-2)),
        ("SGD + momentum, lr 3e-2", dict(optimizer="sgd", lr=3e-2)),
        ("SGD + momentum, lr 3e-2, batch norm", dict(optimizer="sgd", lr=3e-2, batch_norm=True)),
        ("batch 8", dict(batch_size=8)),
        ("batch 512", dict(batch_size=512)),
        ("lr 0.3 (too high)", dict(lr=0.3)),
    ], 3),
    ("shapes", RunConfig("shapes", epochs=4), [
        ("baseline: no batch norm", dict(batch_norm=False)),
        ("+ batch norm", dict(batch_norm=True)),
        ("+ batch norm, one-cycle", dict(batch_norm=True, schedule="onecycle")),
    ], 1),
    ("char", RunConfig("char", epochs=10, batch_size=32, clip=1.0), [
        ("RNN", dict(cell="rnn")), ("LSTM", dict(cell="lstm")), ("GRU", dict(cell="gru")),
    ], 1),
    ("adding", RunConfig("adding", epochs=15, batch_size=32, lr=1e-2, clip=1.0), [
        ("RNN", dict(cell="rnn")), ("LSTM", dict(cell="lstm")), ("LSTM, no clipping", dict(cell="lstm", clip=0.0)),
    ], 1),
]


def comparisons(seeds: int, device: torch.device) -> None:
    print("\n| task | settings | held-out accuracy | final training loss | seconds per run |")
    print("| --- | --- | --- | --- | --- |")
    for task, base, variants, task_seeds in COMPARISONS:
        for label, changes in variants:
            accs, losses, secs, notes = [], [], [], set()
            for seed in range(min(seeds, task_seeds) if task_seeds > 1 else 1):
                run = train(Run(replace(base, seed=seed, **changes), device, limits=LIMITS))
                accs.append(run.epochs[-1].val_accuracy if run.epochs else float("nan"))
                losses.append(run.epochs[-1].train_loss if run.epochs else float("nan"))
                secs.append(run.compute_seconds)
                if run.status != "done":
                    notes.add(run.status)
            spread = f" ± {statistics.stdev(accs):.1%}" if len(accs) > 1 else ""
            note = f" ({', '.join(sorted(notes))})" if notes else ""
            print(f"| {task} | {label} | {statistics.mean(accs):.1%}{spread}{note} | {statistics.mean(losses):.3f} | "
                  f"{statistics.mean(secs):.1f} |", flush=True)


def default_pairs(seeds: int, device: torch.device, save: bool = False, only: str | None = None) -> None:
    """Each task's default pair (the page's opening comparison) over seeds 0..seeds-1: the held-out metric of both
    runs, mean ± standard deviation. `DefaultPair.spread` is the larger of the two deviations. With `save`, the
    means and deviations go to assets/curves/lab_default_pairs.json, which core.claims reads."""
    measured = {}
    print("\n| task | choice that differs | run A | run B | gap | seeds spread | seconds per run |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for task, pair in lab.DEFAULT_PAIRS.items():
        if only is not None and task != only:
            continue
        (name,) = lab.differences(pair.a, pair.b)
        scores: list[list[float]] = [[], []]
        secs, notes = [], set()
        for seed in range(seeds):
            for k, config in enumerate((pair.a, pair.b)):
                run = train(Run(replace(config, seed=seed), device, limits=LIMITS))
                scores[k].append(run.epochs[-1].val_accuracy if run.epochs else float("nan"))
                secs.append(run.compute_seconds)
                if run.status != "done":
                    notes.add(run.status)
        (ma, sa), (mb, sb) = ((statistics.mean(s), statistics.stdev(s) if len(s) > 1 else 0.0) for s in scores)
        measured[task] = {"choice": name, "a_mean": round(ma, 4), "a_std": round(sa, 4), "b_mean": round(mb, 4),
                          "b_std": round(sb, 4)}
        value = get_task(task).show
        note = f" ({', '.join(sorted(notes))})" if notes else ""
        print(f"| {task} | {lab.CHOICE_NAMES[name]}: {lab.choice_value(name, pair.a)} vs {lab.choice_value(name, pair.b)} | "
              f"{value(ma)} ± {value(sa)} | {value(mb)} ± {value(sb)} | {value(mb - ma)} | ±{value(max(sa, sb))} | "
              f"{statistics.mean(secs):.1f}{note} |", flush=True)
    if save:
        path = ASSETS / "curves" / "lab_default_pairs.json"
        if only is not None:  # one task re-measured: the others keep their entries
            measured = {**json.loads(path.read_text())["pairs"], **measured}
        path.write_text(json.dumps({
            "command": f"python bench/lab.py --defaults --seeds {seeds} --save", "measured": date.today().isoformat(),
            "seeds": seeds, "metric": f"held-out metric of each run: mean and standard deviation over seeds 0-{seeds - 1}",
            "pairs": measured}, indent=1) + "\n")
        print(f"wrote {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--device", default=None)
    parser.add_argument("--skip-comparisons", action="store_true")
    parser.add_argument("--defaults", action="store_true", help="only measure each task's default pair")
    parser.add_argument("--save", action="store_true", help="with --defaults: write assets/curves/lab_default_pairs.json")
    parser.add_argument("--task", default=None, help="with --defaults: measure only this task's pair")
    args = parser.parse_args()
    configure_threads()
    device = choose_device(args.device).device
    print(f"device {device.type}, torch {torch.__version__}, {torch.get_num_threads()} threads")
    if args.defaults:
        default_pairs(args.seeds, device, args.save, args.task)
        return 0
    failed = False
    for (name, ours, reference), target in zip(overhead(device), (1.3, 1.2)):
        ratio = ours / reference
        failed |= ratio > target
        print(f"{name}: {ours:.2f} s vs {reference:.2f} s, ratio {ratio:.2f} (target ≤ {target})")
    if not args.skip_comparisons:
        comparisons(args.seeds, device)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
