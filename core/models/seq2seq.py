"""Encoder–decoder models for a transduction task with a checkable answer: write the input string reversed.

* `Seq2Seq(attention=True)`: a bidirectional GRU encoder and a GRU decoder with additive attention
  (Bahdanau, Cho & Bengio 2014): at every output step the decoder scores every encoder state,
  softmaxes the scores into weights that sum to 1, and reads their weighted sum.
* `Seq2Seq(attention=False)`: the same encoder and decoder, but the decoder sees one fixed summary of the
  whole input (Cho et al. 2014): everything must squeeze through one vector, which is what breaks on
  long inputs.
* `TinySeq2SeqTransformer`: one encoder block and one decoder block of a Transformer (Vaswani et al.
  2017), whose self- and cross-attention heads are returned for display.

All three return the attention they used as values (`decode`), never through hooks.
"""
from __future__ import annotations

import string
from dataclasses import dataclass

import torch
from torch import nn

from core.i18n import _

PAD, SOS, EOS = 0, 1, 2
LETTERS = string.ascii_lowercase
VOCAB = ["<pad>", "<s>", "</s>", *LETTERS]
MAX_LEN = 24  # longest input the models are trained on


class Seq2SeqInputError(ValueError):
    """An input the reversal models cannot take; the message says why, in one sentence."""


def encode_letters(text: str) -> list[int]:
    """Lower-case letters a–z → ids (EOS appended); anything else is refused with a reason."""
    text = text.strip().lower()
    if not text:
        raise Seq2SeqInputError(_("Type a word first: the input is empty."))
    bad = sorted({c for c in text if c not in LETTERS})
    if bad:
        shown = ", ".join(repr(c) for c in bad[:5])
        raise Seq2SeqInputError(_("Only the letters a–z can be reversed here; remove {shown}.").format(shown=shown))
    if len(text) > MAX_LEN:
        raise Seq2SeqInputError(_("At most {cap} letters (the models were trained up to that length); this has "
                                  "{n}.").format(cap=MAX_LEN, n=len(text)))
    return [LETTERS.index(c) + 3 for c in text] + [EOS]


def decode_letters(ids: list[int]) -> str:
    return "".join(VOCAB[i] for i in ids if i > EOS)


