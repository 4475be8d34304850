"""The app's two languages: gettext catalogues, compiled from the `.po` files in `locale/` when first used.

Every string a user reads goes through `_` (or `ngettext` when it names a count); strings defined at import
time (catalogue titles, claims, captions in tables) are marked with `N_` and translated where they are shown.
English is the source language: its text is the message id, so an English run needs no catalogue. The
language is chosen once per script run (`set_language`, from the sidebar's switch) and held per thread:
Streamlit runs each session's script on a thread of its own, so two sessions never see each other's choice.

`python -m scripts.i18n` extracts the message ids with Babel and updates the catalogues; a test runs the
same extraction and fails when a catalogue is out of date or a message has no translation.
"""
from __future__ import annotations

import gettext
import io
import threading
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "explorer"
LANGUAGES: dict[str, str] = {"en": "English", "zh": "中文"}  # code → the language's own name
DEFAULT_LANGUAGE = "en"

_current = threading.local()


def po_path(language: str) -> Path:
    """Where the catalogue of `language` lives in the repository."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _translations(language: str) -> gettext.NullTranslations:
    """`language`'s catalogue, compiled in memory from its `.po` (no compiled `.mo` is kept in the repo)."""
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    with po_path(language).open("rb") as po:
        catalogue = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def language_of(code: str | None) -> str | None:
    """The supported language a code such as "zh", "zh-CN" or "en_GB" names, or None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def set_language(language: str) -> None:
    """Use `language` for every string this thread translates from now on (one script run)."""
    _current.language = language if language in LANGUAGES else DEFAULT_LANGUAGE


def language() -> str:
    """The language of the current script run ("en" outside one, e.g. in scripts and most tests)."""
    return getattr(_current, "language", DEFAULT_LANGUAGE)


def _(message: str) -> str:
    """`message` in the current language."""
    return _translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message that fits the count `n`, in the current language."""
    return _translations(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it now (it is defined at import time and
    translated with `_` where it is shown)."""
    return message
