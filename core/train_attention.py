"""Train the string-reversal encoder–decoders and measure exact-match accuracy against input length.

    python -m core.train_attention               # all three → assets/weights/reverse_*.safetensors and
                                                 #   assets/curves/reverse_by_length.json
    python -m core.train_attention gru_plain --steps 500

Training strings have 1–24 random letters (uniform length); each model takes the same number of Adam
steps on batches of 128. Accuracy is measured on 200 fresh strings per length (a fixed seed, never
seen in training): the whole reversed string, end marker included, must be right.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from typing import Callable

import torch
from torch import nn

from core.models.catalogue import get_spec, model_names
from core.models.seq2seq import MAX_LEN, exact_match, random_batch
from core.training.engine import Run, RunConfig, train
from core.training.tasks import ReverseTask
from core.weights import ASSETS, bundled_path, save_bundled

STEPS = 2000
BATCH = 128
LR = 3e-3
EVAL_SEED = 123
EVAL_PER_LENGTH = 200
RESULTS = ASSETS / "curves" / "reverse_by_length.json"


def train_reverser(name: str, steps: int = STEPS, seed: int = 0,
                   on_step: Callable[[int, float], None] | None = None) -> nn.Module:
    """Trained by the engine: Adam, cosine decay, clipping at 1, on random batches; `on_step(step, loss)` after each."""
    get_spec(name, "seq2seq")  # an unknown name fails here, with the names it could have been
    run = Run(RunConfig(f"reverse_{name}", "adam", LR, "cosine", BATCH, 1, clip=1.0, seed=seed),
              task=ReverseTask(f"reverse_{name}", name, name, epoch_steps=steps, model=name))
    if on_step is not None:
        run.add_callback("on_step_end", lambda r: on_step(len(r.steps), r.steps[-1].loss))
    return train(run).model.eval()


def accuracy_by_length(model: nn.Module, lengths: range = range(1, MAX_LEN + 1)) -> dict[int, float]:
    """Exact-match accuracy on EVAL_PER_LENGTH fresh strings of each length (same strings for every model;
    each length has its own seed, so any subset of lengths sees the same strings)."""
    return {n: exact_match(model, *random_batch(EVAL_PER_LENGTH, torch.Generator().manual_seed(EVAL_SEED + n), length=n))
            for n in lengths}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help=f"any of {', '.join(model_names('seq2seq'))} (default: all)")
    parser.add_argument("--steps", type=int, default=STEPS)
    args = parser.parse_args(argv)
    names = args.models or model_names("seq2seq")
    unknown = [m for m in names if m not in model_names("seq2seq")]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"models": {}}
    results.update({
        "task": f"reverse a string of 1–{MAX_LEN} random letters a–z",
        "training": f"Adam {LR}, cosine schedule, clip 1, batch {BATCH}, {args.steps} steps",
        "evaluation": f"{EVAL_PER_LENGTH} fresh strings per length (seed {EVAL_SEED}), whole output must match",
        "machine": f"{os.cpu_count()} CPU cores, torch {torch.__version__}",
        "command": "python -m core.train_attention",
    })
    for name in names:
        start = time.perf_counter()
        model = train_reverser(name, args.steps, on_step=lambda s, loss: s % 500 == 0 and print(
            f"  {name} step {s}: loss {loss:.4f}", flush=True))
        seconds = time.perf_counter() - start
        by_length = accuracy_by_length(model)
        overall = sum(by_length.values()) / len(by_length)
        print(f"{name}: {overall:.1%} exact match over lengths 1–{MAX_LEN}, {seconds:.0f} s", flush=True)
        save_bundled(model, bundled_path(get_spec(name, "seq2seq")), {
            "model": name, "task": "reverse", "steps": str(args.steps), "exact_match": f"{overall:.4f}",
            "train_seconds": f"{seconds:.0f}", "torch": torch.__version__,
            "command": f"python -m core.train_attention {name}",
        })
        results["models"][name] = {
            "title": get_spec(name, "seq2seq").title, "params": sum(p.numel() for p in model.parameters()),
            "train_seconds": seconds, "exact_match": overall,
            "by_length": {str(k): v for k, v in by_length.items()},
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1))
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
