"""Several app processes behind nginx (deploy/serve.py): the generated configuration, plain runs on loopback, and
in Chromium through the proxy an upload with its Grad-CAM, and a process killed in the middle of a wave."""
from __future__ import annotations

import getpass
import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from core.data.samples import SAMPLES_DIR
from deploy.serve import (Layout, Serving, default_replicas, read_access_log, render_nginx_conf, replica_env,
                          upload_cap_mb)
from tests.conftest import ROOT, _free_port, screenshot

TOP1 = ("() => { const d = [...document.querySelectorAll('.js-plotly-plot')]"
        ".map(p => p.data && p.data[0]).filter(d => d && d.type === 'bar')[0];"
        " return d ? d.y[d.y.length - 1] : null; }")
IDLE = ("() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"
        " === 'notRunning' && document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0")


def test_one_replica_per_two_cores() -> None:
    assert [default_replicas(c) for c in (1, 2, 3, 4, 16)] == [1, 1, 1, 2, 8]


def test_the_configuration_routes_by_a_cookie_to_loopback_processes_with_the_servers_upload_cap(tmp_path) -> None:
    layout = Layout(port=9000, replica_ports=(9001, 9002, 9003), run_dir=tmp_path)
    conf = "\n".join(line for line in render_nginx_conf(layout, running_as_root=False).splitlines()
                     if not line.lstrip().startswith("#"))
    assert not re.search(r"@[A-Z_]+@", conf)  # every placeholder filled in
    assert [line.split()[1] for line in conf.splitlines() if line.strip().startswith("server 127")] == [
        "127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003"]
    assert "hash $replica_key consistent;" in conf and "$remote_addr" not in conf.split("upstream")[1]
    assert f"client_max_body_size {upload_cap_mb() + 1}m;" in conf
    assert upload_cap_mb() == 250  # .streamlit/config.toml's server.maxUploadSize, above every cap the app checks itself
    assert "listen 9000;" in conf and "user " not in conf
    assert f"pid {tmp_path.resolve()}/nginx.pid;" in conf
    assert f"user {getpass.getuser()};" in render_nginx_conf(layout, running_as_root=True)


def test_nginx_accepts_the_configuration(nginx, tmp_path) -> None:
    layout = Layout(port=_free_port(), replica_ports=(_free_port(), _free_port()), run_dir=tmp_path,
                    address="127.0.0.1")
    (tmp_path / "tmp").mkdir()
    (tmp_path / "nginx.conf").write_text(render_nginx_conf(layout))
    checked = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                              "-e", str(tmp_path / "error.log")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def listening_addresses(port: int) -> set[str]:
    """The addresses with a socket listening on `port`, from /proc/net/tcp and tcp6 (state 0A is LISTEN)."""
    found = set()
    for table, family in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
        path = Path("/proc/net") / table
        for line in (path.read_text().splitlines()[1:] if path.exists() else []):
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                raw = b"".join(bytes.fromhex(address[i:i + 8])[::-1] for i in range(0, len(address), 8))
                found.add(socket.inet_ntop(family, raw))
    return found


