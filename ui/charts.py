"""Draw a `core.plots` figure, built once per distinct input and reused on every rerun that repeats it.

Streamlit reruns a page top to bottom on every click. Building a plotly figure (validation of every
property) costs 5–40 ms, so a page of ten figures spends most of a slider move rebuilding figures that
did not change. `chart` keys each figure by its builder and arguments (numpy arrays are hashed by
content), so only the figures that depend on the moved control are rebuilt.
"""
from __future__ import annotations

import pickle
from typing import Any, Callable

import plotly.graph_objects as go
import streamlit as st

from core import plots


def _pickled(value: object) -> bytes:
    """Hash containers as one pickle: Streamlit's default walks them item by item (1,000 ImageNet class names)."""
    return pickle.dumps(value, protocol=5)


@st.cache_resource(max_entries=256, show_spinner=False, hash_funcs={list: _pickled, tuple: _pickled, dict: _pickled})
def _figure(builder: str, args: tuple, kwargs: tuple) -> go.Figure:
    """Shared between sessions and never mutated: `st.plotly_chart` serialises a copy."""
    return getattr(plots, builder)(*args, **dict(kwargs))


def figure(builder: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> go.Figure:
    """`builder(*args, **kwargs)` from the cache; `builder` must be a function of `core.plots`."""
    if getattr(plots, builder.__name__, None) is not builder:
        raise ValueError(f"{builder.__name__} is not a figure builder of core.plots")
    return _figure(builder.__name__, args, tuple(sorted(kwargs.items())))


def chart(where: Any, builder: Callable[..., go.Figure], *args: Any, key: str, **kwargs: Any) -> None:
    """Draw `builder(*args, **kwargs)` full width in `where` (st, a column, a tab) under widget key `key`."""
    where.plotly_chart(figure(builder, *args, **kwargs), width="stretch", theme=None, key=key)
