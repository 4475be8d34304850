"""Draw a `core.plots` figure, built and serialised once per distinct input and reused on every rerun that repeats it.

Streamlit reruns a page top to bottom on every click. Building a plotly figure costs milliseconds, and
`st.plotly_chart` turns the figure into JSON on every call: a deep copy, base64 of every array, orjson,
then plotly's escaping pass over the whole text. `chart` keys each figure by its builder and arguments
(numpy arrays by all of their bytes) and keeps the figure together with its JSON, made once, so a slider
move rebuilds only the figures that depend on it and hands Streamlit the others' JSON as it is.
"""
from __future__ import annotations

import codecs
import copy
import hashlib
import io
import json
import pickle
import threading
import weakref
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import orjson
import pybase64
import plotly.graph_objects as go
from _plotly_utils.basevalidators import is_homogeneous_array
from _plotly_utils.utils import plotlyjsShortTypes, to_typed_array_spec
from plotly.io.json import to_json_plotly

from core import plots
from core.i18n import language
from ui.shared_cache import SharedCache


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


def name_array(array: np.ndarray, *name: object) -> np.ndarray:
    """Give a read-only `array` a key made from `name` instead of from its bytes, for as long as it lives.

    For the loaders' results: `name` is the loader and its cache key, which fixes the array's content as
    surely as its bytes do, so a figure of a new picture's 3.2 MB of ResNet maps does not first hash them
    (3 ms). Equal names must mean equal content; unequal names for equal content only cost a rebuilt figure.
    """
    if array.flags.writeable:
        raise ValueError("only a read-only array can be named: its content must not change under its name")
    key = f"{array.shape}{array.dtype.str}named".encode() + hashlib.sha256(repr(name).encode()).digest()
    ident = id(array)
    with _digests_lock:
        _digests[ident] = (weakref.ref(array, lambda _, i=ident: _digests.pop(i, None)), key)
    return array


