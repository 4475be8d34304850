"""The Tang poems (唐诗三百首) as a character corpus: poems, their seeded held-out split, the vocabulary, the
unigram baseline, and the per-character patterns a unit of a poem model might follow.

The bundled text (`assets/corpus/tang300.txt`, written by `python -m scripts.make_poems` from Debian's
`fortunes-zh`) holds each poem as a title line 《…》, an author line 作者：…, its lines, and a blank line.
The models read the poems' bodies only: one line per couplet, each poem followed by a blank line.
Poems, not characters, are held out, so no held-out line was ever seen in training.
"""
from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.data.text import UNKNOWN
from core.i18n import N_

CORPUS = Path(__file__).resolve().parent.parent.parent / "assets" / "corpus" / "tang300.txt"
AUTHOR_PREFIX = "作者："
HELD_OUT = 0.1  # the share of poems held out
SPLIT_SEED = 0
MIN_COUNT = 2  # a character seen fewer times in the training poems is unknown
LINE_ENDS = "，。？！；："  # punctuation that ends a line of verse
COUPLET_ENDS = "。？！；"  # punctuation that ends a couplet: the rhyme falls on the character before it


@dataclass(frozen=True)
class Poem:
    """One poem: title (without 《》), author, and its lines as printed."""

    title: str
    author: str
    lines: tuple[str, ...]

    @property
    def body(self) -> str:
        """The lines, each ended by a newline: what the models read."""
        return "".join(f"{line}\n" for line in self.lines)

    def render(self) -> str:
        """The poem as the bundled corpus writes it."""
        return f"《{self.title}》\n{AUTHOR_PREFIX}{self.author}\n{self.body}"


def parse_poems(text: str) -> tuple[Poem, ...]:
    """The poems of a corpus in the bundled format (blocks separated by blank lines)."""
    poems = []
    for block in text.strip("\n").split("\n\n"):
        title, author, *lines = block.split("\n")
        if not (title.startswith("《") and title.endswith("》") and author.startswith(AUTHOR_PREFIX) and lines):
            raise ValueError(f"not a poem block: {block[:40]!r}")
        poems.append(Poem(title[1:-1], author[len(AUTHOR_PREFIX):], tuple(lines)))
    return tuple(poems)


def render_poems(poems: tuple[Poem, ...]) -> str:
    """The bundled corpus's text for `poems`: each rendered, a blank line between them."""
    return "\n".join(poem.render() for poem in poems)


@functools.cache
def load_poems() -> tuple[Poem, ...]:
    """The bundled poems, in the order of the source file."""
    return parse_poems(CORPUS.read_text(encoding="utf-8"))


@functools.cache
def poem_split(seed: int = SPLIT_SEED, held_out: float = HELD_OUT) -> tuple[tuple[Poem, ...], tuple[Poem, ...]]:
    """(training poems, held-out poems): a seeded permutation of whole poems, `held_out` of them set aside."""
    poems = load_poems()
    order = np.random.default_rng(seed).permutation(len(poems))
    n_held = max(1, round(len(poems) * held_out))
    held = sorted(order[:n_held].tolist())
    train = sorted(order[n_held:].tolist())
    return tuple(poems[i] for i in train), tuple(poems[i] for i in held)


def bodies(poems: tuple[Poem, ...]) -> str:
    """The text a model reads: every poem's body, a blank line after each."""
    return "".join(poem.body + "\n" for poem in poems)


@functools.cache
def poem_vocab() -> tuple[str, ...]:
    """Newline and every character seen at least MIN_COUNT times in the training poems, commonest first (ties by
    code point), then the unknown symbol: the vocabulary of the poem models."""
    counts = Counter(bodies(poem_split()[0]))
    counts.pop("\n", None)
    kept = sorted((ch for ch, n in counts.items() if n >= MIN_COUNT), key=lambda ch: (-counts[ch], ch))
    return ("\n", *kept, UNKNOWN)


def unigram_probs(ids: np.ndarray, vocab_size: int) -> np.ndarray:
    """(V,) each symbol's share of the known ids (the last id, unknown, gets none): the unigram baseline."""
    counts = np.bincount(ids[ids != vocab_size - 1], minlength=vocab_size).astype(np.float64)
    return counts / counts.sum()


def unigram_bits(ids: np.ndarray, probs: np.ndarray, known: np.ndarray) -> np.ndarray:
    """−log2 p(next character) under the unigram `probs` at each position t < T−1, NaN where the character read
    or the one to predict is unknown: the same positions a model is scored at
    (`core.probes.recurrent.surprisal_bits`)."""
    if len(ids) < 2:
        return np.zeros(0)
    bits = -np.log2(np.clip(probs[ids[1:]], 1e-12, 1.0))
    return np.where(known[:-1] & known[1:], bits, np.nan)


POEM_EXAMPLES: dict[str, str] = {
    N_("登鹳雀楼, held out: five characters a line"): "白日依山尽，黄河入海流。\n欲穷千里目，更上一层楼。\n",
    N_("登高, held out: seven characters a line"):
        "风急天高猿啸哀，渚清沙白鸟飞回。\n无边落木萧萧下，不尽长江滚滚来。\n"
        "万里悲秋常作客，百年多病独登台。\n艰难苦恨繁霜鬓，潦倒新停浊酒杯。\n",
    N_("夜雨寄北, held out"): "君问归期未有期，巴山夜雨涨秋池。\n何当共剪西窗烛，却话巴山夜雨时。\n",
    N_("静夜思 (床前明月光), a training poem"): "床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n",
    N_("English inside a poem"): "床前明月光，the moonlight on my bed。\n疑是地上霜。\n",
}
"""The examples the recurrent pages offer a poem model: label (language-free key, shown through `_`) → text."""


def is_hanzi(ch: str) -> bool:
    """A CJK ideograph (the unified block and its extension A)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


POEM_RULES: tuple[str, ...] = (N_("position in the line"), N_("characters left in the line"),
                               N_("line-ending punctuation"), N_("second line of a couplet"), N_("rhyme position"),
                               N_("newline"))
"""The poem patterns in the order the pages list them: language-free keys, shown through `_`."""


def poem_signals(text: str) -> dict[str, np.ndarray]:
    """Per-character patterns of verse, (T,) floats each, for the pattern search:

    * position in the line: 1, 2, … on the characters of a line of verse (五言 count to 5, 七言 to 7), 0 elsewhere;
    * characters left in the line: how many characters of the line come after this one (0 on its last), 0 elsewhere;
    * line-ending punctuation: 1 on ，。？！；：;
    * second line of a couplet: 1 on the characters of a line that ends with 。？！；;
    * rhyme position: 1 on the last character of a couplet, just before 。？！； (where the rhyme falls);
    * newline: 1 on the line breaks.
    """
    n = len(text)
    position, left, ends, second, rhyme = (np.zeros(n) for _ in range(5))
    newline = np.array([ch == "\n" for ch in text], dtype=np.float64)
    start = 0
    for t, ch in enumerate([*text, "\n"]):
        if is_hanzi(ch):
            continue
        line = range(start, t)  # the characters of verse just before this mark
        if len(line):
            position[line.start:line.stop] = np.arange(1, len(line) + 1)
            left[line.start:line.stop] = np.arange(len(line) - 1, -1, -1)
            if ch in COUPLET_ENDS:
                second[line.start:line.stop] = 1.0
                rhyme[t - 1] = 1.0
        if t < n:
            ends[t] = float(ch in LINE_ENDS)
        start = t + 1
    return dict(zip(POEM_RULES, (position, left, ends, second, rhyme, newline)))
