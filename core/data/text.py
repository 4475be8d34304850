"""Characters to token ids and back, and the bundled text corpus.

The vocabulary is fixed (newline and printable ASCII, plus one unknown symbol), not learned from
the corpus, so anything a user types — emoji, other scripts, NUL bytes — maps somewhere and is
shown as the unknown symbol. A model never saw that symbol in training: steps that read or must
predict it are left out of every score (`EncodedText.known`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.i18n import _

CORPUS = Path(__file__).resolve().parent.parent.parent / "assets" / "corpus" / "python_stdlib.txt"
UNKNOWN = "⍰"
ALPHABET = "\n" + "".join(chr(c) for c in range(32, 127))
VOCAB: tuple[str, ...] = (*ALPHABET, UNKNOWN)
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
MAX_CHARS = 1000


MANY_SYMBOLS = 100  # a vocabulary larger than this is counted, not listed
_SYMBOL_NAMES = {" ": "space", "\n": "newline", "\t": "tab"}


class TextInputError(ValueError):
    """A typed sequence that cannot be used; the message is for the user."""


def vocabulary_description(vocab: tuple[str, ...]) -> str:
    """The symbols of `vocab` (its last one, the unknown symbol, left out) in words: '( ) a b and space'."""
    known = vocab[:-1]
    if set(known) == set(ALPHABET):
        return "newline and printable ASCII: letters, digits, space and punctuation"
    if len(known) > MANY_SYMBOLS:
        return _("the {n:,} symbols it learned from its training text").format(n=len(known))
    plain = [ch for ch in known if ch not in _SYMBOL_NAMES]
    named = [_SYMBOL_NAMES[ch] for ch in known if ch in _SYMBOL_NAMES]
    words = [" ".join(plain)] if plain else []
    words += named
    return " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 2 else words)


@dataclass(frozen=True)
class EncodedText:
    """Token ids (T,), the characters as shown (unknowns as ⍰, newline as ↵), and what was changed.

    `unk_id` is the id of the unknown symbol; `vocabulary` names the model's symbols in words.
    """

    ids: np.ndarray
    shown: tuple[str, ...]
    unknown: int
    truncated_from: int | None
    unk_id: int
    vocabulary: str

    @property
    def known(self) -> np.ndarray:
        """(T,) bool: True where the character is in the model's vocabulary."""
        return self.ids != self.unk_id

    @property
    def notes(self) -> list[str]:
        """Sentences telling the user what was done to their text."""
        notes = []
        if self.truncated_from is not None:
            notes.append(f"The text had {self.truncated_from:,} characters; only the first {len(self.ids):,} are used.")
        if self.unknown:
            notes.append(
                f"{self.unknown:,} of {len(self.ids):,} characters {'are' if self.unknown > 1 else 'is'} outside the "
                f"model's vocabulary ({self.vocabulary}): shown as {UNKNOWN} and left out of every score."
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
    return EncodedText(ids=ids, shown=shown, unknown=int((ids == unk).sum()), truncated_from=truncated, unk_id=unk,
                       vocabulary=vocabulary_description(vocab))


def load_corpus() -> str:
    """The bundled corpus: source of CPython standard-library modules (see assets/corpus/)."""
    return CORPUS.read_text(encoding="utf-8")


def corpus_split(held_out: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Token ids of the corpus: the first 90% to train on, the last 10% (other modules) held out."""
    ids = encode(load_corpus(), limit=10**9).ids
    cut = int(len(ids) * (1 - held_out))
    return ids[:cut], ids[cut:]