def _json_escapes(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: characters outside ASCII as JSON's \\uXXXX escapes (UTF-16 pairs above U+FFFF)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    escaped = []
    for character in error.object[error.start:error.end]:
        code = ord(character)
        if code > 0xFFFF:
            code -= 0x10000
            escaped.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            escaped.append(f"\\u{code:04x}")
    return "".join(escaped), error.end


codecs.register_error("explorer_json_escapes", _json_escapes)


_PLAIN = {int, float, bool, type(None)}
_SKIPPED = frozenset(("geojson", "layer", "layers", "range"))  # what plotly's is_skipped_key leaves as it is


def _ready(value: object, in_list: bool = False) -> object:
    """`value` as plotly's `to_dict` leaves it for JSON (numeric arrays as base64 typed arrays, except under the
    keys plotly skips), built anew instead of deep-copied and converted in place, and without a call per
    item of every list: a 1,000-label axis costs a scan, not 1,000 calls.

    Text outside ASCII goes in already written as JSON with \\u escapes (an `orjson.Fragment`), a list of
    labels at once: escaping it here costs a fraction of escaping the whole figure's text afterwards.
    """
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is str:
        return value if value.isascii() else orjson.Fragment(json.dumps(value))
    if isinstance(value, dict):
        return {k: v if k in _SKIPPED else _ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        kinds = set(map(type, value))  # one pass in C: most lists are all numbers or all labels
        if kinds <= _PLAIN:
            return value
        if kinds == {str}:
            return value if "".join(value).isascii() else orjson.Fragment(json.dumps(list(value)))
        return [_ready(v, in_list=True) for v in value]
    if in_list:  # plotly converts arrays held by a key only; one inside a list goes out as numbers
        return value
    if isinstance(value, np.ndarray):
        return _typed(value)
    return to_typed_array_spec(value) if is_homogeneous_array(value) else value


_NARROW = {"int64": ("int8", "int16", "int32"), "uint64": ("uint8", "uint16", "uint32")}


def _typed(array: np.ndarray) -> object:
    """A numpy array as plotly's `to_typed_array_spec` sends it, without its checks for pandas and narwhals
    objects (≈ 0.1 ms an array; a new text's figures hold a dozen), or its copy of the array.

    Numbers go as base64 typed arrays (64-bit integers narrowed as plotly narrows them); text, booleans and
    objects as lists, which is what plotly's JSON makes of them.
    """
    kind = array.dtype.kind
    if kind in "UOb":
        return _ready(array.tolist())
    if kind not in "uif" or array.size == 0:
        return to_typed_array_spec(array)
    dtype = str(array.dtype)
    if dtype in _NARROW:
        low, high = array.min(), array.max()
        fits = [name for name in _NARROW[dtype] if np.iinfo(name).min <= low and high <= np.iinfo(name).max]
        if not fits:
            return array
        array, dtype = array.astype(fits[0]), fits[0]
    if dtype not in plotlyjsShortTypes:
        return to_typed_array_spec(array)
    spec = {"dtype": plotlyjsShortTypes[dtype], "bdata": pybase64.b64encode_as_string(np.ascontiguousarray(array))}
    if array.ndim > 1:
        spec["shape"] = str(array.shape)[1:-1]
    return spec


_JSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
_templates: list[tuple[dict, orjson.Fragment]] = []


def _template(template: dict) -> orjson.Fragment:
    """A layout template as JSON, made once: every figure carries a copy of the same one (about 200 nested
    values, a third of `_ready`'s walk over a 1,000-step heatmap)."""
    for known, text in _templates:
        if known == template:
            return text
    text = orjson.Fragment(orjson.dumps(_ready(template), option=_JSON_OPTIONS))
    _templates[:] = [(copy.deepcopy(template), text)] + _templates[:3]
    return text


def figure_json(fig: go.Figure) -> str:
    """`fig` as the JSON `plotly.io.to_json` makes ('<', '>' and '/' escaped), but ASCII only.

    Characters outside ASCII (a title's “quotes”, a × or ↵ along an axis) are written as \\u escapes, which
    JSON reads back as the same text. Otherwise one such character makes Python hold the whole text at two
    or four bytes a character, and every pass over it costs several times more: plotly's escaping, and
    Streamlit's element id and message hash, both of which encode it to UTF-8 again on every rerun.
    Nothing is left for plotly's escaping pass to replace, so on a rerun it only scans the text.
    """
    layout = dict(fig._layout)  # what to_dict deep-copies: read here, never changed
    if isinstance(layout.get("template"), dict):
        layout["template"] = _template(layout["template"])
    spec = {"data": fig._data, "layout": layout}
    if fig._frame_objs:
        spec["frames"] = [frame._props for frame in fig._frame_objs]
    try:
        raw = orjson.dumps(_ready(spec), option=_JSON_OPTIONS)
    except TypeError:  # what orjson cannot write alone (an array of objects): plotly's own path, as to_json does
        raw = to_json_plotly(fig.to_dict(), engine="orjson").encode()
    if not raw.isascii():  # text `_ready` does not reach (none in our figures): escaped over the whole JSON
        raw = raw.decode().encode("ascii", "explorer_json_escapes")
    for unsafe, safe in ((b"<", b"\\u003c"), (b">", b"\\u003e"), (b"/", b"\\u002f")):
        raw = raw.replace(unsafe, safe)
    return raw.decode("ascii")


class _Spec(dict):
    """The figure's data and layout, which also answers plotly's `to_plotly_json` with its JSON, made once.

    `plotly.io.to_json` asks a figure for its dict, then asks that for `to_plotly_json` and hands orjson
    the answer: an `orjson.Fragment` goes out as it is, so a rerun does not serialise the figure again.
    """

    def __init__(self, fig: go.Figure) -> None:
        super().__init__(data=fig._data, layout=fig._layout)
        self.fragment = orjson.Fragment(figure_json(fig))

    def to_plotly_json(self) -> orjson.Fragment:
        return self.fragment


class _Serialised(go.Figure):
    """A figure that answers `to_dict` with a `_Spec` made once, for `st.plotly_chart` (it calls `to_dict` on every rerun).

    It is a `go.Figure` only for Streamlit's type check, and is given nothing but its spec: `st.plotly_chart`
    asks a plotly figure for `to_dict` alone, and an empty figure's own set-up costs 0.15 ms (three a new text).
    """

    def __init__(self, fig: go.Figure) -> None:  # no go.Figure.__init__: see above
        self._spec = _Spec(fig)

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
    """One digest of the builder, all of its arguments and the run's language (a builder translates its own axis
    titles and legends, so an English and a Chinese figure of the same numbers are two figures). Streamlit's own hashing of a tuple argument walks
    it item by item, or, given a pickle hash function, copies every array inside into the pickle."""
    buf = io.BytesIO()
    _KeyPickler(buf, protocol=5).dump((builder, language(), args, sorted(kwargs.items())))
    return hashlib.sha256(buf.getbuffer()).hexdigest()


def _draw(builder: str, key: str, _args: tuple, _kwargs: dict) -> _Drawn:
    """Build `builder(*_args, **_kwargs)` and its JSON. `key` is one digest of everything the figure depends
    on, so the cache does not hash the arguments again. A figure is never changed once drawn (plotly's
    `to_json` only pops trace uids, which ours have none of), so every session may share it."""
    fig = getattr(plots, builder)(*_args, **_kwargs)
    return _Drawn(fig, _Serialised(fig))


FIGURES = SharedCache(_draw, 256)  # the figures drawn so far, least recently drawn dropped first


def _drawn(builder: Callable[..., go.Figure], args: tuple, kwargs: dict) -> _Drawn:
    if getattr(plots, builder.__name__, None) is not builder:
        raise ValueError(f"{builder.__name__} is not a figure builder of core.plots")
    return FIGURES(builder.__name__, _arguments_key(builder.__name__, args, kwargs), args, kwargs)


def figure(builder: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> go.Figure:
    """`builder(*args, **kwargs)` from the cache; `builder` must be a function of `core.plots`."""
    return _drawn(builder, args, kwargs).figure


def chart(where: Any, builder: Callable[..., go.Figure], *args: Any, key: str, **kwargs: Any) -> None:
    """Draw `builder(*args, **kwargs)` full width in `where` (st, a column, a tab) under widget key `key`."""
    where.plotly_chart(_drawn(builder, args, kwargs).serialised, width="stretch", theme=None, key=key)
