"""Generated sequence tasks with a long dependency and a checkable answer at every step.

* brackets: after each character, how deep inside brackets are we? (needs a counter)
* quotes: after each character, are we inside a quoted string? (needs a one-bit memory that
  flips on every quote and holds across any number of other characters)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.i18n import N_

BRACKETS_VOCAB: tuple[str, ...] = ("(", ")", "a", "b", " ", "⍰")
MAX_DEPTH = 8
QUOTES_VOCAB: tuple[str, ...] = ('"', "a", "b", "c", " ", "⍰")


@dataclass(frozen=True)
class TaskBatch:
    """Token ids (N, T) and per-step targets (N, T) int64."""

    ids: np.ndarray
    targets: np.ndarray


def bracket_depths(text: str) -> np.ndarray:
    """Depth after each character: '(' adds one, ')' removes one (never below 0)."""
    depth, out = 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        out.append(depth)
    return np.array(out, dtype=np.int64)


def inside_quotes(text: str) -> np.ndarray:
    """1 after each character that leaves us inside a double-quoted string, else 0 (the closing quote is 0)."""
    inside, out = 0, []
    for ch in text:
        if ch == '"':
            inside ^= 1
        out.append(inside)
    return np.array(out, dtype=np.int64)


@dataclass(frozen=True)
class TaggingRule:
    """What a tagger is trained to follow: the rule computed from a text, in words and as a colour-bar label
    (English message ids, marked for the catalogue: a page shows them through `_`)."""

    rule: Callable[[str], np.ndarray]
    follows: str  # "how deep inside brackets it is"
    output: str  # the colour-bar label of its answers
    trained_to: str  # one line on what it was trained to output


TAGGING_RULES: dict[str, TaggingRule] = {
    "brackets": TaggingRule(bracket_depths, N_("how deep inside brackets it is"), N_("depth"),
                            N_("Trained to output, after each character, how deeply nested in brackets we are.")),
    "quotes": TaggingRule(inside_quotes, N_("whether it is inside quotes"), N_("inside quotes"),
                          N_("Trained to output, after each character, whether we are inside a quoted string.")),
}


def make_brackets(n: int, length: int, seed: int) -> TaskBatch:
    """`n` random strings of brackets and filler letters, depth at most MAX_DEPTH."""
    rng = np.random.default_rng(seed)
    ids = np.empty((n, length), dtype=np.int64)
    targets = np.empty((n, length), dtype=np.int64)
    for k in range(n):
        depth = 0
        p_open = rng.uniform(0.3, 0.6)
        for t in range(length):
            u = rng.random()
            if u < 0.5:
                if depth < MAX_DEPTH and (depth == 0 or rng.random() < p_open):
                    ch, depth = 0, depth + 1
                else:
                    ch, depth = 1, depth - 1
            else:
                ch = int(rng.integers(2, 5))
            ids[k, t], targets[k, t] = ch, depth
    return TaskBatch(ids, targets)


def make_quotes(n: int, length: int, seed: int) -> TaskBatch:
    """`n` random strings of letters and spaces with quote marks, some far apart."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, 5, size=(n, length))
    for k in range(n):
        rate = rng.uniform(0.02, 0.15)
        ids[k, rng.random(length) < rate] = 0
    targets = (np.cumsum(ids == 0, axis=1) % 2).astype(np.int64)
    return TaskBatch(ids.astype(np.int64), targets)


def make_adding(n: int, length: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem (Hochreiter & Schmidhuber 1997; Le et al. 2015): inputs (n, T, 2), targets (n,).

    Channel 0 holds values from U[0, 1]; channel 1 marks two of them, one in each half of the sequence.
    The target is the sum of the two marked values. Always answering 1 gives an MSE of 1/6.
    """
    if length < 2:
        raise ValueError("the adding problem needs sequences of at least 2 steps")
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 1, size=(n, length))
    mask = np.zeros((n, length))
    half = length // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, length, size=n)
    mask[np.arange(n), first] = 1
    mask[np.arange(n), second] = 1
    x = np.stack([values, mask], axis=-1).astype(np.float32)
    y = (values * mask).sum(axis=1).astype(np.float32)
    return x, y