def test_a_plain_run_listens_on_loopback_only_and_says_how_to_open_it(tmp_path) -> None:
    """./explorer.sh with the environment that runs these tests (a stand-in .venv whose install stamp is current)."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    (venv / "bin" / "python").chmod(0o755)
    digest = hashlib.sha1((ROOT / "requirements.txt").read_bytes() + (ROOT / "requirements-dev.txt").read_bytes())
    (venv / f".installed-{digest.hexdigest()[:12]}").touch()
    port = _free_port()
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(["./explorer.sh", "run", "--server.port", str(port), "--server.headless", "true"],
                                cwd=ROOT, env={**os.environ, "EXPLORER_VENV": str(venv)},
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not listening_addresses(port) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.3)
        assert listening_addresses(port) == {"127.0.0.1"}, log.read_text()
        assert "./explorer.sh serve" in log.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def served(nginx, browser, tmp_path_factory):
    """The app from two processes behind nginx on free loopback ports, for this module."""
    layout = Layout(port=_free_port(), replica_ports=(_free_port(), _free_port()),
                    run_dir=tmp_path_factory.mktemp("serve"), address="127.0.0.1")
    with Serving(layout, extra_env={"TORCH_HOME": str(tmp_path_factory.mktemp("torch_home"))}) as serving:
        yield serving


def key_of(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "explorer_replica")


def replica_of(serving: Serving, context) -> str:
    """The app process ("127.0.0.1:PORT") that answered the browser context's latest logged request. nginx logs
    a websocket only when it closes, but every request of one browser goes to one process: the health check
    and host-config requests before each websocket say where it went."""
    mine = [r for r in read_access_log(serving.access_log) if r.key == key_of(context)]
    return mine[-1].served_by if mine else ""


def set_cookies(url: str, cookie: str = "") -> dict[str, str]:
    """The cookies a GET of `url` sets, name → value, sending `cookie` as the Cookie header."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as answer:
        pairs = [h.split(";")[0].split("=", 1) for h in answer.headers.get_all("Set-Cookie") or []]
    return dict(pairs)


def test_nginx_keys_a_browser_once_because_streamlit_remasks_its_xsrf_cookie_at_every_health_check(served) -> None:
    """Why the key is nginx's cookie: Streamlit writes _streamlit_xsrf anew on every /_stcore/health answer (same
    token, new mask, so a different text to hash), while nginx sets explorer_replica once and keeps it."""
    direct = f"http://127.0.0.1:{next(iter(served.replicas))}/_stcore/health"
    first = set_cookies(direct)["_streamlit_xsrf"]
    second = set_cookies(direct, f"_streamlit_xsrf={first}")["_streamlit_xsrf"]
    assert second != first and second.split("|")[3] == first.split("|")[3]  # re-masked, same token's timestamp

    key = set_cookies(served.layout.url + "/")["explorer_replica"]
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert "explorer_replica" not in set_cookies(f"{served.layout.url}/_stcore/health", f"explorer_replica={key}")
    assert set_cookies(served.layout.url + "/", "explorer_replica=../../x")["explorer_replica"] != "../../x"


def open_saliency(page, url: str, go: bool = True) -> None:
    """Open the Saliency page (unless `go` is False: already on its way) and switch it to Upload."""
    if go:
        page.goto(f"{url}/saliency")
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=120_000)
    page.wait_for_function(IDLE, timeout=120_000)
    page.get_by_text("Upload", exact=True).click()
    page.wait_for_function(IDLE, timeout=120_000)


def upload_and_wait_for_grad_cam(page, shape: str = "star") -> None:
    """Upload the bundled picture of `shape` and wait for the model's top-1 and its Grad-CAM map."""
    page.locator('input[type="file"]').set_input_files(str(SAMPLES_DIR / f"shape_{shape}.png"))
    page.wait_for_function(f"() => ({TOP1})() === {shape!r}", timeout=120_000)
    page.get_by_text(f"Grad-CAM map for “{shape}”").wait_for(timeout=120_000)
    page.wait_for_function(IDLE, timeout=120_000)
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.browser
def test_an_upload_and_its_grad_cam_through_the_proxy_stay_with_the_session(served, browser) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 2000})
    page = context.new_page()
    try:
        open_saliency(page, served.layout.url)
        upload_and_wait_for_grad_cam(page)
        screenshot(page, "serving_upload_through_nginx")
        key = key_of(context)
    finally:
        context.close()
    deadline = time.monotonic() + 10
    while True:  # nginx logs the websocket once it has closed
        mine = [r for r in read_access_log(served.access_log) if r.key == key]
        streams = [r for r in mine if r.path == "/_stcore/stream"]
        if streams or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    uploads = [r for r in mine if r.path.startswith("/_stcore/upload_file/")]
    assert uploads and all(r.status < 300 for r in uploads), uploads
    assert [r.status for r in streams] == [101]
    assert len({r.served_by for r in mine}) == 1  # the page, its websocket, its upload: one process


