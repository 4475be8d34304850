"""The runs behind the article's claims that no other bundled result tests, each seeded and trained by the engine.

    python -m core.claim_runs      writes assets/curves/claim_runs.json (about 5 minutes of one CPU core)

Six experiments, each small enough for two shared CPU cores:

* overfitting — LeNet-5 on 200 of the digit scans, 60 epochs: plain, with dropout 0.5, with shift + rotate
  augmentation; training and held-out accuracy and loss, both measured in eval mode after training.
* clipping — the Gradient lab's exploding vanilla RNN (ρ = 1.8, SGD at 0.05, adding problem T = 50, 200 steps)
  without and with clipping at 1, over five seeds.
* lengths — a bump hidden in noise, trained on lengths 10–50: a GRU, a CNN whose fully-connected head is built
  for 50 steps (shorter inputs padded), and a CNN with global max pooling; held-out accuracy at 10, 30, 50, 100.
* reach — which of two events 16 steps apart comes first: CNNs of 1–6 layers (receptive field 5–25), a dilated
  3-layer CNN (29) and a GRU; held-out accuracy against receptive field.
* time_by_length — seconds per training step of that GRU and the 4-layer CNN as the sequence grows.
* mini_batches — LeNet-5 on the digit scans with batch 1 and batch 32 for the same compute time.

core.claims reads the file and gives the verdicts. Timings depend on the machine (it is named in the file);
every accuracy and loss is reproduced exactly by re-running its function with the same seed.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from core.builder import LayerSpec
from core.data.signals import make_bumps, make_order
from core.models.reach import GRUClassifier, LengthError, SequenceCNN
from core.training.engine import Run, RunConfig, accuracy, predict, train
from core.training.limits import Limits
from core.training.tasks import Task, TaskData, get_task
from core.weights import ASSETS

COMMAND = "python -m core.claim_runs"
RESULTS = "claim_runs.json"
SEEDS = (0, 1, 2)
CLIP_SEEDS = (0, 1, 2, 3, 4)

# overfitting: a small training set, long training
OVERFIT_TRAIN = 200
OVERFIT_EPOCHS = 60
WIDE = (LayerSpec("flatten"), LayerSpec("linear", 512), LayerSpec("relu"), LayerSpec("linear", 512), LayerSpec("relu"))
WIDE_DROPOUT = (LayerSpec("flatten"), LayerSpec("linear", 512), LayerSpec("relu"), LayerSpec("dropout", p=0.5),
                LayerSpec("linear", 512), LayerSpec("relu"), LayerSpec("dropout", p=0.5))
OVERFIT_VARIANTS: dict[str, dict] = {  # name → RunConfig settings: LeNet-5 (61,706 parameters) and a 0.8M-parameter MLP
    "plain": {"lr": 3e-3}, "dropout": {"lr": 3e-3, "dropout": 0.5}, "augment": {"lr": 3e-3, "augment": ("shift", "rotate")},
    "wide": {"lr": 1e-3, "layers": WIDE}, "wide_dropout": {"lr": 1e-3, "layers": WIDE_DROPOUT}}
# clipping: the Gradient lab's clipping part at its defaults
CLIP = {"length": 50, "rho": 1.8, "lr": 0.05, "steps": 200, "threshold": 1.0}
# lengths: trained on 10–50 steps, tested on these
TRAIN_LENGTHS = (10, 50)
TEST_LENGTHS = (10, 30, 50, 100)
LENGTH_MODELS = ("gru", "cnn_pad", "cnn_pool")
LENGTH_STEPS = 600
# reach: two events DISTANCE steps apart in sequences of ORDER_LENGTH
ORDER_LENGTH = 48
DISTANCE = 16
REACH_MODELS: dict[str, tuple[int, bool]] = {  # name → (convolution layers, dilated); "gru" is the recurrent one
    "cnn1": (1, False), "cnn3": (3, False), "cnn4": (4, False), "cnn6": (6, False),
    "dilated3": (3, True)}
REACH_STEPS = 300
# time_by_length
TIME_LENGTHS = (32, 64, 128, 256, 512)
TIME_STEPS = 12
# mini_batches: equal compute time per run
BATCHES = (1, 32)
BATCH_SECONDS = 5.0
VAL_SEED = 999


def _sample_seed(gen: torch.Generator) -> int:
    return int(torch.randint(0, 2**31 - 1, (1,), generator=gen))


@dataclass(frozen=True)
class OrderTask(Task):
    """Which of two events comes first (core.data.signals.make_order); `cell` picks a CNN of REACH_MODELS or "gru"."""

    networks: tuple[str, ...] = (*REACH_MODELS, "gru")
    classes: tuple[str, ...] = ("B first", "A first")
    length: int = ORDER_LENGTH
    distance: int = DISTANCE
    epoch_steps: int = REACH_STEPS

    def data(self) -> TaskData:
        x, y = make_order(1000, self.length, self.distance, VAL_SEED)
        empty = torch.empty(0)
        return TaskData(empty, empty, torch.from_numpy(x), torch.from_numpy(y), self.classes)

    def build(self, config: RunConfig, num_classes: int | None) -> torch.nn.Module:
        if config.cell == "gru":
            return GRUClassifier(2)
        depth, dilated = REACH_MODELS[config.cell]
        return SequenceCNN(2, depth, dilated=dilated, circular=True, batch_norm=True)

    def sample(self, data: TaskData, batch_size: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        return tuple(torch.from_numpy(a) for a in make_order(batch_size, self.length, self.distance, _sample_seed(gen)))


@dataclass(frozen=True)
class BumpTask(Task):
    """Is there a bump in the noise (core.data.signals.make_bumps); every batch has its own length in `lengths`."""

    networks: tuple[str, ...] = LENGTH_MODELS
    lengths: tuple[int, int] = TRAIN_LENGTHS
    epoch_steps: int = LENGTH_STEPS

    def data(self) -> TaskData:
        x, y = make_bumps(1000, self.lengths[1], VAL_SEED)
        empty = torch.empty(0)
        return TaskData(empty, empty, torch.from_numpy(x), torch.from_numpy(y), ("noise", "bump"))

    def build(self, config: RunConfig, num_classes: int | None) -> torch.nn.Module:
        if config.cell == "gru":
            return GRUClassifier(1)
        if config.cell == "cnn_pad":
            return SequenceCNN(1, 2, head="flat", length=self.lengths[1])
        return SequenceCNN(1, 2)

    def sample(self, data: TaskData, batch_size: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        length = int(torch.randint(self.lengths[0], self.lengths[1] + 1, (1,), generator=gen))
        return tuple(torch.from_numpy(a) for a in make_bumps(batch_size, length, _sample_seed(gen)))


def _loss_and_accuracy(run: Run, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """Cross-entropy and accuracy of the run's model on (x, y), in eval mode."""
    logits = predict(run.model, run.task, x)
    return float(F.cross_entropy(logits, y)), float((logits.argmax(1) == y).float().mean())


