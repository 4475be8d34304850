"""Characters to token ids and back, and the bundled text corpus.

The vocabulary is fixed (newline and printable ASCII, plus one unknown symbol), not learned from
the corpus, so anything a user types — emoji, other scripts, NUL bytes — maps somewhere and is
shown as the unknown symbol.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

CORPUS = Path(__file__).resolve().parent.parent.parent / "assets" / "corpus" / "python_stdlib.txt"
UNKNOWN = "⍰"
ALPHABET = "\n" + "".join(chr(c) for c in range(32, 127))
VOCAB: tuple[str, ...] = (*ALPHABET, UNKNOWN)
UNK_ID = len(VOCAB) - 1
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
MAX_CHARS = 1000


class TextInputError(ValueError):
    """A typed sequence that cannot be used; the message is for the user."""


@dataclass(frozen=True)
class EncodedText:
    """Token ids (T,), the characters as shown (unknowns as ⍰, newline as ↵), and what was changed."""

    ids: np.ndarray
    shown: tuple[str, ...]
    unknown: int
    truncated_from: int | None

    @property
    def notes(self) -> list[str]:
        """Sentences telling the user what was done to their text."""
        notes = []
        if self.truncated_from is not None:
            notes.append(f"The text had {self.truncated_from:,} characters; only the first {len(self.ids):,} are used.")
        if self.unknown:
            notes.append(
                f"{self.unknown} character{'s' if self.unknown > 1 else ''} outside the model's vocabulary "
                f"(newline and printable ASCII) {'are' if self.unknown > 1 else 'is'} shown as {UNKNOWN}."
            )
        return notes


def encode(text: str, vocab: tuple[str, ...] = VOCAB, limit: int = MAX_CHARS) -> EncodedText:
    """Map `text` to ids of `vocab` (whose last symbol is the unknown one); raise TextInputError if empty."""
    if not isinstance(text, str):
        raise TextInputError("The input must be text.")
    text = text.replace("\r\n", "\n").replace("\t", "    ")
    if not text:
        raise TextInputError("Type or paste some text first: the sequence is empty.")
    truncated = None
    if len(text) > limit:
        truncated, text = len(text), text[:limit]
    index = _INDEX if vocab is VOCAB else {ch: i for i, ch in enumerate(vocab[:-1])}
    unk = len(vocab) - 1
    ids = np.fromiter((index.get(ch, unk) for ch in text), dtype=np.int64, count=len(text))
    shown = tuple("↵" if ch == "\n" else (ch if i != unk else UNKNOWN) for ch, i in zip(text, ids))
    return EncodedText(ids=ids, shown=shown, unknown=int((ids == unk).sum()), truncated_from=truncated)


def load_corpus() -> str:
    """The bundled corpus: source of CPython standard-library modules (see assets/corpus/)."""
    return CORPUS.read_text(encoding="utf-8")


def corpus_split(held_out: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Token ids of the corpus: the first 90% to train on, the last 10% (other modules) held out."""
    ids = encode(load_corpus(), limit=10**9).ids
    cut = int(len(ids) * (1 - held_out))
    return ids[:cut], ids[cut:]
