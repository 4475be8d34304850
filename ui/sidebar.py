"""The shared sidebar, and the start-up warm-up that keeps the first page light.

Importing PyTorch and torchvision takes ≈ 5 s on a small CPU. The home page needs neither to show its
title and links, so app.py imports only this module, which starts importing the heavy libraries on a
background thread the first time any page runs; by the time a learner clicks a page, they are loaded.
"""
from __future__ import annotations

import gc
import importlib
import os
import sys
import threading
import time
from typing import Any

import streamlit as st

from core.i18n import _

HEAVY_MODULES = ("torch", "torchvision", "ui.models", "ui.vision", "ui.widgets")
_started = threading.Event()


def _import_heavy() -> None:
    for name in HEAVY_MODULES:
        importlib.import_module(name)
    freeze_imported()


def freeze_imported() -> None:
    """Move every object alive now (the imported libraries: ≈ 440,000 functions, tuples and dicts) out of
    the garbage collector's sight.

    Streamlit runs a full collection after every script run (`runner.postScriptGC`), holding the GIL, so
    the whole server stands still for it. With torch, torchvision, plotly and captum imported that took
    ≈ 250 ms per rerun on a small CPU, longer than most reruns themselves; with the imports frozen it
    walks only what was made since (≈ 20–30 ms). Frozen objects are still freed by reference counting; only
    cycles among them are never collected, and module-level objects live as long as the process anyway.
    """
    gc.collect()
    gc.freeze()


def warm_up() -> None:
    """Start importing the heavy modules in the background, once per server process."""
    if not _started.is_set():
        _started.set()
        threading.Thread(target=_import_heavy, name="explorer-warm-up", daemon=True).start()


TIMING_ENV = "EXPLORER_SHOW_SERVER_TIME"


def device_panel() -> None:
    """The sidebar's device line. Imports torch here, not at module level, so that app.py can
    draw the home page (which needs no torch) before it."""
    with st.sidebar, st.spinner(_("Loading PyTorch …")):
        from ui import scheduling

        choice = scheduling.device_choice()
    st.sidebar.markdown(_("**Device:** `{device}`").format(device=choice.kind))
    st.sidebar.caption(_("{reason} Set EXPLORER_DEVICE=cuda, mps or cpu to choose.").format(reason=choice.reason))


class RunClock:
    """The server time of one script run, shown in the sidebar when EXPLORER_SHOW_SERVER_TIME=1
    (bench/load.py reads it to separate the server's time from the browser's drawing).

    Besides the wall time it reports how long the run queued for a heavy-work slot, how long its thread
    ran on a CPU, and how long it stood runnable in the kernel's run queue waiting for a core (Linux
    only, from /proc schedstat); under load the rest is waiting for the GIL.
    """

    def __init__(self) -> None:
        self.slot = st.sidebar.empty()
        slots = _slots()
        if slots is not None:
            slots.reset_waited()
        self.wall, self.cpu, self.runq = time.perf_counter(), time.thread_time(), _runqueue_s()

    def show(self) -> None:
        slots = _slots()
        waited = slots.waited() if slots is not None else 0.0
        self.slot.caption(
            f"Server time of this run: {time.perf_counter() - self.wall:.3f} s (queued {waited:.3f} s for a "
            f"heavy-work slot, {time.thread_time() - self.cpu:.3f} s on a CPU, {_runqueue_s() - self.runq:.3f} s "
            "waiting for a core)")


def run_clock() -> RunClock | None:
    """A RunClock started now when EXPLORER_SHOW_SERVER_TIME=1, else None (nothing drawn, nothing read)."""
    return RunClock() if os.environ.get(TIMING_ENV) == "1" else None


def _runqueue_s() -> float:
    """Seconds this thread has spent runnable but not running, from /proc; 0 where there is no /proc."""
    try:
        with open(f"/proc/self/task/{threading.get_native_id()}/schedstat") as stats:
            return int(stats.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def _slots() -> Any:
    """The heavy-work slots when ui.scheduling is imported already (the home page never imports it)."""
    scheduling = sys.modules.get("ui.scheduling")
    return scheduling.heavy_slot() if scheduling is not None else None
