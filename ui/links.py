"""Links that open the same view: a page's main choices live in the URL's query string.

A page calls `linked(key, default, allowed)` just before drawing the widget with that key. The first time
a session sees the widget, its value comes from the URL's parameter `key` when that parses as the
default's type and is allowed (else the default, with no message: a stale or garbled link opens the page
as usual); from then on the widget's own value wins and the URL follows it, so the address bar always
holds a link to what is on screen (a value equal to its default is left out, so links stay short). The widget
itself is drawn without an index or value argument: its value is already in `st.session_state`.

Why not Streamlit's own `bind="query-params"`: it writes a select box's value as the label `format_func` shows,
so a link made in Chinese would not open the same view in English (and a label change would break old links);
here the URL holds the option's language-free value.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from typing import Any

import streamlit as st

LANGUAGE_KEY = "lang"
SHOWN_LANGUAGE_KEY = "links_shown_language"  # the language the browser's widgets were last drawn in
_run = threading.local()  # the widgets linked during this script run


def encode(value: Any) -> str:
    """A widget value as it is written in the URL."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (tuple, list)):
        return "~".join(encode(part) for part in value)
    return str(value)


def decode(raw: str, like: Any) -> Any:
    """`raw` from the URL as a value of `like`'s type; raises ValueError when it is not one. A tuple (a range
    slider's) has `like`'s length; a list (a multiselect's) any length, its items of the type of `like`'s first."""
    if isinstance(like, bool):
        if raw not in ("0", "1"):
            raise ValueError(raw)
        return raw == "1"
    if isinstance(like, list):  # a multiselect's choices: any number of them, each like the default's first
        item = like[0] if like else ""
        return [decode(part, item) for part in raw.split("~")] if raw else []
    if isinstance(like, tuple):  # a range: as many parts as the default
        parts = raw.split("~")
        if len(parts) != len(like):
            raise ValueError(raw)
        return tuple(decode(part, item) for part, item in zip(parts, like))
    if isinstance(like, float):
        value = float(raw)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(raw)
        return value
    return type(like)(raw)


def linked(key: str, default: Any, allowed: Collection[Any] | Callable[[Any], bool] | None = None,
           always: bool = False, max_chars: int | None = None, in_url: bool = True) -> None:
    """Seed the widget `key` from the URL on the session's first sight of it, and keep the URL current (with
    `always`, even when the value is the default: the language, so a shared link keeps it).

    `max_chars` bounds what a text widget writes into the URL: the part a model reads, not a pasted megabyte.
    With `in_url` False the widget only keeps its value through a language switch (a choice a link cannot
    reopen, such as "Upload": the file does not travel with the link).
    """
    keys = getattr(_run, "keys", None)
    if keys is not None and in_url:
        keys[key] = (default, always, max_chars)
    if key not in st.session_state:
        if in_url:  # (else the widget starts at its own default, or at what a reconnecting browser still shows)
            st.session_state[key] = _from_url(key, default, allowed)
    elif key != LANGUAGE_KEY and _language_switched():
        # The browser sends a select box's or radio's choice as the label it shows, and that label was in the
        # other language: read as this run's labels, it names no option (and the widget resets). Read now, before
        # the widget is drawn, it is still decoded with the last run's labels; set again, the widget keeps it.
        st.session_state[key] = st.session_state[key]
    if in_url:
        _write(key, default, always, max_chars)


def _write(key: str, default: Any, always: bool, max_chars: int | None) -> None:
    """Put the widget `key`'s value into the URL (or take it out, at its default)."""
    value = st.session_state.get(key, default)
    if always or value != default:
        text = encode(value if max_chars is None else value[:max_chars])
        if st.query_params.get(key) != text:
            st.query_params[key] = text
    elif key in st.query_params:
        del st.query_params[key]


def _language_switched() -> bool:
    """Whether this run's language differs from the one the page was last drawn in (False outside app.py's runs)."""
    shown = st.session_state.get(SHOWN_LANGUAGE_KEY)
    return shown is not None and shown != st.session_state.get(LANGUAGE_KEY)


def _from_url(key: str, default: Any, allowed: Collection[Any] | Callable[[Any], bool] | None) -> Any:
    raw = st.query_params.get(key)
    if raw is None:
        return default
    try:
        value = decode(raw, default)
    except (TypeError, ValueError):
        return default
    if allowed is None:
        return value
    ok = allowed(value) if callable(allowed) else value in allowed
    return value if ok else default


def start_run() -> None:
    """Begin a script run: collect the keys the page links from here on."""
    _run.keys = {}  # key → (default, always, max_chars) of each widget linked in this run


def end_run() -> None:
    """End a script run: write each linked widget's final value (a widget can change its own value as it is drawn,
    e.g. a slider whose range changed), and drop the URL parameters of widgets this run did not draw (another
    page's, or a part the learner left), so a link carries exactly what is on screen."""
    keys = getattr(_run, "keys", None)
    if keys is None:
        return
    for key, (default, always, max_chars) in keys.items():
        _write(key, default, always, max_chars)
    for stale in [name for name in st.query_params if name not in keys]:
        del st.query_params[stale]
    if LANGUAGE_KEY in st.session_state:
        st.session_state[SHOWN_LANGUAGE_KEY] = st.session_state[LANGUAGE_KEY]
    _run.keys = None
