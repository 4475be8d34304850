"""The training lab's "your data" panel: upload or paste, check, summarise; kept in this session only."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

import numpy as np
import streamlit as st

from core import plots
from core.training import tasks
from core.data import own
from core.data.own import DataInputError
from core.i18n import N_, _, ngettext
from core.markup import escape_markdown
from ui.charts import chart
from ui.scheduling import heavy_slot

SESSION_KEY = "tl_data"


Summary = Callable[[], str]  # a data set's one-line summary, written in the language of the run that shows it


def _pictures(data: bytes) -> tuple[tasks.TaskData, Summary, tuple[str, ...]]:
    folder = own.images_from_zip(data)
    counts = ", ".join(f"{escape_markdown(name)} {n}" for name, n in folder.counts().items())  # folder names
    return (tasks.images_data(folder.images, folder.labels, folder.classes),
            lambda: _("{n} pictures in {classes} classes ({counts}); a fifth of each class is held out.").format(
                n=len(folder.labels), classes=len(folder.classes), counts=counts), folder.skipped)


def _text(data: bytes) -> tuple[tasks.TaskData, Summary, tuple[str, ...]]:
    text = own.read_text(data)
    n = len(text)
    return tasks.text_data(text), lambda: _("{n:,} characters; the last 10% are held out.").format(n=n), ()


def _series(data: bytes) -> tuple[tasks.TaskData, Summary, tuple[str, ...]]:
    series = own.read_series(data)
    n = len(series)
    return tasks.series_data(series), lambda: _("{n:,} values; windows of {window} predict the next one, the last "
                                                "fifth is held out.").format(n=n, window=tasks.SERIES_WINDOW), ()


@dataclass(frozen=True)
class Source:
    """Where an own-data task's data comes from: the task, what to upload (a message id), file types, a size cap, and
    the reader that checks the bytes and returns the data, a one-line summary and notes (skipped files)."""

    task: str
    what: str
    types: tuple[str, ...]
    limit: int
    read: Callable[[bytes], tuple[tasks.TaskData, Summary, tuple[str, ...]]]
    pasteable: bool = False  # a text area beside the uploader
    preview: bool = False  # draw the series under its summary


SOURCES: dict[str, Source] = {
    "own_images": Source("images", N_("a zip of class folders (cats/1.jpg, dogs/2.png, …)"), ("zip",),
                         own.MAX_ZIP_BYTES, _pictures),
    "own_text": Source("char", N_("a UTF-8 text file, or paste below"), ("txt", "md", "py", "csv"), own.MAX_TEXT_BYTES,
                       _text, pasteable=True),
    "own_series": Source("series", N_("a CSV with one column of numbers (a header line is fine)"), ("csv", "txt"),
                         own.MAX_TEXT_BYTES, _series, preview=True),
}


def dataset_panel(choice: str, disabled: bool) -> tasks.TaskData | None:
    """Upload (or paste) the data of an own-data task; returns the checked data, or None with a message."""
    source = SOURCES[choice]
    what, types, limit = source.what, list(source.types), source.limit
    store: dict[str, tuple[str, tasks.TaskData, str, Summary, tuple[str, ...]]] = st.session_state.setdefault(SESSION_KEY, {})
    upload = st.file_uploader(_("Your data: {what}; up to {cap} MB").format(what=_(what), cap=limit // 10**6), type=types,
                              key=f"tl_upload_{choice}", disabled=disabled)
    raw, name = (upload.getvalue(), upload.name) if upload is not None else (None, None)
    if source.pasteable:
        pasted = st.text_area(_("…or paste a text (at least {n:,} characters)").format(n=own.MIN_TEXT_CHARS), key="tl_paste",
                              height=100, disabled=disabled or upload is not None)
        if raw is None and pasted:
            raw, name = pasted.encode("utf-8"), _("pasted text")
    if raw is not None:
        digest = hashlib.blake2b(raw, digest_size=12).hexdigest()
        if store.get(choice, ("",))[0] != digest:
            try:
                with st.spinner(_("Checking {name} …").format(name=escape_markdown(name))), heavy_slot():  # model-sized work
                    data, summary, notes = source.read(raw)
            except DataInputError as err:
                st.error(f"**{escape_markdown(name)}**: {escape_markdown(str(err))}")
                store.pop(choice, None)
                return None
            store[choice] = (digest, data, name, summary, notes)
    if choice not in store:
        st.info(_("Upload your data to train on it. Only you see it, and nothing is saved."))
        return None
    _digest, data, name, summary, notes = store[choice]
    st.markdown(f"**{escape_markdown(name)}**: {summary()}")
    if notes:
        with st.expander(ngettext("{n} file skipped", "{n} files skipped", len(notes)).format(n=len(notes))):
            st.markdown("\n".join(f"- {escape_markdown(note)}" for note in notes[:50]))
    if source.preview:
        shown = np.concatenate([data.y_train.numpy(), data.y_val.numpy()])[-1000:]
        label = N_("your series (standardised)")  # the key names the colour; the legend shows it translated
        chart(st, plots.line_chart, {label: shown}, _("step"), _("value"), _("The last {n} values").format(n=len(shown)),
              names={label: _(label)}, key="tl_series_preview")
    return data
