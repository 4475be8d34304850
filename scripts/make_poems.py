"""Write assets/corpus/tang300.txt: the Tang poems (唐诗三百首) of Debian's `fortunes-zh` package, cleaned.

    python -m scripts.make_poems                  # runs `apt-get download fortunes-zh` in a temporary folder
    python -m scripts.make_poems PACKAGE.deb      # a package downloaded before
    python -m scripts.make_poems path/to/tang300  # the fortune file itself

The fortune file is UTF-8 with ANSI colour escapes around each title and author and `%` between poems.
Cleaning removes the escapes and the blank lines, strips every line, and keeps each poem as title 《…》,
author 作者：…, and its lines; nothing inside a line is changed. The package's copyright file goes beside it.
"""
from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from core.data.poems import AUTHOR_PREFIX, CORPUS, Poem, parse_poems, render_poems

FORTUNE = Path("usr/share/games/fortunes/tang300")
COPYRIGHT = Path("usr/share/doc/fortunes-zh/copyright")
LICENCE = CORPUS.parent / "LICENSE-fortunes-zh.txt"
_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def clean_tang300(raw: str) -> str:
    """The fortune file's text → the bundled corpus's text (deterministic: the same input, the same bytes)."""
    poems = []
    for block in raw.split("\n%\n"):
        lines = [line.strip() for line in _ESCAPE.sub("", block).split("\n")]
        lines = [line for line in lines if line and line != "%"]
        if not lines:
            continue
        title, author, *body = lines
        if not (title.startswith("《") and title.endswith("》") and author.startswith(AUTHOR_PREFIX) and body):
            raise ValueError(f"unexpected poem layout: {title!r} / {author!r}")
        poems.append(Poem(title[1:-1], author[len(AUTHOR_PREFIX):], tuple(body)))
    return render_poems(tuple(poems))


def _unpack(source: Path, into: Path) -> Path:
    """The folder a package `source` unpacks to (dpkg-deb -x)."""
    subprocess.run(["dpkg-deb", "-x", str(source), str(into)], check=True)
    return into


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    with tempfile.TemporaryDirectory() as tmp:
        if not args:
            subprocess.run(["apt-get", "download", "fortunes-zh"], cwd=tmp, check=True)
            args = [str(next(Path(tmp).glob("fortunes-zh_*.deb")))]
        source = Path(args[0])
        origin = f"{source.name} (sha256 {hashlib.sha256(source.read_bytes()).hexdigest()})"
        if source.suffix == ".deb":
            root = _unpack(source, Path(tmp) / "x")
            fortune, copyright_file = root / FORTUNE, root / COPYRIGHT
        else:
            fortune, copyright_file = source, None
        raw = fortune.read_text(encoding="utf-8")
        text = clean_tang300(raw)
        CORPUS.write_text(text, encoding="utf-8")
        if copyright_file is not None:
            LICENCE.write_text(copyright_file.read_text(encoding="utf-8"), encoding="utf-8")
    print(f"wrote {CORPUS} ({len(parse_poems(text))} poems, {len(text):,} characters) from {origin}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
