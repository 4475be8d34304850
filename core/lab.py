"""The training lab: one configurable, seeded training run per `LabConfig`, stepped one batch at a time.

The seed's best practices (dropout, batch norm, augmentation, learning-rate schedules, batch size,
weight decay, gradient clipping) are fields of `LabConfig`; `build_model` and `augment` turn them
into modules and batches, and `LabRun.step()` trains one batch and records what happened (loss,
learning rate, gradient norm), evaluating on held-out data at every epoch's end. `LabPair` steps two
runs in turn on one background thread, so both advance together and a Stop lands within one step.
Nothing here knows about a UI: progress is read from the runs' histories.
"""
from __future__ import annotations

import csv
import functools
import io
import math
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, fields, replace
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.builder import BuildError, LayerSpec, build_cnn, plan_cnn

TASKS: dict[str, str] = {
    "digits": "Digits (8×8 scans) with LeNet-5",
    "shapes": "Shapes (64×64 pictures) with the small VGG",
    "char": "Next character of Python source with an RNN / LSTM / GRU",
    "adding": "The adding problem (T = 50) with an RNN / LSTM / GRU",
}
OWN_TASKS: dict[str, str] = {  # tasks on data the user brings (passed to LabRun as `data`)
    "images": "Your pictures (a zip of class folders) with the small VGG",
    "char": "Your text with an RNN / LSTM / GRU",
    "series": "Your series (next value) with an RNN / LSTM / GRU or a 1-D CNN",
}
OPTIMIZERS = ("sgd", "adam")
SCHEDULES = ("constant", "step", "cosine", "onecycle")
CELLS = ("rnn", "lstm", "gru")
AUGMENTATIONS: dict[str, tuple[str, ...]] = {
    "digits": ("shift", "rotate", "noise"),  # a flipped 2 is not a 2
    "shapes": ("shift", "rotate", "flip", "noise"),
    "char": ("noise",),  # a few input characters replaced at random
    "adding": ("noise",),  # jitter on the values, not on the markers
    "images": ("shift", "rotate", "flip", "noise"),
    "series": ("noise",),
}
IMAGE_TASKS = ("digits", "shapes", "images")
INDEXED_TASKS = (*IMAGE_TASKS, "series")  # epochs are passes over a fixed training set
SERIES_CELLS = (*CELLS, "cnn")
SERIES_WINDOW = 32
INPUT_SIZE = {"digits": (1, 32, 32), "shapes": (3, 64, 64), "images": (3, 64, 64)}
METRIC = {"adding": "accuracy (answers within 0.04)", "series": "R² (1 − MSE / variance)"}

MAX_EPOCHS = 40
MAX_BATCH = 512
MAX_STEPS = 3000  # per run
MAX_SECONDS = 90.0  # of training compute per run
MAX_WALL_SECONDS = 600.0  # per pair, waiting for the CPU included
MAX_LR = 1.0
ALL_TASKS = {**TASKS, **OWN_TASKS}
CHAR_SEQ = 64
CHAR_STEPS_PER_EPOCH = 40
ADDING_LENGTH = 50
ADDING_STEPS_PER_EPOCH = 40
ADDING_TOLERANCE = 0.04  # an answer within 0.04 of the sum counts as right (Hochreiter & Schmidhuber 1997)
SHAPES_TRAIN, SHAPES_VAL = 3000, 500


class LabConfigError(ValueError):
    """A setting the lab refuses; the message says which and what is allowed."""


@dataclass(frozen=True)
class LabConfig:
    """One run's choices. `clip` 0 means no clipping; `cell` matters for the sequence tasks only."""

    task: str = "digits"
    optimizer: str = "adam"
    lr: float = 3e-3
    schedule: str = "constant"
    batch_size: int = 64
    epochs: int = 10
    dropout: float = 0.0
    batch_norm: bool = False
    augment: tuple[str, ...] = ()
    weight_decay: float = 0.0
    clip: float = 0.0
    seed: int = 0
    cell: str = "lstm"
    layers: tuple[LayerSpec, ...] = ()  # image tasks: a network built from a list; () is the task's own
    hidden: int = 128  # character models: hidden size and embedding width (0: one-hot)
    embed: int = 32

    def describe(self) -> str:
        """The settings in one line, for tables and file metadata."""
        parts = [f"{self.optimizer} lr {self.lr:g}", self.schedule, f"batch {self.batch_size}", f"{self.epochs} epochs"]
        if self.task not in IMAGE_TASKS:
            parts.insert(0, self.cell.upper())
        parts += [f"dropout {self.dropout:g}"] if self.dropout else []
        parts += ["batch norm"] if self.batch_norm else []
        parts += ["augment " + "+".join(self.augment)] if self.augment else []
        parts += [f"weight decay {self.weight_decay:g}"] if self.weight_decay else []
        parts += [f"clip {self.clip:g}"] if self.clip else []
        parts += [f"your CNN of {len(self.layers)} layers"] if self.layers else []
        if self.task == "char" and (self.hidden, self.embed) != (128, 32):
            parts += [f"hidden {self.hidden}, " + (f"embedding {self.embed}" if self.embed else "one-hot")]
        return ", ".join(parts) + f", seed {self.seed}"


