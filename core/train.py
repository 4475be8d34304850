"""Small, seeded training loops, and the commands that make the bundled weights.

    python -m core.train lenet5      # LeNet-5 on scikit-learn's digits   → assets/weights/lenet5_digits.safetensors
    python -m core.train small_vgg   # Small VGG on synthetic shapes       → assets/weights/small_vgg_shapes.safetensors
    python -m core.train char_lstm   # character models (char_rnn, char_lstm, char_gru) on CPython source
    python -m core.train brackets_lstm quotes_lstm …   # long-dependency taggers
    python -m core.train all         # everything; `sequences` for the recurrent models only
    python -m core.train adding      # adding-problem curves of RNN, LSTM, GRU → assets/curves/adding_T100.json
    python -m core.train depth       # plain-20 / plain-56 / residual-56 on shapes → assets/curves/depth_shapes.json
    python -m core.train mnist1d     # seven MNIST-1D models × 3 seeds (python -m core.train_mnist1d)
    python -m core.train attention   # string-reversal encoder–decoders (python -m core.train_attention)

Progress goes to callbacks (`on_epoch_end`), never to a UI, so the same loop serves scripts and pages.
"""
from __future__ import annotations

import argparse
import math
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.data.digits import load_digits_split, scans_to_lenet
from core.data.preprocess import normalise
from core.data.shapes import make_shapes
from core.models.registry import ModelSpec, get_spec
from core.weights import bundled_path, save_bundled

SHAPES_TRAIN_SEED = 1
SHAPES_TEST_SEED = 2
SHAPES_TRAIN_SIZE = 12_000
SHAPES_TEST_SIZE = 1_000


@dataclass(frozen=True)
class EpochReport:
    """What one epoch did: mean training loss, held-out accuracy, seconds since the start."""

    epoch: int
    train_loss: float
    val_accuracy: float
    seconds: float


def digits_tensors(split: str, spec: ModelSpec) -> tuple[torch.Tensor, torch.Tensor]:
    """Digits split as normalised LeNet input (N, 1, 32, 32) and labels (N,)."""
    data = load_digits_split(split)
    x = scans_to_lenet(torch.from_numpy(data.images))
    return normalise(x, spec), torch.from_numpy(data.labels)


def shapes_tensors(n: int, seed: int, spec: ModelSpec) -> tuple[torch.Tensor, torch.Tensor]:
    """`n` generated shapes as normalised (N, 3, 64, 64) input and labels (N,)."""
    batch = make_shapes(n, seed)
    x = torch.from_numpy(batch.images).permute(0, 3, 1, 2).float() / 255.0
    return normalise(x, spec), torch.from_numpy(batch.labels)


@torch.inference_mode()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 256) -> float:
    """Fraction of `x` (N, ...) the model labels as `y` (N,), in eval mode."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    correct = 0
    for i in range(0, len(x), batch_size):
        logits = model(x[i:i + batch_size].to(device))
        correct += int((logits.argmax(1).cpu() == y[i:i + batch_size]).sum())
    model.train(was_training)
    return correct / max(len(x), 1)


def random_shift_rotate(x: torch.Tensor, max_shift: float, max_degrees: float, gen: torch.Generator) -> torch.Tensor:
    """Augment a batch (N, C, H, W) by a random rotation and translation (shift as a fraction of the side)."""
    n = x.shape[0]
    angle = (torch.rand(n, generator=gen) * 2 - 1) * math.radians(max_degrees)
    shift = (torch.rand(n, 2, generator=gen) * 2 - 1) * max_shift * 2
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, padding_mode="border", align_corners=False)


def train_classifier(
    model: nn.Module,
    train: tuple[torch.Tensor, torch.Tensor],
    val: tuple[torch.Tensor, torch.Tensor],
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    seed: int,
    augment: Callable[[torch.Tensor, torch.Generator], torch.Tensor] | None = None,
    on_epoch_end: Callable[[EpochReport], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    clip: float | None = None,
    step_guard: Callable[[], AbstractContextManager] = nullcontext,
) -> list[EpochReport]:
    """AdamW with a one-cycle schedule on (x, y); returns one report per epoch.

    `should_stop` is asked after every epoch (a Stop button, a time budget): training ends there.
    `clip` caps the gradient's global norm (recurrent nets whose gradients can explode). Each step and
    each epoch's evaluation run inside `step_guard()` (the app's training slot, as in `train_adding`).
    """
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    x, y = train
    steps_per_epoch = math.ceil(len(x) / batch_size)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * steps_per_epoch)
    reports: list[EpochReport] = []
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(x), generator=gen)
        total = 0.0
        for i in range(0, len(x), batch_size):
            with step_guard():
                idx = order[i:i + batch_size]
                xb, yb = x[idx], y[idx]
                if augment is not None:
                    xb = augment(xb, gen)
                loss = F.cross_entropy(model(xb), yb)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                if clip is not None:
                    nn.utils.clip_grad_norm_(model.parameters(), clip)
                opt.step()
                sched.step()
                total += loss.item() * len(idx)
        with step_guard():
            held_out = accuracy(model, *val)
        report = EpochReport(epoch, total / len(x), held_out, time.perf_counter() - start)
        reports.append(report)
        if on_epoch_end is not None:
            on_epoch_end(report)
        if should_stop is not None and should_stop():
            break
    model.eval()
    return reports


def train_lenet5(seed: int = 0, on_epoch_end: Callable[[EpochReport], None] | None = None) -> tuple[nn.Module, list[EpochReport]]:
    """LeNet-5 on the digits' training split, validated on the held-out split."""
    spec = get_spec("lenet5")
    torch.manual_seed(seed)
    model = spec.build()
    reports = train_classifier(
        model, digits_tensors("train", spec), digits_tensors("test", spec),
        epochs=60, lr=3e-3, batch_size=64, seed=seed,
        augment=lambda xb, g: random_shift_rotate(xb, 0.06, 10, g), on_epoch_end=on_epoch_end,
    )
    return model, reports


