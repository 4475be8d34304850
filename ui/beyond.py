"""The "Beyond recurrence" pages' loaders: MNIST-1D and its seven bundled models, the scaling sweep, and the
string reversers."""
from __future__ import annotations

import numpy as np
import streamlit as st
import torch
from torch import nn

from core.data.mnist1d import MNIST1D, load_mnist1d
from core.models.mnist1d import RecurrentClassifier, TinyTransformer, input_gradient
from core.models.seq2seq import VOCAB, decode_letters, encode_letters
from core.probes import scaling
from core.train_mnist1d import costs as mnist1d_measure
from core.weights import load_model
from ui.scheduling import device_choice, heavy, heavy_slot
from ui.shared_cache import shared


@shared()
def mnist1d() -> MNIST1D:
    """The MNIST-1D splits, generated once per server (≈ 4 s)."""
    return load_mnist1d()


@shared(8)
def mnist1d_model(name: str) -> nn.Module:
    """Bundled MNIST-1D model `name` (seed 0) on the app's device."""
    return load_model(name, device_choice().device, "mnist1d")[0]


@st.cache_data(show_spinner=False, max_entries=512)
def mnist1d_inspect(name: str, index: int) -> dict[str, np.ndarray]:
    """For test sequence `index`: class probabilities, gradient × input of the predicted class, and the
    model's own view (hidden states of a recurrent model, attention weights of the Transformer)."""
    data, net = mnist1d(), mnist1d_model(name)
    x = torch.from_numpy(data.x_test[index]).to(device_choice().device)
    with heavy_slot():
        with torch.no_grad():
            logits = net(x[None])[0]
            out = {"probs": torch.softmax(logits, 0).cpu().numpy()}
            if isinstance(net, RecurrentClassifier):
                out["states"] = net.states(x[None])[0].cpu().numpy()
            elif isinstance(net, TinyTransformer):
                out["attention"] = net.attend(x[None])[1][0].cpu().numpy()
        out["saliency"] = input_gradient(net, x, int(logits.argmax())).cpu().numpy()
    return out


@st.cache_data(show_spinner=False, max_entries=32)
def mnist1d_costs(name: str, device: str) -> dict[str, float]:
    """Parameters, FLOPs and forward latency of one sequence, measured on `device`."""
    net = mnist1d_model(name)
    with heavy_slot():
        return mnist1d_measure(net)


@st.cache_data(show_spinner=False, max_entries=16)
@heavy
def scaling_sweep(lengths: tuple[int, ...], batch: int, device: str) -> list[dict]:
    """Latency, peak memory and sequential steps of Conv1d / LSTM / GRU / attention at each length, on `device`."""
    from dataclasses import asdict

    return [asdict(p) for p in scaling.sweep(list(lengths), batch=batch, device=device)]


@shared(4)
def reverser(name: str) -> nn.Module:
    """A bundled string-reversal encoder–decoder (CPU: one short string at a time)."""
    return load_model(name, "cpu", "seq2seq")[0]


@st.cache_data(show_spinner=False, max_entries=256)
def reverse(name: str, text: str) -> tuple[str, list[str], np.ndarray | None, np.ndarray | None]:
    """Greedy output of model `name` for `text` as a string and as the tokens of each output step, its
    attention (output × input, or heads × output × input) and, for the Transformer, the encoder's
    self-attention; raises Seq2SeqInputError for a bad input."""
    ids = encode_letters(text)
    net = reverser(name)
    with heavy_slot():
        decoded = net.decode(torch.tensor([ids]))
    arrays = [None if a is None else a.cpu().numpy() for a in (decoded.attention, decoded.encoder_attention)]
    return decode_letters(decoded.ids), [VOCAB[i] for i in decoded.ids], arrays[0], arrays[1]