def validate(config: LabConfig, data: LabData | None = None) -> LabConfig:
    """Return `config` if the lab can train it (on `data`, for the user's own); otherwise raise LabConfigError."""
    if config.task not in ALL_TASKS:
        raise LabConfigError(f"Unknown task {config.task!r}; choose one of {', '.join(TASKS)}.")
    if config.optimizer not in OPTIMIZERS:
        raise LabConfigError(f"Unknown optimizer {config.optimizer!r}; choose sgd or adam.")
    if config.schedule not in SCHEDULES:
        raise LabConfigError(f"Unknown schedule {config.schedule!r}; choose one of {', '.join(SCHEDULES)}.")
    if not (math.isfinite(config.lr) and 0 < config.lr <= MAX_LR):
        raise LabConfigError(f"The learning rate must be above 0 and at most {MAX_LR:g}; got {config.lr:g}.")
    if not 1 <= config.batch_size <= MAX_BATCH:
        raise LabConfigError(f"The batch size must be between 1 and {MAX_BATCH}; got {config.batch_size}.")
    if not 1 <= config.epochs <= MAX_EPOCHS:
        raise LabConfigError(f"Epochs must be between 1 and {MAX_EPOCHS}; got {config.epochs}.")
    if not 0 <= config.dropout < 1:
        raise LabConfigError(f"Dropout is a probability below 1; got {config.dropout:g}.")
    if not (math.isfinite(config.weight_decay) and 0 <= config.weight_decay <= 1):
        raise LabConfigError(f"Weight decay must be between 0 and 1; got {config.weight_decay:g}.")
    if not (math.isfinite(config.clip) and config.clip >= 0):
        raise LabConfigError(f"The clipping threshold must be 0 (off) or positive; got {config.clip:g}.")
    if config.task not in IMAGE_TASKS and config.batch_norm:
        raise LabConfigError("Batch norm is for the image tasks: across a batch of sequences it would mix time "
                             "steps; recurrent networks use layer norm instead.")
    cells = SERIES_CELLS if config.task == "series" else CELLS
    if config.task not in IMAGE_TASKS and config.cell not in cells:
        raise LabConfigError(f"Unknown cell {config.cell!r}; choose one of {', '.join(cells)}.")
    if config.task in ("images", "series") and data is None:
        raise LabConfigError("This task trains on data you bring: upload it first.")
    if config.layers:
        if config.task not in IMAGE_TASKS:
            raise LabConfigError("A network built from a layer list is for the picture tasks.")
        if config.dropout or config.batch_norm:
            raise LabConfigError("With your own network, put dropout and batch-norm layers in its list instead.")
        try:
            plan_cnn(config.layers, INPUT_SIZE[config.task], len(data.classes) if data is not None else 10)
        except BuildError as err:
            raise LabConfigError(f"Your network: {err}") from None
    if config.task == "char" and not (8 <= config.hidden <= 512 and 0 <= config.embed <= 128):
        raise LabConfigError("A character model's hidden size must be 8–512 and its embedding 0 (one-hot) to 128.")
    wrong = [a for a in config.augment if a not in AUGMENTATIONS[config.task]]
    if wrong:
        raise LabConfigError(f"{', '.join(wrong)} augmentation does not fit this task; it offers "
                             f"{', '.join(AUGMENTATIONS[config.task])}.")
    per_epoch = steps_per_epoch(config, data)
    total = config.epochs * per_epoch
    if total > MAX_STEPS:
        raise LabConfigError(f"{config.epochs} epochs of {per_epoch} steps is {total} steps; one run may "
                             f"take at most {MAX_STEPS}. Use fewer epochs or a larger batch.")
    return config


# Data: built once per process, shared read-only by every run.