def train_small_vgg(seed: int = 0, on_epoch_end: Callable[[EpochReport], None] | None = None) -> tuple[nn.Module, list[EpochReport]]:
    """Small VGG on generated shapes (train seed 1), validated on shapes from seed 2."""
    spec = get_spec("small_vgg")
    torch.manual_seed(seed)
    model = spec.build()
    train = shapes_tensors(SHAPES_TRAIN_SIZE, SHAPES_TRAIN_SEED, spec)
    val = shapes_tensors(SHAPES_TEST_SIZE, SHAPES_TEST_SEED, spec)
    reports = train_classifier(
        model, train, val, epochs=10, lr=4e-3, batch_size=128, seed=seed,
        augment=lambda xb, g: torch.where(torch.rand(len(xb), 1, 1, 1, generator=g) < 0.5, xb.flip(3), xb),
        on_epoch_end=on_epoch_end,
    )
    return model, reports


@torch.inference_mode()
def sequence_metrics(model: nn.Module, ids: torch.Tensor, targets: torch.Tensor, batch_size: int = 64) -> tuple[float, float]:
    """Mean cross-entropy (nats) and per-step accuracy of a CharModel on (N, T) ids and targets."""
    model.eval()
    loss_sum, correct, count = 0.0, 0, 0
    for i in range(0, len(ids), batch_size):
        logits, _ = model(ids[i:i + batch_size])
        y = targets[i:i + batch_size]
        loss_sum += float(F.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="sum"))
        correct += int((logits.argmax(-1) == y).sum())
        count += y.numel()
    return loss_sum / count, correct / count