def digits_subset(size: int = OVERFIT_TRAIN) -> TaskData:
    """`size` of the digit scans' training split (the same ones every time) and the whole held-out split."""
    data = get_task("digits").data()
    keep = torch.randperm(len(data.x_train), generator=torch.Generator().manual_seed(0))[:size]
    return TaskData(data.x_train[keep], data.y_train[keep], data.x_val, data.y_val, data.classes)


def overfitting_run(variant: str, seed: int, train_size: int = OVERFIT_TRAIN, epochs: int = OVERFIT_EPOCHS) -> dict:
    """LeNet-5 on `train_size` digit scans for `epochs` with OVERFIT_VARIANTS[variant]: training and held-out
    accuracy and loss after training, all in eval mode (no dropout, no augmentation), and the lowest held-out loss
    of any epoch (a final loss above it is overfitting)."""
    data = digits_subset(train_size)
    config = RunConfig("digits", batch_size=32, epochs=epochs, seed=seed, **OVERFIT_VARIANTS[variant])
    run = train(Run(config, task=get_task("digits"), data=data))
    train_loss, train_acc = _loss_and_accuracy(run, data.x_train, data.y_train)
    val_loss, val_acc = _loss_and_accuracy(run, data.x_val, data.y_val)
    return {"train_accuracy": train_acc, "val_accuracy": val_acc, "train_loss": train_loss, "val_loss": val_loss,
            "best_val_loss": min(e.val_loss for e in run.epochs)}


def clipping_run(seed: int, clipped: bool, steps: int = CLIP["steps"]) -> dict:
    """The Gradient lab's exploding RNN, without or with clipping: how it ended, how many steps ran, the largest
    gradient norm before clipping, and the last finite training loss."""
    from core.train import adding_run

    run = train(adding_run("rnn", CLIP["length"], hidden=64, steps=steps, lr=CLIP["lr"], optimizer="sgd",
                           clip=CLIP["threshold"] if clipped else None, rho=CLIP["rho"], seed=seed, eval_every=steps))
    finite = [s for s in run.steps if torch.isfinite(torch.tensor([s.loss, s.grad_norm])).all()]
    return {"status": run.status, "steps": len(run.steps),
            "peak_grad_norm": max(s.grad_norm for s in finite) if finite else None,
            "final_loss": finite[-1].loss if finite else None}


