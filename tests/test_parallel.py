"""Under pytest-xdist each worker gets its share of the cores (tests/conftest.py), not torch's default of all."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tests import conftest

ROOT = Path(__file__).resolve().parent.parent
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "EXPLORER_THREADS")


def test_a_worker_of_four_on_sixteen_cores_takes_four_threads(monkeypatch) -> None:
    before = torch.get_num_threads()
    for name in THREAD_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "4")
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    try:
        conftest.share_the_cores_among_workers()
        assert [os.environ[name] for name in THREAD_VARS] == ["4"] * 3 and torch.get_num_threads() == 4
        monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "32")
        monkeypatch.setenv("EXPLORER_THREADS", "2")  # a setting already made wins
        conftest.share_the_cores_among_workers()
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_without_xdist_nothing_changes(monkeypatch) -> None:
    for name in THREAD_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)
    before = torch.get_num_threads()
    conftest.share_the_cores_among_workers()
    assert not any(name in os.environ for name in THREAD_VARS) and torch.get_num_threads() == before


def test_two_real_workers_each_take_half_the_cores(tmp_path) -> None:
    """`pytest -n 2` with this suite's conftest: each worker's torch, and what it hands to subprocesses."""
    pytest.importorskip("xdist")
    expected = max(1, (os.cpu_count() or 1) // 2)
    probe = tmp_path / "test_probe.py"
    probe.write_text(
        "import os, torch\n"
        "import pytest\n"
        "@pytest.mark.parametrize('i', range(2))\n"
        "def test_share(i):\n"
        "    assert os.environ['PYTEST_XDIST_WORKER'].startswith('gw')\n"
        f"    assert torch.get_num_threads() == {expected}\n"
        f"    assert os.environ['OMP_NUM_THREADS'] == os.environ['EXPLORER_THREADS'] == '{expected}'\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS and not k.startswith("PYTEST_XDIST")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "-q", "-p", "no:cacheprovider", "-p", "tests.conftest",
         "--rootdir", str(tmp_path), str(probe)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0 and "2 passed" in done.stdout, done.stdout[-3000:] + done.stderr[-3000:]
