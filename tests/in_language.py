"""Run one page in AppTest as app.py runs it: the sidebar's language switch first, the page's links collected around it.

The language of a run is held per thread (core.i18n), and AppTest runs the script on a thread of its own, so a test
cannot set it from outside. This script does what app.py does before and after a page: `choose_language()` reads
`?lang=` (or the switch's value once clicked) and sets the run's language, and `ui.links` keeps the URL to what
the page drew. A test opens a page in Chinese with `page_app(path, lang="zh")` and goes back to English by
clicking the switch: `at.radio(key="lang").set_value("en").run()`.

AppTest turns each select box's value back into the label it shows with the page's `format_func`, on the test's own
thread, whenever the test reads the value or runs the page again. While a page is shown in Chinese the test's thread
must translate into Chinese too: `with reading("zh"): ...`.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.i18n import language, set_language

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 240  # importing torch and tracing three models on 2 shared cores

SCRIPT = """
import runpy

from ui import links
from ui.language import choose_language

links.start_run()
choose_language()
try:
    runpy.run_path({path!r})
finally:
    links.end_run()
"""


@contextmanager
def reading(shown: str) -> Iterator[None]:
    """Translate into `shown`, the language the page under test is shown in, on this thread while the block runs."""
    before = language()
    set_language(shown)
    try:
        yield
    finally:
        set_language(before)


def page_app(path: str, **query: str) -> AppTest:
    """The page at `path` (relative to the repository) with the URL's query parameters `query`, not yet run."""
    at = AppTest.from_string(SCRIPT.format(path=str(ROOT / path)), default_timeout=TIMEOUT)
    at.query_params.update(query)
    return at
