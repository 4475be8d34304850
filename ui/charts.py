"""Draw a `core.plots` figure, built and serialised once per distinct input and reused on every rerun that repeats it.

Streamlit reruns a page top to bottom on every click. Building a plotly figure costs milliseconds, and
`st.plotly_chart` asks the figure for its dict on every call, which deep-copies it and base64-encodes its
arrays again. `chart` keys each figure by its builder and arguments (numpy arrays by all of their bytes),
keeps the figure together with its dict, so a slider move rebuilds only the figures that depend on it
and serialises the others from the dict already made.
"""
from __future__ import annotations

import hashlib
import io
import pickle
import threading
import weakref
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core import plots


_digests: dict[int, tuple[weakref.ref, bytes]] = {}
_digests_lock = threading.Lock()


def _array_key(array: np.ndarray) -> bytes:
    """An array's shape, dtype and a SHA-256 of all of its bytes (with the CPU's SHA instructions, twice as
    fast as MD5 here: 2.5 ms for the 3.2 MB of ResNet's first-layer maps).

    Streamlit's own hash samples 100,000 values of arrays from 500,000 up, so two large maps differing
    elsewhere would share a figure. A read-only array (the loaders' shared results) cannot change, so its
    digest is remembered for as long as the array lives, and a rerun does not hash it again.
    """
    remember = not array.flags.writeable
    if remember:
        hit = _digests.get(id(array))
        if hit is not None and hit[0]() is array:
            return hit[1]
    if array.dtype.hasobject:
        body = pickle.dumps(array, protocol=5)
    else:
        body = memoryview(np.ascontiguousarray(array)).cast("B")
    key = f"{array.shape}{array.dtype.str}".encode() + hashlib.sha256(body).digest()
    if remember:
        ident = id(array)
        with _digests_lock:
            _digests[ident] = (weakref.ref(array, lambda _, i=ident: _digests.pop(i, None)), key)
    return key


class _Serialised(go.Figure):
    """A figure that answers `to_dict` with a dict made once, for `st.plotly_chart` (it calls `to_dict` on every rerun)."""

    def __init__(self, spec: dict) -> None:
        super().__init__(layout={"template": {}}, _validate=False)  # the spec has the template; applying it costs 0.8 ms
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec

    def to_plotly_json(self) -> dict:
        return self._spec


@dataclass(frozen=True)
class _Drawn:
    figure: go.Figure
    serialised: _Serialised


class _KeyPickler(pickle.Pickler):
    """Pickles a figure's arguments with every numpy array replaced by `_array_key` (shape, dtype, digest)."""

    def reducer_override(self, obj: object) -> object:
        if isinstance(obj, np.ndarray):
            return bytes, (_array_key(obj),)
        return NotImplemented


def _arguments_key(builder: str, args: tuple, kwargs: dict) -> str:
    """One digest of the builder and all of its arguments. Streamlit's own hashing of a tuple argument walks
    it item by item, or, given a pickle hash function, copies every array inside into the pickle."""
    buf = io.BytesIO()
    _KeyPickler(buf, protocol=5).dump((builder, args, sorted(kwargs.items())))
    return hashlib.sha256(buf.getbuffer()).hexdigest()


@st.cache_resource(max_entries=256, show_spinner=False)
def _figure(builder: str, key: str, _args: tuple, _kwargs: dict) -> _Drawn:
    """Shared between sessions and never mutated (plotly's `to_json` only pops trace uids, which we have none of).
    `key` stands for the arguments, which are not hashed again."""
    fig = getattr(plots, builder)(*_args, **_kwargs)
    return _Drawn(fig, _Serialised(fig.to_dict()))


def _drawn(builder: Callable[..., go.Figure], args: tuple, kwargs: dict) -> _Drawn:
    if getattr(plots, builder.__name__, None) is not builder:
        raise ValueError(f"{builder.__name__} is not a figure builder of core.plots")
    return _figure(builder.__name__, _arguments_key(builder.__name__, args, kwargs), args, kwargs)


def figure(builder: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> go.Figure:
    """`builder(*args, **kwargs)` from the cache; `builder` must be a function of `core.plots`."""
    return _drawn(builder, args, kwargs).figure


def chart(where: Any, builder: Callable[..., go.Figure], *args: Any, key: str, **kwargs: Any) -> None:
    """Draw `builder(*args, **kwargs)` full width in `where` (st, a column, a tab) under widget key `key`."""
    where.plotly_chart(_drawn(builder, args, kwargs).serialised, width="stretch", theme=None, key=key)
