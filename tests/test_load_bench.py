"""The load bench's premise: the browsers it starts really do run behind the server."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import load
from bench.load import autogroup_of, lower_browser_group


def nice_of(pid: int) -> str:
    """The autogroup nice of process `pid`: /proc/<pid>/autogroup reads '/autogroup-<n> nice <k>'."""
    return Path(f"/proc/{pid}/autogroup").read_text().split()[2]


def test_a_child_in_a_session_of_its_own_gets_its_group_lowered_and_one_in_ours_does_not() -> None:
    """Playwright starts Chromium in a new session, which the kernel schedules as a group of its own: only
    the group's nice puts it behind the server, whatever the policy inside it says."""
    sleep = [sys.executable, "-c", "import time; time.sleep(30)"]
    apart = subprocess.Popen(sleep, start_new_session=True)
    beside = subprocess.Popen(sleep)
    try:
        if autogroup_of(os.getpid()) is None or autogroup_of(apart.pid) is None:
            pytest.skip("this machine's processes are in no scheduler autogroup: there is nothing to lower")
        try:
            Path(f"/proc/{apart.pid}/autogroup").write_text("0")  # a no-op, where /proc lets us write at all
        except OSError as err:
            pytest.skip(f"this machine does not let a process set its children's autogroup nice: {err}")
        assert autogroup_of(apart.pid) != autogroup_of(beside.pid)
        assert nice_of(apart.pid) == "0"
        assert lower_browser_group("same") == []  # "same": the browsers keep the server's weight
        assert nice_of(apart.pid) == "0"

        lowered = lower_browser_group("idle")
        assert apart.pid in lowered and beside.pid not in lowered
        assert nice_of(apart.pid) == "19"
        assert autogroup_of(beside.pid) == autogroup_of(os.getpid())
        assert nice_of(beside.pid) == nice_of(os.getpid())  # our own group is left as it was
    finally:
        for child in (apart, beside):
            child.kill()
            child.wait()


def test_without_an_autogroup_of_its_own_the_bench_lowers_nothing_and_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where /proc/<pid>/autogroup is missing or reads empty (the default group, as on the CI runner), the
    bench must run its waves with the browsers as they are rather than stop on the file it cannot parse."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], start_new_session=True)
    try:
        monkeypatch.setattr(load, "autogroup_of", lambda pid: None)
        assert lower_browser_group("idle") == []
    finally:
        child.kill()
        child.wait()
    assert autogroup_of(child.pid) is None  # a process that is gone has no group either