@dataclass(frozen=True)
class LabData:
    """Training and held-out tensors of a task; `classes` names the outputs of a classifier (empty: regression)."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    classes: tuple[str, ...]


@functools.lru_cache(maxsize=None)
def task_data(task: str) -> LabData:
    """The fixed data of `task` (generated or bundled; the same in every process)."""
    from core.models.registry import get_spec

    if task == "digits":
        from core.train import digits_tensors

        spec = get_spec("lenet5")
        return LabData(*digits_tensors("train", spec), *digits_tensors("test", spec), spec.classes)
    if task == "shapes":
        from core.train import SHAPES_TEST_SEED, SHAPES_TRAIN_SEED, shapes_tensors

        spec = get_spec("small_vgg")
        return LabData(*shapes_tensors(SHAPES_TRAIN, SHAPES_TRAIN_SEED, spec),
                       *shapes_tensors(SHAPES_VAL, SHAPES_TEST_SEED, spec), spec.classes)
    if task == "char":
        from core.data.text import VOCAB, corpus_split

        train_ids, test_ids = corpus_split()
        n = min(64, (len(test_ids) - 1) // 256)
        x_val = torch.from_numpy(test_ids[: n * 256]).view(n, 256)
        y_val = torch.from_numpy(test_ids[1: n * 256 + 1]).view(n, 256)
        train = torch.from_numpy(train_ids)
        return LabData(train, train, x_val, y_val, VOCAB)
    if task == "adding":
        from core.data.sequences import make_adding

        x_val, y_val = (torch.from_numpy(a) for a in make_adding(500, ADDING_LENGTH, seed=77))
        empty = torch.empty(0)
        return LabData(empty, empty, x_val, y_val, ())
    raise LabConfigError(f"Unknown task {task!r}; choose one of {', '.join(TASKS)}.")


def steps_per_epoch(config: LabConfig, data: LabData | None = None) -> int:
    """Optimisation steps in one epoch: one pass over the training set, or a fixed count for sampled tasks."""
    if config.task == "digits" and data is None:
        return math.ceil(1347 / config.batch_size)  # the digits' training split has 1,347 scans
    if config.task == "shapes" and data is None:
        return math.ceil(SHAPES_TRAIN / config.batch_size)
    if config.task in INDEXED_TASKS:
        return math.ceil(len(data.x_train) / config.batch_size) if data is not None else 1
    return CHAR_STEPS_PER_EPOCH if config.task == "char" else ADDING_STEPS_PER_EPOCH


def images_data(images: np.ndarray, labels: np.ndarray, classes: tuple[str, ...], seed: int = 0) -> LabData:
    """A user's pictures (N, 64, 64, 3) uint8 as normalised tensors, a fifth of each class held out."""
    from core.data.own import split_indices
    from core.data.preprocess import normalise
    from core.models.registry import get_spec

    train, val = split_indices(labels, 0.2, seed)
    x = normalise(torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255.0, get_spec("small_vgg"))
    y = torch.from_numpy(labels)
    return LabData(x[train], y[train], x[val], y[val], tuple(classes))


