"""Text generation (文本生成) with a character model: from a prompt, sample one next character at a time.

At temperature τ the next character is drawn from softmax(log p / τ): τ = 1 samples the model's own
distribution, τ < 1 sharpens it towards the most probable character, and τ = 0 always takes that one (argmax).
The unknown symbol is never drawn. Draws come from a NumPy generator seeded by the caller, so a seed and a
temperature give the same text every time; the trace over the whole text is returned for the figures.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.models.sequence import CharModel
from core.probes.recurrent import SequenceRun, run_sequence

MAX_NEW = 200  # characters one request may generate


@dataclass(frozen=True)
class Generation:
    """A prompt and what the model wrote after it: ids (T,) of both, and the trace of the whole text."""

    ids: np.ndarray
    prompt_length: int
    run: SequenceRun

    @property
    def new_ids(self) -> np.ndarray:
        """The ids the model wrote."""
        return self.ids[self.prompt_length:]

    @property
    def chosen_probs(self) -> np.ndarray:
        """(T,) the probability the model gave each character one step before it (NaN for the first)."""
        p = self.run.probs[np.arange(len(self.ids) - 1), self.ids[1:]]
        return np.concatenate([[np.nan], p])

    @property
    def argmax_share(self) -> float:
        """The share of written characters that were the model's most probable choice."""
        top = self.run.probs[self.prompt_length - 1:-1].argmax(1)
        return float(np.mean(top == self.new_ids)) if len(self.new_ids) else float("nan")


def next_distribution(probs: np.ndarray, temperature: float, banned: int | None = None) -> np.ndarray:
    """(V,) the distribution to draw the next character from: `probs` (V,) sharpened or flattened by `temperature`
    (> 0), with the symbol `banned` (the unknown one) given no mass. Temperature 0 puts all mass on the argmax."""
    if temperature < 0:
        raise ValueError("the temperature must be 0 or more")
    logp = np.log(np.clip(np.asarray(probs, dtype=np.float64), 1e-300, None))
    if banned is not None:
        logp[banned] = -np.inf
    if temperature == 0:
        out = np.zeros_like(logp)
        out[int(np.argmax(logp))] = 1.0
        return out
    z = logp / temperature
    z -= z.max()
    weights = np.exp(z)
    return weights / weights.sum()


def generate(model: CharModel, prompt_ids: np.ndarray, new: int, temperature: float, seed: int,
             banned: int | None = None) -> Generation:
    """Write `new` characters after `prompt_ids` (T0,), drawing each from `next_distribution` with a NumPy
    generator seeded by `seed`; `banned` (the unknown symbol's id) is never drawn."""
    prompt = np.asarray(prompt_ids, dtype=np.int64)
    if len(prompt) == 0:
        raise ValueError("generation needs a prompt of at least one character")
    if not 0 <= new <= MAX_NEW:
        raise ValueError(f"new must be in [0, {MAX_NEW}]")
    rng = np.random.default_rng(seed)
    ids = prompt.copy()
    run = run_sequence(model, ids)
    for _ in range(new):
        p = next_distribution(run.probs[-1], temperature, banned)
        ids = np.append(ids, rng.choice(len(p), p=p))
        run = run_sequence(model, ids)
    return Generation(ids=ids, prompt_length=len(prompt), run=run)
