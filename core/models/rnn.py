"""Recurrent cells that tell their own story: RNN, LSTM and GRU, step by step and at fused speed.

`RNN`, `LSTM` and `GRU` are the equations written as a loop over steps: the readable reference.
Each takes batch-first input (B, T, input_size) and returns `(output, trace)`: `output` (B, T, H)
equals `torch.nn.RNN/LSTM/GRU`'s for the same weights, and `trace` holds every step's state and
gates as (B, T, H) tensors named as in the equations. Parameter names and shapes are those of a
one-layer torch module (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`), so
`load_state_dict` works both ways.

`fused_trace(module, x)` gives the same `(output, trace)` from a `torch.nn` module at a small multiple
of its own cost: the fused kernel returns h_t for every step, every gate is a function of x_t and
h_(t−1), so all gates of all steps come from one batched product, and the LSTM's cell state from
c_t = f_t ⊙ c_(t−1) + i_t ⊙ g_t in about 2√T operations (`linear_recurrence`). The app traces this
way; the step loops check it in tests.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

import torch
from torch import nn
from torch.nn import functional as F


@dataclass
class RNNTrace:
    """h_t = φ(W_ih x_t + b_ih + W_hh h_(t−1) + b_hh), each field (B, T, H); `pre` is the argument of φ."""

    h: torch.Tensor
    pre: torch.Tensor


@dataclass
class LSTMTrace:
    """LSTM steps, each (B, T, H): input gate i, forget gate f, candidate g, output gate o, cell c, state h."""

    i: torch.Tensor
    f: torch.Tensor
    g: torch.Tensor
    o: torch.Tensor
    c: torch.Tensor
    h: torch.Tensor


@dataclass
class GRUTrace:
    """GRU steps, each (B, T, H): reset gate r, update gate z, candidate n, state h."""

    r: torch.Tensor
    z: torch.Tensor
    n: torch.Tensor
    h: torch.Tensor


Trace = RNNTrace | LSTMTrace | GRUTrace


def trace_fields(trace: Trace) -> list[str]:
    """The names of a trace's tensors, in equation order."""
    return [f.name for f in fields(trace)]


_NONLINEARITIES = {"tanh": torch.tanh, "relu": torch.relu, "identity": lambda v: v}


