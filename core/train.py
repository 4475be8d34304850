"""Small, seeded training loops, and the commands that make the bundled weights.

    python -m core.train lenet5      # LeNet-5 on scikit-learn's digits   → assets/weights/lenet5_digits.safetensors
    python -m core.train small_vgg   # Small VGG on synthetic shapes       → assets/weights/small_vgg_shapes.safetensors
    python -m core.train all

Progress goes to callbacks (`on_epoch_end`), never to a UI, so the same loop serves scripts and pages.
"""
from __future__ import annotations

import argparse
import math
import time
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
) -> list[EpochReport]:
    """AdamW with a one-cycle schedule on (x, y); returns one report per epoch."""
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
            idx = order[i:i + batch_size]
            xb, yb = x[idx], y[idx]
            if augment is not None:
                xb = augment(xb, gen)
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        report = EpochReport(epoch, total / len(x), accuracy(model, *val), time.perf_counter() - start)
        reports.append(report)
        if on_epoch_end is not None:
            on_epoch_end(report)
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


TRAINERS = {"lenet5": train_lenet5, "small_vgg": train_small_vgg}
DATASETS = {
    "lenet5": "scikit-learn digits, stratified 75/25 split (random_state=0)",
    "small_vgg": f"synthetic shapes: {SHAPES_TRAIN_SIZE} train (seed {SHAPES_TRAIN_SEED}), "
    f"{SHAPES_TEST_SIZE} held out (seed {SHAPES_TEST_SEED})",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the bundled models and write their safetensors.")
    parser.add_argument("model", choices=[*TRAINERS, "all"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    names = list(TRAINERS) if args.model == "all" else [args.model]
    for name in names:
        print(f"training {name} (seed {args.seed})")
        model, reports = TRAINERS[name](
            args.seed,
            lambda r: print(f"  epoch {r.epoch:3d}  loss {r.train_loss:.4f}  held-out acc {r.val_accuracy:.4f}  {r.seconds:6.1f}s"),
        )
        final = reports[-1]
        path = bundled_path(get_spec(name))
        save_bundled(model, path, {
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
