"""Write assets/corpus/python_stdlib.txt: source of a few CPython standard-library modules (PSF License).

    python scripts/make_corpus.py

Code has quotes, brackets and indentation, which make interpretable units appear in character
models (Karpathy, Johnson & Fei-Fei 2015). Tabs become four spaces; every other character outside
the vocabulary is left for the encoder to map to the unknown symbol.
"""
from __future__ import annotations

import shutil
import sys
import sysconfig
from pathlib import Path

MODULES = [
    "textwrap.py", "shlex.py", "csv.py", "heapq.py", "bisect.py", "fnmatch.py", "glob.py", "colorsys.py",
    "json/__init__.py", "json/decoder.py", "json/encoder.py", "string.py", "keyword.py", "difflib.py",
    "dataclasses.py", "argparse.py", "calendar.py", "gettext.py",
]
OUT = Path(__file__).resolve().parent.parent / "assets" / "corpus"


def main() -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    version = ".".join(map(str, sys.version_info[:3]))
    OUT.mkdir(parents=True, exist_ok=True)
    parts = []
    for name in MODULES:
        text = (stdlib / name).read_text(encoding="utf-8").replace("\t", "    ")
        parts.append(f"# ==== Lib/{name} (CPython {version}) ====\n{text}")
    (OUT / "python_stdlib.txt").write_text("\n".join(parts), encoding="utf-8")
    shutil.copy(stdlib / "LICENSE.txt", OUT / "LICENSE-PSF.txt")
    print(f"wrote {sum(len(p) for p in parts):,} characters from {len(MODULES)} modules")


if __name__ == "__main__":
    main()
