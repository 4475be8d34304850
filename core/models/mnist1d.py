"""Seven classifiers of MNIST-1D sequences (40 numbers → 10 digits), at comparable parameter budgets.

Logistic regression and an MLP see the 40 numbers at once; the 1-D CNN slides shared kernels along
them (the layout of Greydanus' notebook: 5,210 parameters); the RNN, LSTM and GRU read them one at a
time and classify from the last hidden state; the Transformer encoder lets every position attend to
every other in one step. Every model takes (B, 40) and returns (B, 10) logits; the recurrent ones also
return their hidden states and the Transformer its attention weights, through `inspect`.
"""
from __future__ import annotations

import copy

import torch
from torch import nn

from core.data.mnist1d import LENGTH

NUM_CLASSES = 10


class Logistic(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(LENGTH, NUM_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)


class MLP(nn.Module):
    def __init__(self, hidden: int = 100) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(LENGTH, hidden), nn.ReLU(), nn.Linear(hidden, NUM_CLASSES))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class ConvNet1d(nn.Module):
    """Three strided Conv1d layers of 25 channels, then a linear classifier (40 → 19 → 10 → 5 positions)."""

    def __init__(self, channels: int = 25) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, channels, 5, stride=2, padding=1), nn.ReLU(),
            nn.Conv1d(channels, channels, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv1d(channels, channels, 3, stride=2, padding=1), nn.ReLU(),
        )
        self.classifier = nn.Linear(channels * 5, NUM_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x.unsqueeze(1)).flatten(1))


class RecurrentClassifier(nn.Module):
    """torch.nn.RNN / LSTM / GRU over the 40 numbers (one per step); the last hidden state is classified."""

    def __init__(self, cell: str, hidden: int) -> None:
        super().__init__()
        self.cell = cell
        layer = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.rnn = layer(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, NUM_CLASSES)

    def states(self, x: torch.Tensor) -> torch.Tensor:
        """Hidden states h_1 … h_40, (B, 40, hidden)."""
        out, _ = self.rnn(x.unsqueeze(-1))
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.states(x)[:, -1])


class TinyTransformer(nn.Module):
    """Each number embedded with a learned position, one self-attention block, mean over positions."""

    def __init__(self, width: int = 24, heads: int = 4, ff: int = 48) -> None:
        super().__init__()
        self.embed = nn.Linear(1, width)
        self.position = nn.Parameter(torch.randn(LENGTH, width) * 0.1)
        self.attention = nn.MultiheadAttention(width, heads, batch_first=True)
        self.norm1, self.norm2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.ff = nn.Sequential(nn.Linear(width, ff), nn.ReLU(), nn.Linear(ff, width))
        self.head = nn.Linear(width, NUM_CLASSES)

    def attend(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits (B, 10) and every head's attention weights (B, heads, 40, 40); rows sum to 1."""
        h = self.embed(x.unsqueeze(-1)) + self.position
        a, weights = self.attention(h, h, h, need_weights=True, average_attn_weights=False)
        h = self.norm1(h + a)
        h = self.norm2(h + self.ff(h))
        return self.head(h.mean(1)), weights

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.embed(x.unsqueeze(-1)) + self.position
        a, _ = self.attention(h, h, h, need_weights=False)
        h = self.norm1(h + a)
        h = self.norm2(h + self.ff(h))
        return self.head(h.mean(1))


def recurrent_flops(model: RecurrentClassifier, length: int = LENGTH) -> int:
    """Forward FLOPs of a recurrent classifier, counted by formula (torch's FLOP counter skips fused RNN kernels):
    per step, gates × 2 × hidden × (input + hidden) multiply-adds, plus the classifier head."""
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[model.cell]
    hidden = model.rnn.hidden_size
    return length * gates * 2 * hidden * (1 + hidden) + 2 * hidden * NUM_CLASSES


def input_gradient(model: nn.Module, x: torch.Tensor, target: int) -> torch.Tensor:
    """Gradient × input of class `target`'s logit for one sequence (40,): where the prediction is sensitive.

    Works the same for every model, so the seven maps can be compared side by side. It runs on its own
    copy of the model (a few thousand weights), in train mode because cuDNN RNNs backpropagate only
    there (no dropout or batch norm here, so train mode computes the same function); the caller's model,
    which other sessions may be using, is left untouched.
    """
    local = copy.deepcopy(model).train()
    xs = x.detach().reshape(1, LENGTH).clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(local(xs)[0, target], xs)
    return (grad * xs).detach()[0]
