"""How a page ends early: `end_page()` instead of `st.stop()`.

A page often has nothing more to show (no picture yet, an empty text, a setting refused with a sentence).
`st.stop()` ends the run as *stopped*: the browser then drops the controls the run did not draw, while the
server keeps their values; when they come back the browser draws them at their defaults, and figures and
controls disagree until the next click. `end_page()` ends the run as *finished* instead, so the server
forgets those controls too and both sides start them again from the same defaults. Only `app.py`'s
navigation can finish a run early (it catches `PageEnd`); a page run on its own (tests drive pages
directly) falls back to `st.stop()`.

A page that fails shows one sentence with a short id, never a traceback or a server path: the traceback
goes to the server's log under that id (`report_failure`), and `client.showErrorDetails = "none"` in
`.streamlit/config.toml` covers what fails outside a page.
"""
from __future__ import annotations

import logging
import secrets
import threading
from typing import NoReturn

import streamlit as st

from core.i18n import _

LOG = logging.getLogger("explorer")
_navigation = threading.local()  # each script run has its own thread


class PageEnd(Exception):
    """The page has said all it can for now; `run_page` ends the run there as finished."""


def end_page() -> NoReturn:
    """End the page here (see the module's docstring)."""
    if getattr(_navigation, "active", False):
        raise PageEnd
    st.stop()


def report_failure(err: BaseException, where: str) -> str:
    """Log `err` with its traceback under a new short id (what the user can quote), and return the id."""
    ident = f"E-{secrets.token_hex(4)}"
    LOG.error("error %s in %s: %s: %s", ident, where, type(err).__name__, err, exc_info=err)
    return ident


def run_page(page: st.Page) -> None:
    """Run `page`, letting it end early with `end_page()`; a failure becomes one sentence with the id it is
    logged under. (Streamlit's stop and rerun are not Exceptions, so they pass through.)"""
    _navigation.active = True
    try:
        page.run()
    except PageEnd:
        pass
    except Exception as err:  # noqa: BLE001 — whatever a page raises, the visitor sees a sentence, not a traceback
        ident = report_failure(err, page.url_path or "home")
        st.error(_("Something went wrong on this page (error {id}); the server's log holds the details under that "
                   "id. Change a setting or reload the page to go on.").format(id=ident))
    finally:
        _navigation.active = False
