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


@pytest.mark.slow
@pytest.mark.parametrize("stem", list(LINKS))
def test_the_page_reads_in_chinese_and_switching_back_keeps_every_choice(stem: str) -> None:
    prefix, chosen = LINKS[stem]
    at = open_page(stem, lang="zh", **{key: encoded(value) for key, value in chosen.items()})
    assert chinese(at.title[0].value), at.title[0].value
    assert at.caption and all(chinese(c.value) for c in at.caption), [c.value for c in at.caption]
    before = values(at, prefix)
    at.radio(key="lang").set_value("en").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not chinese(at.title[0].value)
    assert values(at, prefix) == before
