"""Two languages: the catalogues are complete and current, the switch works, and links reopen the same view."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import i18n
from core.glossary import terms
from scripts import i18n as catalogues
from ui.catalogue import PAGES
from ui.links import decode, encode

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120


def test_the_catalogues_match_the_code() -> None:
    template = catalogues.render(catalogues.extract())
    assert catalogues.TEMPLATE.read_text() == template, "run: python -m scripts.i18n"
    for language in i18n.LANGUAGES:
        if language != i18n.DEFAULT_LANGUAGE:
            current = catalogues.render(catalogues.updated(language, catalogues.extract()))
            assert i18n.po_path(language).read_text() == current, "run: python -m scripts.i18n"


def test_every_message_has_a_chinese_translation_that_keeps_its_placeholders_and_terms() -> None:
    assert catalogues.problems("zh") == []


def test_the_glossary_names_real_pages_and_both_languages() -> None:
    pages = {entry.path for entry in PAGES}
    assert len(terms()) >= 40
    for term in terms():
        assert term.page in pages, term
        assert term.zh and any("\u4e00" <= c <= "\u9fff" for c in term.meaning_zh), term
        assert term.meaning_en.isascii() or "₂" in term.meaning_en or "(" in term.meaning_en, term


def test_translation_follows_the_thread_language() -> None:
    i18n.set_language("zh")
    try:
        assert i18n._("Feature maps") == "特征图"
    finally:
        i18n.set_language("en")
    assert i18n._("Feature maps") == "Feature maps"


@pytest.mark.parametrize(("code", "expected"), [
    ("zh-CN", "zh"), ("zh_TW", "zh"), ("en-GB", "en"), ("fr-FR", None), ("", None), (None, None)])
def test_browser_language_codes(code, expected) -> None:
    assert i18n.language_of(code) == expected


@pytest.mark.parametrize("value", ["lenet5", 3, 0.25, True, False, (2, 7), (0.1, 0.9)])
def test_url_values_round_trip(value) -> None:
    assert decode(encode(value), value) == value


@pytest.mark.parametrize(("raw", "like"), [("x", 3), ("nan", 0.5), ("inf", 0.5), ("2", True), ("1~2~3", (1, 2))])
def test_garbled_url_values_are_refused(raw, like) -> None:
    with pytest.raises(ValueError):
        decode(raw, like)


def _app(**query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_chinese_link_opens_the_app_in_chinese_and_the_switch_goes_back() -> None:
    at = _app(lang="zh")
    assert at.radio(key="lang").value == "zh"
    at.radio(key="lang").set_value("en").run()
    assert at.radio(key="lang").value == "en"
    assert at.query_params["lang"] in ("en", ["en"])


def test_a_garbled_language_falls_back_silently() -> None:
    at = _app(lang="klingon")
    assert at.radio(key="lang").value == "en"
    assert not at.error and not at.warning


def test_no_module_that_translates_reuses_underscore_as_a_variable() -> None:
    """`_, x = pair` in a module that imports gettext's `_` makes `_` a local of that function: every `_("…")` in
    it then calls a number (the bug this guards against hid in core/history.py)."""
    import ast

    offenders = []
    for path in [ROOT / "app.py", *ROOT.glob("app_pages/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("core/**/*.py")]:
        tree = ast.parse(path.read_text())
        imports_it = any(isinstance(node, ast.ImportFrom) and node.module == "core.i18n"
                         and any(alias.name == "_" for alias in node.names) for node in ast.walk(tree))
        if imports_it:  # a comprehension's own `_` is harmless: it has a scope of its own
            in_comprehension = {id(name) for comp in ast.walk(tree) if isinstance(comp, ast.comprehension)
                                for name in ast.walk(comp.target)}
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno}" for node in ast.walk(tree)
                          if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store)
                          and id(node) not in in_comprehension]
    assert offenders == []


@pytest.mark.parametrize(("text", "broken"), [
    ("**要点：**每一步", True), ("**要点**：每一步", False), ("的**“卷积”**层", True), ("，**卷积**层", False),
    ("**The lesson:** each", False), ("a **b** c", False)])
def test_bold_that_markdown_would_not_render_is_caught(text, broken) -> None:
    assert catalogues.broken_emphasis(text) == broken
