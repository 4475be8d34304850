"""Several app processes behind nginx, started and stopped together: `./explorer.sh serve --replicas N`.

Starts N `streamlit run app.py` processes on loopback ports (127.0.0.1 only), waits until each answers
/_stcore/health, writes deploy/nginx.conf.template filled in for them into a run folder, and runs Debian's
nginx on the public port in front of them, as the current user, with every file it writes in that folder.
Ctrl-C or SIGTERM stops nginx and every app process; so does nginx exiting. An app process that dies stays
out: nginx routes its browsers to the others, where the app reconnects with a fresh session (bringing it
back under the same key would split the sessions that moved from their uploads). docs/serving.md.
"""
from __future__ import annotations

import argparse
import getpass
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
STREAMLIT_CONFIG = ROOT / ".streamlit" / "config.toml"
STREAMLIT_DEFAULT_UPLOAD_MB = 200  # Streamlit's own default for server.maxUploadSize
MULTIPART_FRAMING_MB = 1  # what Streamlit accepts over maxUploadSize for the multipart framing of one file
READ_TIMEOUT = "3600s"
NGINX_ENV = "EXPLORER_NGINX"


def default_replicas(cores: int | None = None) -> int:
    """One app process per two cores, at least one: each process runs two heavy-work slots by default."""
    return max(1, (cores if cores is not None else os.cpu_count() or 1) // 2)


def upload_cap_mb(config: Path = STREAMLIT_CONFIG) -> int:
    """The server's upload cap in MB (MiB, as Streamlit counts it): server.maxUploadSize of `config`."""
    if not config.exists():
        return STREAMLIT_DEFAULT_UPLOAD_MB
    with config.open("rb") as f:
        return int(tomllib.load(f).get("server", {}).get("maxUploadSize", STREAMLIT_DEFAULT_UPLOAD_MB))


def find_nginx() -> str | None:
    """The nginx binary: $EXPLORER_NGINX, then PATH, then Debian's /usr/sbin/nginx (not on a user's PATH)."""
    for candidate in (os.environ.get(NGINX_ENV), shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@dataclass(frozen=True)
class Layout:
    """Where everything listens and writes: nginx on `address`:`port`, app processes on 127.0.0.1:`replica_ports`."""

    port: int
    replica_ports: tuple[int, ...]
    run_dir: Path
    address: str = "0.0.0.0"

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.address in ("0.0.0.0", "::", "[::]") else self.address
        return f"http://{host}:{self.port}"


def render_nginx_conf(layout: Layout, upload_mb: int | None = None, running_as_root: bool | None = None) -> str:
    """deploy/nginx.conf.template filled in for `layout`.

    nginx started by root would hand its workers to `nobody`; a `user` line keeps them with the user who
    started it. Anyone else needs none (and nginx warns at one).
    """
    if running_as_root is None:
        running_as_root = os.geteuid() == 0
    upload_mb = upload_cap_mb() if upload_mb is None else upload_mb
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in layout.replica_ports)
    listen = f"{layout.address}:{layout.port}" if layout.address not in ("0.0.0.0", "*") else str(layout.port)
    values = {
        "@USER@": f"user {getpass.getuser()};" if running_as_root else "",
        "@RUN@": str(layout.run_dir.resolve()),
        "@SERVERS@": servers,
        "@LISTEN@": listen,
        "@MAX_BODY@": f"{upload_mb + MULTIPART_FRAMING_MB}m",
        "@READ_TIMEOUT@": READ_TIMEOUT,
    }
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(name, value)
    return text


def replica_env(replicas: int, cores: int | None = None) -> dict[str, str]:
    """The environment of each app process: the machine's cores shared among the processes' heavy-work slots
    (core.device.threads_per_job would give every process all of them), and serve mode: visitors get no button that
    makes the server download weights (core.weights.SERVE_ENV; the operator runs `python -m core.weights --all`).
    Values already set win."""
    cores = cores if cores is not None else os.cpu_count() or 1
    slots = int(os.environ.get("EXPLORER_HEAVY_SLOTS", "2") or 2)
    threads = str(max(1, cores // (replicas * slots)))
    env = dict(os.environ)
    for name in ("EXPLORER_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, threads)
    env.setdefault("EXPLORER_SERVE", "1")  # core.weights.SERVE_ENV (not imported: that would load torch here)
    return env


class Request(NamedTuple):
    """One line of nginx's access log (the `explorer` log_format of deploy/nginx.conf.template)."""

    key: str  # the browser's routing key (cookie explorer_replica)
    status: int
    method: str
    path: str
    tried: tuple[str, ...]  # the app processes nginx tried, "127.0.0.1:PORT", the last one answered

    @property
    def served_by(self) -> str:
        return self.tried[-1] if self.tried else ""


ACCESS_LINE = re.compile(r'^\S+ (?P<key>\S+) (?P<status>\d+) \S+ "(?P<method>\S+) (?P<path>[^"]*)" "(?P<tried>[^"]*)"$')


def read_access_log(path: Path, start: int = 0) -> list[Request]:
    """The requests logged in `path` from byte `start` on (the bench reads one wave's lines this way)."""
    if not path.exists():
        return []
    with path.open("rb") as f:
        f.seek(start)
        lines = f.read().decode(errors="replace").splitlines()
    requests = []
    for line in lines:
        found = ACCESS_LINE.match(line)
        if found:
            tried = tuple(a.strip() for a in re.split(r"[,:]\s", found["tried"]) if a.strip() not in ("", "-"))
            requests.append(Request(found["key"], int(found["status"]), found["method"], found["path"], tried))
    return requests


def sessions_per_replica(requests: list[Request]) -> dict[str, int]:
    """How many browsers had their websocket (/_stcore/stream) on each app process: one per key and process."""
    pairs = {(r.key, r.served_by) for r in requests if r.path.endswith("/_stcore/stream") and r.status == 101}
    counts: dict[str, int] = {}
    for _, replica in pairs:
        counts[replica] = counts.get(replica, 0) + 1
    return counts


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    """Wait until `url`/_stcore/health answers 200; fail with the end of `log` if `proc` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"{url} did not come up (exit code {proc.poll()}):\n{tail}")
        time.sleep(0.3)


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, grace: float = 10) -> None:
    """Send `sig` to `proc`, give it `grace` seconds, then kill it."""
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Serving:
    """The app processes and nginx of one `Layout`, as a context manager (the bench and the tests use it too).

    `replicas` maps each loopback port to its process, `nginx` is nginx's master process; the access log
    (run folder, access.log) has one line per request with the process that served it and the browser's key.
    """

    def __init__(self, layout: Layout, extra_env: dict[str, str] | None = None,
                 streamlit_args: tuple[str, ...] = ()) -> None:
        self.layout = layout
        self.extra_env = extra_env or {}
        self.streamlit_args = streamlit_args
        self.replicas: dict[int, subprocess.Popen] = {}
        self.nginx: subprocess.Popen | None = None

    @property
    def access_log(self) -> Path:
        return self.layout.run_dir / "access.log"

    def start(self) -> "Serving":
        nginx = find_nginx()
        if nginx is None:
            raise RuntimeError("nginx was not found: install it (Debian/Ubuntu: sudo apt-get install nginx) "
                               f"or point ${NGINX_ENV} at it")
        run = self.layout.run_dir
        for name in ("access.log", "error.log", "nginx.conf"):
            (run / name).unlink(missing_ok=True)
        (run / "tmp").mkdir(parents=True, exist_ok=True)
        env = {**replica_env(len(self.layout.replica_ports)), **self.extra_env}
        try:
            for port in self.layout.replica_ports:
                with open(run / f"replica-{port}.log", "wb") as out:
                    self.replicas[port] = subprocess.Popen(
                        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                         "--server.address", "127.0.0.1", "--server.port", str(port), *self.streamlit_args],
                        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
            for port, proc in self.replicas.items():
                wait_healthy(f"http://127.0.0.1:{port}", proc, run / f"replica-{port}.log")
            conf = run / "nginx.conf"
            conf.write_text(render_nginx_conf(self.layout))
            with open(run / "nginx.out", "wb") as out:
                self.nginx = subprocess.Popen([nginx, "-p", str(run.resolve()), "-c", str(conf.resolve()),
                                               "-e", str((run / "error.log").resolve())],
                                              stdout=out, stderr=subprocess.STDOUT)
            wait_healthy(self.layout.url, self.nginx, run / "error.log", timeout=30)
        except BaseException:
            self.stop()
            raise
        return self

    def key_for_each_replica(self, attempts: int = 64) -> dict[str, str]:
        """A routing key (cookie explorer_replica) for each app process, "127.0.0.1:PORT" → key: random keys
        sent to /_stcore/health until every process has answered one. The bench and the tests put a browser
        on a chosen process this way."""
        keys: dict[str, str] = {}
        for _ in range(attempts):
            key = os.urandom(16).hex()
            request = urllib.request.Request(f"{self.layout.url}/_stcore/health",
                                             headers={"Cookie": f"explorer_replica={key}"})
            urllib.request.urlopen(request, timeout=10).close()
            deadline = time.monotonic() + 5
            while not (mine := [r for r in read_access_log(self.access_log) if r.key == key]):
                if time.monotonic() > deadline:
                    raise RuntimeError("nginx did not log a request")
                time.sleep(0.05)  # nginx writes the line just after its answer
            keys.setdefault(mine[0].served_by, key)
            if len(keys) == len(self.replicas):
                return keys
        raise RuntimeError(f"{attempts} random keys reached only {sorted(keys)}: nginx does not route by the key")

    def stop(self) -> None:
        """Stop nginx (fast shutdown), then every app process."""
        if self.nginx is not None:
            stop(self.nginx, signal.SIGTERM, grace=5)
        for proc in self.replicas.values():
            stop(proc)

    def __enter__(self) -> "Serving":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./explorer.sh serve", description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=default_replicas(),
                        help=f"app processes (default: one per two cores, here {default_replicas()})")
    parser.add_argument("--port", type=int, default=8501, help="nginx's public port (default 8501)")
    parser.add_argument("--address", default="0.0.0.0",
                        help="nginx's address (default every interface; 127.0.0.1 keeps it on this machine)")
    parser.add_argument("--first-replica-port", type=int, default=None,
                        help="the app processes listen on 127.0.0.1 from this port up (default: --port + 1)")
    parser.add_argument("--run-dir", type=Path, default=None,
                        help="nginx's configuration, logs and temp files, and the app processes' logs "
                             "(default .run/serve-PORT)")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    first = args.first_replica_port or args.port + 1
    layout = Layout(port=args.port, address=args.address, replica_ports=tuple(range(first, first + args.replicas)),
                    run_dir=args.run_dir or ROOT / ".run" / f"serve-{args.port}")

    stopping, started = False, False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if not started:
            raise KeyboardInterrupt  # leave the wait for the app processes; start() stops what it started

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    serving = Serving(layout)
    ports = f"{first}" if args.replicas == 1 else f"{first}–{first + args.replicas - 1}"
    print(f"Starting {args.replicas} app process(es) on 127.0.0.1:{ports} …", flush=True)
    try:
        serving.start()
        started = True
        print(f"Serving {layout.url} (nginx on {layout.address}:{layout.port}) → {args.replicas} app process(es). "
              f"Logs and nginx.conf in {layout.run_dir}. Ctrl-C stops everything.", flush=True)
        gone: set[int] = set()
        while not stopping:
            time.sleep(1)
            if serving.nginx is not None and serving.nginx.poll() is not None:
                print(f"nginx exited (code {serving.nginx.returncode}); see {layout.run_dir / 'error.log'}",
                      file=sys.stderr)
                return 1
            for port, proc in serving.replicas.items():
                if port not in gone and proc.poll() is not None:
                    gone.add(port)
                    print(f"The app process on 127.0.0.1:{port} exited (code {proc.returncode}): nginx sends its "
                          "browsers to the others, where they reconnect. Restart the service at a quiet moment "
                          "to bring it back.", file=sys.stderr)
            if len(gone) == len(serving.replicas):
                print("Every app process has exited.", file=sys.stderr)
                return 1
        return 0
    except KeyboardInterrupt:
        return 130
    except RuntimeError as err:  # nginx missing, or a process that did not come up: its log says why
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        serving.stop()


if __name__ == "__main__":
    raise SystemExit(main())