def text_data(text: str) -> LabData:
    """A user's text as character ids: the first 90% to train on, windows of the last 10% held out."""
    from core.data.text import VOCAB, encode

    ids = torch.from_numpy(encode(text, limit=10**9).ids)
    cut = int(len(ids) * 0.9)
    held = ids[cut:]
    width = min(256, len(held) - 1)
    n = max(1, min(64, (len(held) - 1) // width))
    x_val = held[: n * width].view(n, width)
    y_val = held[1: n * width + 1].view(n, width)
    return LabData(ids[:cut], ids[:cut], x_val, y_val, VOCAB)


def series_data(series: np.ndarray, window: int = SERIES_WINDOW) -> LabData:
    """Windows of `window` values → the next value, standardised by the training part; the last fifth held out."""
    values = torch.from_numpy(np.asarray(series, dtype=np.float32))
    cut = int(len(values) * 0.8)
    mean, std = values[:cut].mean(), values[:cut].std().clamp_min(1e-8)
    z = (values - mean) / std
    windows = z.unfold(0, window + 1, 1)  # (N, window + 1)
    x, y = windows[:, :window, None], windows[:, window]
    split = max(1, cut - window)
    return LabData(x[:split].contiguous(), y[:split].contiguous(), x[split:].contiguous(), y[split:].contiguous(), ())


def build_model(config: LabConfig, num_classes: int | None = None) -> nn.Module:
    """The task's network with the config's dropout and batch norm, initialised from the config's seed."""
    torch.manual_seed(config.seed)
    if config.layers:
        default = {"digits": 10, "shapes": 6}.get(config.task, 2)
        return build_cnn(config.layers, INPUT_SIZE[config.task], num_classes or default)
    if config.task == "images":
        from core.models.small_vgg import SmallVGG

        return SmallVGG(num_classes or 2, batch_norm=config.batch_norm, dropout=config.dropout)
    if config.task == "series":
        from core.models.sequence import NextValueModel

        return NextValueModel(config.cell, dropout=config.dropout)
    if config.task == "digits":
        from core.models.lenet import LeNet5

        return LeNet5(10, dropout=config.dropout, batch_norm=config.batch_norm)
    if config.task == "shapes":
        from core.data.shapes import SHAPE_CLASSES
        from core.models.small_vgg import SmallVGG

        return SmallVGG(len(SHAPE_CLASSES), batch_norm=config.batch_norm, dropout=config.dropout)
    if config.task == "char":
        from core.data.text import VOCAB
        from core.models.sequence import CharModel

        return CharModel(config.cell, len(VOCAB), config.hidden, len(VOCAB), config.embed or None, traced=False,
                         dropout=config.dropout)
    from core.models.sequence import AddingModel

    return AddingModel(config.cell, 64, dropout=config.dropout)


def augment(x: torch.Tensor, names: tuple[str, ...], task: str, gen: torch.Generator) -> torch.Tensor:
    """A batch transformed by the named augmentations, drawn from `gen` (so a seeded run repeats exactly)."""
    if not names:
        return x
    if task in IMAGE_TASKS:
        from core.train import random_shift_rotate

        if "shift" in names or "rotate" in names:
            x = random_shift_rotate(x, 0.1 if "shift" in names else 0.0, 15.0 if "rotate" in names else 0.0, gen)
        if "flip" in names:
            x = torch.where(torch.rand(len(x), 1, 1, 1, generator=gen) < 0.5, x.flip(3), x)
        if "noise" in names:
            x = x + 0.3 * torch.randn(x.shape, generator=gen)
        return x
    if task == "char":
        swap = torch.rand(x.shape, generator=gen) < 0.05
        return torch.where(swap, torch.randint(0, int(x.max()) + 1, x.shape, generator=gen), x)
    if task == "series":
        return x + 0.05 * torch.randn(x.shape, generator=gen)
    values = x[..., 0] + 0.05 * torch.randn(x.shape[:-1], generator=gen)
    return torch.stack([values, x[..., 1]], -1)


def make_optimizer(config: LabConfig, params) -> torch.optim.Optimizer:
    """SGD with momentum 0.9, or Adam with decoupled weight decay (AdamW)."""
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=0.9, weight_decay=config.weight_decay)
    return torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)


def make_schedule(config: LabConfig, opt: torch.optim.Optimizer, total_steps: int) -> torch.optim.lr_scheduler.LRScheduler:
    """Per-step schedule: constant; step (×0.1 after each third); cosine to 0; one-cycle (warm-up to lr, then anneal)."""
    if config.schedule == "step":
        return torch.optim.lr_scheduler.StepLR(opt, step_size=max(1, math.ceil(total_steps / 3)), gamma=0.1)
    if config.schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total_steps)
    if config.schedule == "onecycle":
        return torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=config.lr, total_steps=total_steps)
    return torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)


# The run.

@dataclass(frozen=True)
class StepRecord:
    """One optimisation step: the rate it used, its batch loss and accuracy, the gradient norm before clipping."""

    step: int
    epoch: int
    lr: float
    loss: float
    accuracy: float
    grad_norm: float


@dataclass(frozen=True)
class EpochRecord:
    """One epoch: mean training loss and accuracy over its steps, then held-out loss and accuracy."""

    epoch: int
    step: int
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    seconds: float


@dataclass
class Outcome:
    """After training: held-out predictions, the confusion matrix (classifiers) and the worst mistakes."""

    predictions: np.ndarray
    targets: np.ndarray
    confusion: np.ndarray | None
    mistakes: np.ndarray  # indices into the held-out set, worst first


def format_metric(task: str, value: float) -> str:
    """'accuracy 97.3%', or 'R² 0.968' for the series task."""
    return f"R² {value:.3f}" if task == "series" else f"accuracy {value:.1%}"


def _batch_metrics(task: str, out: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, float]:
    """The loss to minimise and the batch accuracy (adding problem: answers within the tolerance)."""
    if task == "adding":
        return F.mse_loss(out, y), float(((out - y).abs() < ADDING_TOLERANCE).float().mean())
    if task == "series":
        mse = F.mse_loss(out, y)
        return mse, float(1 - mse.detach() / y.var(unbiased=False).clamp_min(1e-8))
    if task == "char":
        return F.cross_entropy(out.flatten(0, 1), y.flatten()), float((out.argmax(-1) == y).float().mean())
    return F.cross_entropy(out, y), float((out.argmax(1) == y).float().mean())


