"""The training lab's "your data" panel: upload or paste, check, summarise; kept in this session only."""
from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from core import lab, plots
from core.data import own
from core.data.own import DataInputError
from ui.charts import chart

SESSION_KEY = "tl_data"
SOURCES = {
    "own_images": ("images", "a zip of class folders (cats/1.jpg, dogs/2.png, …)", ["zip"], own.MAX_ZIP_BYTES),
    "own_text": ("char", "a UTF-8 text file, or paste below", ["txt", "md", "py", "csv"], own.MAX_TEXT_BYTES),
    "own_series": ("series", "a CSV with one column of numbers (a header line is fine)", ["csv", "txt"], own.MAX_TEXT_BYTES),
}


def _parse(choice: str, data: bytes) -> tuple[lab.LabData, str, tuple[str, ...]]:
    """LabData, a one-line summary and notes (skipped files) for uploaded bytes; raises DataInputError."""
    if choice == "own_images":
        folder = own.images_from_zip(data)
        counts = ", ".join(f"{name} {n}" for name, n in folder.counts().items())
        return (lab.images_data(folder.images, folder.labels, folder.classes),
                f"{len(folder.labels)} pictures in {len(folder.classes)} classes ({counts}); a fifth of each class is "
                "held out.", folder.skipped)
    if choice == "own_text":
        text = own.read_text(data)
        return lab.text_data(text), f"{len(text):,} characters; the last 10% are held out.", ()
    series = own.read_series(data)
    return lab.series_data(series), (f"{len(series):,} values; windows of {lab.SERIES_WINDOW} predict the next one, "
                                     "the last fifth is held out."), ()


def dataset_panel(choice: str, disabled: bool) -> lab.LabData | None:
    """Upload (or paste) the data of an own-data task; returns the checked data, or None with a message."""
    _, what, types, limit = SOURCES[choice]
    store: dict[str, tuple[str, lab.LabData, str, tuple[str, ...]]] = st.session_state.setdefault(SESSION_KEY, {})
    upload = st.file_uploader(f"Your data: {what}; up to {limit // 2**20} MB", type=types, key=f"tl_upload_{choice}",
                              max_upload_size=max(1, limit // 2**20), disabled=disabled)
    raw, name = (upload.getvalue(), upload.name) if upload is not None else (None, None)
    if choice == "own_text":
        pasted = st.text_area(f"…or paste a text (at least {own.MIN_TEXT_CHARS:,} characters)", key="tl_paste",
                              height=100, disabled=disabled or upload is not None)
        if raw is None and pasted:
            raw, name = pasted.encode("utf-8"), "pasted text"
    if raw is not None:
        digest = hashlib.blake2b(raw, digest_size=12).hexdigest()
        if store.get(choice, ("",))[0] != digest:
            try:
                with st.spinner(f"Checking {name} …"):
                    data, summary, notes = _parse(choice, raw)
            except DataInputError as err:
                st.error(f"**{name}**: {err}")
                store.pop(choice, None)
                return None
            store[choice] = (digest, data, f"**{name}**: {summary}", notes)
    if choice not in store:
        st.info("Upload your data to train on it. Only you see it, and nothing is saved.")
        return None
    _, data, summary, notes = store[choice]
    st.markdown(summary)
    if notes:
        with st.expander(f"{len(notes)} file{'s' if len(notes) > 1 else ''} skipped"):
            st.markdown("\n".join(f"- {note}" for note in notes[:50]))
    if choice == "own_series":
        shown = np.concatenate([data.y_train.numpy(), data.y_val.numpy()])[-1000:]
        chart(st, plots.line_chart, {"your series (standardised)": shown}, "step", "value",
              f"The last {len(shown)} values", key="tl_series_preview")
    return data
