"""Links and languages on the four "beyond" pages (CNN vs RNN vs attention, Attention, Training lab, Your models).

For each page: a URL with non-default choices opens the page on exactly those choices; a garbled URL opens it on
its defaults with no message; the page in Chinese shows Chinese titles and captions, and switching back to English
keeps every control's value. The pages run as app.py runs them: the language switch first (`?lang=zh`), then the
page, with links collected and the URL tidied around it.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300  # importing torch and loading the MNIST-1D models on 2 busy cores


def _page_with_language_switch(path: str) -> None:
    """A page script run the way app.py runs it: links collected, the sidebar's language switch, then the page."""
    import runpy

    from ui import links
    from ui.language import choose_language

    links.start_run()
    choose_language()
    try:
        runpy.run_path(path, run_name="__main__")
    finally:
        links.end_run()


def open_page(stem: str, **query: str) -> AppTest:
    at = AppTest.from_function(_page_with_language_switch, args=(str(ROOT / "app_pages" / f"{stem}.py"),),
                               default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def values(at: AppTest, prefix: str) -> dict[str, object]:
    """Every widget value of the page whose key starts with `prefix`."""
    return {key: at.session_state[key] for key in at.session_state if key.startswith(prefix)}


def chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def url(at: AppTest, key: str) -> str:
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


# (page stem, widget-key prefix, a URL of non-default choices with the value each widget must then hold)
LINKS = {
    "sequence_compare": ("sc_", {"sc_part": "Parallelism", "sc_batch": 8, "sc_longest": 1024}),
    "attention": ("at_", {"at_text": "hello"}),
    "training_lab": ("tl_", {"tl_task": "adding", "tl_A_adding_cell": "lstm", "tl_A_adding_opt": "sgd",
                             "tl_A_adding_lr": 0.03, "tl_A_adding_sched": "cosine", "tl_A_adding_batch": 64,
                             "tl_A_adding_drop": 0.2, "tl_A_adding_aug": ["noise"], "tl_B_adding_epochs": 12,
                             "tl_B_adding_clip": 5.0, "tl_B_adding_wd": 0.0001, "tl_B_adding_seed": 4}),
    "your_models": ("ym_", {"ym_arch": "char:gru", "ym_kind": "RNN", "ym_embed": 0, "ym_cell": "gru",
                            "ym_hidden": 256}),
}
GARBLED = {
    "sequence_compare": {"sc_part": "Nonsense", "sc_batch": "seven", "sc_longest": "99"},
    "attention": {"at_text": "x" * 500},
    "training_lab": {"tl_task": "chess", "tl_A_digits_lr": "0.5", "tl_A_digits_opt": "lbfgs", "tl_A_digits_bn": "2",
                     "tl_A_digits_aug": "shift~flap", "tl_B_digits_epochs": "999", "tl_B_digits_drop": "nan"},
    "your_models": {"ym_arch": "../../etc/passwd", "ym_kind": "GAN", "ym_for": "cats"},
}


def encoded(value: object) -> str:
    from ui.links import encode

    return encode(value)


@pytest.mark.slow
@pytest.mark.parametrize("stem", list(LINKS))
def test_a_link_opens_the_same_view(stem: str) -> None:
    prefix, chosen = LINKS[stem]
    at = open_page(stem, **{key: encoded(value) for key, value in chosen.items()})
    shown = values(at, prefix)
    assert {key: shown.get(key) for key in chosen} == chosen
    for key, value in chosen.items():  # and the URL still says so: a link made now opens the same view again
        assert url(at, key) == encoded(value), key


@pytest.mark.slow
@pytest.mark.parametrize("stem", list(LINKS))
def test_a_garbled_link_opens_the_defaults_silently(stem: str) -> None:
    prefix, _chosen = LINKS[stem]
    clean = values(open_page(stem), prefix)
    at = open_page(stem, **GARBLED[stem])
    assert values(at, prefix) == clean
    assert not at.error and not at.warning


WIDGET_KINDS = ("segmented_control", "selectbox", "radio", "select_slider", "slider", "number_input", "multiselect",
                "text_input", "toggle")


def choose(at: AppTest, key: str, value: object) -> None:
    """Set the widget `key` to `value` as a learner would, and rerun."""
    for kind in WIDGET_KINDS:
        try:
            widget = getattr(at, kind)(key=key)
        except KeyError:
            continue
        widget.set_value(value).run()
        assert not at.exception, [e.value for e in at.exception]
        return
    raise KeyError(key)


def switch_language(at: AppTest, shown: str, to: str) -> None:
    """Click the sidebar's language switch. AppTest writes every choice as the label the page last showed, as a
    browser does, by calling the page's own format functions on this thread: they must speak `shown`."""
    from core.i18n import set_language

    set_language(shown)
    try:
        at.radio(key="lang").set_value(to).run()
    finally:
        set_language("en")
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.slow
@pytest.mark.parametrize("stem", list(LINKS))
def test_the_page_reads_in_chinese_and_switching_language_keeps_every_choice(stem: str) -> None:
    prefix, chosen = LINKS[stem]
    at = open_page(stem)
    for key, value in chosen.items():  # chosen by hand this time, not from the URL
        choose(at, key, value)
    before = values(at, prefix)
    assert {key: before.get(key) for key in chosen} == chosen
    switch_language(at, "en", "zh")
    assert chinese(at.title[0].value), at.title[0].value
    assert at.caption and all(chinese(c.value) for c in at.caption), [c.value for c in at.caption]
    assert values(at, prefix) == before
    switch_language(at, "zh", "en")
    assert not chinese(at.title[0].value)
    assert values(at, prefix) == before


@pytest.mark.browser
def test_a_choice_made_in_the_browser_survives_a_language_switch(page, app_url) -> None:
    """The browser sends a select box's choice as the label it shows; after a switch that label is in the other
    language. The choice must still hold, both ways (AppTest does not send labels the way a browser does)."""
    from tests.test_browser import assert_no_exception, wait_for_app

    def settle() -> None:
        page.wait_for_timeout(1500)  # let the click's rerun begin before waiting for it to end
        wait_for_app(page)

    page.goto(f"{app_url}/your_models?lang=en")
    wait_for_app(page)
    page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="Character model: LSTM").click()
    settle()
    for language, title in (("中文", "你的模型"), ("English", "Your models")):
        page.locator('[data-testid="stSidebar"]').get_by_text(language, exact=True).click()
        settle()
        page.wait_for_function(f"() => document.querySelector('[data-testid=\"stMain\"] h1')?.innerText === '{title}'")
        assert_no_exception(page)
        page.wait_for_function("() => location.search.includes('ym_arch=char%3Alstm')", timeout=30_000)
