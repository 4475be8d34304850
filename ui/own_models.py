"""Models a session made itself (training-lab runs): listed in that session's model pickers, and nowhere else.

Each model gets an unguessable name ("own_" + 16 hex digits) that the caches key on. The session's
state holds the only strong reference; the server-wide table is weak, so a model goes when its
session ends, and no other session can list it. Nothing is written to disk.
"""
from __future__ import annotations

import secrets
import weakref
from dataclasses import dataclass, field
from functools import partial

import streamlit as st
import torch
from torch import nn

from core.builder import LayerSpec
from core.i18n import _
from core.models.catalogue import ModelSpec, char_model_spec, get_spec, own_image_spec
from core.training.engine import Run
from core.weights import WeightsStatus

SESSION_KEY = "own_models"
BUILT_CNN_KEY, BUILT_RNN_KEY = "built_cnn", "built_rnn"  # what the learner built on Your models, for the Training lab
MAX_PER_SESSION = 8
_LIVE: "weakref.WeakValueDictionary[str, OwnModel]" = weakref.WeakValueDictionary()


@dataclass(eq=False)
class OwnModel:
    """A user's model: its spec (image or sequence), the network in eval mode, and where it came from."""

    name: str
    spec: ModelSpec
    net: nn.Module
    status: WeightsStatus
    extractors: dict[str, nn.Module] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.spec.kind


def new_name() -> str:
    """A fresh, unguessable model name."""
    return f"own_{secrets.token_hex(8)}"


def register(own: OwnModel) -> OwnModel:
    """Add `own` to this session's models (the oldest goes beyond MAX_PER_SESSION)."""
    mine: dict[str, OwnModel] = st.session_state.setdefault(SESSION_KEY, {})
    mine[own.name] = own
    while len(mine) > MAX_PER_SESSION:
        mine.pop(next(iter(mine)))
    _LIVE[own.name] = own
    return own


def lookup(name: str) -> OwnModel | None:
    """The live model called `name`, or None for registry names and models whose session has ended."""
    return _LIVE.get(name) if name.startswith("own_") else None


def session_models() -> list[OwnModel]:
    """This session's own models, oldest first."""
    return list(st.session_state.get(SESSION_KEY, {}).values())


def session_names(kind: str) -> list[str]:
    """Names of this session's own models of `kind` ('image' or 'sequence'), oldest first."""
    return [own.name for own in session_models() if own.kind == kind]


def adopt_lab_run(run: Run, label: str, device: torch.device) -> OwnModel | None:
    """Register a finished lab run's model for this session's pickers (None for the adding problem,
    which no page can show, and for runs that diverged)."""
    config, task = run.config, run.task
    if run.status == "diverged" or not run.epochs or task.results not in ("pictures", "characters"):
        return None
    accuracy = run.epochs[-1].val_accuracy
    status = WeightsStatus("own", _("Trained by you in the training lab this session ({settings}); held-out accuracy "
                                    "{accuracy:.1%}. Not bundled: it goes when the session ends.").format(
                                        settings=config.describe(task), accuracy=accuracy))
    name = new_name()
    if task.picture:
        base = get_spec(task.normalised_as)
        classes = run.data.classes
        model = _("CNN you built") if config.layers else _(base.title)
        title = (_("{model}, lab run {run} on your {n} classes").format(model=model, run=label, n=len(classes)) if task.own
                 else _("{model}, lab run {run}").format(model=model, run=label))
        spec = own_image_spec(base, name, title, classes, partial(task.build, config, len(classes)),
                              _("Your training-lab run: {settings}.").format(settings=config.describe(task)))
        return register(OwnModel(name, spec, run.model.eval(), status))
    vocab = run.data.classes  # the task's own: printable ASCII, or the poems' characters
    seq = char_model_spec(name, _("{cell} character model, lab run {run}").format(cell=config.cell.upper(), run=label),
                          _("lab run {run}").format(run=label),
                          "poems" if task.name == "poems" else "charlm", config.cell, config.hidden, vocab, vocab,
                          config.embed or None, weights="own")
    traced = seq.build(traced=True)
    traced.load_state_dict(run.model.state_dict())
    return register(OwnModel(name, seq, traced.to(device).eval(), status))


def keep_built_cnn(layers: tuple[LayerSpec, ...]) -> None:
    """Remember the CNN the learner built (Your models) for this session's training runs."""
    st.session_state[BUILT_CNN_KEY] = tuple(layers)


def built_cnn() -> tuple[LayerSpec, ...] | None:
    """The CNN the learner built this session, if any."""
    return st.session_state.get(BUILT_CNN_KEY)


def keep_built_rnn(embed: int, hidden: int) -> None:
    """Remember the character RNN's sizes the learner chose (Your models): embedding width (0: one-hot), hidden size."""
    st.session_state[BUILT_RNN_KEY] = (embed, hidden)


def built_rnn() -> tuple[int, int] | None:
    """(embedding, hidden) chosen this session, if any."""
    return st.session_state.get(BUILT_RNN_KEY)
