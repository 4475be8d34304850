"""The load bench's premise: the browsers it starts really do run behind the server."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.load import lower_browser_group

AUTOGROUP = Path("/proc/self/autogroup")
pytestmark = pytest.mark.skipif(not AUTOGROUP.exists(), reason="this kernel has no scheduler autogroups")


def autogroup(pid: int) -> tuple[str, str]:
    """(group, nice) of process `pid`: /proc/<pid>/autogroup reads '/autogroup-<n> nice <k>'."""
    name, _, nice = Path(f"/proc/{pid}/autogroup").read_text().split()
    return name, nice


def test_a_child_in_a_session_of_its_own_gets_its_group_lowered_and_one_in_ours_does_not() -> None:
    """Playwright starts Chromium in a new session, which the kernel schedules as a group of its own: only
    the group's nice puts it behind the server, whatever the policy inside it says."""
    sleep = [sys.executable, "-c", "import time; time.sleep(30)"]
    apart = subprocess.Popen(sleep, start_new_session=True)
    beside = subprocess.Popen(sleep)
    try:
        try:
            Path(f"/proc/{apart.pid}/autogroup").write_text("0")  # a no-op, where /proc lets us write at all
        except OSError as err:
            pytest.skip(f"this machine does not let a process set its children's autogroup nice: {err}")
        assert autogroup(apart.pid)[0] != autogroup(beside.pid)[0]
        assert autogroup(apart.pid)[1] == "0"
        assert lower_browser_group("same") == []  # "same": the browsers keep the server's weight
        assert autogroup(apart.pid)[1] == "0"

        lowered = lower_browser_group("idle")
        assert apart.pid in lowered and beside.pid not in lowered
        assert autogroup(apart.pid)[1] == "19"
        assert autogroup(beside.pid) == autogroup(os.getpid())  # our own group is left as it was
    finally:
        for child in (apart, beside):
            child.kill()
            child.wait()
