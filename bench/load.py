"""A class at once: N concurrent browser sessions against one server, each running the heavy paths.

    python bench/load.py [--waves 1,5,10,20,20] [--chromium /usr/bin/chromium]
    python bench/load.py --proxy --replicas 2 [--waves 1,4]   # through nginx, with 1 and then 2 app processes

Starts `streamlit run app.py` headless on a free port (its own empty TORCH_HOME, so ResNet-18 runs on
its random initialisation: the same work as with ImageNet weights), then runs waves of N sessions
together in one headless Chromium, each session in its own browser context (its own Streamlit session):

1. Saliency page: pick ResNet-18, upload a picture no other session has (so nothing is cached), wait for
   the top-5 and the Grad-CAM overlay of that picture.
2. Feature maps page: ResNet-18 again, the same picture, wait for the activation grid.
3. Hidden states page: type a text of a length no other session uses into the LSTM, wait for the
   heatmap of exactly that many steps.
4. Gradient lab: train the clipping pair (two short RNN runs), wait for the loss curves.

Each step gets two response times: *server*, the script run it caused as the server timed it (the app
shows it in the sidebar when EXPLORER_SHOW_SERVER_TIME=1), split into the time it queued for a
heavy-work slot, the time its thread ran on a CPU, the time it stood runnable without a core, and the
rest (waiting for the GIL);
and *screen*, from the action until the result is drawn, which on one 2-core machine also pays for
Chromium drawing N pages. Chromium runs at the lowest CPU priority (SCHED_IDLE, and its scheduling
autogroup at nice 19: see `lower_browser_group`; `--browser-priority`), as if the students' browsers ran
on their own machines; the server keeps the normal one. The N = 1 wave is `--singles` sessions one after
another, so the baselines are medians of several runs. With `--burst` the sessions of a wave wait for each
other and upload their Grad-CAM pictures at the same moment.

With `--proxy` the same waves run through nginx (deploy/serve.py, as `./explorer.sh serve` starts it), first
in front of one app process, then of `--replicas` of them: CPU and RSS are summed over the processes, and each
wave also reports how many sessions each process held (from nginx's access log) and each one's peak RSS.
The warm-up puts one session on every process.

Prints, per wave, median and p95 of both per step, errors, CPU seconds of the server and of the whole
machine, and the server's resident memory (RSS) before, at its peak during and after the wave (sessions
closed and expired). Exits 1 when a target is missed: no errors at N = 20; the second wave of 20 raises
peak RSS by ≤ 10% over the first; Grad-CAM p95 at N = 10 under 5× its N = 1 median (server time).
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.serve import Layout, Serving, default_replicas, read_access_log, sessions_per_replica  # noqa: E402
STEPS = ("grad-cam", "feature maps", "lstm trace", "training")
IDLE = ("() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"
        " === 'notRunning' && document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0")
DRAWN = ("[...document.querySelectorAll('.js-plotly-plot')]"
         ".filter(p => p.data && p.data.length > 0 && p.querySelector('.main-svg'))")
LAST_IMAGE = f"() => {{ const i = {DRAWN}.filter(p => p.data[0].type === 'image'); " \
             "return i.length ? i[i.length - 1].data[0].source.length + ':' + i[i.length - 1].data[0].source.slice(-40) : ''; }"


@dataclass
class Wave:
    n: int
    times: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})
    server: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})
    queued: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})
    cpu: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})
    runq: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})
    errors: list[str] = field(default_factory=list)
    rss_before: float = 0.0  # summed over the app processes
    rss_peak: float = 0.0
    rss_after: float = 0.0
    replica_peaks: list[float] = field(default_factory=list)  # peak RSS of each app process, MB
    sessions: dict[str, int] = field(default_factory=dict)  # --proxy: sessions per app process
    server_cpu: float = 0.0
    machine_cpu: float = 0.0
    together: asyncio.Barrier | None = None  # --burst: every session uploads its Grad-CAM picture at once


def rss_mb(pid: int) -> float:
    """Resident memory of process `pid` in MB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) used so far by process `pid`, or by the whole machine when None."""
    ticks = os.sysconf("SC_CLK_TCK")
    if pid is None:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        return (int(fields[0]) + int(fields[1]) + int(fields[2])) / ticks  # user, nice, system
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks


def picture(seed: int) -> bytes:
    """A 256×256 PNG of smooth random colour blobs, different for every seed."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(small).resize((256, 256), Image.BICUBIC).save(buf, format="PNG")
    return buf.getvalue()


