"""The Training lab's comparisons: the pair of runs each task opens on, and what a finished pair says.

The runs themselves are the engine's (`core.training.engine`); this module knows which two runs teach
something (`DEFAULT_PAIRS`, measured by `python bench/lab.py --defaults`), how two runs differ
(`differences`) and the sentence a finished pair earns (`lesson`). Nothing here knows about a UI.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from core.i18n import N_, _, ngettext
from core.training.engine import EpochRecord, Run, RunConfig
from core.training.tasks import AUGMENT_NAMES, Outcome, get_task


# The comparison a task opens on, and what a finished pair says.

@dataclass(frozen=True)
class DefaultPair:
    """Two runs of one task that differ in exactly one choice, and the seed spread measured for that pair.

    `spread` is the larger of the two runs' standard deviations of the held-out metric over seeds 0–2
    (`python bench/lab.py --defaults`), in the metric's units; None where the data is the user's own.
    """

    a: RunConfig
    b: RunConfig
    spread: float | None = None


DEFAULT_PAIRS: dict[str, DefaultPair] = {
    # Measured by `python bench/lab.py --defaults` (held-out, seeds 0–2, mean ± standard deviation):
    # LeNet-5 at a small rate, early on: batch norm gets it further in the same 88 steps (86.1% ± 2.4 vs 91.9% ± 0.5).
    "digits": DefaultPair(RunConfig("digits", lr=3e-4, epochs=4), RunConfig("digits", lr=3e-4, epochs=4, batch_norm=True),
                          0.024),
    # Without batch norm the small VGG is still at chance (1 in 6) after three epochs; with it, it learns
    # (16.5% ± 0.2 vs 32.1% ± 3.9).
    "shapes": DefaultPair(RunConfig("shapes", schedule="onecycle", epochs=3),
                          RunConfig("shapes", schedule="onecycle", epochs=3, batch_norm=True), 0.039),
    # An LSTM on text: a rate ten times too small is far behind after 400 steps (32.4% ± 0.7 vs 47.4% ± 0.7).
    "char": DefaultPair(RunConfig("char", lr=3e-4, epochs=10, batch_size=32, clip=1.0),
                        RunConfig("char", lr=3e-3, epochs=10, batch_size=32, clip=1.0), 0.007),
    # The same on the Tang poems, in 200 steps (10 epochs overrun the 90 s cap on a busy 2-core machine): the small
    # rate is behind (16.2% ± 1.2 vs 23.1% ± 0.3 of next characters; `bench/lab.py --defaults --task poems`).
    "poems": DefaultPair(RunConfig("poems", lr=3e-4, epochs=5, batch_size=32, clip=1.0),
                         RunConfig("poems", lr=3e-3, epochs=5, batch_size=32, clip=1.0), 0.012),
    # The two values to add are up to 50 steps back: a GRU learns to keep them, a plain RNN answers about the
    # mean (7.5% ± 1.5 vs 99.1% ± 0.8 of answers within 0.04).
    "adding": DefaultPair(RunConfig("adding", epochs=30, batch_size=32, lr=1e-2, clip=1.0, cell="rnn"),
                          RunConfig("adding", epochs=30, batch_size=32, lr=1e-2, clip=1.0, cell="gru"), 0.015),
}
OWN_DEFAULT_PAIRS: dict[str, DefaultPair] = {  # on the user's data: no spread measured in advance
    "images": DefaultPair(RunConfig("images", epochs=8, batch_size=16), RunConfig("images", epochs=8, batch_size=16, batch_norm=True)),
    "char": DefaultPair(RunConfig("char", lr=3e-4, epochs=10, batch_size=32, clip=1.0),
                        RunConfig("char", lr=3e-3, epochs=10, batch_size=32, clip=1.0)),
    "series": DefaultPair(RunConfig("series", epochs=10, batch_size=32, clip=1.0, cell="lstm"),
                          RunConfig("series", epochs=10, batch_size=32, clip=1.0, cell="cnn")),
}
CHOICE_NAMES: dict[str, str] = {  # message ids: translated where they are shown
    "task": N_("task"), "optimizer": N_("optimizer"), "lr": N_("learning rate"), "schedule": N_("schedule"),
    "batch_size": N_("batch size"), "epochs": N_("epochs"), "dropout": N_("dropout"), "batch_norm": N_("batch norm"),
    "augment": N_("augmentation"), "weight_decay": N_("weight decay"), "clip": N_("gradient clipping"),
    "seed": N_("seed"), "cell": N_("network"), "layers": N_("your network"), "hidden": N_("hidden size"),
    "embed": N_("embedding"),
}


def differences(a: RunConfig, b: RunConfig) -> tuple[str, ...]:
    """The RunConfig fields in which two runs differ, leaving out those the task ignores (cell for pictures,
    sizes outside the text task)."""
    task = get_task(a.task)
    ignored = set() if task.networks else {"cell"}
    ignored |= set() if task.sizes else {"hidden", "embed"}
    return tuple(f.name for f in fields(RunConfig) if f.name not in ignored and getattr(a, f.name) != getattr(b, f.name))


def choice_value(name: str, config: RunConfig) -> str:
    """One field of `config` as a learner reads it, in the current language: 'on', 'LSTM', '0.0003',
    'random shift+rotation', 'off'."""
    value = getattr(config, name)
    if name == "batch_norm":
        return _("on") if value else _("off")
    if name == "cell":
        return _("1-D CNN") if value == "cnn" else value.upper()
    if name == "augment":
        return "+".join(_(AUGMENT_NAMES[a]) for a in value) if value else _("none")
    if name in ("clip", "dropout", "weight_decay", "embed") and not value:
        return _("off") if name != "embed" else _("one-hot")
    if name == "layers":
        return ngettext("{n} layer", "{n} layers", len(value)).format(n=len(value)) if value else _("the task's own")
    return f"{value:g}" if isinstance(value, float) else str(value)


def lesson(a: Run, b: Run, spread: float | None = None) -> str | None:
    """What a finished pair shows, in one sentence with its numbers; None while either has no held-out result.

    `spread` (the seed spread measured for this very pair, see DefaultPair) is quoted when given.
    """
    if not (a.epochs and b.epochs):
        return None
    task = a.task
    score_a, score_b = a.epochs[-1].val_accuracy, b.epochs[-1].val_accuracy
    shown, what = task.show, _(task.held_out)
    steps = (ngettext("{n} step", "{n} steps", len(a.steps)).format(n=len(a.steps)) if len(a.steps) == len(b.steps)
             else _("{a} and {b} steps").format(a=len(a.steps), b=len(b.steps)))
    numbers = dict(a=shown(score_a), b=shown(score_b), what=what, steps=steps, gap=task.gap(score_a, score_b))
    changed = differences(a.config, b.config)
    if not changed:
        return _("Both runs have the same settings and seed, so they train identically: {a} {what} after {steps}. "
                 "Change one choice in run B to see what it does.").format(**numbers)
    if changed == ("seed",):
        return _("The runs differ only in their seed: {a} vs {b} {what} after {steps}. This gap of {gap} is what chance "
                 "alone does; a choice must beat it to mean something.").format(**numbers)
    if len(changed) > 1:
        names = _(", ").join(_(CHOICE_NAMES[n]) for n in changed)
        return _("The runs differ in {n} choices ({names}): {a} vs {b} {what} after {steps}. A gap of {gap} cannot be "
                 "pinned on any one of them; change one choice at a time.").format(n=len(changed), names=names, **numbers)
    name = changed[0]
    choice = _(CHOICE_NAMES[name])
    numbers.update(choice=choice[0].upper() + choice[1:], value_a=choice_value(name, a.config),
                   value_b=choice_value(name, b.config))
    if spread is None:
        return _("{choice} {value_a} vs {value_b}: {a} vs {b} {what} after {steps}, a gap of {gap}.").format(**numbers)
    numbers["spread"] = "±" + task.gap(spread, 0.0)
    if abs(score_a - score_b) > spread:
        return _("{choice} {value_a} vs {value_b}: {a} vs {b} {what} after {steps}, a gap of {gap}; over seeds 0–2 these "
                 "runs spread {spread}.").format(**numbers)
    return _("{choice} {value_a} vs {value_b}: {a} vs {b} {what} after {steps}, a gap of {gap}; over seeds 0–2 these "
             "runs spread {spread} — no larger than that, so this gap alone shows nothing.").format(**numbers)


def default_spread(a: RunConfig, b: RunConfig, pair: DefaultPair | None) -> float | None:
    """The measured seed spread of `pair` when `a` and `b` are that pair (their seeds aside); else None."""
    if pair is None:
        return None
    same = replace(a, seed=0) == pair.a and replace(b, seed=0) == pair.b
    return pair.spread if same else None


def train_below_held_out(run: Run) -> EpochRecord | None:
    """The run's latest epoch when dropout or augmentation is on and its training accuracy is below the held-out
    one (training is scored on dropped-out or augmented batches, averaged over an epoch that kept improving)."""
    c = run.config
    if not (c.dropout or c.augment) or not run.epochs:
        return None
    latest = run.epochs[-1]
    return latest if latest.train_accuracy < latest.val_accuracy else None


# What a finished run got wrong.

def right_count(outcome: Outcome) -> int:
    """How many held-out predictions of a classifier equal their targets (characters count one by one)."""
    return int((outcome.predictions == outcome.targets).sum())


def commonest_mistakes(confusion: np.ndarray, n: int = 10) -> list[tuple[int, int, int]]:
    """The `n` most frequent (true class, predicted class, times) off the diagonal of a (K, K) confusion matrix
    (rows true, columns predicted), most frequent first; pairs that never happened are left out."""
    counts = confusion.copy()
    np.fill_diagonal(counts, 0)
    top = np.argsort(-counts, axis=None, kind="stable")[:n]
    rows, cols = np.unravel_index(top, counts.shape)
    return [(int(r), int(c), int(counts[r, c])) for r, c in zip(rows, cols) if counts[r, c]]
