"""What one session may hold of uploaded files: Streamlit keeps every upload in memory until its session ends.

A browser replaces a widget's file (and deletes the old one), but anyone can send upload requests by hand,
and Streamlit keeps them all: five forged 150 MB uploads are 750 MB held by one session. `hold_at_most`
makes the server's upload store drop a session's oldest files whenever that session holds more than the cap,
so a visitor's newest upload (the one a widget is showing) is always kept.

Each uploader accepts up to the server's cap (`server.maxUploadSize`) and its label states the app's own, lower
cap (in MB of 1,000,000 bytes), which the code checks: a file over it reaches the app and is refused with a
sentence on screen. A widget's own cap would refuse it in the browser with the reason only on hover, beside
the page's previous state. `caps_in_labels` hides the widget's "250MB per file" line, which would contradict
the label.
"""
from __future__ import annotations

from typing import Callable

import streamlit as st
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

SESSION_UPLOAD_BYTES = 300_000_000
"""What one session may hold at once (MB of 1,000,000 bytes): the largest upload (server.maxUploadSize = 250 MiB,
262 MB) and a few pictures beside it."""


def drop_oldest(manager: MemoryUploadedFileManager, session_id: str, limit: int) -> list[str]:
    """Remove `session_id`'s oldest files from `manager` until it holds at most `limit` bytes (its newest file is
    always kept); returns the ids removed."""
    for _attempt in range(3):  # another thread may change the session's files while they are listed
        try:
            held = [(file_id, len(rec.data)) for file_id, rec in manager.file_storage.get(session_id, {}).items()]
            break
        except RuntimeError:
            continue
    else:
        return []
    total, removed = sum(size for _, size in held), []
    for file_id, size in held[:-1]:
        if total <= limit:
            break
        manager.remove_file(session_id, file_id)
        total -= size
        removed.append(file_id)
    return removed


def caps_in_labels() -> None:
    """Hide every uploader's "…MB per file" line (the server's cap): each label states the app's cap instead."""
    st.html("<style>[data-testid='stFileUploaderDropzoneInstructions'] { display: none; }</style>")


def hold_at_most(limit: int = SESSION_UPLOAD_BYTES) -> None:
    """Make every upload store of this server process keep at most `limit` bytes per session (idempotent)."""
    current: Callable = MemoryUploadedFileManager.add_file
    if getattr(current, "capped_at", None) == limit:
        return
    original = getattr(current, "original", current)

    def add_file(self: MemoryUploadedFileManager, session_id: str, file: UploadedFileRec) -> None:
        original(self, session_id, file)
        drop_oldest(self, session_id, limit)

    add_file.original = original  # type: ignore[attr-defined]
    add_file.capped_at = limit  # type: ignore[attr-defined]
    MemoryUploadedFileManager.add_file = add_file  # type: ignore[method-assign]