VERBOSE = False


def log(message: str) -> None:
    if VERBOSE:
        print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


async def idle(page, timeout: float = 300_000) -> None:
    """Wait until the page has a title and Streamlit has finished running its script."""
    await page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout)
    await page.wait_for_timeout(300)
    await page.wait_for_function(IDLE, timeout=timeout)


async def choose(page, label: str, option: str) -> None:
    """Open the select box labelled `label` and click `option`."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    await box.click()
    await page.locator('[role="option"]').filter(has_text=option).first.click()
    await idle(page)


SERVER_TIME = re.compile(r"Server time of this run: ([0-9.]+) s \(queued ([0-9.]+) s for a heavy-work slot, ([0-9.]+) s on a CPU, ([0-9.]+) s waiting for a core\)")


async def resnet_upload_form(page, address: str) -> None:
    """Open a picture page, pick ResNet-18 and switch the picture source to Upload."""
    await page.goto(address)
    await idle(page)
    await choose(page, "Model", "ResNet-18")
    await page.get_by_text("Upload", exact=True).click()
    await idle(page)


async def timed(wave: Wave, step: str, page, action) -> None:
    """Run `action`; record its time to screen, and the server time of the script run it caused."""
    start = time.perf_counter()
    log(f"N={wave.n} {step} …")
    try:
        await action()
    except Exception as err:  # a failed step is counted and reported, the session goes on
        wave.errors.append(f"{step}: {type(err).__name__}: {str(err).splitlines()[0][:160]}")
        return
    wave.times[step].append(time.perf_counter() - start)
    found = SERVER_TIME.search(await page.locator('[data-testid="stSidebar"]').inner_text())
    parts = found.groups() if found else ("?",) * 4
    if found:
        for series, value in zip((wave.server, wave.queued, wave.cpu, wave.runq), parts):
            series[step].append(float(value))
    log(f"N={wave.n} {step} {wave.times[step][-1]:.2f} s (server {parts[0]} s, queued {parts[1]} s, "
        f"CPU {parts[2]} s, core wait {parts[3]} s)")


async def session(browser, url: str, wave: Wave, seed: int, key: str | None = None) -> None:
    """One learner's session through every step; `key` (--proxy) puts it on a chosen app process."""
    context = await browser.new_context(viewport={"width": 1400, "height": 2000})
    if key is not None:
        await context.add_cookies([{"name": "explorer_replica", "value": key, "url": url}])
    page = await context.new_page()
    page.set_default_timeout(300_000)
    upload = {"name": f"session_{seed}.png", "mimeType": "image/png", "buffer": picture(seed)}
    try:
        await resnet_upload_form(page, f"{url}/saliency")
        log(f"session {seed}: saliency page ready")
        before = await page.evaluate(LAST_IMAGE)
        if wave.together is not None:
            try:
                await asyncio.wait_for(wave.together.wait(), 300)
            except (asyncio.BrokenBarrierError, asyncio.TimeoutError):
                pass  # a session failed before it got here: upload now

        async def grad_cam() -> None:
            await page.locator('input[type="file"]').set_input_files(upload)
            await page.wait_for_function(f"() => ({LAST_IMAGE})() !== {before!r}")
            await idle(page)

        await timed(wave, "grad-cam", page, grad_cam)

        await resnet_upload_form(page, f"{url}/feature_maps")

        async def feature_maps() -> None:
            await page.locator('input[type="file"]').set_input_files(upload)
            await page.wait_for_function(f"() => {DRAWN}.filter(p => p.data[0].type === 'heatmap').length >= 2")
            await idle(page)

        await timed(wave, "feature maps", page, feature_maps)

        await page.goto(f"{url}/hidden_states")
        await idle(page)
        typed = ("def f(x):\n    return [x, (x + 1)]\n" * 20)[: 300 + seed % 500]

        async def trace() -> None:
            area = page.locator("textarea").first
            await area.fill(typed)
            await area.press("Control+Enter")
            await page.wait_for_function(
                f"() => {DRAWN}.some(p => p.data[0].type === 'heatmap' && p.data[0].x && p.data[0].x.length === {len(typed)})")
            await idle(page)

        await timed(wave, "lstm trace", page, trace)

        await page.goto(f"{url}/gradients")
        await idle(page)
        await page.get_by_text("Clipping", exact=True).click()
        await idle(page)

        async def training() -> None:
            await page.get_by_role("button", name="Train both runs").click()
            await page.get_by_text("Gradient norm per step").wait_for()
            await idle(page)

        await timed(wave, "training", page, training)
        if await page.locator('[data-testid="stException"]').count():
            wave.errors.append("an exception block on screen")
    except Exception as err:
        wave.errors.append(f"session: {type(err).__name__}: {str(err).splitlines()[0][:160]}")
        if wave.together is not None:
            await wave.together.abort()  # do not keep the others waiting for this session
    finally:
        await context.close()


