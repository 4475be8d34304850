"""The Gradient lab's measurements: ‖∂L/∂h_t‖ over time at initialisation and in a trained model, and
per-layer gradient norms over depth; and its sliders, whose values live in the URL."""
from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st
import torch

from core.data.text import encode
from core.probes import gradients
from ui.links import linked
from ui.models import spec_of
from ui.scheduling import device_choice, heavy, heavy_slot
from ui.sequences import sequence_model


def linked_slider(where: Any, label: str, low: float, high: float, default: float, step: float, key: str,
                  **kwargs: Any) -> Any:
    """A slider from `low` to `high` in `where` (st or a column), at `default` unless the URL sets it (ui.links)."""
    linked(key, default, lambda value: low <= value <= high)
    return where.slider(label, low, high, step=step, key=key, **kwargs)


@st.cache_data(show_spinner=False, max_entries=64)
@heavy
def grad_norms_at_init(cell: str, steps: int, hidden: int, kind: str, scale: float, nonlinearity: str,
                       input_scale: float, gate_bias: float, seed: int = 0) -> tuple[np.ndarray, float, np.ndarray | None]:
    """‖∂L/∂h_t‖ of a freshly initialised cell on a fixed random input, σ_max(W_hh), and (RNN) Pascanu's bound.

    `gate_bias` is added to the keep-gate's biases: the LSTM's forget gate, the GRU's update gate (unused by the RNN).
    """
    init = gradients.RecurrentInit(kind, scale, forget_bias=gate_bias if cell == "lstm" else 0.0,
                                   update_bias=gate_bias if cell == "gru" else 0.0)
    net = gradients.make_cell(cell, 8, hidden, init, nonlinearity, seed)
    x = torch.randn(8, steps, 8, generator=torch.Generator().manual_seed(seed)) * input_scale
    norms = gradients.hidden_state_grad_norms(net, x)
    bound = gradients.pascanu_bound(net, steps) if cell == "rnn" else None
    return norms, gradients.largest_singular_value(net), bound


@st.cache_data(show_spinner=False, max_entries=16)
def grad_norms_trained(name: str, text: str) -> np.ndarray:
    """‖∂L/∂h_t‖ of a bundled character model's recurrent layer on `text` (its own embedding as input)."""
    net, _ = sequence_model(name)
    encoded = encode(text, spec_of(name, "sequence").vocab)
    with heavy_slot():
        with torch.no_grad():
            x = net.inputs(torch.as_tensor(encoded.ids)[None].to(device_choice().device))
        return gradients.hidden_state_grad_norms(net.rnn, x)


@st.cache_data(show_spinner=False, max_entries=32)
@heavy
def depth_grads(depth: int, residual: bool, activation: str, batch_norm: bool, train_steps: int) -> list[tuple[str, float]]:
    """Per-layer weight-gradient norms of a deep plain or residual CNN (see core.probes.gradients)."""
    return gradients.depth_grad_norms(depth, residual, activation, batch_norm, train_steps)
