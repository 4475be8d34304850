"""Look inside a recurrent model on one sequence: states, gates, predictions, and the numbers of one update."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.i18n import N_, _
from core.data.poems import poem_signals
from core.models.rnn import trace_fields
from core.models.sequence import CharModel


@dataclass(frozen=True)
class SequenceRun:
    """One sequence through a CharModel: outputs (T, V) probabilities and every traced tensor as (T, H) arrays."""

    ids: np.ndarray
    probs: np.ndarray
    trace: Mapping[str, np.ndarray]

    @property
    def steps(self) -> int:
        return len(self.ids)


@torch.inference_mode()
def run_sequence(model: CharModel, ids: np.ndarray) -> SequenceRun:
    """Feed token ids (T,) through a traced model; returns probabilities and the trace, batch axis dropped."""
    if not model.traced:
        raise ValueError("run_sequence needs a traced model (CharModel(..., traced=True))")
    device = next(model.parameters()).device
    tokens = torch.tensor(np.asarray(ids, dtype=np.int64), device=device)[None]  # a copy: ids may be read-only
    logits, trace = model(tokens)
    probs = torch.softmax(logits[0].float(), dim=-1).cpu().numpy()
    fields = {name: getattr(trace, name)[0].float().cpu().numpy() for name in trace_fields(trace)}
    return SequenceRun(ids=np.asarray(ids), probs=probs, trace=fields)


def surprisal_bits(run: SequenceRun, known: np.ndarray) -> np.ndarray:
    """−log2 p(next character) at each position t < T−1: how surprised the model was by what came next.

    NaN where the character read (t) or the one to predict (t+1) is outside the vocabulary (`known`, (T,)
    bool): the model never saw the unknown symbol in training, so its surprise there measures nothing.
    """
    if run.steps < 2:
        return np.zeros(0)
    p = run.probs[np.arange(run.steps - 1), run.ids[1:]]
    bits = -np.log2(np.clip(p, 1e-12, 1.0))
    return np.where(known[:-1] & known[1:], bits, np.nan)


def step_correct(run: SequenceRun, truth: np.ndarray, known: np.ndarray) -> np.ndarray:
    """(T,) 1.0 where the most probable output equals `truth`, 0.0 where not, NaN where the input is unknown."""
    return np.where(known, (run.probs.argmax(1) == truth).astype(np.float64), np.nan)


@dataclass(frozen=True)
class StepScore:
    """A mean over the steps that can be scored (`value` None when none can), and how many could."""

    value: float | None
    scored: int
    steps: int


def mean_score(per_step: np.ndarray) -> StepScore:
    """The mean of the finite entries of a per-step score (NaN marks a step left out)."""
    finite = np.isfinite(per_step)
    scored = int(finite.sum())
    return StepScore(float(per_step[finite].mean()) if scored else None, scored, len(per_step))


def commonest_answer_share(truth: np.ndarray, known: np.ndarray) -> float:
    """The share of the scorable steps (`known`, (T,) bool) that always giving the commonest true answer of
    `truth` ((T,) non-negative ints) gets right: the score a model must beat to have learned anything."""
    return float(np.bincount(truth[known]).max() / known.sum())


def most_surprising(bits: np.ndarray, n: int = 5) -> list[int]:
    """The positions of the `n` largest finite surprisals in `bits` (NaN: not scored), in text order."""
    top = np.argsort(-np.nan_to_num(bits, nan=-1))[:n]
    return sorted(int(t) for t in top if np.isfinite(bits[t]))


def moving_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Mean of each run of `window` consecutive values (len − window + 1 of them), NaNs skipped; NaN if all are."""
    finite = np.isfinite(values)
    kernel = np.ones(window)
    total = np.convolve(np.where(finite, values, 0.0), kernel, mode="valid")
    count = np.convolve(finite.astype(np.float64), kernel, mode="valid")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def top_k(probs: np.ndarray, vocab: tuple[str, ...], k: int = 5) -> list[list[tuple[str, float]]]:
    """The k most probable outputs at each step, as (symbol, probability) pairs."""
    order = np.argsort(-probs, axis=1)[:, :k]
    return [[(vocab[j], float(probs[t, j])) for j in row] for t, row in enumerate(order)]