async def run_wave(browser, url: str, pids: list[int], wave: Wave, first_seed: int, singles: int = 1,
                   burst: bool = False, keys: list[str] | None = None, access_log: Path | None = None) -> None:
    """Run `wave` against the app processes `pids`; `keys` run one session on each (the --proxy warm-up)."""
    wave.rss_before = sum(rss_mb(pid) for pid in pids)
    server0, machine0 = sum(cpu_seconds(pid) for pid in pids), cpu_seconds()
    log_start = access_log.stat().st_size if access_log and access_log.exists() else 0
    peaks = [rss_mb(pid) for pid in pids]
    done = asyncio.Event()

    async def sample() -> None:
        while not done.is_set():
            for i, pid in enumerate(pids):
                peaks[i] = max(peaks[i], rss_mb(pid))
            wave.rss_peak = max(wave.rss_peak, sum(rss_mb(pid) for pid in pids))
            await asyncio.sleep(0.2)

    sampler = asyncio.create_task(sample())
    if keys is not None:
        await asyncio.gather(*(session(browser, url, wave, first_seed + i, key) for i, key in enumerate(keys)))
    elif wave.n == 1:  # the baseline: `singles` sessions one after another, so its median is not one sample
        for i in range(singles):
            await session(browser, url, wave, first_seed + i)
    else:
        wave.together = asyncio.Barrier(wave.n) if burst else None
        await asyncio.gather(*(session(browser, url, wave, first_seed + i) for i in range(wave.n)))
    done.set()
    await sampler
    wave.rss_peak = max(wave.rss_peak, wave.rss_before)
    wave.replica_peaks = peaks
    wave.server_cpu = sum(cpu_seconds(pid) for pid in pids) - server0
    wave.machine_cpu = cpu_seconds() - machine0
    await asyncio.sleep(4)  # disconnected sessions expire after server.disconnectedSessionTTL (2 s here)
    wave.rss_after = sum(rss_mb(pid) for pid in pids)
    if access_log is not None:  # nginx logs a websocket when it closes: every session of the wave has
        wave.sessions = sessions_per_replica(read_access_log(access_log, log_start))


def browser_priority(kind: str) -> None:
    """Lower the CPU priority of this process and of the Chromium it will launch (children inherit it), as
    if the class's browsers ran on their own machines. Needs no privileges.

    "idle" (SCHED_IDLE) runs Chromium only on a core the server leaves free; "nice" (nice 15, the bench's
    first setting) leaves it a small share. Either counts only once `lower_browser_group` has lowered
    Chromium's scheduling group as well: before that, under both settings, a Grad-CAM run at N = 10 needing
    0.2 s of CPU stood 1–4 s in the kernel's run queue (/proc schedstat). "same" leaves Chromium at the
    server's priority, in a group of its own: the whole class and its server on one 2-core machine.
    """
    if kind in ("idle", "nice"):
        os.nice(15)
    if kind == "idle":
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def autogroup_of(pid: int) -> str | None:
    """The scheduler autogroup of process `pid` ('/autogroup-<n>'), or None where it has none to change.

    The file is missing without autogroup support, and reads empty for a process in the default group:
    autogroups off at boot, or a machine (this project's CI runner is one) that leaves every process there.
    """
    try:
        fields = Path(f"/proc/{pid}/autogroup").read_text().split()
    except OSError:
        return None
    return fields[0] if fields else None