def train_sequence(
    model: nn.Module,
    sample_batch: Callable[[torch.Generator], tuple[torch.Tensor, torch.Tensor]],
    val: tuple[torch.Tensor, torch.Tensor],
    *,
    steps: int,
    lr: float,
    seed: int,
    clip: float = 1.0,
    report_every: int = 250,
    on_epoch_end: Callable[[EpochReport], None] | None = None,
) -> list[EpochReport]:
    """Adam with cosine decay and gradient clipping on batches from `sample_batch`; a report every `report_every` steps."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    reports, running, start = [], 0.0, time.perf_counter()
    for step in range(1, steps + 1):
        model.train()
        x, y = sample_batch(gen)
        logits, _ = model(x)
        loss = F.cross_entropy(logits.flatten(0, 1), y.flatten())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        sched.step()
        running += loss.item()
        if step % report_every == 0 or step == steps:
            _, acc = sequence_metrics(model, *val)
            report = EpochReport(step, running / (step - (len(reports) * report_every)), acc, time.perf_counter() - start)
            running = 0.0
            reports.append(report)
            if on_epoch_end is not None:
                on_epoch_end(report)
    model.eval()
    return reports


CHARLM_SEQ = 128
CHARLM_BATCH = 48


def _corpus_tensors() -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
    from core.data.text import corpus_split

    train_ids, test_ids = corpus_split()
    n = (len(test_ids) - 1) // 256
    test_x = torch.from_numpy(test_ids[: n * 256]).view(n, 256)
    test_y = torch.from_numpy(test_ids[1: n * 256 + 1]).view(n, 256)
    return torch.from_numpy(train_ids), (test_x, test_y)


def train_char_model(cell: str, seed: int = 0, on_epoch_end: Callable[[EpochReport], None] | None = None,
                     steps: int = 2500) -> tuple[nn.Module, list[EpochReport]]:
    """A character language model on the bundled corpus, trained with torch's fused cell."""
    from core.models.sequence import get_sequence_spec

    spec = get_sequence_spec(f"char_{cell}")
    torch.manual_seed(seed)
    model = spec.build(traced=False)
    train_ids, val = _corpus_tensors()

    def batch(gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        starts = torch.randint(0, len(train_ids) - CHARLM_SEQ - 1, (CHARLM_BATCH,), generator=gen)
        idx = starts[:, None] + torch.arange(CHARLM_SEQ + 1)
        chunk = train_ids[idx]
        return chunk[:, :-1], chunk[:, 1:]

    reports = train_sequence(model, batch, val, steps=steps, lr=3e-3, seed=seed, on_epoch_end=on_epoch_end)
    return model, reports


TASK_TRAIN_LENGTH = 60
TASK_TEST_LENGTH = 200


def task_data(task: str, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The fixed held-out set ('test': 500 sequences of length 200, longer than any seen in training)."""
    from core.data.sequences import make_brackets, make_quotes

    make = {"brackets": make_brackets, "quotes": make_quotes}[task]
    batch = make(500, TASK_TEST_LENGTH, seed=99) if split == "test" else make(8000, TASK_TRAIN_LENGTH, seed=98)
    return torch.from_numpy(batch.ids), torch.from_numpy(batch.targets)


def train_task_model(task: str, seed: int = 0, on_epoch_end: Callable[[EpochReport], None] | None = None) -> tuple[nn.Module, list[EpochReport]]:
    """The LSTM tagger of a long-dependency task, trained on length 60 and tested on length 200."""
    from core.models.sequence import get_sequence_spec

    spec = get_sequence_spec(f"{task}_lstm")
    torch.manual_seed(seed)
    model = spec.build(traced=False)
    x, y = task_data(task, "train")

    def batch(gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        idx = torch.randint(0, len(x), (64,), generator=gen)
        return x[idx], y[idx]

    reports = train_sequence(model, batch, task_data(task, "test"), steps=2000, lr=1e-2, seed=seed,
                             on_epoch_end=on_epoch_end)
    return model, reports


ADDING_BASELINE = 1.0 / 6.0


@dataclass(frozen=True)
class AddingStep:
    """One optimisation step: training loss, gradient norm before clipping, held-out MSE (NaN when not measured)."""

    step: int
    loss: float
    grad_norm: float
    val_mse: float
    seconds: float


@dataclass(frozen=True)
class LiveAdding:
    """An adding-problem run the Gradient lab can afford live, per model (RMSprop, clip 1, batch 50).

    Measured on 2 shared CPU cores, seeds 0–2: the GRU falls below half the baseline MSE by step 200–250, the
    LSTM by 600–750, while the plain RNN stays at the baseline for 1,500 steps; 1,000 steps take 3–10 s a model.
    """

    length: int = 30
    hidden: int = 64
    lr: float = 3e-3
    steps: int = 1000
    max_steps: int = 1500


LIVE_ADDING = LiveAdding()


def train_adding(
    cell: str, length: int, *, hidden: int = 128, steps: int = 4000, lr: float = 1e-3, clip: float | None = 1.0,
    batch_size: int = 50, seed: int = 0, rho: float | None = None, eval_every: int = 100, optimizer: str = "rmsprop",
    time_budget_s: float | None = None, on_step: Callable[[AddingStep], None] | None = None,
    should_stop: Callable[[], bool] | None = None, step_guard: Callable[[], AbstractContextManager] = nullcontext,
) -> list[AddingStep]:
    """Train a recurrent model on the adding problem at sequence length `length`; one record per step.

    Stops early when `should_stop()` turns true, when `time_budget_s` runs out, or when the loss or
    gradient stops being finite (the last record then says so: the gradient exploded). Each step runs
    inside `step_guard()`: the app passes a heavy-work slot that yields to interactive work, so another
    session's Grad-CAM waits for at most the step in progress, not for the whole run.
    """
    from core.data.sequences import make_adding
    from core.models.sequence import AddingModel

    torch.manual_seed(seed)
    model = AddingModel(cell, hidden, rho)
    x_val, y_val = (torch.from_numpy(a) for a in make_adding(1000, length, seed=10_000 + length))
    rng_seed = seed
    opt = (torch.optim.RMSprop(model.parameters(), lr=lr) if optimizer == "rmsprop"
           else torch.optim.SGD(model.parameters(), lr=lr))
    history: list[AddingStep] = []
    start = time.perf_counter()
    for step in range(1, steps + 1):
        with step_guard():
            xb, yb = (torch.from_numpy(a) for a in make_adding(batch_size, length, seed=rng_seed * 1_000_003 + step))
            model.train()
            loss = F.mse_loss(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip if clip else float("inf"))
            finite = bool(torch.isfinite(loss)) and bool(torch.isfinite(norm))
            if finite:
                opt.step()
            val = float("nan")
            if step % eval_every == 0 or step == 1 or not finite:
                model.eval()
                with torch.no_grad():
                    val = float(F.mse_loss(model(x_val), y_val))
        record = AddingStep(step, loss.item(), float(norm), val, time.perf_counter() - start)
        history.append(record)
        if on_step is not None:
            on_step(record)
        if not finite or (should_stop is not None and should_stop()):
            break
        if time_budget_s is not None and time.perf_counter() - start > time_budget_s:
            break
    return history


def bundle_adding_curves(length: int = 100, steps: int = 4000) -> None:
    """Full-length runs of RNN, LSTM and GRU on the adding problem, written to assets/curves/ as JSON."""
    import json

    from core.weights import ASSETS

    out = {"length": length, "hidden": 128, "optimizer": "RMSprop lr 1e-3", "clip": 1.0, "lstm_forget_bias": 1.0, "batch": 50, "steps": steps,
           "baseline_mse": ADDING_BASELINE, "command": f"python -m core.train adding --length {length}", "runs": {}}
    for cell in ("lstm", "gru", "rnn"):
        history = train_adding(cell, length, steps=steps,
                               on_step=lambda r: print(f"  {cell} step {r.step} val {r.val_mse:.4f}") if r.step % 500 == 0 else None)
        out["runs"][cell] = {
            "step": [r.step for r in history if r.val_mse == r.val_mse],
            "val_mse": [round(r.val_mse, 6) for r in history if r.val_mse == r.val_mse],
            "seconds": round(history[-1].seconds, 1),
        }
    path = ASSETS / "curves" / f"adding_T{length}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1))
    print(f"wrote {path}")


def train_depth_comparison(steps: int = 150, seed: int = 0, size: int = 32,
                           configs: tuple[tuple[int, bool], ...] = ((20, False), (56, False), (56, True)),
                           on_step: Callable[[str, int, float], None] | None = None) -> dict[str, list[float]]:
    """Plain-20, plain-56 and residual-56 (ReLU, batch norm) trained with the same budget on shapes: loss per step.

    He et al. (2015) found the deeper plain network trains worse than the shallower one, and the
    residual one better than both.
    """
    from core.models.deep import DeepCNN

    spec = get_spec("small_vgg")
    data = shapes_tensors(4096, SHAPES_TRAIN_SEED, spec)
    x_all = F.interpolate(data[0], size=(size, size), mode="bilinear", align_corners=False, antialias=True)
    y_all = data[1]
    losses: dict[str, list[float]] = {}
    for depth, residual in configs:
        label = f"{'residual' if residual else 'plain'}-{depth}"
        torch.manual_seed(seed)
        model = DeepCNN(depth, residual, "relu", batch_norm=True)
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
        gen = torch.Generator().manual_seed(seed)
        model.train()
        losses[label] = []
        for step in range(steps):
            idx = torch.randint(0, len(x_all), (64,), generator=gen)
            loss = F.cross_entropy(model(x_all[idx]), y_all[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses[label].append(round(loss.item(), 5))
            if on_step is not None:
                on_step(label, step, loss.item())
    return losses


def bundle_depth_curves(steps: int = 120) -> None:
    """Write the plain-vs-residual training curves to assets/curves/depth_shapes.json."""
    import json

    from core.weights import ASSETS

    start = time.perf_counter()
    losses = train_depth_comparison(steps, on_step=lambda k, s, v: print(f"  {k} step {s} loss {v:.3f}") if s % 50 == 0 else None)
    out = {"steps": steps, "batch": 64, "input": "32×32 shapes (4,096, seed 1)", "optimizer": "SGD 0.05, momentum 0.9",
           "activation": "relu", "batch_norm": True, "seconds": round(time.perf_counter() - start),
           "command": "python -m core.train depth", "loss": losses}
    path = ASSETS / "curves" / "depth_shapes.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out))
    print(f"wrote {path}")


TRAINERS = {
    "lenet5": train_lenet5,
    "small_vgg": train_small_vgg,
    "char_rnn": lambda seed, cb: train_char_model("rnn", seed, cb),
    "char_lstm": lambda seed, cb: train_char_model("lstm", seed, cb),
    "char_gru": lambda seed, cb: train_char_model("gru", seed, cb),
    "brackets_lstm": lambda seed, cb: train_task_model("brackets", seed, cb),
    "quotes_lstm": lambda seed, cb: train_task_model("quotes", seed, cb),
}
DATASETS = {
    "lenet5": "scikit-learn digits, stratified 75/25 split (random_state=0)",
    "small_vgg": f"synthetic shapes: {SHAPES_TRAIN_SIZE} train (seed {SHAPES_TRAIN_SEED}), "
    f"{SHAPES_TEST_SIZE} held out (seed {SHAPES_TEST_SEED})",
    **{f"char_{c}": "CPython stdlib source (assets/corpus), first 90% train, last 10% held out" for c in ("rnn", "lstm", "gru")},
    "brackets_lstm": f"generated brackets, 8000 of length {TASK_TRAIN_LENGTH} (seed 98); 500 of length {TASK_TEST_LENGTH} held out (seed 99)",
    "quotes_lstm": f"generated quotes, 8000 of length {TASK_TRAIN_LENGTH} (seed 98); 500 of length {TASK_TEST_LENGTH} held out (seed 99)",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the bundled models and write their safetensors.")
    parser.add_argument("model", choices=[*TRAINERS, "all", "sequences", "adding", "depth", "mnist1d", "attention"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--length", type=int, default=100, help="sequence length for `adding`")
    args = parser.parse_args(argv)
    if args.model == "adding":
        bundle_adding_curves(args.length)
        return 0
    if args.model == "depth":
        bundle_depth_curves()
        return 0
    if args.model == "mnist1d":
        from core.train_mnist1d import main as mnist1d_main

        return mnist1d_main([])
    if args.model == "attention":
        from core.train_attention import main as attention_main

        return attention_main([])
    torch.set_num_threads(max(1, torch.get_num_threads()))
    names = {"all": list(TRAINERS), "sequences": [n for n in TRAINERS if n not in ("lenet5", "small_vgg")]}.get(
        args.model, [args.model])
    for name in names:
        print(f"training {name} (seed {args.seed})")
        model, reports = TRAINERS[name](
            args.seed,
            lambda r: print(f"  epoch {r.epoch:3d}  loss {r.train_loss:.4f}  held-out acc {r.val_accuracy:.4f}  {r.seconds:6.1f}s"),
        )
        final = reports[-1]
        extra: dict[str, str] = {}
        if name in ("lenet5", "small_vgg"):
            path = bundled_path(get_spec(name))
        else:
            from core.models.sequence import get_sequence_spec
            from core.weights import WEIGHTS_DIR

            path = WEIGHTS_DIR / get_sequence_spec(name).bundled_file
            test = _corpus_tensors()[1] if name.startswith("char_") else task_data(name.split("_")[0], "test")
            loss, acc = sequence_metrics(model, *test)
            extra = {"test_loss_nats": f"{loss:.4f}", "test_bits_per_char": f"{loss / math.log(2):.4f}"}
            extra["metric"] = (f"held-out {loss / math.log(2):.2f} bits/char, next-char accuracy {acc:.1%}"
                               if name.startswith("char_") else f"held-out per-step accuracy {acc:.1%} at length {TASK_TEST_LENGTH}")
        save_bundled(model, path, {
            **extra,
            "model": name,
            "dataset": DATASETS[name],
            "test_accuracy": f"{final.val_accuracy:.4f}",
            "epochs": str(final.epoch),
            "seed": str(args.seed),
            "train_seconds": f"{final.seconds:.0f}",
            "torch": torch.__version__,
            "command": f"python -m core.train {name} --seed {args.seed}",
        })
        print(f"wrote {path} (held-out accuracy {final.val_accuracy:.4f}, {np.round(final.seconds)} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
