"""The engine: one seeded run of any task, stepped one batch at a time, and a pair of runs on one thread.

`RunConfig` holds a run's choices (the seed's best practices — dropout, batch norm, augmentation,
learning-rate schedules, batch size, weight decay, gradient clipping — are fields). `Run.step()` trains
one batch and records what happened (loss, metric, learning rate, gradient norm), evaluating on held-out
data at every epoch's end; callbacks (`add_callback("on_step_end", fn)`) tell a script or a page, which
otherwise read the run's histories. `RunPair` steps two runs in turn on one background thread, so both
advance together and a Stop lands within one step. Nothing here knows about a UI.
"""
from __future__ import annotations

import csv
import io
import math
import threading
import time
from collections import defaultdict
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from typing import Callable, Sequence

import numpy as np
import torch
from torch import nn

from core.builder import BuildError, LayerSpec, plan_cnn, step_cost
from core.i18n import N_, _, ngettext
from core.training.limits import SCRIPT, Limits
from core.training.tasks import AUGMENT_NAMES, Outcome, Task, TaskData, TaskError, get_task

OPTIMIZERS = ("sgd", "adam", "rmsprop")
SCHEDULES = ("constant", "step", "cosine", "onecycle")
SCHEDULE_WORDS = {"constant": N_("constant"), "step": N_("step decay"), "cosine": N_("cosine"),
                  "onecycle": N_("one-cycle")}  # a schedule in a run's one-line description


class RunConfigError(ValueError):
    """A setting the engine refuses; the message says which and what is allowed."""


@dataclass(frozen=True)
class RunConfig:
    """One run's choices. `clip` 0 means no clipping; `cell` is the network of a task that offers several."""

    task: str = "digits"
    optimizer: str = "adam"  # adam is AdamW (decoupled weight decay); sgd has momentum 0.9
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
    layers: tuple[LayerSpec, ...] = ()  # picture tasks: a network built from a list; () is the task's own
    hidden: int = 128  # character models: hidden size and embedding width (0: one-hot)
    embed: int = 32

    def describe(self, task: Task | None = None) -> str:
        """The settings in one line, in the current language, for tables and file metadata."""
        task = task or get_task(self.task)
        parts = [_("{optimizer} lr {lr:g}").format(optimizer=self.optimizer, lr=self.lr), _(SCHEDULE_WORDS[self.schedule]),
                 _("batch {size}").format(size=self.batch_size),
                 ngettext("{n} epoch", "{n} epochs", self.epochs).format(n=self.epochs)]
        if task.networks:
            parts.insert(0, self.cell.upper())
        parts += [_("dropout {p:g}").format(p=self.dropout)] if self.dropout else []
        parts += [_("batch norm")] if self.batch_norm else []
        parts += [_("augment {names}").format(names="+".join(_(AUGMENT_NAMES[a]) for a in self.augment))] if self.augment else []
        parts += [_("weight decay {decay:g}").format(decay=self.weight_decay)] if self.weight_decay else []
        parts += [_("clip {clip:g}").format(clip=self.clip)] if self.clip else []
        parts += [_("your CNN of {n} layers").format(n=len(self.layers))] if self.layers else []
        if task.sizes and (self.hidden, self.embed) != (128, 32):
            parts += [_("hidden {hidden}, embedding {embed}").format(hidden=self.hidden, embed=self.embed) if self.embed
                      else _("hidden {hidden}, one-hot").format(hidden=self.hidden)]
        # i18n: the separator between the settings of a run's one-line description
        return _(", ").join(parts) + _(", seed {seed}").format(seed=self.seed)


def _within(value: float, cap: float | None) -> bool:
    return cap is None or value <= cap


