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

from core.i18n import N_, _, ngettext

CORPUS = Path(__file__).resolve().parent.parent.parent / "assets" / "corpus" / "python_stdlib.txt"
UNKNOWN = "⍰"
ALPHABET = "\n" + "".join(chr(c) for c in range(32, 127))
VOCAB: tuple[str, ...] = (*ALPHABET, UNKNOWN)
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
MAX_CHARS = 1000


MANY_SYMBOLS = 100  # a vocabulary larger than this is counted, not listed
_SYMBOL_NAMES = {" ": N_("space"), "\n": N_("newline"), "\t": N_("tab")}


class TextInputError(ValueError):
    """A typed sequence that cannot be used; the message is for the user."""


def vocabulary_description(vocab: tuple[str, ...]) -> str:
    """The symbols of `vocab` (its last one, the unknown symbol, left out) in words, in the run's language:
    '( ) a b and space'."""
    known = vocab[:-1]
    if set(known) == set(ALPHABET):
        return _("newline and printable ASCII: letters, digits, space and punctuation")
    if len(known) > MANY_SYMBOLS:
        return _("the {n:,} symbols it learned from its training text").format(n=len(known))
    plain = [ch for ch in known if ch not in _SYMBOL_NAMES]
    named = [_(_SYMBOL_NAMES[ch]) for ch in known if ch in _SYMBOL_NAMES]
    words = ([" ".join(plain)] if plain else []) + named
    if len(words) < 2:
        return "".join(words)
    return _("{first} and {last}").format(first=_(", ").join(words[:-1]), last=words[-1])


@dataclass(frozen=True)
class EncodedText:
    """Token ids (T,), the characters as shown (unknowns as ⍰, newline as ↵), and what was changed.

    `unk_id` is the id of the unknown symbol; `vocab` the model's symbols. Its sentences are made when read, in
    the reader's language: an encoded text is shared by every session (ui.sequences).
    """

    ids: np.ndarray
    shown: tuple[str, ...]
    unknown: int
    truncated_from: int | None
    unk_id: int
    vocab: tuple[str, ...]

    @property
    def vocabulary(self) -> str:
        """The model's symbols in words (see `vocabulary_description`)."""
        return vocabulary_description(self.vocab)

    @property
    def known(self) -> np.ndarray:
        """(T,) bool: True where the character is in the model's vocabulary."""
        return self.ids != self.unk_id

    @property
    def notes(self) -> list[str]:
        """Sentences telling the user what was done to their text."""
        notes = []
        if self.truncated_from is not None:
            notes.append(_("The text had {total:,} characters; only the first {used:,} are used.")
                         .format(total=self.truncated_from, used=len(self.ids)))
        if self.unknown:
            notes.append(ngettext(
                "{unknown:,} of {total:,} characters is outside the model's vocabulary ({vocabulary}): shown as "
                "{symbol} and left out of every score.",
                "{unknown:,} of {total:,} characters are outside the model's vocabulary ({vocabulary}): shown as "
                "{symbol} and left out of every score.", self.unknown,
            ).format(unknown=self.unknown, total=len(self.ids), vocabulary=self.vocabulary, symbol=UNKNOWN))
        return notes


def encode(text: str, vocab: tuple[str, ...] = VOCAB, limit: int = MAX_CHARS) -> EncodedText:
    """Map `text` to ids of `vocab` (whose last symbol is the unknown one); raise TextInputError if empty."""
    if not isinstance(text, str):
        raise TextInputError(_("The input must be text."))
    text = text.replace("\r\n", "\n").replace("\t", "    ")
    if not text:
        raise TextInputError(_("Type or paste some text first: the sequence is empty."))
    truncated = None
    if len(text) > limit:
        truncated, text = len(text), text[:limit]
    index = _INDEX if vocab is VOCAB else {ch: i for i, ch in enumerate(vocab[:-1])}
    unk = len(vocab) - 1
    ids = np.fromiter((index.get(ch, unk) for ch in text), dtype=np.int64, count=len(text))
    shown = tuple("↵" if ch == "\n" else (ch if i != unk else UNKNOWN) for ch, i in zip(text, ids))
    return EncodedText(ids=ids, shown=shown, unknown=int((ids == unk).sum()), truncated_from=truncated, unk_id=unk,
                       vocab=tuple(vocab))


def load_corpus() -> str:
    """The bundled corpus: source of CPython standard-library modules (see assets/corpus/)."""
    return CORPUS.read_text(encoding="utf-8")


def corpus_split(held_out: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Token ids of the corpus: the first 90% to train on, the last 10% (other modules) held out."""
    ids = encode(load_corpus(), limit=10**9).ids
    cut = int(len(ids) * (1 - held_out))
    return ids[:cut], ids[cut:]
