"""The sidebar's language switch: English or 中文, from the URL (`?lang=zh`), else the browser's language."""
from __future__ import annotations

import functools
from typing import Callable, ParamSpec, TypeVar

import streamlit as st

from core.i18n import DEFAULT_LANGUAGE, LANGUAGES, language_of, set_language
from ui.links import LANGUAGE_KEY, linked

P = ParamSpec("P")
R = TypeVar("R")


def choose_language() -> str:
    """Draw the switch and make its language this run's; returns the language code."""
    browser = language_of(getattr(st.context, "locale", None)) or DEFAULT_LANGUAGE
    linked(LANGUAGE_KEY, browser, LANGUAGES, always=True)
    set_language(st.session_state[LANGUAGE_KEY])
    st.sidebar.radio("Language · 语言", list(LANGUAGES), key=LANGUAGE_KEY, format_func=LANGUAGES.get,
                     horizontal=True)
    return st.session_state[LANGUAGE_KEY]


def in_session_language(fragment: Callable[P, R]) -> Callable[P, R]:
    """`fragment` run in the session's language. A fragment's own reruns (`st.fragment(…, run_every=…)`) run only the
    fragment, on a fresh thread, without app.py's switch: untouched, they would speak the default language."""
    @functools.wraps(fragment)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        set_language(st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE))
        return fragment(*args, **kwargs)
    return run
