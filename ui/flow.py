"""How a page ends early: `end_page()` instead of `st.stop()`.

A page often has nothing more to show (no picture yet, an empty text, a setting refused with a sentence).
`st.stop()` ends the run as *stopped*: the browser then drops the controls the run did not draw, while the
server keeps their values; when they come back the browser draws them at their defaults, and figures and
controls disagree until the next click. `end_page()` ends the run as *finished* instead, so the server
forgets those controls too and both sides start them again from the same defaults. Only `app.py`'s
navigation can finish a run early (it catches `PageEnd`); a page run on its own (tests drive pages
directly) falls back to `st.stop()`.
"""
from __future__ import annotations

import threading
from typing import NoReturn

import streamlit as st

_navigation = threading.local()  # each script run has its own thread


class PageEnd(Exception):
    """The page has said all it can for now; `run_page` ends the run there as finished."""


def end_page() -> NoReturn:
    """End the page here (see the module's docstring)."""
    if getattr(_navigation, "active", False):
        raise PageEnd
    st.stop()


def run_page(page: st.Page) -> None:
    """Run `page`, letting it end early with `end_page()`."""
    _navigation.active = True
    try:
        page.run()
    except PageEnd:
        pass
    finally:
        _navigation.active = False
