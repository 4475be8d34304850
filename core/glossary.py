"""The article's terms in both languages (locale/glossary.toml): the Glossary page and the catalogue checks read it."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GLOSSARY = Path(__file__).resolve().parent.parent / "locale" / "glossary.toml"


@dataclass(frozen=True)
class Term:
    en: str
    zh: str
    page: str  # the page that shows it (a path of ui.catalogue.PAGES)
    meaning_en: str
    meaning_zh: str
    check: bool = True  # every English message using `en` must use `zh` in its translation

    def used_in(self, english: str) -> bool:
        """Whether `english` uses this term (any case, plural allowed)."""
        return re.search(rf"\b{re.escape(self.en)}s?\b", english, re.IGNORECASE) is not None

    def meaning(self, language: str) -> str:
        return self.meaning_zh if language == "zh" else self.meaning_en


@cache
def terms() -> tuple[Term, ...]:
    """Every term of the glossary, in the file's order."""
    with GLOSSARY.open("rb") as file:
        return tuple(Term(**entry) for entry in tomllib.load(file)["term"])