def files_under(root: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file of the repository outside what tests and runs write."""
    skip = {".git", ".venv", ".run", "test-artifacts", "__pycache__", ".pytest_cache", ".hypothesis"}
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in skip]
        for name in filenames:
            stat = (Path(dirpath) / name).stat()
            found[str(Path(dirpath, name).relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return found


@pytest.mark.browser
@pytest.mark.slow
def test_a_replica_killed_mid_wave_costs_only_its_own_sessions_a_reconnect(served, browser) -> None:
    """Sessions on both processes upload at once; one process is killed. The others' uploads finish on a
    websocket that never closed; the dead one's browsers reconnect through nginx to the live process, get a
    fresh session there, and their next upload works. Nothing on disk changes."""
    disk = files_under(ROOT)
    sessions = []  # (context, page, websockets the page opened), one browser on each process
    try:
        for replica, key in served.key_for_each_replica().items():
            context = browser.new_context(viewport={"width": 1400, "height": 2000})
            context.add_cookies([{"name": "explorer_replica", "value": key, "url": served.layout.url}])
            page = context.new_page()
            sockets: list = []
            page.on("websocket", lambda ws, opened=sockets: opened.append(ws))
            page.goto(f"{served.layout.url}/saliency")  # both processes start their sessions at once
            sessions.append((context, page, sockets))
        for context, page, _ in sessions:
            open_saliency(page, served.layout.url, go=False)
        placed = {replica_of(served, context) for context, _, _ in sessions}
        assert placed == {f"127.0.0.1:{port}" for port in served.replicas}
        victim = replica_of(served, sessions[0][0])
        doomed = [s for s in sessions if replica_of(served, s[0]) == victim]
        spared = [s for s in sessions if replica_of(served, s[0]) != victim]
        before = {id(page): (len(sockets), [ws.is_closed() for ws in sockets]) for _, page, sockets in spared}

        for _, page, _ in sessions:  # the wave: every session uploads …
            page.locator('input[type="file"]').set_input_files(str(SAMPLES_DIR / "shape_star.png"))
        served.replicas[int(victim.rsplit(":", 1)[1])].send_signal(signal.SIGKILL)  # … and one process dies

        for _, page, sockets in spared:  # the others see nothing
            page.wait_for_function(f"() => ({TOP1})() === 'star'", timeout=120_000)
            page.wait_for_function(IDLE, timeout=120_000)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert (len(sockets), [ws.is_closed() for ws in sockets]) == before[id(page)]
        survivor = replica_of(served, spared[0][0])
        for context, page, sockets in doomed:  # the app reconnects, through nginx, to the live process …
            page.wait_for_function("() => true")  # let Playwright deliver the page's websocket events
            deadline = time.monotonic() + 60
            while not (len(sockets) > 1 and not sockets[-1].is_closed()):
                assert time.monotonic() < deadline, "the browser did not reconnect"
                page.wait_for_timeout(300)
            assert sockets[0].is_closed() and replica_of(served, context) == survivor
            page.wait_for_function(IDLE, timeout=120_000)
            page.get_by_text("Upload", exact=True).click()  # … in a fresh session, which starts on the sample
            page.wait_for_function(IDLE, timeout=120_000)
            upload_and_wait_for_grad_cam(page, "triangle")  # and its uploads go there too
        with urllib.request.urlopen(f"{served.layout.url}/_stcore/health", timeout=5) as health:
            assert health.status == 200
        assert files_under(ROOT) == disk
    finally:
        for context, _, _ in sessions:
            context.close()


def test_served_processes_offer_visitors_no_weights_download() -> None:
    """Behind nginx a Download button would let any visitor make the server reach the internet and fill its cache."""
    from core.weights import SERVE_ENV

    assert replica_env(2, cores=4)[SERVE_ENV] == "1"
