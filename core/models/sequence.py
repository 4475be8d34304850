"""Sequence models: character language models and per-step taggers (traced), and the live-trained task models."""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from core.data.sequences import BRACKETS_VOCAB, MAX_DEPTH, QUOTES_VOCAB
from core.data.text import VOCAB
from core.models.rnn import TORCH_CELLS, Trace, fused_trace


class CharModel(nn.Module):
    """Tokens (B, T) → logits (B, T, num_outputs) through embedding (or one-hot), one recurrent layer, a linear head.

    The layer is the fused `torch.nn` RNN/LSTM/GRU. With `traced=True` `forward` also returns its trace
    (`core.models.rnn.fused_trace`: every gate of every step); with `traced=False` (training) the trace
    is None. The flag changes no parameter, so the state dict is the same either way.
    """

    def __init__(self, cell: str, vocab_size: int, hidden_size: int, num_outputs: int,
                 embed_dim: int | None = None, traced: bool = True, dropout: float = 0.0) -> None:
        super().__init__()
        if cell not in TORCH_CELLS:
            raise ValueError(f"cell must be one of {sorted(TORCH_CELLS)}, not {cell!r}")
        self.cell, self.vocab_size, self.traced = cell, vocab_size, traced
        self.embed = nn.Embedding(vocab_size, embed_dim) if embed_dim else None
        width = embed_dim or vocab_size
        self.rnn = TORCH_CELLS[cell](width, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, num_outputs)
        self.drop = nn.Dropout(dropout) if dropout else None  # on the layer's input and output (no parameters)

    def inputs(self, tokens: torch.Tensor) -> torch.Tensor:
        """(B, T) ids → (B, T, input_size): the embedding, or one-hot vectors."""
        if self.embed is not None:
            return self.embed(tokens)
        return nn.functional.one_hot(tokens, self.vocab_size).float()

    def forward(self, tokens: torch.Tensor) -> tuple[torch.Tensor, Trace | None]:
        x = self.inputs(tokens)
        if self.drop is not None:
            x = self.drop(x)
        out, trace = fused_trace(self.rnn, x) if self.traced else (self.rnn(x)[0], None)  # (B, T, H)
        if self.drop is not None:
            out = self.drop(out)
        return self.head(out), trace  # (B, T, num_outputs)


@dataclass(frozen=True)
class SequenceSpec:
    """A bundled sequence model: its task, cell, sizes, vocabulary and output labels."""

    name: str
    title: str
    task: str  # "charlm", "brackets" or "quotes"
    cell: str
    hidden_size: int
    vocab: tuple[str, ...]
    outputs: tuple[str, ...]
    embed_dim: int | None
    bundled_file: str

    def build(self, traced: bool = True) -> CharModel:
        return CharModel(self.cell, len(self.vocab), self.hidden_size, len(self.outputs), self.embed_dim, traced)


CHARLM_HIDDEN = 128
_SEQUENCE_SPECS = (
    *(SequenceSpec(f"char_{cell}", f"Character model: {label}", "charlm", cell, CHARLM_HIDDEN, VOCAB, VOCAB, 32,
                   f"char_{cell}.safetensors")
      for cell, label in (("rnn", "vanilla RNN"), ("lstm", "LSTM"), ("gru", "GRU"))),
    SequenceSpec("brackets_lstm", "Bracket depth: LSTM", "brackets", "lstm", 32, BRACKETS_VOCAB,
                 tuple(str(d) for d in range(MAX_DEPTH + 1)), None, "brackets_lstm.safetensors"),
    SequenceSpec("quotes_lstm", "Inside quotes: LSTM", "quotes", "lstm", 16, QUOTES_VOCAB,
                 ("outside", "inside"), None, "quotes_lstm.safetensors"),
)
SEQUENCE_MODELS = {spec.name: spec for spec in _SEQUENCE_SPECS}


def get_sequence_spec(name: str) -> SequenceSpec:
    """The sequence model registered as `name`; a KeyError lists the valid names."""
    try:
        return SEQUENCE_MODELS[name]
    except KeyError:
        raise KeyError(f"unknown sequence model {name!r}; known: {', '.join(SEQUENCE_MODELS)}") from None


class AddingModel(nn.Module):
    """(B, T, 2) → (B,): a recurrent layer read out by a linear layer at the last step (the adding problem).

    Uses torch's fused cells (these models are trained live). The LSTM starts with a forget-gate bias
    of 1, the usual practice; `rho`, when given, re-initialises the
    recurrent matrix of a vanilla RNN as ρ·Q (Q orthogonal) to make gradients explode or vanish.
    """

    def __init__(self, cell: str, hidden_size: int, rho: float | None = None, dropout: float = 0.0) -> None:
        super().__init__()
        if cell not in TORCH_CELLS:
            raise ValueError(f"cell must be one of {sorted(TORCH_CELLS)}, not {cell!r}")
        self.rnn = TORCH_CELLS[cell](2, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, 1)
        self.drop = nn.Dropout(dropout) if dropout else None
        if cell == "lstm":
            with torch.no_grad():  # forget-gate bias 1 (Jozefowicz et al. 2015): start by remembering
                self.rnn.bias_hh_l0[hidden_size:2 * hidden_size].fill_(1.0)
                self.rnn.bias_ih_l0[hidden_size:2 * hidden_size].fill_(0.0)
        if rho is not None:
            with torch.no_grad():
                for b in range(self.rnn.weight_hh_l0.shape[0] // hidden_size):
                    block = self.rnn.weight_hh_l0[b * hidden_size:(b + 1) * hidden_size]
                    nn.init.orthogonal_(block)
                    block.mul_(rho)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)  # (B, T, H)
        last = out[:, -1] if self.drop is None else self.drop(out[:, -1])
        return self.head(last).squeeze(-1)  # (B,)


class NextValueModel(nn.Module):
    """(B, T, 1) → (B,): the next value of a series from a window, by a recurrent layer or a 1-D CNN.

    The CNN stacks three dilated 5-wide convolutions (dilation 1, 2, 4: a receptive field of 29 steps)
    and reads its last position; the recurrent layer reads its last state. Same head, same data.
    """

    def __init__(self, cell: str, hidden_size: int = 64, dropout: float = 0.0) -> None:
        super().__init__()
        self.cell = cell
        if cell == "cnn":
            self.conv = nn.Sequential(
                nn.Conv1d(1, hidden_size, 5, padding=2), nn.ReLU(),
                nn.Conv1d(hidden_size, hidden_size, 5, padding=4, dilation=2), nn.ReLU(),
                nn.Conv1d(hidden_size, hidden_size, 5, padding=8, dilation=4), nn.ReLU(),
            )
        elif cell in TORCH_CELLS:
            self.rnn = TORCH_CELLS[cell](1, hidden_size, batch_first=True)
        else:
            raise ValueError(f"cell must be one of {sorted(TORCH_CELLS)} or 'cnn', not {cell!r}")
        self.drop = nn.Dropout(dropout) if dropout else None
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.cell == "cnn":
            last = self.conv(x.transpose(1, 2))[:, :, -1]  # (B, H) at the last position
        else:
            last = self.rnn(x)[0][:, -1]  # (B, H)
        if self.drop is not None:
            last = self.drop(last)
        return self.head(last).squeeze(-1)