def _forward(model: nn.Module, task: str, x: torch.Tensor) -> torch.Tensor:
    out = model(x)
    return out[0] if task == "char" else out


class LabRun:
    """One seeded run: the model (its own, never shared), optimizer, schedule, and its history so far.

    `status` is 'ready', 'running', 'done', 'stopped', 'diverged' or 'capped'; `message` says why it ended.
    Histories only grow, so another thread may read them while this one trains.
    """

    def __init__(self, config: LabConfig, device: torch.device | str = "cpu", label: str = "run",
                 data: LabData | None = None) -> None:
        self.config = validate(config, data)
        self.label = label
        self.device = torch.device(device)
        self.data = data if data is not None else task_data(config.task)
        self.model = build_model(config, len(self.data.classes) or None).to(self.device)
        self.steps_per_epoch = steps_per_epoch(config, self.data)
        self.total_steps = config.epochs * self.steps_per_epoch
        self.opt = make_optimizer(config, self.model.parameters())
        self.sched = make_schedule(config, self.opt, self.total_steps)
        self.gen = torch.Generator().manual_seed(config.seed)
        self._rng = torch.get_rng_state()  # dropout draws from torch's global generator: kept per run
        self._order = torch.empty(0, dtype=torch.long)
        self.steps: list[StepRecord] = []
        self.epochs: list[EpochRecord] = []
        self.status, self.message = "ready", ""
        self.compute_seconds = 0.0
        self._epoch_loss, self._epoch_acc = 0.0, 0.0
        self.outcome: Outcome | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("done", "stopped", "diverged", "capped")

    @property
    def progress(self) -> float:
        return min(1.0, len(self.steps) / self.total_steps)

    def _next_batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        c, d, gen = self.config, self.data, self.gen
        if c.task in INDEXED_TASKS:
            k = step % self.steps_per_epoch
            if k == 0:
                self._order = torch.randperm(len(d.x_train), generator=gen)
            idx = self._order[k * c.batch_size:(k + 1) * c.batch_size]
            return d.x_train[idx], d.y_train[idx]
        if c.task == "char":
            starts = torch.randint(0, len(d.x_train) - CHAR_SEQ - 1, (c.batch_size,), generator=gen)
            chunk = d.x_train[starts[:, None] + torch.arange(CHAR_SEQ + 1)]
            return chunk[:, :-1], chunk[:, 1:]
        from core.data.sequences import make_adding

        seed = int(torch.randint(0, 2**31 - 1, (1,), generator=gen))
        x, y = make_adding(c.batch_size, ADDING_LENGTH, seed=seed)
        return torch.from_numpy(x), torch.from_numpy(y)

    def _end(self, status: str, message: str) -> None:
        done = len(self.steps) - (self.epochs[-1].step if self.epochs else 0)
        if status in ("stopped", "capped") and done > 0:  # close the partial epoch, so a stopped run still has numbers
            val_loss, val_acc = self.evaluate()
            self.epochs.append(EpochRecord(self.steps[-1].epoch, len(self.steps), self._epoch_loss / done,
                                           self._epoch_acc / done, val_loss, val_acc, self.compute_seconds))
        self.status, self.message = status, message
        self.model.eval()

    def step(self, should_stop: Callable[[], bool] | None = None) -> bool:
        """Train one batch (or end the run); True while there is more to do."""
        if self.finished:
            return False
        if should_stop is not None and should_stop():
            self._end("stopped", f"Stopped after {len(self.steps)} of {self.total_steps} steps.")
            return False
        if self.compute_seconds > MAX_SECONDS:
            self._end("capped", f"Reached the {MAX_SECONDS:.0f} s limit per run after {len(self.steps)} steps.")
            return False
        self.status = "running"
        started = time.perf_counter()
        step = len(self.steps)
        c = self.config
        with torch.random.fork_rng(devices=[]):
            torch.set_rng_state(self._rng)
            x, y = self._next_batch(step)
            x = augment(x, c.augment, c.task, self.gen).to(self.device)
            y = y.to(self.device)
            self.model.train()
            loss, acc = _batch_metrics(c.task, _forward(self.model, c.task, x), y)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            norm = nn.utils.clip_grad_norm_(self.model.parameters(), c.clip if c.clip else float("inf"))
            self._rng = torch.get_rng_state()
        lr = self.opt.param_groups[0]["lr"]
        loss_value, norm_value = loss.item(), norm.item()
        epoch = step // self.steps_per_epoch + 1
        self.steps.append(StepRecord(step + 1, epoch, lr, loss_value, acc, norm_value))
        if not (math.isfinite(loss_value) and math.isfinite(norm_value)):
            self.compute_seconds += time.perf_counter() - started
            what = "loss" if not math.isfinite(loss_value) else "gradient norm"
            self._end("diverged", f"Diverged at step {step + 1}: the {what} became {loss_value if what == 'loss' else norm_value}. "
                                  f"The weights were not updated with it; try a lower learning rate or gradient clipping.")
            return False
        self.opt.step()
        self.sched.step()
        self._epoch_loss += loss_value
        self._epoch_acc += acc
        if (step + 1) % self.steps_per_epoch == 0:
            val_loss, val_acc = self.evaluate()
            n = self.steps_per_epoch
            self.compute_seconds += time.perf_counter() - started
            self.epochs.append(EpochRecord(epoch, step + 1, self._epoch_loss / n, self._epoch_acc / n, val_loss, val_acc,
                                           self.compute_seconds))
            self._epoch_loss = self._epoch_acc = 0.0
        else:
            self.compute_seconds += time.perf_counter() - started
        if len(self.steps) >= self.total_steps:
            self._end("done", f"Finished {self.total_steps} steps: held-out "
                              f"{format_metric(c.task, self.epochs[-1].val_accuracy)}.")
            return False
        return True

    @torch.no_grad()
    def predict_val(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Held-out outputs (logits, or the adding problem's answers) in eval mode, on the CPU."""
        was = self.model.training
        self.model.eval()
        outs = []
        x = self.data.x_val
        for i in range(0, len(x), 256):
            outs.append(_forward(self.model, self.config.task, x[i:i + 256].to(self.device)).cpu())
        self.model.train(was)
        return torch.cat(outs), self.data.y_val

    def evaluate(self) -> tuple[float, float]:
        """Held-out loss and accuracy now."""
        out, y = self.predict_val()
        loss, acc = _batch_metrics(self.config.task, out, y)
        return float(loss), acc

    def finish(self) -> Outcome:
        """Held-out predictions, confusion matrix and the mistakes, worst first (computed once, after training)."""
        if self.outcome is not None:
            return self.outcome
        out, y = self.predict_val()
        if self.config.task in ("adding", "series"):
            pred = out.numpy()
            err = np.abs(pred - y.numpy())
            self.outcome = Outcome(pred, y.numpy(), None, np.argsort(-err)[:12])
            return self.outcome
        k = len(self.data.classes)
        probs = torch.softmax(out, -1)
        pred = probs.argmax(-1)
        confusion = torch.bincount(y.flatten() * k + pred.flatten(), minlength=k * k).view(k, k).numpy()
        if self.config.task == "char":
            self.outcome = Outcome(pred.numpy(), y.numpy(), confusion, np.empty(0, dtype=np.int64))
            return self.outcome
        wrong = torch.nonzero(pred != y).flatten()
        confidence = probs[wrong, pred[wrong]]
        self.outcome = Outcome(pred.numpy(), y.numpy(), confusion, wrong[torch.argsort(-confidence)].numpy())
        return self.outcome


def train(run: LabRun, should_stop: Callable[[], bool] | None = None) -> LabRun:
    """Step `run` to its end on the calling thread (scripts and tests)."""
    while run.step(should_stop):
        pass
    return run


class LabPair:
    """Two (or more) runs trained in turn, one step each, on one background thread.

    `guard()` is entered around every step: the app passes its heavy-work slot, so a class training at
    once shares the CPU step by step instead of one session holding it for a whole run.
    """

    def __init__(self, runs: list[LabRun], guard: Callable[[], AbstractContextManager] = nullcontext,
                 max_wall_s: float = MAX_WALL_SECONDS) -> None:
        self.runs = runs
        self._guard = guard
        self.max_wall_s = max_wall_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: str | None = None

    def start(self) -> "LabPair":
        self._thread = threading.Thread(target=self._loop, name="lab-pair", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        try:
            active = list(self.runs)
            started = time.monotonic()
            while active:
                if time.monotonic() - started > self.max_wall_s:
                    self._stop.set()  # a busy server: the pair has waited too long for its steps
                for run in list(active):
                    with self._guard():
                        more = run.step(self._stop.is_set)
                    if not more:
                        active.remove(run)
            for run in self.runs:
                if run.steps:
                    run.finish()
        except Exception as err:  # a failed run must say so in the page, not die silently on its thread
            self.error = f"{type(err).__name__}: {err}"
            for run in self.runs:
                if not run.finished:
                    run._end("stopped", f"Stopped by an error: {self.error}")

    def stop(self) -> None:
        """Ask every run to stop; each ends before its next step."""
        self._stop.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


# Export.

def history_csv(run: LabRun) -> str:
    """Every step as a CSV row, with the held-out metrics on each epoch's last step."""
    by_step = {e.step: e for e in run.epochs}
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["step", "epoch", "lr", "loss", "accuracy", "grad_norm", "val_loss", "val_accuracy"])
    for s in run.steps:
        e = by_step.get(s.step)
        writer.writerow([s.step, s.epoch, f"{s.lr:.6g}", f"{s.loss:.6g}", f"{s.accuracy:.6g}", f"{s.grad_norm:.6g}",
                         "" if e is None else f"{e.val_loss:.6g}", "" if e is None else f"{e.val_accuracy:.6g}"])
    return buf.getvalue()


def weights_bytes(run: LabRun) -> bytes:
    """The run's state dict as safetensors, with its settings in the metadata."""
    from safetensors.torch import save

    state = {k: v.detach().cpu().contiguous() for k, v in run.model.state_dict().items()}
    meta = {k: str(v) for k, v in asdict(run.config).items()}
    meta.update(status=run.status, steps=str(len(run.steps)), description=run.config.describe(),
                val_accuracy=f"{run.epochs[-1].val_accuracy:.4f}" if run.epochs else "")
    return save(state, metadata=meta)


def with_changes(config: LabConfig, **changes: object) -> LabConfig:
    """`config` with some fields replaced (the page's 'same as run A, except …')."""
    return replace(config, **changes)


# The comparison a task opens on, and what a finished pair says.

@dataclass(frozen=True)
class DefaultPair:
    """Two runs of one task that differ in exactly one choice, and the seed spread measured for that pair.

    `spread` is the larger of the two runs' standard deviations of the held-out metric over seeds 0–2
    (`python bench/lab.py --defaults`), in the metric's units; None where the data is the user's own.
    """

    a: LabConfig
    b: LabConfig
    spread: float | None = None


DEFAULT_PAIRS: dict[str, DefaultPair] = {
    # Measured by `python bench/lab.py --defaults` (held-out, seeds 0–2, mean ± standard deviation):
    # LeNet-5 at a small rate, early on: batch norm gets it further in the same 88 steps (86.1% ± 2.4 vs 91.9% ± 0.5).
    "digits": DefaultPair(LabConfig("digits", lr=3e-4, epochs=4), LabConfig("digits", lr=3e-4, epochs=4, batch_norm=True),
                          0.024),
    # Without batch norm the small VGG is still at chance (1 in 6) after three epochs; with it, it learns
    # (16.5% ± 0.2 vs 32.1% ± 3.9).
    "shapes": DefaultPair(LabConfig("shapes", schedule="onecycle", epochs=3),
                          LabConfig("shapes", schedule="onecycle", epochs=3, batch_norm=True), 0.039),
    # An LSTM on text: a rate ten times too small is far behind after 400 steps (32.4% ± 0.7 vs 47.4% ± 0.7).
    "char": DefaultPair(LabConfig("char", lr=3e-4, epochs=10, batch_size=32, clip=1.0),
                        LabConfig("char", lr=3e-3, epochs=10, batch_size=32, clip=1.0), 0.007),
    # The two values to add are up to 50 steps back: a GRU learns to keep them, a plain RNN answers about the
    # mean (7.5% ± 1.5 vs 99.1% ± 0.8 of answers within 0.04).
    "adding": DefaultPair(LabConfig("adding", epochs=30, batch_size=32, lr=1e-2, clip=1.0, cell="rnn"),
                          LabConfig("adding", epochs=30, batch_size=32, lr=1e-2, clip=1.0, cell="gru"), 0.015),
}
OWN_DEFAULT_PAIRS: dict[str, DefaultPair] = {  # on the user's data: no spread measured in advance
    "images": DefaultPair(LabConfig("images", epochs=8, batch_size=16), LabConfig("images", epochs=8, batch_size=16, batch_norm=True)),
    "char": DefaultPair(LabConfig("char", lr=3e-4, epochs=10, batch_size=32, clip=1.0),
                        LabConfig("char", lr=3e-3, epochs=10, batch_size=32, clip=1.0)),
    "series": DefaultPair(LabConfig("series", epochs=10, batch_size=32, clip=1.0, cell="lstm"),
                          LabConfig("series", epochs=10, batch_size=32, clip=1.0, cell="cnn")),
}
CHOICE_NAMES: dict[str, str] = {
    "task": "task", "optimizer": "optimizer", "lr": "learning rate", "schedule": "schedule", "batch_size": "batch size",
    "epochs": "epochs", "dropout": "dropout", "batch_norm": "batch norm", "augment": "augmentation",
    "weight_decay": "weight decay", "clip": "gradient clipping", "seed": "seed", "cell": "network",
    "layers": "your network", "hidden": "hidden size", "embed": "embedding",
}


def differences(a: LabConfig, b: LabConfig) -> tuple[str, ...]:
    """The LabConfig fields in which two runs differ, leaving out those the task ignores (cell for pictures,
    sizes outside the text task)."""
    ignored = {"cell"} if a.task in IMAGE_TASKS else set()
    ignored |= set() if a.task == "char" else {"hidden", "embed"}
    return tuple(f.name for f in fields(LabConfig) if f.name not in ignored and getattr(a, f.name) != getattr(b, f.name))


def choice_value(name: str, config: LabConfig) -> str:
    """One field of `config` as a learner reads it: 'on', 'LSTM', '0.0003', 'shift+rotate', 'off'."""
    value = getattr(config, name)
    if name == "batch_norm":
        return "on" if value else "off"
    if name == "cell":
        return "1-D CNN" if value == "cnn" else value.upper()
    if name == "augment":
        return "+".join(value) if value else "none"
    if name in ("clip", "dropout", "weight_decay", "embed") and not value:
        return "off" if name != "embed" else "one-hot"
    if name == "layers":
        return f"{len(value)} layers" if value else "the task's own"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _gap(task: str, a: float, b: float) -> str:
    return f"{abs(a - b):.3f}" if task == "series" else f"{abs(a - b) * 100:.1f} points"


def lesson(a: LabRun, b: LabRun, spread: float | None = None) -> str | None:
    """What a finished pair shows, in one sentence with its numbers; None while either has no held-out result.

    `spread` (the seed spread measured for this very pair, see DefaultPair) is quoted when given.
    """
    if not (a.epochs and b.epochs):
        return None
    task = a.config.task
    score_a, score_b = a.epochs[-1].val_accuracy, b.epochs[-1].val_accuracy
    shown = (lambda v: f"{v:.3f}") if task == "series" else (lambda v: f"{v:.1%}")
    what = "held-out R²" if task == "series" else "held-out accuracy"
    steps = (f"{len(a.steps)} steps" if len(a.steps) == len(b.steps) else f"{len(a.steps)} and {len(b.steps)} steps")
    gap = _gap(task, score_a, score_b)
    changed = differences(a.config, b.config)
    if not changed:
        return (f"Both runs have the same settings and seed, so they train identically: {shown(score_a)} {what} "
                f"after {steps}. Change one choice in run B to see what it does.")
    if changed == ("seed",):
        return (f"The runs differ only in their seed: {shown(score_a)} vs {shown(score_b)} {what} after {steps}. "
                f"This gap of {gap} is what chance alone does; a choice must beat it to mean something.")
    if len(changed) > 1:
        names = ", ".join(CHOICE_NAMES[n] for n in changed)
        return (f"The runs differ in {len(changed)} choices ({names}): {shown(score_a)} vs {shown(score_b)} {what} "
                f"after {steps}. A gap of {gap} cannot be pinned on any one of them; change one choice at a time.")
    name = changed[0]
    sentence = (f"{CHOICE_NAMES[name][0].upper()}{CHOICE_NAMES[name][1:]} {choice_value(name, a.config)} vs "
                f"{choice_value(name, b.config)}: {shown(score_a)} vs {shown(score_b)} {what} after {steps}, "
                f"a gap of {gap}")
    if spread is None:
        return sentence + "."
    spread_text = f"±{spread:.3f}" if task == "series" else f"±{spread * 100:.1f} points"
    verdict = ("" if abs(score_a - score_b) > spread else
               " — no larger than that, so this gap alone shows nothing")
    return f"{sentence}; over seeds 0–2 these runs spread {spread_text}{verdict}."


def default_spread(a: LabConfig, b: LabConfig, pair: DefaultPair | None) -> float | None:
    """The measured seed spread of `pair` when `a` and `b` are that pair (their seeds aside); else None."""
    if pair is None:
        return None
    same = replace(a, seed=0) == pair.a and replace(b, seed=0) == pair.b
    return pair.spread if same else None


def train_below_held_out(run: LabRun) -> EpochRecord | None:
    """The run's latest epoch when dropout or augmentation is on and its training accuracy is below the held-out
    one (training is scored on dropped-out or augmented batches, averaged over an epoch that kept improving)."""
    c = run.config
    if not (c.dropout or c.augment) or not run.epochs:
        return None
    latest = run.epochs[-1]
    return latest if latest.train_accuracy < latest.val_accuracy else None

