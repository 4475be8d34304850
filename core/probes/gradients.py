"""Gradients that vanish or explode: over time in recurrent cells, over depth in CNNs.

`hidden_state_grad_norms` steps one of our cells through a sequence, keeps every h_t, and asks
autograd for ∂L/∂h_t, where L = w·h_T is a fixed unit-norm readout of the last state, so the curve
starts at exactly 1 at t = T and shows what reaches each earlier step.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.i18n import _
from core.models.rnn import GRU, LSTM, RNN, step_cell

GAMMA = {"tanh": 1.0, "relu": 1.0, "identity": 1.0}  # bounds on |φ'|


def _readout(hidden: int, device: torch.device) -> torch.Tensor:
    return torch.full((hidden,), 1.0 / math.sqrt(hidden), device=device)


def hidden_state_grad_norms(model: RNN | LSTM | GRU | nn.RNN | nn.LSTM | nn.GRU, x: torch.Tensor) -> np.ndarray:
    """‖∂L/∂h_t‖ for t = 0 … T−1, batch averaged, with L = w·h_T (‖w‖ = 1) on the last step: shape (T,).

    A fused torch.nn module is read through our step cell with its weights (`step_cell`): only there is every
    h_t on autograd's path. Non-finite values (an exploded gradient) are returned as they are: inf or nan.
    """
    if isinstance(model, (nn.RNN, nn.LSTM, nn.GRU)):
        model = step_cell(model)
    if not isinstance(model, (RNN, LSTM, GRU)):
        raise TypeError(f"expected a recurrent layer (ours or torch.nn's), got {type(model).__name__}")
    x = x.detach()
    with torch.enable_grad():
        inputs = model._input_terms(x)
        state = model.initial_state(x)
        hs = []
        for t in range(x.shape[1]):
            state, values = model.step(inputs[:, t], state)
            hs.append(values["h"])
        loss = (hs[-1] @ _readout(model.hidden_size, x.device)).sum()
        grads = torch.autograd.grad(loss, hs, allow_unused=True)
    norms = [g.norm(dim=1).mean() if g is not None else torch.tensor(0.0) for g in grads]
    return torch.stack(norms).detach().cpu().double().numpy()


def pascanu_bound(model: RNN, steps: int) -> np.ndarray:
    """(γ·σ_max(W_hh))^(T−1−t) for t = 0 … T−1: the bound on ‖∂h_T/∂h_t‖ (Pascanu, Mikolov & Bengio 2013)."""
    sigma = largest_singular_value(model)
    gamma = GAMMA[model.nonlinearity]
    exponent = np.arange(steps - 1, -1, -1, dtype=np.float64)
    with np.errstate(over="ignore"):
        return (gamma * sigma) ** exponent


def largest_singular_value(model: RNN | LSTM | GRU) -> float:
    """σ_max of the recurrent matrix (of the whole stacked W_hh for gated cells)."""
    return float(torch.linalg.matrix_norm(model.weight_hh_l0.detach().double(), ord=2))


def first_exploded_step(norms: np.ndarray) -> int | None:
    """The largest t (closest to the loss, where backpropagation starts) whose norm is not finite, or None."""
    bad = np.flatnonzero(~np.isfinite(norms))
    return int(bad.max()) if bad.size else None


def first_underflowed_step(norms: np.ndarray) -> int | None:
    """The largest t whose norm is exactly 0 (it fell below float32's smallest number, ≈ 1.4·10⁻⁴⁵), or None.

    Going back from the loss, a gradient that reached 0 stays 0, so every step t ≤ the answer is 0 too.
    """
    zero = np.flatnonzero(np.asarray(norms) == 0)
    return int(zero.max()) if zero.size else None


def underflowed_layers(norms: np.ndarray) -> int:
    """How many layers' gradient norms are exactly 0 (underflowed: a log axis cannot draw them)."""
    return int((np.asarray(norms) == 0).sum())


def first_layer_share(norms: np.ndarray) -> float:
    """The first layer's gradient norm over the last layer's (NaN when the last is 0): how much of the gradient
    at the output reaches the input end of a stack."""
    return float(norms[0] / norms[-1]) if norms[-1] > 0 else float("nan")


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(x: float) -> str:
    """A positive number as a reader says it: 0.56, 2×10⁻⁷, 4×10¹²; "0" for 0 and "overflow" (in the run's
    language) for inf or NaN."""
    if not np.isfinite(x):
        return _("overflow")
    if x == 0:
        return "0"
    if 0.01 <= abs(x) < 100:
        return f"{x:.2g}"
    mantissa, exponent = f"{x:.0e}".split("e")
    power = f"10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    return power if mantissa == "1" else f"{mantissa}×{power}"


@dataclass(frozen=True)
class RecurrentInit:
    """How to initialise a cell for the experiment."""

    kind: str = "orthogonal"  # "orthogonal" (scaled by rho) or "gaussian" (std sigma/sqrt(H))
    scale: float = 1.0
    forget_bias: float = 0.0  # added to the LSTM's forget-gate biases: f = σ(… + b) keeps c_(t−1)
    update_bias: float = 0.0  # added to the GRU's update-gate biases: z = σ(… + b) keeps h_(t−1)


def make_cell(cell: str, input_size: int, hidden: int, init: RecurrentInit, nonlinearity: str = "tanh",
              seed: int = 0) -> RNN | LSTM | GRU:
    """A fresh cell whose recurrent blocks are scaled orthogonal (ρ·Q) or Gaussian (σ/√H) matrices, and whose
    keep-gates (LSTM forget, GRU update) start with `init`'s extra bias."""
    torch.manual_seed(seed)
    model = RNN(input_size, hidden, nonlinearity) if cell == "rnn" else {"lstm": LSTM, "gru": GRU}[cell](input_size, hidden)
    blocks = model.weight_hh_l0.shape[0] // hidden
    with torch.no_grad():
        for b in range(blocks):
            block = model.weight_hh_l0[b * hidden:(b + 1) * hidden]
            if init.kind == "orthogonal":
                nn.init.orthogonal_(block)
                block.mul_(init.scale)
            elif init.kind == "gaussian":
                block.normal_(0.0, init.scale / math.sqrt(hidden))
            else:
                raise ValueError(f"unknown init {init.kind!r}")
        if isinstance(model, LSTM):  # blocks i, f, g, o
            model.bias_hh_l0[hidden:2 * hidden] += init.forget_bias
        if isinstance(model, GRU):  # blocks r, z, n; h_t = (1 − z) ⊙ n + z ⊙ h_(t−1), so z near 1 keeps the old state
            model.bias_hh_l0[hidden:2 * hidden] += init.update_bias
    return model.eval()


def layer_grad_norms(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> list[tuple[str, float]]:
    """‖∂L/∂W‖ for every conv and linear weight, in module order, for cross-entropy on (x, y).

    Works on the model it is given (call it on a private copy): it runs backward into the parameters.
    """
    model.zero_grad(set_to_none=True)
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    out = [(name, float(m.weight.grad.norm())) for name, m in model.named_modules()
           if isinstance(m, (nn.Conv2d, nn.Linear)) and m.weight.grad is not None]
    model.zero_grad(set_to_none=True)
    return out


def depth_grad_norms(depth: int, residual: bool, activation: str, batch_norm: bool, train_steps: int = 0,
                     seed: int = 0, size: int = 32) -> list[tuple[str, float]]:
    """Per-layer weight-gradient norms of a fresh DeepCNN on a batch of 64 shapes (in training mode), after
    `train_steps` SGD steps on that same batch by the training engine."""
    from core.training.engine import Run, RunConfig, train
    from core.training.tasks import DepthTask

    task = DepthTask("depth", "depth", "depth", epoch_steps=max(train_steps, 1), depth=depth, residual=residual,
                     activation=activation, batch_norm=batch_norm, size=size, fixed_batch=True, seed=seed)
    if train_steps:
        model = train(Run(RunConfig("depth", "sgd", 0.05, "constant", 64, 1, seed=seed), task=task)).model
    else:
        torch.manual_seed(seed)
        model = task.build(RunConfig("depth"), None)
    data = task.data()
    model.train()
    return layer_grad_norms(model, data.x_train, data.y_train)