class _Recurrent(nn.Module):
    """Shared parameters and initialisation: `gates` blocks of size H stacked as torch stacks them."""

    gates = 1

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        if input_size < 1 or hidden_size < 1:
            raise ValueError(f"input_size and hidden_size must be positive, got {input_size}, {hidden_size}")
        self.input_size, self.hidden_size = input_size, hidden_size
        g = self.gates * hidden_size
        self.weight_ih_l0 = nn.Parameter(torch.empty(g, input_size))
        self.weight_hh_l0 = nn.Parameter(torch.empty(g, hidden_size))
        self.bias_ih_l0 = nn.Parameter(torch.empty(g))
        self.bias_hh_l0 = nn.Parameter(torch.empty(g))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """U(−1/√H, 1/√H) for every parameter, as torch.nn.RNN/LSTM/GRU do."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def _input_terms(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 3 or x.shape[2] != self.input_size:
            raise ValueError(f"expected input (B, T, {self.input_size}), got {tuple(x.shape)}")
        return x @ self.weight_ih_l0.T + self.bias_ih_l0  # (B, T, gates·H), all steps at once

    def _zeros(self, x: torch.Tensor) -> torch.Tensor:
        return x.new_zeros(x.shape[0], self.hidden_size)

    def initial_state(self, x: torch.Tensor) -> object:
        """The zero state for a batch like `x`: h_0, or (h_0, c_0) for the LSTM."""
        return self._zeros(x)


class RNN(_Recurrent):
    """Elman RNN: h_t = φ(W_ih x_t + b_ih + W_hh h_(t−1) + b_hh), φ = tanh, relu or identity."""

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh") -> None:
        if nonlinearity not in _NONLINEARITIES:
            raise ValueError(f"nonlinearity must be one of {sorted(_NONLINEARITIES)}, not {nonlinearity!r}")
        super().__init__(input_size, hidden_size)
        self.nonlinearity = nonlinearity

    def step(self, input_t: torch.Tensor, h: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """One update from the input term W_ih x_t + b_ih (B, H) and h_(t−1) (B, H): returns h_t and {h, pre}."""
        pre = input_t + h @ self.weight_hh_l0.T + self.bias_hh_l0  # (B, H)
        h = _NONLINEARITIES[self.nonlinearity](pre)
        return h, {"h": h, "pre": pre}

    def forward(self, x: torch.Tensor, state: torch.Tensor | None = None) -> tuple[torch.Tensor, RNNTrace]:
        inputs = self._input_terms(x)  # (B, T, H)
        h = self._zeros(x) if state is None else state
        steps: dict[str, list[torch.Tensor]] = {"h": [], "pre": []}
        for t in range(x.shape[1]):
            h, values = self.step(inputs[:, t], h)
            for k, v in values.items():
                steps[k].append(v)
        trace = RNNTrace(**{k: torch.stack(v, 1) for k, v in steps.items()})
        return trace.h, trace


class LSTM(_Recurrent):
    """LSTM (Hochreiter & Schmidhuber 1997, with forget gate): gates i, f, g, o stacked in torch's order.

    c_t = f_t ⊙ c_(t−1) + i_t ⊙ g_t,  h_t = o_t ⊙ tanh(c_t).  `state` is (h_0, c_0), each (B, H).
    """

    gates = 4

    def initial_state(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self._zeros(x), self._zeros(x)

    def forward(
        self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, LSTMTrace]:
        inputs = self._input_terms(x)  # (B, T, 4H)
        state = (self._zeros(x), self._zeros(x)) if state is None else state
        steps: dict[str, list[torch.Tensor]] = {k: [] for k in "ifgoch"}
        for t in range(x.shape[1]):
            state, values = self.step(inputs[:, t], state)
            for k, v in values.items():
                steps[k].append(v)
        trace = LSTMTrace(**{k: torch.stack(v, 1) for k, v in steps.items()})
        return trace.h, trace

    def step(self, input_t: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]
             ) -> tuple[tuple[torch.Tensor, torch.Tensor], dict[str, torch.Tensor]]:
        """One update from the input term (B, 4H) and (h_(t−1), c_(t−1)): returns (h_t, c_t) and every gate."""
        h, c = state
        gates = input_t + h @ self.weight_hh_l0.T + self.bias_hh_l0  # (B, 4H)
        i, f, g, o = gates.chunk(4, dim=1)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c = f * c + i * g
        h = o * torch.tanh(c)
        return (h, c), {"i": i, "f": f, "g": g, "o": o, "c": c, "h": h}


class GRU(_Recurrent):
    """GRU (Cho et al. 2014): gates r, z and candidate n stacked in torch's order.

    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_(t−1) + b_hn)),  h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_(t−1).
    """

    gates = 3

    def forward(self, x: torch.Tensor, state: torch.Tensor | None = None) -> tuple[torch.Tensor, GRUTrace]:
        inputs = self._input_terms(x)  # (B, T, 3H)
        h = self._zeros(x) if state is None else state
        steps: dict[str, list[torch.Tensor]] = {k: [] for k in "rznh"}
        for t in range(x.shape[1]):
            h, values = self.step(inputs[:, t], h)
            for k, v in values.items():
                steps[k].append(v)
        trace = GRUTrace(**{k: torch.stack(v, 1) for k, v in steps.items()})
        return trace.h, trace

    def step(self, input_t: torch.Tensor, h: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """One update from the input term (B, 3H) and h_(t−1) (B, H): returns h_t and {r, z, n, h}."""
        x_r, x_z, x_n = input_t.chunk(3, dim=1)
        h_r, h_z, h_n = (h @ self.weight_hh_l0.T + self.bias_hh_l0).chunk(3, dim=1)
        r = torch.sigmoid(x_r + h_r)
        z = torch.sigmoid(x_z + h_z)
        n = torch.tanh(x_n + r * h_n)
        h = (1 - z) * n + z * h
        return h, {"r": r, "z": z, "n": n, "h": h}


CELLS: dict[str, type[_Recurrent]] = {"rnn": RNN, "lstm": LSTM, "gru": GRU}
TORCH_CELLS: dict[str, type[nn.Module]] = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def step_cell(module: nn.RNN | nn.LSTM | nn.GRU) -> _Recurrent:
    """Our step-by-step cell with `module`'s weights (the same state-dict keys): the readable form of the
    equations, and the one whose every h_t lies on autograd's path (the gradient probe needs ∂L/∂h_t)."""
    kind = next((k for k, cls in TORCH_CELLS.items() if type(module) is cls), None)
    if kind is None or module.num_layers != 1 or module.bidirectional or not module.batch_first:
        raise TypeError(f"expected a one-layer, batch-first torch.nn RNN, LSTM or GRU, got {module!r}")
    extra = {"nonlinearity": module.nonlinearity} if kind == "rnn" else {}
    cell = CELLS[kind](module.input_size, module.hidden_size, **extra)
    cell.load_state_dict(module.state_dict())
    return cell.to(next(module.parameters()).device)