def random_batch(batch: int, gen: torch.Generator, min_len: int = 1, max_len: int = MAX_LEN,
                 length: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Random strings (B, max_len + 1), padded, EOS-terminated, and their reversals as targets."""
    lengths = (torch.full((batch,), length) if length is not None
               else torch.randint(min_len, max_len + 1, (batch,), generator=gen))
    width = int(lengths.max()) + 1
    src = torch.full((batch, width), PAD)
    tgt = torch.full((batch, width), PAD)
    for b, n in enumerate(lengths.tolist()):
        letters = torch.randint(3, 3 + len(LETTERS), (n,), generator=gen)
        src[b, :n], src[b, n] = letters, EOS
        tgt[b, :n], tgt[b, n] = letters.flip(0), EOS
    return src, tgt


@dataclass(frozen=True)
class Decoded:
    """Greedy output ids (EOS included when reached) and the attention used at each output step.

    `attention` is (output steps, input steps) for the GRU models; (heads, output steps, input steps)
    of the decoder's cross-attention for the Transformer, which also fills `encoder_attention`
    (heads, input steps, input steps). The no-attention model returns None.
    """

    ids: list[int]
    attention: torch.Tensor | None
    encoder_attention: torch.Tensor | None = None


class Seq2Seq(nn.Module):
    """GRU encoder–decoder, with (Bahdanau) or without attention."""

    def __init__(self, attention: bool = True, embed: int = 32, hidden: int = 64) -> None:
        super().__init__()
        self.use_attention = attention
        self.hidden = hidden
        self.embed = nn.Embedding(len(VOCAB), embed, padding_idx=PAD)
        self.encoder = nn.GRU(embed, hidden, batch_first=True, bidirectional=True)
        self.init = nn.Linear(2 * hidden, 2 * hidden)
        self.decoder = nn.GRUCell(embed + 2 * hidden, 2 * hidden)
        if attention:
            self.w_query = nn.Linear(2 * hidden, hidden, bias=False)
            self.w_key = nn.Linear(2 * hidden, hidden)
            self.v = nn.Linear(hidden, 1, bias=False)
        self.out = nn.Linear(4 * hidden + embed, len(VOCAB))

    def encode(self, src: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Encoder states (B, T, 2h), the summary (B, 2h) that starts the decoder, and the padding mask (B, T)."""
        mask = src != PAD
        lengths = mask.sum(1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(self.embed(src), lengths, batch_first=True, enforce_sorted=False)
        out, last = self.encoder(packed)
        states, _lengths = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        summary = torch.tanh(self.init(torch.cat([last[0], last[1]], dim=1)))
        return states, summary, mask

    def attend(self, s: torch.Tensor, states: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor]:
        """Additive attention: e_j = vᵀ tanh(W s + U h_j), α = softmax over the real input steps."""
        scores = self.v(torch.tanh(self.w_query(s).unsqueeze(1) + keys)).squeeze(-1)
        weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=1)
        return torch.bmm(weights.unsqueeze(1), states).squeeze(1), weights

    def step(self, token: torch.Tensor, s: torch.Tensor, summary: torch.Tensor, states: torch.Tensor,
             keys: torch.Tensor | None, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """One decoder step: logits (B, V), new state, attention weights (B, T) or None."""
        e = self.embed(token)
        if self.use_attention:
            context, weights = self.attend(s, states, keys, mask)
        else:
            context, weights = summary, None
        s = self.decoder(torch.cat([e, context], dim=1), s)
        return self.out(torch.cat([s, context, e], dim=1)), s, weights

    def forward(self, src: torch.Tensor, tgt: torch.Tensor) -> torch.Tensor:
        """Teacher-forced logits (B, T_out, V) for targets `tgt` (B, T_out)."""
        states, summary, mask = self.encode(src)
        keys = self.w_key(states) if self.use_attention else None
        s = summary
        token = torch.full((src.shape[0],), SOS, device=src.device)
        logits = []
        for t in range(tgt.shape[1]):
            out, s, _weights = self.step(token, s, summary, states, keys, mask)
            logits.append(out)
            token = tgt[:, t]
        return torch.stack(logits, 1)

    @torch.no_grad()
    def decode(self, src: torch.Tensor, max_steps: int = MAX_LEN + 1) -> Decoded:
        """Greedy decoding of one input (1, T) until EOS."""
        states, summary, mask = self.encode(src)
        keys = self.w_key(states) if self.use_attention else None
        s, token = summary, torch.full((1,), SOS, device=src.device)
        ids, rows = [], []
        for _step in range(max_steps):
            out, s, weights = self.step(token, s, summary, states, keys, mask)
            token = out.argmax(1)
            ids.append(int(token))
            if weights is not None:
                rows.append(weights[0])
            if ids[-1] == EOS:
                break
        return Decoded(ids, torch.stack(rows) if rows else None)

    @torch.no_grad()
    def greedy_batch(self, src: torch.Tensor, steps: int) -> torch.Tensor:
        """Greedy outputs (B, steps) for a batch: what exact-match accuracy is measured on."""
        states, summary, mask = self.encode(src)
        keys = self.w_key(states) if self.use_attention else None
        s, token = summary, torch.full((src.shape[0],), SOS, device=src.device)
        out_ids = []
        for _step in range(steps):
            out, s, _weights = self.step(token, s, summary, states, keys, mask)
            token = out.argmax(1)
            out_ids.append(token)
        return torch.stack(out_ids, 1)


class _Block(nn.Module):
    """Attention (self or cross) + feed-forward, post-norm, returning the attention weights per head."""

    def __init__(self, width: int, heads: int, ff: int, cross: bool) -> None:
        super().__init__()
        self.self_attention = nn.MultiheadAttention(width, heads, batch_first=True)
        self.cross_attention = nn.MultiheadAttention(width, heads, batch_first=True) if cross else None
        self.norms = nn.ModuleList(nn.LayerNorm(width) for _step in range(3 if cross else 2))
        self.ff = nn.Sequential(nn.Linear(width, ff), nn.ReLU(), nn.Linear(ff, width))

    def forward(self, x: torch.Tensor, pad: torch.Tensor, memory: torch.Tensor | None = None,
                memory_pad: torch.Tensor | None = None, causal: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        a, weights = self.self_attention(x, x, x, key_padding_mask=pad, attn_mask=causal,
                                         need_weights=True, average_attn_weights=False)
        x = self.norms[0](x + a)
        if self.cross_attention is not None:
            a, weights = self.cross_attention(x, memory, memory, key_padding_mask=memory_pad,
                                              need_weights=True, average_attn_weights=False)
            x = self.norms[1](x + a)
        return self.norms[-1](x + self.ff(x)), weights


class TinySeq2SeqTransformer(nn.Module):
    """One encoder block, one decoder block, learned positions; the attention weights come back as values."""

    def __init__(self, width: int = 64, heads: int = 4, ff: int = 128) -> None:
        super().__init__()
        self.heads = heads
        self.embed = nn.Embedding(len(VOCAB), width, padding_idx=PAD)
        self.position = nn.Embedding(MAX_LEN + 2, width)
        self.encoder = _Block(width, heads, ff, cross=False)
        self.decoder = _Block(width, heads, ff, cross=True)
        self.out = nn.Linear(width, len(VOCAB))

    def _embed(self, ids: torch.Tensor) -> torch.Tensor:
        return self.embed(ids) + self.position(torch.arange(ids.shape[1], device=ids.device))

    def run(self, src: torch.Tensor, dec_in: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Logits (B, T_out, V), encoder self-attention (B, heads, T, T), cross-attention (B, heads, T_out, T)."""
        src_pad = src == PAD
        memory, enc_weights = self.encoder(self._embed(src), src_pad)
        n = dec_in.shape[1]
        causal = torch.triu(torch.ones(n, n, dtype=torch.bool, device=src.device), diagonal=1)
        h, cross = self.decoder(self._embed(dec_in), dec_in == PAD, memory, src_pad, causal)
        return self.out(h), enc_weights, cross

    def forward(self, src: torch.Tensor, tgt: torch.Tensor) -> torch.Tensor:
        sos = torch.full((tgt.shape[0], 1), SOS, device=tgt.device)
        return self.run(src, torch.cat([sos, tgt[:, :-1]], 1))[0]

    @torch.no_grad()
    def decode(self, src: torch.Tensor, max_steps: int = MAX_LEN + 1) -> Decoded:
        dec_in = torch.full((1, 1), SOS, device=src.device)
        for _step in range(max_steps):
            logits, enc_weights, cross = self.run(src, dec_in)
            token = logits[:, -1].argmax(-1, keepdim=True)
            dec_in = torch.cat([dec_in, token], 1)
            if int(token) == EOS:
                break
        return Decoded([int(i) for i in dec_in[0, 1:]], cross[0], enc_weights[0])

    @torch.no_grad()
    def greedy_batch(self, src: torch.Tensor, steps: int) -> torch.Tensor:
        dec_in = torch.full((src.shape[0], 1), SOS, device=src.device)
        for _step in range(steps):
            logits = self.run(src, dec_in)[0]
            dec_in = torch.cat([dec_in, logits[:, -1].argmax(-1, keepdim=True)], 1)
        return dec_in[:, 1:]


def exact_match(model: nn.Module, src: torch.Tensor, tgt: torch.Tensor) -> float:
    """Fraction of inputs whose greedy output equals the target up to and including EOS."""
    model.eval()
    out = model.greedy_batch(src, tgt.shape[1])
    real = tgt != PAD
    return float(((out == tgt) | ~real).all(1).float().mean())
