"""How fast each page answers: cold start, warm reruns after cheap controls, heavy controls, app start.

    python bench/interaction.py [--repeats 7]

Drives pages with streamlit.testing.v1.AppTest in this process. For each cheap control it measures
the warm rerun, then the same rerun with every loader in `ui.loaders` stubbed to return what it
returned last (no model work at all), and prints the ratio: caching, not luck, should make reruns
fast. Heavy controls are compared with the bare `core` model work they imply, timed in the same run.
App start is `streamlit run` until the home page's title is on screen in headless Chromium (or until
the health endpoint answers, without Chromium). Exits 1 when a target is missed.

Targets (issue #10): warm rerun ≤ 100 ms and ≤ 1.2× stubbed; heavy ≤ 1.5× bare model work (reported);
app start ≤ 5 s; heaviest figure ≤ 2 MB.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from ui import loaders  # noqa: E402

CHEAP: list[tuple[str, str, str, list[object]]] = [
    # page, widget kind, key, values to alternate between
    ("feature_maps", "slider", "fm_alpha", [0.3, 0.7]),
    ("feature_maps", "toggle", "fm_scale", [False, True]),
    ("saliency", "slider", "sal_alpha", [0.3, 0.7]),
    ("compare", "slider", "cmp_alpha", [0.3, 0.7]),
    ("convolution", "slider", "cl_position", [3, 9]),
    ("hidden_states", "slider", "hs_step", [4, 12]),
    ("hidden_states", "radio", "hs_dims", ["3-D", "2-D"]),
    ("gates", "selectbox", "gt_pick", [1, 0]),
]


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def page(name: str) -> AppTest:
    return AppTest.from_file(str(ROOT / "app_pages" / f"{name}.py"), default_timeout=300)


def widget(at: AppTest, kind: str, key: str):
    return getattr(at, kind)(key=key)


def _key(name: str, args: tuple, kwargs: dict) -> tuple:
    plain = (str, int, float, bool, tuple, type(None))
    return (name, tuple(a for a in args if isinstance(a, plain)),
            tuple(sorted((k, v) for k, v in kwargs.items() if isinstance(v, plain))))


class Stubs:
    """Replace every public loader by one that returns what the real one returned for the same plain arguments."""

    def __init__(self) -> None:
        self.memo: dict[tuple, object] = {}
        self.originals = {n: f for n, f in vars(loaders).items()
                          if callable(f) and hasattr(f, "clear") and not n.startswith("_")}
        self.restore()

    def _recording(self, name: str, fn: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            value = fn(*args, **kwargs)
            self.memo[_key(name, args, kwargs)] = value
            return value
        return wrapper

    def _replaying(self, name: str, fn: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            key = _key(name, args, kwargs)
            return self.memo[key] if key in self.memo else fn(*args, **kwargs)
        return wrapper

    def stub(self) -> None:
        for name, fn in self.originals.items():
            setattr(loaders, name, self._replaying(name, fn))

    def restore(self) -> None:
        for name, fn in self.originals.items():
            setattr(loaders, name, self._recording(name, fn))


def heaviest_figure(at: AppTest) -> int:
    return max((len(c.proto.spec) for c in at.get("plotly_chart")), default=0)


def app_start_seconds() -> float:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        chromium = os.environ.get("EXPLORER_CHROMIUM", "/usr/bin/chromium")
        if Path(chromium).exists():
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"])
                page_ = browser.new_page()
                while True:
                    try:
                        page_.goto(f"http://127.0.0.1:{port}/", timeout=2000)
                        break
                    except Exception:
                        time.sleep(0.1)
                page_.get_by_role("heading", name="CNN & RNN Explorer").wait_for(timeout=60_000)
                elapsed = time.perf_counter() - start
                browser.close()
                return elapsed
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                return time.perf_counter() - start
            except OSError:
                time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    os.chdir(ROOT)
    rows, failures = [], []
    stubs = Stubs()
    pages_seen: dict[str, AppTest] = {}
    for name, kind, key, values in CHEAP:
        if name not in pages_seen:
            st.cache_data.clear()
            st.cache_resource.clear()
            at = page(name)
            cold = median_ms(at.run, 1)
            if at.exception:
                failures.append(f"{name}: {at.exception[0].value}")
                continue
            pages_seen[name] = at
            rows.append((name, "cold start (models load)", cold, None, f"heaviest figure {heaviest_figure(at) / 1e6:.2f} MB"))
            if heaviest_figure(at) > 2e6:
                failures.append(f"{name}: a figure of {heaviest_figure(at) / 1e6:.1f} MB")
        at = pages_seen[name]
        state = {"i": 0}

        def flip() -> None:
            state["i"] ^= 1
            w = widget(at, kind, key)
            if kind == "selectbox":
                w.select_index(values[state["i"]]).run()
            else:
                w.set_value(values[state["i"]]).run()

        flip()
        flip()
        warm = median_ms(flip, args.repeats)
        stubs.stub()
        stubbed = median_ms(flip, args.repeats)
        stubs.restore()
        if at.exception:
            failures.append(f"{name} {key}: the stubbed rerun failed ({at.exception[0].value})")
            continue
        ratio = warm / stubbed
        rows.append((name, f"{key} (cheap)", warm, ratio, f"stubbed {stubbed:.0f} ms"))
        if warm > 100 or ratio > 1.2:
            failures.append(f"{name} {key}: {warm:.0f} ms, {ratio:.2f}× stubbed")
    start_s = app_start_seconds()
    rows.append(("app", "start to home page", start_s * 1000, None, "target ≤ 5 s"))
    if start_s > 5:
        failures.append(f"app start {start_s:.1f} s")

    print(f"{'page':14s} {'control':30s} {'median ms':>10s} {'ratio':>7s}  note")
    for name, control, ms, ratio, note in rows:
        print(f"{name:14s} {control:30s} {ms:10.0f} {'' if ratio is None else f'{ratio:7.2f}':>7s}  {note}")
    for failure in failures:
        print(f"MISSED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
