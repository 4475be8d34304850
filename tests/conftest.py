"""Shared fixtures: a real streamlit server and a real Chromium for the browser tests (one of each per pytest-xdist
worker that runs browser tests), and under pytest-xdist each worker's share of the cores.

Run in parallel with `-n auto --dist loadfile`: a file's tests stay on one worker, so the browser tests of a file
share one server and one Chromium. (`--dist loadgroup` would group by mark, but pytest 9.2 drops the group from
the node ids it schedules by: pytest-dev/pytest-xdist#1386.)"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("EXPLORER_VALIDATE_FIGURES", "1")  # plotly checks every figure the tests build (core.plots)


def share_the_cores_among_workers() -> None:
    """Under pytest-xdist (-n N), give each of the N workers cores // N threads: torch's own default is every core
    per process, and 16 workers of 16 threads on a 16-core machine timed 9 tests out. Set in the environment
    before torch starts its pools, so the app code (EXPLORER_THREADS, read by core.device.configure_threads) and
    the processes a test starts (the streamlit server, through OMP_NUM_THREADS) keep to the same share; values
    already set win."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0") or 0)
    if not workers:
        return
    threads = str(max(1, (os.cpu_count() or 1) // workers))
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "EXPLORER_THREADS"):
        os.environ.setdefault(name, threads)
    import torch

    torch.set_num_threads(int(os.environ["EXPLORER_THREADS"]))


share_the_cores_among_workers()

CHROMIUM = os.environ.get("EXPLORER_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _streamlit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `streamlit run app.py` headless on a free loopback port, yield its URL, stop it."""
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    env = {**os.environ, "TORCH_HOME": str(tmp_path_factory.mktemp("torch_home"))}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> Iterator[str]:
    """The app, served for the whole session (one server per pytest-xdist worker)."""
    yield from _streamlit_server(tmp_path_factory)


@pytest.fixture(scope="module")
def fresh_app_url(tmp_path_factory) -> Iterator[str]:
    """A server of the module's own, for a test that must be the first request a server sees: under pytest-xdist
    the session's server may already have served another file's tests."""
    yield from _streamlit_server(tmp_path_factory)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; never a downloaded browser."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("EXPLORER_REQUIRE_BROWSER"):
            pytest.fail(f"no Chromium at {CHROMIUM}, and EXPLORER_REQUIRE_BROWSER is set")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def nginx() -> str:
    """Debian's nginx (deploy.serve.find_nginx), for the tests that serve the app through it."""
    from deploy.serve import find_nginx

    found = find_nginx()
    if found is None:
        if os.environ.get("EXPLORER_REQUIRE_NGINX"):
            pytest.fail("no nginx on PATH or at /usr/sbin/nginx, and EXPLORER_REQUIRE_NGINX is set")
        pytest.skip("no nginx on PATH or at /usr/sbin/nginx (apt-get install nginx): the serving tests need it")
    return found


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2600})
    page = context.new_page()
    page.set_default_timeout(90_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/ and print its path for the CI log."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # Streamlit scrolls its main section inside a viewport-high box, so a "full page" is one screen:
    # grow the viewport to the section's height (at most 6,000 px) for the shot, then put it back.
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 0")
    if size and height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": min(int(height), 6000)})
        page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)
    if size and height > size["height"]:
        page.set_viewport_size(size)
    print(f"screenshot: {path}")
    return path