def validate(config: RunConfig, task: Task, data: TaskData | None = None, limits: Limits = SCRIPT) -> RunConfig:
    """Return `config` if `task` can train it (on `data`, for the user's own) within `limits`; else raise
    RunConfigError with a sentence that says what is allowed."""
    if config.optimizer not in OPTIMIZERS:
        raise RunConfigError(_("Unknown optimizer {name!r}; choose one of {names}.").format(
            name=config.optimizer, names=", ".join(OPTIMIZERS)))
    if config.schedule not in SCHEDULES:
        raise RunConfigError(_("Unknown schedule {name!r}; choose one of {names}.").format(
            name=config.schedule, names=", ".join(SCHEDULES)))
    if not (math.isfinite(config.lr) and config.lr > 0 and _within(config.lr, limits.max_lr)):
        raise RunConfigError(_("The learning rate must be above 0 and at most {cap:g}; got {lr:g}.").format(
            cap=limits.max_lr if limits.max_lr is not None else math.inf, lr=config.lr))
    if not (config.batch_size >= 1 and _within(config.batch_size, limits.max_batch)):
        raise RunConfigError(_("The batch size must be between 1 and {cap}; got {size}.").format(
            cap=limits.max_batch, size=config.batch_size))
    if not (config.epochs >= 1 and _within(config.epochs, limits.max_epochs)):
        raise RunConfigError(_("Epochs must be between 1 and {cap}; got {epochs}.").format(
            cap=limits.max_epochs, epochs=config.epochs))
    if not 0 <= config.dropout < 1:
        raise RunConfigError(_("Dropout is a probability below 1; got {p:g}.").format(p=config.dropout))
    if not (math.isfinite(config.weight_decay) and 0 <= config.weight_decay <= 1):
        raise RunConfigError(_("Weight decay must be between 0 and 1; got {decay:g}.").format(decay=config.weight_decay))
    if not (math.isfinite(config.clip) and config.clip >= 0):
        raise RunConfigError(_("The clipping threshold must be 0 (off) or positive; got {clip:g}.").format(clip=config.clip))
    if config.batch_norm and not task.picture:
        raise RunConfigError(_("Batch norm is for the picture tasks: across a batch of sequences it would mix time "
                               "steps; recurrent networks use layer norm instead."))
    if task.networks and config.cell not in task.networks:
        raise RunConfigError(_("Unknown cell {name!r}; choose one of {names}.").format(
            name=config.cell, names=", ".join(task.networks)))
    if task.own and data is None:
        raise RunConfigError(_("This task trains on data you bring: upload it first."))
    if config.layers:
        if not task.picture:
            raise RunConfigError(_("A network built from a layer list is for the picture tasks."))
        if config.dropout or config.batch_norm:
            raise RunConfigError(_("With your own network, put dropout and batch-norm layers in its list instead."))
        try:
            plan = plan_cnn(config.layers, task.input_size, len(data.classes) if data is not None else 10)
        except BuildError as err:
            raise RunConfigError(_("Your network: {error}").format(error=err)) from None
        cost = step_cost(plan, config.batch_size, task.input_size)
        if not (_within(cost.flops, limits.max_step_flops) and _within(cost.activation_bytes, limits.max_step_bytes)):
            raise RunConfigError(_(
                "Your network: one training step at batch {batch} needs {gflops:,.0f} GFLOPs and {mb:,.0f} MB of "
                "activations; one step here may take at most {most_gflops:,.0f} GFLOPs and {most_mb:,.0f} MB. Use a "
                "smaller batch, fewer channels, or pool earlier.").format(
                    batch=config.batch_size, gflops=cost.flops / 1e9, mb=cost.activation_bytes / 1e6,
                    most_gflops=(limits.max_step_flops or 0) / 1e9, most_mb=(limits.max_step_bytes or 0) / 1e6))
    if task.sizes and not (8 <= config.hidden <= 512 and 0 <= config.embed <= 128):
        raise RunConfigError(_("A character model's hidden size must be 8–512 and its embedding 0 (one-hot) to 128."))
    wrong = [a for a in config.augment if a not in task.augmentations]
    if wrong:
        offers = (_("it offers {names}").format(names=", ".join(task.augmentations)) if task.augmentations
                  else _("it offers none"))
        raise RunConfigError(_("{names} augmentation does not fit this task; {offers}.").format(
            names=", ".join(wrong), offers=offers))
    per_epoch = task.steps_per_epoch(config.batch_size, data)
    total = config.epochs * per_epoch
    if not _within(total, limits.max_steps):
        raise RunConfigError(_("{epochs} epochs of {per_epoch} steps is {total} steps; one run may take at most "
                               "{cap}. Use fewer epochs or a larger batch.").format(
            epochs=config.epochs, per_epoch=per_epoch, total=total, cap=limits.max_steps))
    return config


def make_optimizer(config: RunConfig, params) -> torch.optim.Optimizer:
    """SGD with momentum 0.9, AdamW (Adam with decoupled weight decay), or RMSprop."""
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=0.9, weight_decay=config.weight_decay)
    if config.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=config.lr, weight_decay=config.weight_decay)
    return torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)


def make_schedule(config: RunConfig, opt: torch.optim.Optimizer, total_steps: int) -> torch.optim.lr_scheduler.LRScheduler:
    """Per-step schedule: constant; step (×0.1 after each third); cosine to 0; one-cycle (warm-up to lr, then anneal)."""
    if config.schedule == "step":
        return torch.optim.lr_scheduler.StepLR(opt, step_size=max(1, math.ceil(total_steps / 3)), gamma=0.1)
    if config.schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total_steps)
    if config.schedule == "onecycle":
        return torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=config.lr, total_steps=total_steps)
    return torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)