def lower_browser_group(kind: str) -> list[int]:
    """Give the scheduler autogroups of this process's descendants outside its own the lowest weight
    (autogroup nice 19); returns the pids whose groups were lowered.

    Playwright starts Chromium in a new session, and with the kernel's autogroups
    (/proc/sys/kernel/sched_autogroup_enabled) a new session is its own scheduling group: the kernel first
    shares the CPU fairly between groups, then by policy within each. SCHED_IDLE and nice set above then
    count only among Chromium's own threads, and Chromium's group takes half the cores from the server's
    whatever they are set to. In a measured run at N = 10 the server got 2.2 of 20 core-seconds during its
    Grad-CAM burst while its threads stood 23 s in the run queue. Lowering the group's own nice puts it
    behind the server's group as the policy intended. Nothing to do where this process has no autogroup.
    """
    own = autogroup_of(os.getpid())
    if kind == "same" or own is None:
        return []
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    lowered, stack = [], list(children.get(os.getpid(), []))
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        group = autogroup_of(pid)
        if group is None or group == own:
            continue
        try:
            Path(f"/proc/{pid}/autogroup").write_text("19")
        except OSError:
            continue
        lowered.append(pid)
    return lowered


SERVER_ENV = {"EXPLORER_SHOW_SERVER_TIME": "1"}
SERVER_ARGS = ("--server.fileWatcherType", "none", "--server.disconnectedSessionTTL", "2")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, torch_home: str) -> subprocess.Popen:
    env = {**os.environ, "TORCH_HOME": torch_home, **SERVER_ENV}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", *SERVER_ARGS],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
            return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start")
            time.sleep(0.3)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def quantile(values: list[float], q: float) -> float:
    return float(np.quantile(values, q)) if values else float("nan")


async def run_waves(args: argparse.Namespace, url: str, pids: list[int], keys: list[str] | None = None,
                    access_log: Path | None = None) -> tuple[list[Wave], float]:
    """The warm-up, then every wave of `args.waves`, against the app processes `pids` at `url`; returns the waves
    and the RSS (MB, summed) after the warm-up."""
    from playwright.async_api import async_playwright

    waves = [Wave(int(n)) for n in args.waves.split(",")]
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=args.chromium,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        lowered = lower_browser_group(args.browser_priority)
        log(f"autogroup nice 19 for {len(lowered)} browser processes")
        warm = Wave(1)  # first import of torch and first model loads, not counted
        await run_wave(browser, url, pids, warm, 10_000, keys=keys)
        start_rss = sum(rss_mb(pid) for pid in pids)
        seed = 0
        for wave in waves:
            await run_wave(browser, url, pids, wave, seed, args.singles, args.burst, access_log=access_log)
            seed += max(wave.n, args.singles)
        await browser.close()
    return waves, start_rss


def report(waves: list[Wave], start_rss: float, processes: int = 1) -> None:
    """Print the table of `waves`; `processes` > 1 or a proxy run adds sessions and peak RSS per process."""
    print(f"server RSS after a warm-up session: {start_rss:.0f} MB; {os.cpu_count()} CPU cores")
    print("server: the script run's own time; of it (medians), queued: for a heavy-work slot, CPU: the run's "
          "thread on a core, core: runnable, waiting for a core (the rest waited for the GIL); screen: from the "
          "action until the result is drawn in Chromium, on the same 2 cores")
    print(f"{'N':>3s} {'step':13s} {'server median':>13s} {'p95':>6s} {'queued':>6s} {'CPU':>5s} {'core':>5s} "
          f"{'screen median':>13s} {'p95':>6s}  {'RSS before / peak / after (MB)':32s} errors")
    for wave in waves:
        for k, step in enumerate(STEPS):
            t, srv = wave.times[step], wave.server[step]
            mem = f"{wave.rss_before:.0f} / {wave.rss_peak:.0f} / {wave.rss_after:.0f}" if k == 0 else ""
            errors = str(len(wave.errors)) if k == 0 else ""
            print(f"{wave.n:3d} {step:13s} {median(srv):13.2f} {quantile(srv, 0.95):6.2f} "
                  f"{median(wave.queued[step]):6.2f} {median(wave.cpu[step]):5.2f} {median(wave.runq[step]):5.2f} "
                  f"{median(t):13.2f} "
                  f"{quantile(t, 0.95):6.2f}  {mem:32s} {errors}")
        print(f"    CPU during the wave: server {wave.server_cpu:.0f} s, whole machine {wave.machine_cpu:.0f} s "
              "(the rest is mostly Chromium drawing the pages)")
        if wave.sessions or processes > 1:
            held = ", ".join(f"{replica} {n}" for replica, n in sorted(wave.sessions.items()))
            peaks = " / ".join(f"{peak:.0f}" for peak in wave.replica_peaks)
            print(f"    sessions per app process: {held or '?'}; peak RSS per app process: {peaks} MB")
        for error in wave.errors[:5]:
            print(f"    error: {error}")