def linear_recurrence(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """x_t = a_t ⊙ x_(t−1) + b_t along dim 1 from x_(−1) = 0, for a, b (B, T, H): all x_t as (B, T, H).

    The steps are cut into about √T chunks of about √T steps. One loop runs along the chunks, all chunks
    at once, each from a zero start; a second runs across the chunks' ends and carries each chunk's true
    start in, which reaches every step through the chunk's cumulative product of a. So about 2√T small
    operations replace T (64 for 1,000 steps); it only multiplies and adds, out of place, so it is as exact
    as the step loop in float32 and autograd goes through it.
    """
    batch, steps, width = b.shape
    length = math.isqrt(steps - 1) + 1  # steps per chunk, ≥ √T
    chunks = -(-steps // length)
    pad = (0, 0, 0, chunks * length - steps)  # the last chunk filled with a = 1, b = 0
    a = F.pad(a, pad, value=1.0).reshape(batch, chunks, length, width)
    b = F.pad(b, pad).reshape(batch, chunks, length, width)
    local = [b[:, :, 0]]
    for k in range(1, length):
        local.append(torch.addcmul(b[:, :, k], a[:, :, k], local[-1]))
    from_zero = torch.stack(local, 2)  # (B, chunks, length, H): each chunk from x = 0 at its start
    decay = torch.cumprod(a, 2)  # (B, chunks, length, H): how much of the chunk's start survives to each step
    ends = [from_zero[:, 0, -1]]
    for j in range(1, chunks):
        ends.append(torch.addcmul(from_zero[:, j, -1], decay[:, j, -1], ends[-1]))
    start = F.pad(torch.stack(ends, 1), (0, 0, 1, 0))[:, :-1, None]  # (B, chunks, 1, H): x before each chunk
    return torch.addcmul(from_zero, decay, start).reshape(batch, chunks * length, width)[:, :steps]


def fused_trace(module: nn.RNN | nn.LSTM | nn.GRU, x: torch.Tensor) -> tuple[torch.Tensor, Trace]:
    """Run a one-layer batch-first `torch.nn` RNN/LSTM/GRU on x (B, T, input_size) from the zero state, and
    return its output (B, T, H) with the same trace as our step-by-step cell of the same weights.

    h_(t−1) is the fused output shifted by one step, so every gate of every step is one batched product.
    """
    if module.num_layers != 1 or module.bidirectional or not module.batch_first or not module.bias \
            or getattr(module, "proj_size", 0):
        raise ValueError("fused_trace needs a one-layer, one-direction, batch-first module with biases")
    out, _ = module(x)  # (B, T, H)
    h_prev = F.pad(out, (0, 0, 1, 0))[:, :-1]  # h_(t−1) for every t, h_(−1) = 0
    from_x = F.linear(x, module.weight_ih_l0, module.bias_ih_l0)  # (B, T, gates·H)
    from_h = F.linear(h_prev, module.weight_hh_l0, module.bias_hh_l0)  # (B, T, gates·H)
    if isinstance(module, nn.LSTM):
        i, f, g, o = (from_x + from_h).chunk(4, dim=2)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        return out, LSTMTrace(i=i, f=f, g=g, o=o, c=linear_recurrence(f, i * g), h=out)
    if isinstance(module, nn.GRU):
        x_r, x_z, x_n = from_x.chunk(3, dim=2)
        h_r, h_z, h_n = from_h.chunk(3, dim=2)
        r = torch.sigmoid(x_r + h_r)
        z = torch.sigmoid(x_z + h_z)
        return out, GRUTrace(r=r, z=z, n=torch.tanh(x_n + r * h_n), h=out)
    if isinstance(module, nn.RNN):
        return out, RNNTrace(h=out, pre=from_x + from_h)
    raise TypeError(f"expected torch.nn.RNN, LSTM or GRU, got {type(module).__name__}")