@dataclass(frozen=True)
class StepRecord:
    """One optimisation step: the rate it used, its batch loss and metric, the gradient norm before clipping,
    and the run's compute seconds after it."""

    step: int
    epoch: int
    lr: float
    loss: float
    accuracy: float
    grad_norm: float
    seconds: float = field(compare=False)  # a clock, not a result: two identical runs differ in it


@dataclass(frozen=True)
class EpochRecord:
    """One epoch: mean training loss and metric over its steps, then held-out loss and metric."""

    epoch: int
    step: int
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    seconds: float


class Run:
    """One seeded run: the model (its own, never shared), optimizer, schedule, and its history so far.

    `status` is 'ready', 'running', 'done', 'stopped', 'diverged' or 'capped'; `message` says why it ended, in the
    language of whoever reads it (a run ends on a training thread, which has no language of its own).
    Histories only grow, so another thread may read them while this one trains. `task` defaults to the
    catalogue's entry for `config.task`; a script passes its own variant (more data, another length).
    """

    def __init__(self, config: RunConfig, device: torch.device | str = "cpu", label: str = "run",
                 data: TaskData | None = None, *, task: Task | None = None, limits: Limits = SCRIPT) -> None:
        try:
            self.task = task or get_task(config.task, own=True if data is not None else None)
        except TaskError as err:
            raise RunConfigError(str(err)) from None
        self.config = validate(config, self.task, data, limits)
        self.limits = limits
        self.label = label
        self.device = torch.device(device)
        self.data = data if data is not None else self.task.data()
        torch.manual_seed(config.seed)
        self.model = self.task.build(config, len(self.data.classes) or None).to(self.device)
        self.steps_per_epoch = self.task.steps_per_epoch(config.batch_size, self.data)
        self.total_steps = config.epochs * self.steps_per_epoch
        self.opt = make_optimizer(config, self.model.parameters())
        self.sched = make_schedule(config, self.opt, self.total_steps)
        self.gen = torch.Generator().manual_seed(config.seed)
        self._rng = torch.get_rng_state()  # dropout draws from torch's global generator: kept per run
        self._order = torch.empty(0, dtype=torch.long)
        self.steps: list[StepRecord] = []
        self.epochs: list[EpochRecord] = []
        self.status = "ready"
        self._ending: tuple[str, dict[str, object]] | None = None  # why it ended: a message id and its values
        self.compute_seconds = 0.0
        self._epoch_loss, self._epoch_acc = 0.0, 0.0
        self.outcome: Outcome | None = None
        self._callbacks: dict[str, list[Callable[[Run], None]]] = defaultdict(list)

    def add_callback(self, event: str, fn: Callable[[Run], None]) -> None:
        """Call `fn(run)` on 'on_step_end' (after every step) or 'on_epoch_end' (after each held-out evaluation).

        The loop that drives the run calls them after the step, outside its guard: a page's progress bar
        never holds the server's training slot."""
        self._callbacks[event].append(fn)

    def step_and_report(self, should_stop: Callable[[], bool] | None = None,
                        guard: Callable[[], AbstractContextManager] = nullcontext) -> bool:
        """`step()` inside `guard()`, then the callbacks of what it did, outside it; True while there is more."""
        steps, epochs = len(self.steps), len(self.epochs)
        with guard():
            more = self.step(should_stop)
        if len(self.steps) > steps:
            for fn in self._callbacks["on_step_end"]:
                fn(self)
        for _epoch in range(len(self.epochs) - epochs):
            for fn in self._callbacks["on_epoch_end"]:
                fn(self)
        return more

    @property
    def finished(self) -> bool:
        return self.status in ("done", "stopped", "diverged", "capped")

    @property
    def progress(self) -> float:
        return min(1.0, len(self.steps) / self.total_steps)

    def _next_batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        c, d, gen = self.config, self.data, self.gen
        if not self.task.indexed:
            return self.task.sample(d, c.batch_size, gen)
        k = step % self.steps_per_epoch
        if k == 0:
            self._order = torch.randperm(len(d.x_train), generator=gen)
        idx = self._order[k * c.batch_size:(k + 1) * c.batch_size]
        return d.x_train[idx], d.y_train[idx]

    def _end(self, status: str, message: str, **values: object) -> None:
        """End the run with `status`; `message` (a message id) and its `values` say why when `message` is read."""
        done = len(self.steps) - (self.epochs[-1].step if self.epochs else 0)
        if status in ("stopped", "capped") and done > 0:  # close the partial epoch, so a stopped run still has numbers
            self._close_epoch(self.steps[-1].epoch, done)
        self.status, self._ending = status, (message, values)
        self.model.eval()

    @property
    def message(self) -> str:
        """Why the run ended, in the current language ('' while it has not)."""
        if self._ending is None:
            return ""
        message, values = self._ending
        if self.status == "done":
            values = {**values, "metric": self.task.format_metric(self.epochs[-1].val_accuracy)}
        return _(message).format(**values)

    def _close_epoch(self, epoch: int, steps: int) -> None:
        val_loss, val_acc = self.evaluate()
        self.epochs.append(EpochRecord(epoch, len(self.steps), self._epoch_loss / steps, self._epoch_acc / steps,
                                       val_loss, val_acc, self.compute_seconds))
        self._epoch_loss = self._epoch_acc = 0.0

    def step(self, should_stop: Callable[[], bool] | None = None) -> bool:
        """Train one batch (or end the run); True while there is more to do."""
        if self.finished:
            return False
        if should_stop is not None and should_stop():
            self._end("stopped", N_("Stopped after {done} of {total} steps."), done=len(self.steps), total=self.total_steps)
            return False
        cap = self.limits.max_seconds
        if cap is not None and self.compute_seconds > cap:
            self._end("capped", N_("Reached the {cap:.0f} s limit per run after {done} steps."), cap=cap,
                      done=len(self.steps))
            return False
        self.status = "running"
        started = time.perf_counter()
        step = len(self.steps)
        c, task = self.config, self.task
        with torch.random.fork_rng(devices=[]):
            torch.set_rng_state(self._rng)
            x, y = self._next_batch(step)
            x = task.augment(x, c.augment, self.gen).to(self.device)
            y = y.to(self.device)
            self.model.train()
            loss, acc = task.loss(task.forward(self.model, x), y)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            norm = nn.utils.clip_grad_norm_(self.model.parameters(), c.clip if c.clip else float("inf"))
            self._rng = torch.get_rng_state()
        lr = self.opt.param_groups[0]["lr"]
        loss_value, norm_value = loss.item(), norm.item()
        epoch = step // self.steps_per_epoch + 1
        finite = math.isfinite(loss_value) and math.isfinite(norm_value)
        if finite:
            self.opt.step()
            self.sched.step()
        self.compute_seconds += time.perf_counter() - started
        self.steps.append(StepRecord(step + 1, epoch, lr, loss_value, acc, norm_value, self.compute_seconds))
        if not finite:
            if not math.isfinite(loss_value):
                self._end("diverged", N_("Diverged at step {step}: the loss became {value}. The weights were not updated "
                                         "with it; try a lower learning rate or gradient clipping."),
                          step=step + 1, value=loss_value)
            else:
                self._end("diverged", N_("Diverged at step {step}: the gradient norm became {value}. The weights were not "
                                         "updated with it; try a lower learning rate or gradient clipping."),
                          step=step + 1, value=norm_value)
            return False
        self._epoch_loss += loss_value
        self._epoch_acc += acc
        if (step + 1) % self.steps_per_epoch == 0:
            started = time.perf_counter()
            self._close_epoch(epoch, self.steps_per_epoch)
            self.compute_seconds += time.perf_counter() - started
        if len(self.steps) >= self.total_steps:
            self._end("done", N_("Finished {total} steps: held-out {metric}."), total=self.total_steps)
            return False
        return True

    def predict_val(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Held-out outputs (logits, or a regression's answers) in eval mode, on the CPU."""
        return predict(self.model, self.task, self.data.x_val), self.data.y_val

    def evaluate(self) -> tuple[float, float]:
        """Held-out loss and metric now."""
        return evaluate(self.model, self.task, self.data)

    def finish(self) -> Outcome:
        """Held-out predictions, confusion matrix and the mistakes, worst first (computed once, after training)."""
        if self.outcome is None:
            out, y = self.predict_val()
            self.outcome = self.task.outcome(out, y, self.data.classes)
        return self.outcome


@torch.no_grad()
def predict(model: nn.Module, task: Task, x: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """`task`'s outputs of `model` for inputs `x`, in eval mode, in batches, on the CPU."""
    was = model.training
    model.eval()
    device = next(model.parameters()).device
    outs = [task.forward(model, x[i:i + batch_size].to(device)).cpu() for i in range(0, len(x), batch_size)]
    model.train(was)
    return torch.cat(outs)


def evaluate(model: nn.Module, task: Task, data: TaskData | None = None) -> tuple[float, float]:
    """`task`'s loss and metric of `model` on the held-out part of `data` (the task's own by default)."""
    data = data if data is not None else task.data()
    loss, metric = task.loss(predict(model, task, data.x_val), data.y_val)
    return float(loss), metric


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


def train(run: Run, should_stop: Callable[[], bool] | None = None,
          guard: Callable[[], AbstractContextManager] = nullcontext) -> Run:
    """Step `run` to its end on the calling thread (scripts, tests, a page's short run), each step inside
    `guard()` (the app's training slot)."""
    while run.step_and_report(should_stop, guard):
        pass
    return run


class RunPair:
    """Two (or more) runs trained in turn, one step each, on one background thread.

    `guard()` is entered around every step: the app passes its heavy-work slot, so a class training at
    once shares the CPU step by step instead of one session holding it for a whole run. `connected()` says
    whether anyone still watches (the app: the session's browser is connected); after GONE_GRACE_S seconds of
    False the pair stops, so a closed tab does not keep training.
    """

    GONE_GRACE_S = 30.0  # a dropped connection that comes back within this (a phone waking up) goes on training

    def __init__(self, runs: list[Run], guard: Callable[[], AbstractContextManager] = nullcontext,
                 max_wall_s: float | None = None, connected: Callable[[], bool] = lambda: True) -> None:
        self.runs = runs
        self._guard = guard
        self._connected = connected
        self.max_wall_s = max_wall_s if max_wall_s is not None else runs[0].limits.max_wall_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: str | None = None

    def start(self) -> RunPair:
        self._thread = threading.Thread(target=self._loop, name="run-pair", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        try:
            active = list(self.runs)
            started = time.monotonic()
            gone_since: float | None = None
            while active:
                now = time.monotonic()
                if self.max_wall_s is not None and now - started > self.max_wall_s:
                    self._stop.set()  # a busy server: the pair has waited too long for its steps
                gone_since = None if self._connected() else (gone_since if gone_since is not None else now)
                if gone_since is not None and now - gone_since > self.GONE_GRACE_S:
                    self._stop.set()  # nobody is watching any more
                for run in list(active):
                    if not run.step_and_report(self._stop.is_set, self._guard):
                        active.remove(run)
            for run in self.runs:
                if run.steps:
                    run.finish()
        except Exception as err:  # a failed run must say so in the page, not die silently on its thread
            self.error = f"{type(err).__name__}: {err}"
            for run in self.runs:
                if not run.finished:
                    run._end("stopped", N_("Stopped by an error: {error}"), error=self.error)

    def stop(self) -> None:
        """Ask every run to stop; each ends before its next step."""
        self._stop.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


def history_arrays(steps: Sequence[StepRecord], epochs: Sequence[EpochRecord] = ()) -> dict[str, np.ndarray]:
    """A history as arrays, one value per step ('step', 'loss', 'lr', 'grad_norm') and per epoch ('epoch_step',
    'val_loss', 'train_accuracy', 'val_accuracy'). Copies the lists first: a training thread may still append."""
    steps, epochs = list(steps), list(epochs)
    return {
        "step": np.array([s.step for s in steps]), "loss": np.array([s.loss for s in steps]),
        "lr": np.array([s.lr for s in steps]), "grad_norm": np.array([s.grad_norm for s in steps]),
        "epoch_step": np.array([e.step for e in epochs]), "val_loss": np.array([e.val_loss for e in epochs]),
        "train_accuracy": np.array([e.train_accuracy for e in epochs]),
        "val_accuracy": np.array([e.val_accuracy for e in epochs]),
    }


def first_step_below(steps: Sequence[int], values: Sequence[float], level: float) -> int | None:
    """The first step whose value is below `level` (a curve leaving a baseline), or None if none is."""
    return next((s for s, v in zip(steps, values) if v < level), None)


def history_csv(run: Run) -> str:
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


def weights_bytes(run: Run) -> bytes:
    """The run's state dict as safetensors, with its settings in the metadata."""
    from safetensors.torch import save

    state = {k: v.detach().cpu().contiguous() for k, v in run.model.state_dict().items()}
    meta = {k: str(v) for k, v in asdict(run.config).items()}
    meta.update(status=run.status, steps=str(len(run.steps)), description=run.config.describe(run.task),
                val_accuracy=f"{run.epochs[-1].val_accuracy:.4f}" if run.epochs else "")
    return save(state, metadata=meta)