def lengths_run(model: str, seed: int, steps: int = LENGTH_STEPS) -> dict:
    """One model of LENGTH_MODELS trained on lengths 10–50: held-out accuracy at each of TEST_LENGTHS (None where
    it cannot take that length), and for the padded CNN what its head takes without padding."""
    task = BumpTask("bumps", "bumps", "bumps", epoch_steps=steps)
    run = train(Run(RunConfig("bumps", lr=3e-3, batch_size=32, epochs=1, seed=seed, cell=model), task=task))
    by_length: dict[str, float | None] = {}
    unpadded: dict[str, bool] = {}
    for length in TEST_LENGTHS:
        x, y = (torch.from_numpy(a) for a in make_bumps(500, length, VAL_SEED + length))
        try:
            by_length[str(length)] = accuracy(run.model, x, y)
        except LengthError:
            by_length[str(length)] = None
        if model == "cnn_pad":
            try:
                with torch.no_grad():
                    run.model.eval()
                    run.model.unpadded(x[:2])
                unpadded[str(length)] = True
            except RuntimeError:  # torch: the flattened features do not match the head's input size
                unpadded[str(length)] = False
    result = {"accuracy": by_length, "params": sum(p.numel() for p in run.model.parameters())}
    if model == "cnn_pad":
        result["unpadded_runs"] = unpadded
    return result


def reach_run(model: str, seed: int, steps: int = REACH_STEPS) -> dict:
    """One model of the order task: its receptive field (None for the GRU, which reads every step) and held-out
    accuracy."""
    task = OrderTask("order", "order", "order", epoch_steps=steps)
    run = train(Run(RunConfig("order", lr=3e-3, batch_size=64, epochs=1, seed=seed, cell=model), task=task))
    return {"receptive_field": getattr(run.model, "receptive_field", None), "accuracy": run.epochs[-1].val_accuracy}


def step_seconds(model: str, length: int, steps: int = TIME_STEPS) -> float:
    """Median compute seconds of one training step (batch 64) of `model` on the order task at `length` steps."""
    task = OrderTask("order", "order", "order", epoch_steps=steps + 2, length=length)
    run = train(Run(RunConfig("order", lr=3e-3, batch_size=64, epochs=1, cell=model), task=task))
    clock = [0.0] + [s.seconds for s in run.steps]
    return statistics.median(b - a for a, b in zip(clock[2:-1], clock[3:]))  # leave out the first (warm-up) steps


def mini_batch_run(batch_size: int, seed: int, seconds: float = BATCH_SECONDS) -> dict:
    """LeNet-5 on the digit scans at `batch_size` for `seconds` of compute: steps, examples seen, held-out accuracy."""
    run = train(Run(RunConfig("digits", lr=1e-3, batch_size=batch_size, epochs=1000, seed=seed),
                    limits=Limits(max_seconds=seconds)))
    return {"steps": len(run.steps), "examples": len(run.steps) * batch_size, "seconds": run.compute_seconds,
            "val_accuracy": run.evaluate()[1]}


def measure(log=print) -> dict:
    """Every experiment at its bundled size; `log` hears progress."""
    results: dict = {"command": COMMAND, "machine": f"{os.cpu_count()} CPU cores ({platform.machine()}), "
                     f"{torch.get_num_threads()} torch thread, torch {torch.__version__}", "seeds": list(SEEDS)}
    log("overfitting")
    results["overfitting"] = {"train_size": OVERFIT_TRAIN, "epochs": OVERFIT_EPOCHS, "runs": {
        variant: [overfitting_run(variant, seed) for seed in SEEDS] for variant in OVERFIT_VARIANTS}}
    log("clipping")
    results["clipping"] = {**CLIP, "seeds": list(CLIP_SEEDS), "runs": {
        kind: [clipping_run(seed, kind == "clipped") for seed in CLIP_SEEDS] for kind in ("free", "clipped")}}
    log("lengths")
    results["lengths"] = {"train_lengths": list(TRAIN_LENGTHS), "steps": LENGTH_STEPS, "runs": {
        model: [lengths_run(model, seed) for seed in SEEDS] for model in LENGTH_MODELS}}
    log("reach")
    results["reach"] = {"length": ORDER_LENGTH, "distance": DISTANCE, "steps": REACH_STEPS, "runs": {
        model: [reach_run(model, seed) for seed in SEEDS] for model in (*REACH_MODELS, "gru")}}
    log("time_by_length")
    results["time_by_length"] = {"lengths": list(TIME_LENGTHS), "seconds": {
        model: [step_seconds(model, length) for length in TIME_LENGTHS] for model in ("gru", "cnn4")}}
    log("mini_batches")
    results["mini_batches"] = {"seconds": BATCH_SECONDS, "runs": {
        str(batch): [mini_batch_run(batch, seed) for seed in SEEDS] for batch in BATCHES}}
    return results


def main() -> None:
    torch.set_num_threads(1)
    path = ASSETS / "curves" / RESULTS
    path.write_text(json.dumps(measure(), indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