def pca(states: np.ndarray, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Project (T, H) states on their first k principal components; returns (T, k) and the variance fractions.

    The components are the top eigenvectors of the H × H scatter matrix: for 1,000 steps of 128 units
    that is 2.4 ms against 22 ms for an SVD of the whole trace. Each component's sign is fixed so that
    its largest loading is positive (a projection has no natural sign; this one does not flicker).
    """
    centred = np.asarray(states, dtype=np.float64) - np.mean(states, axis=0, keepdims=True)
    k = max(1, min(k, *centred.shape))
    values, vectors = np.linalg.eigh(centred.T @ centred)
    values = np.clip(values[::-1], 0.0, None)
    vectors = vectors[:, ::-1][:, :k]
    vectors = vectors * np.sign(vectors[np.abs(vectors).argmax(axis=0), np.arange(k)])
    total = float(values.sum()) or 1.0
    return centred @ vectors, values[:k] / total


def rule_signals(text: str, task: str = "charlm") -> dict[str, np.ndarray]:
    """Per-character signals a unit might track (as LSTMVis's selections): quotes, brackets, lines, spaces; for a
    model of the poems (`task` "poems"), the patterns of verse (`core.data.poems.poem_signals`).

    Keyed by English names (marked for the catalogue): a page offers the keys and shows them through `_`.
    """
    if task == "poems":
        return poem_signals(text)
    quote, depth, col, indent = None, 0, 0, 0
    inside, depths, cols, indents, spaces, letters = [], [], [], [], [], []
    at_line_start = True
    for ch in text:
        if quote is None and ch in "\"'":
            quote = ch
        elif quote == ch:
            quote = None
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        if ch == "\n":
            col, indent, at_line_start = 0, 0, True
        else:
            col += 1
            if at_line_start and ch == " ":
                indent += 1
            else:
                at_line_start = False
        inside.append(quote is not None or ch in "\"'")
        depths.append(depth)
        cols.append(col)
        indents.append(indent)
        spaces.append(ch.isspace())
        letters.append(ch.isalpha())
    as_float = lambda v: np.asarray(v, dtype=np.float64)  # noqa: E731
    return {
        N_("inside quotes"): as_float(inside), N_("bracket depth"): as_float(depths),
        N_("position in line"): as_float(cols), N_("indentation"): as_float(indents),
        N_("whitespace"): as_float(spaces), N_("letter"): as_float(letters),
    }


def span_signal(length: int, start: int, stop: int) -> np.ndarray:
    """1 inside the characters [start, stop), 0 elsewhere: a selection the user marked."""
    signal = np.zeros(length)
    signal[max(0, start):max(0, min(stop, length))] = 1.0
    return signal


def correlations(states: np.ndarray, signal: np.ndarray) -> np.ndarray:
    """Pearson correlation of each unit of (T, H) with a (T,) signal; 0 where either is constant."""
    s = signal - signal.mean()
    x = states - states.mean(axis=0, keepdims=True)
    denom = np.sqrt((x**2).sum(axis=0) * (s**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (x * s[:, None]).sum(axis=0) / denom
    return np.nan_to_num(r, nan=0.0)


@dataclass(frozen=True)
class UnitMatch:
    """A unit of one traced tensor and how well it follows a signal."""

    field: str
    unit: int
    r: float


def best_units(trace: dict[str, np.ndarray], signal: np.ndarray, k: int = 10) -> list[UnitMatch]:
    """The k (field, unit) pairs whose activation correlates most (in absolute value) with `signal`."""
    matches = [UnitMatch(name, int(u), float(r)) for name, values in trace.items()
               for u, r in enumerate(correlations(values, signal))]
    return sorted(matches, key=lambda m: -abs(m.r))[:k]


def unit_order(states: np.ndarray, by: str, signal: np.ndarray | None = None) -> np.ndarray:
    """Unit indices ordered 'index', by 'variance' (largest first) or by 'correlation' with `signal`."""
    if by == "index":
        return np.arange(states.shape[1])
    if by == "variance":
        return np.argsort(-states.var(axis=0), kind="stable")
    if by == "correlation":
        if signal is None:
            raise ValueError("ordering by correlation needs a signal")
        return np.argsort(-correlations(states, signal), kind="stable")
    raise ValueError(f"unknown order {by!r}")


def saturation(trace: dict[str, np.ndarray], low: float = 0.1, high: float = 0.9) -> dict[str, tuple[float, float]]:
    """For each sigmoid gate, the fraction of values below `low` (closed) and above `high` (open)."""
    gates = [g for g in ("i", "f", "o", "r", "z") if g in trace]
    return {g: (float((trace[g] < low).mean()), float((trace[g] > high).mean())) for g in gates}


def saturated_share(saturation: dict[str, tuple[float, float]]) -> float:
    """The share of all gate values that are saturated (closed or open), from `saturation()`'s fractions,
    each gate weighing the same."""
    return float(np.mean([closed + open_ for closed, open_ in saturation.values()]))


@dataclass(frozen=True)
class StepTerm:
    """One named number of an update equation: `symbol` as the equations write it (a word, "sum", marked for the
    catalogue), `meaning` in the language of the run that made it."""

    symbol: str
    value: float
    meaning: str


@torch.inference_mode()
def step_terms(model: CharModel, ids: np.ndarray, run: SequenceRun, t: int, unit: int) -> list[StepTerm]:
    """The numbers of unit `unit`'s update at step `t`, split as the equations split them.

    For the vanilla RNN: W_ih x_t + b_ih, W_hh h_(t−1) + b_hh, their sum and its tanh. For LSTM and
    GRU: each gate's pre-activation and value, and how the new state is made from them.
    """
    cell = model.rnn
    if not 0 <= t < run.steps or not 0 <= unit < cell.hidden_size:
        raise ValueError(f"step must be in [0, {run.steps}) and unit in [0, {cell.hidden_size})")
    device = next(model.parameters()).device
    x = model.inputs(torch.tensor(ids[t:t + 1], device=device))[0].float()  # (input_size,); copied: shared, read-only
    h_prev = torch.tensor(run.trace["h"][t - 1], device=device) if t > 0 else torch.zeros(cell.hidden_size, device=device)
    H = cell.hidden_size
    rows = lambda k: slice(k * H + unit, k * H + unit + 1)  # noqa: E731

    def parts(k: int) -> tuple[float, float]:
        xi = float(cell.weight_ih_l0[rows(k)] @ x + cell.bias_ih_l0[rows(k)])
        hi = float(cell.weight_hh_l0[rows(k)] @ h_prev + cell.bias_hh_l0[rows(k)])
        return xi, hi

    hp = float(h_prev[unit])
    if isinstance(cell, nn.RNN):
        xi, hi = parts(0)
        return [
            StepTerm("W_xh·x_t + b_ih", xi, _("what this character pushes in")),
            StepTerm("W_hh·h_(t−1) + b_hh", hi, _("what the previous state carries over")),
            StepTerm(N_("sum"), xi + hi, _("the argument of the nonlinearity")),
            StepTerm("h_t", float(run.trace["h"][t, unit]), _("{phi}(sum)").format(phi=cell.nonlinearity)),
        ]
    if isinstance(cell, nn.LSTM):
        terms = []
        for k, (name, meaning) in enumerate([("i", _("input gate: how much of the candidate to write")),
                                             ("f", _("forget gate: how much of the old cell to keep")),
                                             ("g", _("candidate value")),
                                             ("o", _("output gate: how much of the cell to show"))]):
            xi, hi = parts(k)
            terms.append(StepTerm(f"{name}_t", float(run.trace[name][t, unit]),
                                  f"{'tanh' if name == 'g' else 'σ'}({xi:.3f} + {hi:.3f}): {meaning}"))
        c_prev = float(run.trace["c"][t - 1, unit]) if t > 0 else 0.0
        terms.append(StepTerm("c_(t−1)", c_prev, _("the cell before this step")))
        terms.append(StepTerm("c_t", float(run.trace["c"][t, unit]), "f_t·c_(t−1) + i_t·g_t"))
        terms.append(StepTerm("h_t", float(run.trace["h"][t, unit]), "o_t·tanh(c_t)"))
        return terms
    if isinstance(cell, nn.GRU):
        xr, hr = parts(0)
        xz, hz = parts(1)
        xn, hn = parts(2)
        return [
            StepTerm("r_t", float(run.trace["r"][t, unit]), f"σ({xr:.3f} + {hr:.3f}): "
                     + _("reset gate, how much old state enters the candidate")),
            StepTerm("z_t", float(run.trace["z"][t, unit]), f"σ({xz:.3f} + {hz:.3f}): "
                     + _("update gate, how much old state to keep")),
            StepTerm("n_t", float(run.trace["n"][t, unit]), f"tanh({xn:.3f} + r_t·{hn:.3f}): " + _("candidate")),
            StepTerm("h_(t−1)", hp, _("the state before this step")),
            StepTerm("h_t", float(run.trace["h"][t, unit]), "(1 − z_t)·n_t + z_t·h_(t−1)"),
        ]
    raise TypeError(f"unsupported cell {type(cell).__name__}")
