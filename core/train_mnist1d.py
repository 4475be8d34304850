"""Train the seven MNIST-1D models on the same data and measure them the same way.

    python -m core.train_mnist1d                 # every model, seeds 0 1 2 → assets/weights/mnist1d_*.safetensors
                                                 #   (seed 0) and assets/curves/mnist1d_results.json
    python -m core.train_mnist1d cnn gru --seeds 0

Each model: AdamW with a one-cycle schedule, batch 100, 150 epochs of the 4,000 training sequences
(6,000 steps, as in the MNIST-1D notebook), on the package's default dataset; the vanilla RNN alone
gets a lower rate (1e-3) and gradient clipping at 1, without which it stays at chance. Reported per model:
test accuracy per seed, training seconds, parameters, forward FLOPs per sequence and forward latency of
one sequence on this machine.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from contextlib import AbstractContextManager, nullcontext
from typing import Callable

import numpy as np
import torch
from torch import nn

from core.data.mnist1d import LENGTH
from core.models.catalogue import get_spec, model_names
from core.models.mnist1d import RecurrentClassifier, recurrent_flops
from core.probes.costs import forward_flops, forward_latency, parameter_count
from core.training.engine import EpochRecord, Run, RunConfig, accuracy, train
from core.training.limits import SCRIPT, Limits
from core.training.tasks import Mnist1dTask
from core.weights import ASSETS, bundled_path, save_bundled

EPOCHS = 150
BATCH = 100
SEEDS = (0, 1, 2)
RESULTS = ASSETS / "curves" / "mnist1d_results.json"


def mnist1d_tensors() -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
    """(x, y) of the training and test splits as tensors."""
    data = Mnist1dTask("mnist1d", "MNIST-1D", "MNIST-1D").data()
    return (data.x_train, data.y_train), (data.x_val, data.y_val)


def mnist1d_run(name: str, seed: int = 0, epochs: int = EPOCHS, limits: Limits = SCRIPT) -> Run:
    """Model `name` from seed `seed`, ready for the engine: AdamW, one-cycle, the model's own rate and clipping;
    each epoch record carries the test accuracy after that epoch."""
    spec = get_spec(name, "mnist1d")
    return Run(RunConfig(f"mnist1d_{name}", "adam", spec.lr, "onecycle", BATCH, epochs, weight_decay=1e-4,
                         clip=spec.clip or 0.0, seed=seed),
               task=Mnist1dTask(f"mnist1d_{name}", spec.title, spec.title, model=name), limits=limits)


def train_mnist1d(
    name: str, seed: int = 0, epochs: int = EPOCHS, *,
    on_epoch_end: Callable[[EpochRecord], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    step_guard: Callable[[], AbstractContextManager] = nullcontext,
) -> tuple[nn.Module, list[EpochRecord]]:
    """`mnist1d_run(name, seed, epochs)` trained to its end on this thread. Each step runs inside `step_guard()`
    (the app's training slot); `should_stop` is asked before every step."""
    run = mnist1d_run(name, seed, epochs)
    if on_epoch_end is not None:
        run.add_callback("on_epoch_end", lambda r: on_epoch_end(r.epochs[-1]))
    train(run, should_stop, step_guard)
    return run.model, run.epochs


def costs(model: nn.Module) -> dict[str, float]:
    """Parameters, forward FLOPs of one sequence, and median forward latency (ms) of one sequence on this machine."""
    model = model.eval()
    flops = recurrent_flops(model) if isinstance(model, RecurrentClassifier) else forward_flops(model, (LENGTH,))
    return {"params": parameter_count(model), "flops": int(flops),
            "latency_ms": forward_latency(model, (LENGTH,), repeats=50, warmup=5) * 1000}


def bundle(names: list[str], seeds: tuple[int, ...] = SEEDS, epochs: int = EPOCHS) -> dict:
    """Train `names` for every seed; write seed 0's weights and every model's measurements; return the results."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"models": {}}
    results.update({
        "dataset": "MNIST-1D, mnist1d.make_dataset(get_dataset_args()): 4,000 train / 1,000 test, length 40",
        "training": f"AdamW, one-cycle, batch {BATCH}, {epochs} epochs ({epochs * 4000 // BATCH:,} steps)",
        "machine": f"{os.cpu_count()} CPU cores, torch {torch.__version__}, {torch.get_num_threads()} threads",
        "command": "python -m core.train_mnist1d",
    })
    _, test = mnist1d_tensors()
    for name in names:
        spec = get_spec(name, "mnist1d")
        accuracies, seconds = [], []
        for seed in seeds:
            start = time.perf_counter()
            model, reports = train_mnist1d(name, seed, epochs)
            seconds.append(time.perf_counter() - start)
            accuracies.append(accuracy(model, *test))
            print(f"{name:12s} seed {seed}: test accuracy {accuracies[-1]:.3%} in {seconds[-1]:.0f} s", flush=True)
            if seed == seeds[0]:
                save_bundled(model, bundled_path(spec), {
                    "model": name, "dataset": "mnist1d default", "seed": str(seed), "epochs": str(epochs),
                    "test_accuracy": f"{accuracies[-1]:.4f}", "train_seconds": f"{seconds[-1]:.0f}",
                    "torch": torch.__version__, "command": f"python -m core.train_mnist1d {name}",
                })
                measured = costs(model)
        results["models"][name] = {
            "title": spec.title, "seeds": list(seeds), "accuracy": accuracies, "train_seconds": seconds,
            "paper_accuracy": spec.paper_accuracy, "bundled_seed": seeds[0], **measured,
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help=f"any of {', '.join(model_names('mnist1d'))} (default: all)")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args(argv)
    unknown = [m for m in args.models if m not in model_names("mnist1d")]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(model_names('mnist1d'))}")
    results = bundle(args.models or model_names("mnist1d"), tuple(args.seeds), args.epochs)
    print(f"wrote {RESULTS}")
    for name, r in results["models"].items():
        print(f"{r['title']:32s} {100 * np.mean(r['accuracy']):5.1f} ± {100 * np.std(r['accuracy']):.1f}%  "
              f"{r['params']:6d} params  {np.mean(r['train_seconds']):5.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