def check_targets(waves: list[Wave]) -> list[str]:
    """The targets of the module docstring that `waves` missed."""
    failures = []
    for wave in waves:
        if wave.n == 20 and wave.errors:
            failures.append(f"{len(wave.errors)} errors at N = 20")
    twenties = [w for w in waves if w.n == 20]
    if len(twenties) >= 2:
        growth = twenties[1].rss_peak / twenties[0].rss_peak - 1
        print(f"second wave of 20: peak RSS {growth:+.1%} over the first (target ≤ +10%)")
        if growth > 0.10:
            failures.append(f"peak RSS grew {growth:.1%} between two waves of 20")
    single = next((w for w in waves if w.n == 1), None)
    ten = next((w for w in waves if w.n == 10), None)
    if single and ten and single.server["grad-cam"] and ten.server["grad-cam"]:
        screen = quantile(ten.times["grad-cam"], 0.95) / median(single.times["grad-cam"])
        ratio = quantile(ten.server["grad-cam"], 0.95) / median(single.server["grad-cam"])
        print(f"Grad-CAM p95 at N = 10 is {ratio:.1f}× its N = 1 median in server time (target < 5×), "
              f"{screen:.1f}× on screen")
        if ratio >= 5:
            failures.append(f"Grad-CAM p95 at N = 10 is {ratio:.1f}× the single-session time")
    return failures


async def main_async(args: argparse.Namespace) -> int:
    failures = []
    with tempfile.TemporaryDirectory() as torch_home, contextlib.ExitStack() as stack:
        if not args.proxy:
            port = free_port()
            proc = start_server(port, torch_home)
            browser_priority(args.browser_priority)  # the server keeps its normal priority
            try:
                waves, start_rss = await run_waves(args, f"http://127.0.0.1:{port}", [proc.pid])
            finally:
                proc.terminate()
                proc.wait(timeout=20)
            report(waves, start_rss)
            return 1 if print_missed(check_targets(waves)) else 0
        servings = []  # every server starts before the browsers' priority is lowered: children inherit it
        for replicas in (1, args.replicas):
            layout = Layout(port=free_port(), replica_ports=tuple(free_port() for _ in range(replicas)),
                            run_dir=Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="load-nginx-"))),
                            address="127.0.0.1")
            servings.append(stack.enter_context(
                Serving(layout, extra_env={"TORCH_HOME": torch_home, **SERVER_ENV}, streamlit_args=SERVER_ARGS)))
        browser_priority(args.browser_priority)
        for serving in servings:
            keys = serving.key_for_each_replica()
            pids = [serving.replicas[int(replica.rsplit(":", 1)[1])].pid for replica in keys]
            waves, start_rss = await run_waves(args, serving.layout.url, pids, list(keys.values()),
                                               serving.access_log)
            serving.stop()  # its memory back before the next run
            print(f"\n== through nginx, {len(pids)} app process(es) (peak RSS per process in the order "
                  f"{', '.join(keys)})")
            report(waves, start_rss, len(pids))
            failures += [f"{len(pids)} app process(es): {f}" for f in check_targets(waves)]
    return 1 if print_missed(failures) else 0


def print_missed(failures: list[str]) -> bool:
    for failure in failures:
        print(f"MISSED: {failure}")
    return bool(failures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waves", default="1,5,10,20,20", help="sessions per wave, comma-separated")
    parser.add_argument("--verbose", action="store_true", help="log each step to stderr")
    parser.add_argument("--browser-priority", choices=("idle", "nice", "same"), default="idle",
                        help="CPU priority of Chromium (and this script) under the server's: see browser_priority")
    parser.add_argument("--singles", type=int, default=3,
                        help="sessions run one after another for the N = 1 wave (its medians are the baselines)")
    parser.add_argument("--burst", action="store_true",
                        help="the sessions of a wave wait for each other and upload their Grad-CAM pictures at once")
    parser.add_argument("--proxy", action="store_true",
                        help="run the waves through nginx, with one app process and then with --replicas")
    parser.add_argument("--replicas", type=int, default=max(2, default_replicas()),
                        help="app processes behind nginx for the second --proxy run (default: one per two cores, "
                             "at least 2)")
    parser.add_argument("--chromium", default=os.environ.get("EXPLORER_CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args()
    global VERBOSE
    VERBOSE = args.verbose
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
