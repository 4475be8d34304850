"""Forward latency and memory against sequence length: a Conv1d stack, LSTM, GRU and self-attention.

The seed's table says CNNs parallelise and RNNs do not. Here the claim is measured: all the layers
have the same width, read the same (B, T, width) input on the same device, and are timed at growing T.
A recurrent layer must take T steps one after another; a convolution stack takes one step per layer,
whatever T; self-attention takes one step too but compares every position with every other, so its
cost grows as T². Self-attention is measured twice, with the same weights: as the textbook writes it,
softmax(QKᵀ/√d)·V, which holds the (B, heads, T, T) weights in memory, and through PyTorch's fused
kernel (`nn.MultiheadAttention` without weights), which computes the same output in blocks and never
stores the T × T matrix — its memory grows like the LSTM's, its arithmetic still as T².
"""
from __future__ import annotations

import statistics
import time
import weakref
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

CONV_LAYERS = 4
KINDS = ("conv1d", "lstm", "gru", "attention", "attention_explicit")


class ConvStack(nn.Module):
    """`layers` Conv1d (kernel 3, same padding) + ReLU over (B, T, width)."""

    def __init__(self, width: int, layers: int = CONV_LAYERS) -> None:
        super().__init__()
        self.net = nn.Sequential(*[m for _ in range(layers) for m in (nn.Conv1d(width, width, 3, padding=1), nn.ReLU())])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.transpose(1, 2)).transpose(1, 2)


class Recurrent(nn.Module):
    def __init__(self, cell: str, width: int) -> None:
        super().__init__()
        self.rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[cell](width, width, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.rnn(x)[0]


class SelfAttention(nn.Module):
    def __init__(self, width: int, heads: int) -> None:
        super().__init__()
        self.attention = nn.MultiheadAttention(width, heads, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.attention(x, x, x, need_weights=False)[0]


class ExplicitSelfAttention(SelfAttention):
    """The same layer (same parameters) computed as written: weights = softmax(QKᵀ/√d), output = weights·V."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = self.attention
        batch, length, width = x.shape
        heads = a.num_heads
        q, k, v = (t.view(batch, length, heads, width // heads).transpose(1, 2)  # (B, heads, T, d)
                   for t in nn.functional.linear(x, a.in_proj_weight, a.in_proj_bias).chunk(3, dim=-1))
        weights = torch.softmax((q / (width // heads) ** 0.5) @ k.transpose(-2, -1), dim=-1)  # (B, heads, T, T)
        out = (weights @ v).transpose(1, 2).reshape(batch, length, width)  # (B, T, width)
        return a.out_proj(out)


def build(kind: str, width: int = 64, heads: int = 4) -> nn.Module:
    """One of KINDS at `width` channels."""
    if kind == "conv1d":
        return ConvStack(width)
    if kind in ("lstm", "gru"):
        return Recurrent(kind, width)
    if kind == "attention":
        return SelfAttention(width, heads)
    if kind == "attention_explicit":
        return ExplicitSelfAttention(width, heads)
    raise ValueError(f"unknown layer kind {kind!r}; choose from {', '.join(KINDS)}")


def sequential_steps(kind: str, length: int) -> int:
    """Operations that must run one after another for one sequence: T for a recurrent layer, one per
    convolution, one for an attention layer (its T × T matrix is computed at once)."""
    return {"conv1d": CONV_LAYERS, "lstm": length, "gru": length, "attention": 1, "attention_explicit": 1}[kind]


def attention_bytes(batch: int, length: int, heads: int = 4, dtype_bytes: int = 4) -> int:
    """Size of the attention weights alone, the (batch, heads, T, T) matrix explicit attention must hold."""
    return batch * heads * length * length * dtype_bytes


class PeakTensorMemory(TorchDispatchMode):
    """Peak bytes of tensors created inside the block and still alive, on any device (CPU included).

    Counts each new storage once when an operation returns it and frees it when it is garbage; views
    share their base's storage and are not counted twice. Inputs and weights made before the block are
    not counted, so this is the memory the forward pass itself needs.
    """

    def __init__(self) -> None:
        super().__init__()
        self.live = 0
        self.peak = 0
        self._seen: set[int] = set()

    def _release(self, key: int, size: int) -> None:
        self.live -= size
        self._seen.discard(key)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in out if isinstance(out, (tuple, list)) else (out,):
            if isinstance(t, torch.Tensor):
                storage = t.untyped_storage()
                key = storage.data_ptr()
                if key and key not in self._seen:
                    self._seen.add(key)
                    size = storage.nbytes()
                    self.live += size
                    self.peak = max(self.peak, self.live)
                    weakref.finalize(t, self._release, key, size)
        return out


@dataclass(frozen=True)
class ScalingPoint:
    """One layer kind at one sequence length: median forward seconds, peak bytes, sequential steps."""

    kind: str
    length: int
    seconds: float | None  # None: skipped because it would need more than the memory cap, or not timed (repeats=0)
    peak_bytes: int
    steps: int


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure(kind: str, length: int, batch: int = 1, width: int = 64, device: torch.device | str = "cpu",
            repeats: int = 3, memory_cap: int = 1 << 30) -> ScalingPoint:
    """Time and size one forward pass of `kind` on a random (batch, length, width) input; with repeats=0,
    size it only (seconds None: peak memory does not depend on what else the machine runs, time does).

    Either attention is skipped (seconds None) where the explicit one would hold more than `memory_cap` in
    scores and weights (2 × `attention_bytes`); the fused kernel too, whose T² arithmetic would take seconds.
    """
    device = torch.device(device)
    steps = sequential_steps(kind, length)
    if kind.startswith("attention") and 2 * attention_bytes(batch, length) > memory_cap:
        return ScalingPoint(kind, length, None, 2 * attention_bytes(batch, length), steps)
    torch.manual_seed(0)
    model = build(kind, width).to(device).eval()
    x = torch.randn(batch, length, width, device=device)
    times = []
    with torch.inference_mode():
        model(x)  # warm-up: first-call allocations and kernel choice
        for _ in range(repeats):
            _sync(device)
            start = time.perf_counter()
            model(x)
            _sync(device)
            times.append(time.perf_counter() - start)
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(device)
            base = torch.cuda.memory_allocated(device)
            model(x)
            peak = torch.cuda.max_memory_allocated(device) - base
        else:
            with PeakTensorMemory() as counter:
                model(x)
            peak = counter.peak
    return ScalingPoint(kind, length, statistics.median(times) if times else None, int(peak), steps)


def sweep(lengths: list[int], batch: int = 1, width: int = 64, device: torch.device | str = "cpu",
          repeats: int = 3, kinds: tuple[str, ...] = KINDS) -> list[ScalingPoint]:
    """`measure` every kind at every length."""
    return [measure(kind, t, batch, width, device, repeats) for kind in kinds for t in lengths]
