"""Every page's link reopens the same view: change a few of a page's controls as a learner would, take the URL the
page then shows, open it in a fresh session, and every control the URL names shows the same value; a garbled URL
opens the page's defaults without a word."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_monkey import choose, labels_to_try, shown, visible_choices
from ui.catalogue import PAGES
from ui.links import LANGUAGE_KEY

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300
CHANGES = 3  # linked controls changed per page before the link is taken
PAGE_PATHS = [pytest.param(entry.path, id=Path(entry.path).stem) for entry in PAGES]


def _run(path: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT)
    at.query_params.update(query or {})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _by_key(at: AppTest, key: str):
    return next((w for w in visible_choices(at) if w.key == key), None)


def _link(at: AppTest) -> dict:
    return {key: value for key, value in at.query_params.items() if key != LANGUAGE_KEY}


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_a_link_taken_after_a_few_choices_reopens_the_same_view(path: str) -> None:
    at = _run(path)
    for box in [*at.text_input, *at.text_area]:  # typed text travels too
        if box.key:
            box.set_value("ab")
            at.run()
            assert not at.exception, [e.value for e in at.exception]
            break
    changed, tried = 0, set()
    while changed < CHANGES:
        widget = next((w for w in visible_choices(at) if w.key and w.key not in tried and w.key != LANGUAGE_KEY), None)
        if widget is None:
            break
        tried.add(widget.key)
        before = shown(widget)
        if widget.type in ("toggle", "checkbox"):
            widget.set_value(not before)
        else:
            others = [label for label in labels_to_try(widget.options) if label != before]
            if not others:
                continue
            choose(widget, others[-1])
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        changed += widget.key in at.query_params
    at.run()  # a widget may change its own value as it is drawn (app.py's end of run writes that; a page alone, here)
    link = _link(at)
    if not tried and not link:
        pytest.skip(f"{path} has no control to link")
    assert link, f"{path}: no choice of this page goes into its URL"
    fresh = _run(path, link)
    for key in link:  # a page run without app.py keeps the parameters of controls it no longer draws: skip those
        then, now = _by_key(at, key), _by_key(fresh, key)
        if then is not None:
            assert now is not None and shown(now) == shown(then), key
        elif key in fresh.session_state and key in at.session_state:  # a typed text or a number
            assert fresh.session_state[key] == at.session_state[key], key
    assert {key: value for key, value in _link(fresh).items() if key in link} == \
        {key: value for key, value in link.items() if key in _link(fresh)}


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_a_garbled_link_opens_the_defaults_without_a_word(path: str) -> None:
    plain = _run(path)
    keys = [w.key for w in visible_choices(plain) if w.key and w.key != LANGUAGE_KEY]
    garbled = _run(path, {key: "%00garbage~~" for key in keys} | {LANGUAGE_KEY: "tlh"})
    assert not garbled.error and not garbled.warning
    for key in keys:
        then, now = _by_key(plain, key), _by_key(garbled, key)
        if then is not None and now is not None:
            assert shown(now) == shown(then), key
