"""The shared sidebar, and the start-up warm-up that keeps the first page light.

Importing PyTorch and torchvision takes ≈ 5 s on a small CPU. The home page needs neither to show its
title and links, so app.py imports only this module, which starts importing the heavy libraries on a
background thread the first time any page runs; by the time a learner clicks a page, they are loaded.
"""
from __future__ import annotations

import importlib
import os
import threading

import streamlit as st

HEAVY_MODULES = ("torch", "torchvision", "ui.loaders", "ui.widgets")
_started = threading.Event()
_done = threading.Event()


def _import_heavy() -> None:
    try:
        for name in HEAVY_MODULES:
            importlib.import_module(name)
    finally:
        _done.set()


def warm_up() -> None:
    """Start importing the heavy modules in the background, once per server process."""
    if not _started.is_set():
        _started.set()
        threading.Thread(target=_import_heavy, name="explorer-warm-up", daemon=True).start()


def heavy_ready() -> bool:
    """Whether the background import has finished (a page can then import torch without waiting)."""
    return _done.is_set()


TIMING_ENV = "EXPLORER_SHOW_SERVER_TIME"


def device_panel(page_seconds: float | None = None) -> None:
    """The sidebar's device line. Imports the loaders here, not at module level, so the home page's first
    paint does not wait for torch: app.py draws this after the page.

    With EXPLORER_SHOW_SERVER_TIME=1 it also shows how long the page's script ran on the server
    (bench/load.py reads it to separate server time from the browser's drawing).
    """
    with st.sidebar, st.spinner("Loading PyTorch …"):
        from ui import loaders

        choice = loaders.device_choice()
    st.sidebar.markdown(f"**Device:** `{choice.kind}`")
    st.sidebar.caption(f"{choice.reason} Set EXPLORER_DEVICE=cuda, mps or cpu to choose.")
    if page_seconds is not None and os.environ.get(TIMING_ENV) == "1":
        st.sidebar.caption(f"Server time of this run: {page_seconds:.3f} s")
