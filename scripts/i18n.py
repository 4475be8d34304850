"""Extract every translatable string with Babel and bring the catalogues up to date.

    python -m scripts.i18n           write locale/explorer.pot and update every language's .po from it
    python -m scripts.i18n --check   exit 1 when the template is out of date or a message lacks a translation

Strings are found where the code calls `_`, `N_` or `ngettext` (core.i18n). Locations are left out of the
files, so moving code does not churn them; messages keep the order in which the code first uses them, so
each page's strings stay together in the catalogue.
"""
from __future__ import annotations

import argparse
import io
import re
import sys
import unicodedata
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from core.glossary import terms
from core.i18n import DEFAULT_LANGUAGE, LANGUAGES, LOCALE_DIR, po_path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = LOCALE_DIR / "explorer.pot"
SOURCES = [(pattern, "python") for pattern in ("app.py", "app_pages/**.py", "ui/**.py", "core/**.py")]  # what a user reads
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def extract() -> Catalog:
    """A template catalogue of every message id in the app's code."""
    template = Catalog(project="CNN & RNN Explorer", version="1", copyright_holder="the CNN & RNN Explorer authors",
                       msgid_bugs_address="the project's issue tracker", fuzzy=False)
    for _filename, _lineno, message, comments, _context in extract_from_dir(
            str(ROOT), method_map=SOURCES, keywords=KEYWORDS, comment_tags=("i18n:",), strip_comment_tags=True):
        template.add(message, auto_comments=comments)
    return template


def render(catalogue: Catalog) -> str:
    """`catalogue` as .po text, without locations or the creation date (so an unchanged extraction is equal)."""
    catalogue.creation_date = catalogue.revision_date = None
    out = io.BytesIO()
    write_po(out, catalogue, omit_header=False, no_location=True, width=120)
    return "\n".join(line for line in out.getvalue().decode().splitlines()
                     if not line.startswith(('"POT-Creation-Date', '"PO-Revision-Date', '"Generated-By'))) + "\n"


def updated(language: str, template: Catalog) -> Catalog:
    """`language`'s catalogue with every id of `template`: translations kept, new ids empty, gone ids dropped."""
    path = po_path(language)
    catalogue = read_po(path.open("rb"), locale=language) if path.exists() else Catalog(locale=language)
    catalogue.update(template, no_fuzzy_matching=True)
    catalogue.obsolete.clear()
    return catalogue


def _punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def broken_emphasis(text: str) -> bool:
    """Whether a `**bold**` in `text` will not render in Markdown: CommonMark opens `**` only where it is not
    followed by a space nor, after a letter, by punctuation, and closes it by the mirror rule, so Chinese text such as
    `**要点：**每` (the closing `**` between "：" and a letter) shows its asterisks."""
    runs = [match.start() for match in re.finditer(r"\*\*", text)]
    for index, at in enumerate(runs):
        before = text[at - 1] if at > 0 else " "
        after = text[at + 2] if at + 2 < len(text) else " "
        if index % 2 == 0:  # opens: left-flanking
            flanking = not after.isspace() and (not _punctuation(after) or before.isspace() or _punctuation(before))
        else:  # closes: right-flanking
            flanking = not before.isspace() and (not _punctuation(before) or after.isspace() or _punctuation(after))
        if not flanking:
            return True
    return False


def problems(language: str) -> list[str]:
    """What is wrong with `language`'s catalogue: messages without a translation, sentences left in English,
    and translations whose {placeholders} differ from the English."""
    found = []
    catalogue = read_po(po_path(language).open("rb"), locale=language)
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            found.append(f"no translation: {ids[0]!r}")
            continue
        if message.fuzzy:
            found.append(f"fuzzy: {ids[0]!r}")
        if any(broken_emphasis(string) for string in strings) and not broken_emphasis(ids[0]):
            found.append(f"bold that Markdown will not render (move the punctuation outside the **): {ids[0]!r}")
        if len(ids[0].split()) > 2 and strings[0].strip() == ids[0].strip():
            found.append(f"left in English: {ids[0]!r}")
        if language == "zh":
            found += [f"glossary: {ids[0]!r} uses {term.en!r} but its translation lacks {term.zh!r}"
                      for term in terms() if term.check and term.used_in(ids[0]) and term.zh not in strings[0]]
        for string in strings:
            if sorted(PLACEHOLDER.findall(string)) != sorted(PLACEHOLDER.findall(ids[-1])) and \
                    sorted(PLACEHOLDER.findall(string)) != sorted(PLACEHOLDER.findall(ids[0])):
                found.append(f"placeholders differ: {ids[0]!r}")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; change nothing")
    args = parser.parse_args()
    template = extract()
    stale = []
    if not TEMPLATE.exists() or TEMPLATE.read_text() != render(template):
        stale.append(str(TEMPLATE.relative_to(ROOT)))
        if not args.check:
            TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
            TEMPLATE.write_text(render(template))
    for language in LANGUAGES:
        if language == DEFAULT_LANGUAGE:
            continue
        text = render(updated(language, template))
        path = po_path(language)
        if not path.exists() or path.read_text() != text:
            stale.append(str(path.relative_to(ROOT)))
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    bad = [f"{language}: {problem}" for language in LANGUAGES if language != DEFAULT_LANGUAGE
           for problem in problems(language)] if not stale or not args.check else []
    for path in stale:
        print(f"{'out of date' if args.check else 'updated'}: {path}")
    for problem in bad:
        print(problem)
    return 1 if args.check and (stale or bad) else 0


if __name__ == "__main__":
    sys.exit(main())
