"""Pure figure builders: numbers in, plotly figures out. No model, no state, no streamlit.

Pictures travel as PNG data URIs (`go.Image(source=...)`) and feature-map grids as one compact
heatmap, so what the browser receives stays small however large the layer is.
"""
from __future__ import annotations

import base64
import functools
import io
import math
import os
from typing import Callable, Sequence, TypeVar

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.basevalidators import ColorscaleValidator
from PIL import Image
from plotly.colors import get_colorscale, unlabel_rgb

from core.i18n import _
from core.markup import escape_label
from core.palette import REFERENCE, colour_of

MAX_TILE = 32
GRID_GAP = 1
DIVERGING = "RdBu_r"  # signed maps: blue below 0, white at 0, red above (RdBu reversed, as the heatmaps draw it)
LOSSY_FROM = 128 * 128  # pixels from which a picture is sent as JPEG rather than PNG
# plotly checks every property as it is set; our figures are fixed code, so the app skips the checks
# (the same JSON, two to three times faster to build) and the tests turn them back on to catch mistakes.
VALIDATE = os.environ.get("EXPLORER_VALIDATE_FIGURES") == "1"
T = TypeVar("T")


def _figure(data: object = None, layout: dict | None = None) -> go.Figure:
    """An empty or trace-holding figure, checked by plotly only when EXPLORER_VALIDATE_FIGURES=1.

    Plotly gives every new figure a deep copy of its default template (≈ 200 nested values, 0.7 ms a
    figure; a new picture builds five). Ours share one copy, made once: a figure is never changed once
    built, and its JSON is the same.
    """
    layout = dict(layout or {})
    default = pio.templates.default
    if "template" in layout or not isinstance(default, str):
        return go.Figure(data, layout=layout, _validate=VALIDATE)
    fig = go.Figure(data, layout=dict(layout, template={}), _validate=VALIDATE)
    fig._layout["template"] = _default_template(default)
    return fig


@functools.lru_cache(maxsize=4)
def _default_template(name: str) -> dict:
    """The template plotly puts in a new figure's layout while `name` is the default, made once, shared."""
    return go.Figure(_validate=False)._layout["template"]


@functools.lru_cache(maxsize=32)
def _named_scale(name: str) -> tuple:
    """A colour scale name as the colour stops plotly's own check turns it into (the same numbers, to the bit)."""
    return ColorscaleValidator("colorscale", "heatmap").validate_coerce(name)


def _scale(scale: object) -> object:
    """A colour scale, given by name or as stops, as stops with rgb() colours (see `_rgb_scale`)."""
    return _rgb_scale(_named_scale(scale) if isinstance(scale, str) else scale)


def _trace(kind: Callable[..., T], **props: object) -> T:
    """A trace of type `kind` (go.Heatmap, go.Scatter, ...), checked by plotly only when EXPLORER_VALIDATE_FIGURES=1.

    The checks cost about 2 ms a trace with 1,000 labels or a 128 × 1,000 map, and a new text builds three such.
    Colour scales go in as rgb() stops (`_scale`): unchecked, a name would stay a name, and plotly.js knows
    only some of plotly's names (not Inferno); setting them after construction re-checks the whole marker.
    """
    if props.get("colorscale") is not None:
        props["colorscale"] = _scale(props["colorscale"])
    marker = props.get("marker")
    if isinstance(marker, dict) and marker.get("colorscale") is not None:
        props["marker"] = dict(marker, colorscale=_scale(marker["colorscale"]))
    return kind(_validate=VALIDATE, **props)


def _title(text: str | None) -> dict:
    """An axis or colour-bar title as plotly.js 3 wants it (a bare string is not converted when checks are off)."""
    return dict(text=text)


def _panel(data: object, height: int, title: str | None, *, xaxis: dict | None = None, yaxis: dict | None = None,
           **layout: object) -> go.Figure:
    """A one-panel figure with its whole layout given at once, tight margins and self-sizing axes.

    Plotly walks the figure again on every update_* call; one constructor is about five times cheaper
    than the four calls `_tight` makes, and a new picture builds five of these.
    """
    full = dict(
        xaxis=dict(xaxis or {}, automargin=True), yaxis=dict(yaxis or {}, automargin=True), height=height,
        margin=dict(l=10, r=10, t=(40 + 18 * title.count("<br>")) if title else 10, b=10), **layout,
    )
    if title:
        full["title"] = dict(text=title)
    return _figure(data, full)


# A legend right under the x axis title, for figures that share the page's width with another: a legend at
# the right squeezed their plots to a sliver, and one above the plot ran into the title.
LEGEND_BELOW = dict(orientation="h", x=0, xanchor="left", y=-0.2, yanchor="top")
MAX_LOG_TICKS = 8  # labelled powers of ten on a log axis at most


def _log_axis(values: Sequence[object], **axis: object) -> dict:
    """A log axis for `values` (arrays of any shape) that labels only powers of ten, as 10ⁿ.

    Left alone, plotly labels a log axis spanning one to a few decades at 2, 3 … 9 as well, with the bare
    digits "2" … "9" that read like values. Here a range of a decade or more gets one labelled tick every
    ⌈decades / MAX_LOG_TICKS⌉ decades, with unlabelled minor ticks between; a narrower range keeps plotly's
    own ticks, which it then labels in full (0.2, 0.3 …).
    """
    parts = [np.asarray(v, dtype=np.float64).ravel() for v in values]
    flat = np.concatenate(parts) if parts else np.zeros(0)
    flat = flat[np.isfinite(flat) & (flat > 0)]
    full = dict(axis, type="log", exponentformat="power")
    if flat.size:
        decades = math.log10(flat.max() / flat.min())
        if decades >= 1:
            full.update(dtick=max(1, math.ceil(decades / MAX_LOG_TICKS)), minor=dict(ticks="outside", ticklen=3, showgrid=False))
    return full


def _coloured(name: str, **line: object) -> dict:
    """A trace's line (or marker) style in the colour of the thing `name` names (`core.palette`)."""
    return dict(line, color=colour_of(name))


@functools.lru_cache(maxsize=16)
def colormap_lut(name: str = "Inferno") -> np.ndarray:
    """A (256, 3) uint8 lookup table sampled from a plotly colour scale (made once per scale, read-only)."""
    scale = get_colorscale(name)
    stops = np.array([s for s, _ in scale], dtype=np.float64)
    colours = np.array(
        [unlabel_rgb(c) if c.startswith("rgb") else _hex_to_rgb(c) for _, c in scale], dtype=np.float64
    )
    t = np.linspace(0.0, 1.0, 256)
    lut = np.stack([np.interp(t, stops, colours[:, i]) for i in range(3)], axis=1)
    lut = np.clip(np.round(lut), 0, 255).astype(np.uint8)
    lut.setflags(write=False)
    return lut


def _hex_to_rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def scale_01(values: np.ndarray) -> np.ndarray:
    """Min-max scale to [0, 1]; a constant array becomes zeros."""
    values = np.asarray(values, dtype=np.float64)
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    if not np.isfinite(lo) or not np.isfinite(hi) or hi - lo < 1e-12:
        return np.zeros_like(values)
    return (values - lo) / (hi - lo)


def scale_signed(values: np.ndarray, percentile: float = 100.0) -> np.ndarray:
    """Divide by the `percentile` of the magnitudes (100: the largest) and clip: values in [−1, 1] with 0 kept
    at 0; an all-zero (or non-finite) map becomes zeros."""
    values = np.asarray(values, dtype=np.float64)
    bound = float(np.nanpercentile(np.abs(values), percentile)) if values.size else 0.0
    if not np.isfinite(bound) or bound < 1e-12:
        return np.zeros_like(values)
    return np.clip(np.nan_to_num(values / bound), -1.0, 1.0)


def resize_map(values: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear resize of a 2-D float map to (height, width) (see `resize_stack`)."""
    return resize_stack(np.asarray(values)[None], height, width)[0]


def blend_heatmap(picture: np.ndarray, heat: np.ndarray, alpha: float, colormap: str = "Inferno",
                  signed: bool = False) -> np.ndarray:
    """Overlay `heat` (h, w), min-max scaled and resized, on `picture` (H, W, 3) uint8 with opacity `alpha`.

    With `signed`, the map keeps its sign on the picture in grey (so a blue object is not read as evidence):
    red where the map is positive, blue where negative, with opacity `alpha` × |value| / bound, where the bound
    is the 99th percentile of |value| (one extreme pixel would otherwise fade all the others); where the map
    is 0 the picture shows.
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    height, width = picture.shape[:2]
    resized = resize_map(heat, height, width)
    if signed:
        gray = np.round(picture.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32))
        picture = np.repeat(np.clip(gray, 0, 255).astype(np.uint8)[..., None], 3, axis=2)
        shares = scale_signed(resized, percentile=99.0)
        coloured = colormap_lut(DIVERGING)[np.round((shares + 1.0) * 127.5).astype(np.uint8)]
        weight = np.round(alpha * 256 * np.abs(shares)).astype(np.uint16)[..., None]
    else:
        coloured = colorize(resized, colormap)
        weight = round(alpha * 256)  # in 256ths, in integers: a third of the float version's time, within one level
    out = picture.astype(np.uint16) * (256 - weight) + coloured.astype(np.uint16) * weight + 128
    return (out >> 8).astype(np.uint8)


def colorize(values: np.ndarray, colormap: str = "Inferno", signed: bool = False) -> np.ndarray:
    """A 2-D map, min-max scaled, through a colour scale: (H, W) → (H, W, 3) uint8.

    With `signed`, 0 stays the middle of a diverging scale whatever the range: −max |value| is blue, 0
    white, +max |value| red (`colormap` is not used).
    """
    if signed:
        return colormap_lut(DIVERGING)[np.round((scale_signed(values) + 1.0) * 127.5).astype(np.uint8)]
    return colormap_lut(colormap)[np.round(scale_01(values) * 255).astype(np.uint8)]


def png_bytes(rgb: np.ndarray) -> bytes:
    """(H, W, 3) uint8 → PNG file bytes; fast compression, since these are redrawn whenever a slider moves."""
    buf = io.BytesIO()
    Image.fromarray(np.asarray(rgb, dtype=np.uint8)).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def png_data_uri(rgb: np.ndarray) -> str:
    """(H, W, 3) uint8 → 'data:image/png;base64,...'."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(rgb)).decode("ascii")


def jpeg_data_uri(rgb: np.ndarray, quality: int = 92) -> str:
    """(H, W, 3) uint8 → 'data:image/jpeg;base64,...'."""
    buf = io.BytesIO()
    Image.fromarray(np.asarray(rgb, dtype=np.uint8)).save(buf, format="JPEG", quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def picture_data_uri(rgb: np.ndarray, lossy: bool | None = None) -> str:
    """A picture as a data URI: JPEG for photos and overlays, PNG for small or drawn ones.

    A 224×224 photo encodes in 0.5 ms as JPEG (quality 92, about 20 kB) against 7–8 ms as PNG (70–100 kB),
    and a new picture draws two or three of them. Small pictures (digits, kernel tiles) stay PNG, exact to
    the pixel, where JPEG would blur hard edges. `lossy=None` decides by size: JPEG from LOSSY_FROM pixels.
    """
    if lossy is None:
        lossy = rgb.shape[0] * rgb.shape[1] >= LOSSY_FROM
    return jpeg_data_uri(rgb) if lossy else png_data_uri(rgb)


def _rgb_scale(scale: object) -> object:
    """A colour scale with hex colours written as rgb(): Streamlit's front end treats some hex values of the
    form #0000NN (Inferno starts at #000004) as placeholders for its theme colours and repaints them."""
    if not scale:
        return scale
    return [[stop, f"rgb{_hex_to_rgb(c)}" if isinstance(c, str) and c.startswith("#") else c] for stop, c in scale]


def _tight(fig: go.Figure, height: int, title: str | None) -> go.Figure:
    """Tight margins and self-sizing axes on every panel of a figure with subplots (one panel: `_panel`)."""
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)  # long tick labels (10⁻¹⁸, class names) push the margin out, never get cut
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=40 if title else 10, b=10))
    if title:
        fig.update_layout(title=dict(text=title))
    return fig


def image_figure(rgb: np.ndarray, title: str | None = None, height: int = 320, lossy: bool | None = None) -> go.Figure:
    """A picture (H, W, 3) uint8 as a plotly figure, sent as one image (see `picture_data_uri`), pixels kept square."""
    return _panel(_trace(go.Image, source=picture_data_uri(rgb, lossy), hoverinfo="x+y"), height, title,
                  xaxis=dict(visible=False), yaxis=dict(visible=False, scaleanchor="x"))


def top_k_bar(classes: Sequence[str], probs: np.ndarray, k: int = 5, title: str | None = None) -> go.Figure:
    """Horizontal bars of the `k` most probable classes, most probable on top, labelled with percentages."""
    probs = np.asarray(probs, dtype=np.float64)
    k = max(1, min(k, probs.size))
    order = np.argsort(-probs)[:k]
    labels = [escape_label(classes[i]) for i in order][::-1]  # someone's own class names: no HTML in the chart
    values = probs[order][::-1]
    bar = _trace(go.Bar,
        x=values, y=labels, orientation="h", text=[f"{v:.1%}" for v in values], textposition="outside",
        cliponaxis=False, marker=dict(color="#4c78a8"), hovertemplate="%{y}: %{x:.2%}<extra></extra>",
    )
    return _panel(bar, 60 + 36 * k, title,
                  xaxis=dict(range=[0, 1.18], tickvals=[0, 0.25, 0.5, 0.75, 1], tickformat=".0%", title=_title(_("probability"))),
                  yaxis=dict(type="category"))  # class names like "3" must not become numbers


@functools.lru_cache(maxsize=64)
def _resample_weights(n_in: int, n_out: int) -> np.ndarray:
    """PIL's bilinear resampling along one axis as an (n_out, n_in) matrix: a triangle filter widened by the
    scale when shrinking, so every input pixel counts (the same numbers as PIL's resize, to 1e-7)."""
    scale = n_in / n_out
    support = max(scale, 1.0)
    weights = np.zeros((n_out, n_in), dtype=np.float32)
    for i in range(n_out):
        centre = (i + 0.5) * scale
        lo, hi = max(int(centre - support + 0.5), 0), min(int(centre + support + 0.5), n_in)
        taps = np.maximum(0.0, 1.0 - np.abs((np.arange(lo, hi) + 0.5 - centre) / support))
        weights[i, lo:hi] = taps / taps.sum()
    return weights


def resize_stack(maps: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear resize of (N, h, w) maps to (N, height, width) in two matrix products (64 ResNet maps:
    0.7 ms, against 4 ms one map at a time through PIL)."""
    if maps.shape[1:] == (height, width):  # the weights would be the identity: 3 ms of matrix products for a copy
        return np.array(maps, dtype=np.float32)
    rows = _resample_weights(maps.shape[1], height)
    cols = _resample_weights(maps.shape[2], width)
    return rows @ np.asarray(maps, dtype=np.float32) @ cols.T


def _tiles(maps: np.ndarray, max_tile: int) -> np.ndarray:
    """(N, h, w) maps shrunk so that no side exceeds `max_tile` (smaller maps are left as they are)."""
    h, w = maps.shape[1:]
    if max(h, w) <= max_tile:
        return maps
    scale = max_tile / max(h, w)
    return resize_stack(maps, max(1, round(h * scale)), max(1, round(w * scale)))


def _scale_each(tiles: np.ndarray) -> np.ndarray:
    """`scale_01` applied to each (h, w) tile of an (N, h, w) stack at once."""
    tiles = np.asarray(tiles, dtype=np.float64)
    lo = np.nanmin(tiles, axis=(1, 2), keepdims=True)
    hi = np.nanmax(tiles, axis=(1, 2), keepdims=True)
    usable = np.isfinite(lo) & np.isfinite(hi) & (hi - lo >= 1e-12)
    return np.where(usable, (tiles - lo) / np.where(usable, hi - lo, 1.0), 0.0)


def mosaic(maps: np.ndarray, cols: int, gap: int = GRID_GAP, fill: float = np.nan) -> np.ndarray:
    """Tile (N, h, w) maps into one (rows·(h+gap)−gap, cols·(w+gap)−gap) array, gaps set to `fill`."""
    n, h, w = maps.shape
    rows = -(-n // cols)
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), fill, dtype=np.float32)
    for i in range(n):
        r, c = divmod(i, cols)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = maps[i]
    return out


def feature_grid(
    maps: np.ndarray,
    channels: Sequence[int],
    *,
    per_channel_scale: bool = True,
    cols: int | None = None,
    max_tile: int = MAX_TILE,
    title: str | None = None,
) -> go.Figure:
    """Activation maps (C, h, w) of the listed channels as one labelled grid.

    With `per_channel_scale` each tile is min-max scaled on its own (shows every map's pattern);
    otherwise all tiles share the layer's scale (shows which channels are strong).
    """
    if maps.ndim != 3:
        raise ValueError(f"feature_grid expects (C, H, W) maps, got shape {maps.shape}")
    channels = list(channels)
    tiles = _tiles(maps[channels], max_tile)
    if per_channel_scale:
        tiles = _scale_each(tiles)
        zmin, zmax, bar_title = 0.0, 1.0, _("scaled<br>per map")
    else:
        zmin, zmax, bar_title = float(tiles.min()), float(tiles.max()), _("activation")
    cols = cols or int(np.ceil(np.sqrt(len(channels) * 1.6)))
    grid = mosaic(tiles, cols)
    heat = _trace(go.Heatmap,
        z=grid[::-1], zmin=zmin, zmax=zmax, colorscale="Inferno", hoverongaps=False,
        colorbar=dict(title=dict(text=bar_title), thickness=12),
        hovertemplate=_("value %{z:.3f}<extra></extra>"),
    )
    th, tw = tiles.shape[1:]
    rows = -(-len(channels) // cols)
    extra = {}
    if len(channels) <= 128:  # one list, set once: add_annotation re-validates the whole list each time
        label = dict(showarrow=False, xanchor="left", yanchor="top", font=dict(size=9, color="white"),
                     bgcolor="rgba(0,0,0,0.45)", borderpad=0)
        extra["annotations"] = [
            dict(label, x=(i % cols) * (tw + GRID_GAP) - 0.5, y=(rows - i // cols) * (th + GRID_GAP) - GRID_GAP - 0.5,
                 text=str(c))
            for i, c in enumerate(channels)
        ]
    height = int(min(900, max(260, 620 * grid.shape[0] / max(grid.shape[1], 1)))) + 40
    return _panel(heat, height, title, xaxis=dict(visible=False, constrain="domain"),
                  yaxis=dict(visible=False, scaleanchor="x", constrain="domain"), **extra)


def channel_heatmap(values: np.ndarray, title: str | None = None, height: int = 340, signed: bool = False) -> go.Figure:
    """One activation map (h, w), row 0 on top, with its raw values, row and column on hover and a colour bar.

    With `signed`, a diverging scale centred on 0 (blue < 0 < red), so the sign of every value shows.
    """
    colours = dict(colorscale="RdBu", reversescale=True, zmid=0.0) if signed else dict(colorscale="Inferno")
    heat = _trace(go.Heatmap,
        z=np.asarray(values, dtype=np.float32), colorbar=dict(thickness=12), **colours,
        hovertemplate=_("row %{y}, column %{x}<br>value %{z:.4f}<extra></extra>"),
    )
    return _panel(heat, height, title, xaxis=dict(visible=False, constrain="domain"),
                  yaxis=dict(visible=False, autorange="reversed", scaleanchor="x", constrain="domain"))


def kernel_grid(weights: np.ndarray, title: str | None = None) -> go.Figure:
    """Convolution kernels (O, I, k, k): RGB tiles when I is 3, else the mean over input channels, as heatmaps.

    Colour kernels are scaled together (mid-grey = 0), so their relative strength stays visible.
    """
    if weights.ndim != 4:
        raise ValueError(f"kernel_grid expects (O, I, k, k) weights, got shape {weights.shape}")
    out_ch, in_ch, kh, kw = weights.shape
    cols = int(np.ceil(np.sqrt(out_ch * 1.6)))
    zoom = max(1, 24 // max(kh, kw))
    if in_ch == 3:
        bound = float(np.abs(weights).max()) or 1.0
        rgb = np.transpose(weights, (0, 2, 3, 1)) / (2 * bound) + 0.5  # (O, k, k, 3) in [0, 1]
        channels = [mosaic(rgb[..., i], cols, fill=1.0) for i in range(3)]
        image = (np.stack(channels, axis=-1) * 255).round().astype(np.uint8)
        image = np.kron(image, np.ones((zoom, zoom, 1), dtype=np.uint8))
        return image_figure(image, title, height=int(min(600, 40 + 14 * image.shape[0] / max(1, zoom) * 1.0 + 200)),
                            lossy=False)
    mean_kernels = weights.mean(axis=1)
    grid = mosaic(mean_kernels, cols)
    bound = float(np.nanmax(np.abs(grid))) or 1.0
    heat = _trace(go.Heatmap,
        z=grid[::-1], zmin=-bound, zmax=bound, colorscale="RdBu", reversescale=True, hoverongaps=False,
        colorbar=dict(thickness=12, title=dict(text=_("weight"))), hovertemplate=_("weight %{z:.3f}<extra></extra>"),
    )
    return _panel(heat, int(min(600, max(220, 420 * grid.shape[0] / max(grid.shape[1], 1)))) + 40, title,
                  xaxis=dict(visible=False, constrain="domain"), yaxis=dict(visible=False, scaleanchor="x", constrain="domain"))


def zoo_scatter(rows: Sequence[dict], device: str) -> go.Figure:
    """Latency against forward FLOPs for each model (log-log), bubble size ∝ √parameters, labelled with name (an
    English title, shown in the run's language) and year, each bubble in its model's colour (`core.palette`)."""
    latency_key = f"latency on {device} (ms)"
    flops = [max(r["forward GFLOPs"], 1e-6) for r in rows]
    latency = [max(r[latency_key], 1e-3) for r in rows]
    params = np.array([r["parameters (M)"] for r in rows], dtype=np.float64)
    size = 10 + 40 * np.sqrt(params / max(params.max(), 1e-9))
    points = _trace(go.Scatter,
        x=flops, y=latency, mode="markers+text", text=[f"{_(r['model'])} ({r['year']})" for r in rows],
        textposition="top center", marker=dict(size=size, color=[colour_of(r["model"]) for r in rows]),
        customdata=params,
        hovertemplate=_("%{text}<br>%{x:.3g} GFLOPs<br>%{y:.3g} ms<br>%{customdata:.3g} M parameters<extra></extra>"),
    )
    return _panel(points, 420, _("Cost of one forward pass: bubble area ∝ parameters"),
                  xaxis=_log_axis([flops], title=_title(_("forward GFLOPs (log)"))),
                  yaxis=_log_axis([latency], title=_title(_("latency on {device}, ms (log)").format(device=device))))


def _axis_chars(chars: Sequence[str]) -> list[str]:
    return ["␠" if c == " " else c for c in chars]


def _step_labels(chars: Sequence[str]) -> np.ndarray:
    """'t: c' for every step (unique, so each step is its own category), as a numpy string array: plotly copies
    a figure's data as it builds the figure, a list item by item (≈ 1 ms for 1,000 labels), an array at once.
    Made once per text (read-only, shared): a page's state map and its trajectory label the same steps."""
    return _labels_of(tuple(chars))


@functools.lru_cache(maxsize=8)
def _labels_of(chars: tuple[str, ...]) -> np.ndarray:
    labels = np.array([f"{t}: {c}" for t, c in enumerate(_axis_chars(chars))], dtype=str)
    labels.setflags(write=False)
    return labels


_NICE_STRIDES = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)


def _stride(count: int, room_px: float, label_px: float) -> int:
    """The smallest nice stride k such that every k-th of `count` labels, each `label_px` wide, fits in `room_px`."""
    need = count * label_px / max(room_px, 1.0)
    return next((k for k in _NICE_STRIDES if k >= need), int(np.ceil(need)))


def _colour_limits(values: np.ndarray, zmid: float | None, share: float = 0.01) -> tuple[float, float, str | None]:
    """Colour range for a map: symmetric about `zmid` (or the data's range when None), robust to outliers.

    The range leaves out the `share` of values farthest from `zmid` (the 99th percentile of |value − zmid| by
    default; without a centre, that share at each end) when the most extreme value lies more than 25% beyond
    it, so one runaway unit does not wash out the rest; the third item then says so ("clipped at ±2.3"), for
    the colour bar. Otherwise the range is the data's own.
    """
    finite = values[np.isfinite(values)]
    if not finite.size:
        return (-1.0, 1.0, None) if zmid is not None else (0.0, 1.0, None)
    if zmid is not None:
        dev = np.abs(finite - zmid)
        top, bound = float(dev.max()), float(np.percentile(dev, 100 * (1 - share)))
        if top <= 1.25 * bound:
            bound = top or 1.0
            return zmid - bound, zmid + bound, None
        centre = "±" if zmid == 0 else f"{zmid:g} ± "
        return zmid - bound, zmid + bound, _("clipped at {range}").format(range=f"{centre}{bound:.3g}")
    lo, hi = float(finite.min()), float(finite.max())
    p_lo, p_hi = (float(v) for v in np.percentile(finite, [100 * share, 100 * (1 - share)]))
    span = max(p_hi - p_lo, 1e-12)
    if lo >= p_lo - 0.25 * span and hi <= p_hi + 0.25 * span:
        return lo, hi if hi > lo else lo + 1.0, None
    return p_lo, p_hi, _("clipped to {low}…{high}").format(low=f"{p_lo:.3g}", high=f"{p_hi:.3g}")


def _colorbar(label: str, clipped: str | None) -> dict:
    """A colour bar titled with the quantity it shows (and, below it, how its colours were clipped; the hover
    still reads the true value). Short lines: a title wider than the bar and its tick labels would be cut."""
    colours = _("colours")
    text = label if clipped is None else f"{label}<br><sub>{colours}<br>{clipped}</sub>"
    return dict(thickness=12, title=dict(text=text, side="top"), ticks="outside", ticklen=3)


def state_heatmap(
    values: np.ndarray, chars: Sequence[str], order: Sequence[int] | None = None, *, title: str | None = None,
    zmid: float | None = 0.0, colorscale: str = "RdBu", reversescale: bool = True, zrange: tuple[float, float] | None = None,
    x_title: str | None = None, label: str | None = None, width_px: int = 900,
) -> go.Figure:
    """A (T, H) trace as units (rows) × time steps (columns), with the characters along the time axis.

    Diverging colours centred on `zmid` for states that swing around 0 (tanh), with a range robust to
    outliers (`_colour_limits`, which may clip the 1% of values farthest out, or one unit's worth up to 5%); pass zmid=None and a sequential scale with `zrange` for gates in [0, 1].
    `label` names the quantity on the colour bar ("value" when None; `x_title` defaults to "time step
    (character)", both in the run's language). The time axis shows every character when they fit in
    `width_px` (the width the page gives the figure), else every k-th with its step number under it;
    the unit axis shows every k-th unit number that fits.
    """
    values = np.asarray(values, dtype=np.float32)
    label = _("value") if label is None else label
    unit_word, step_word = _("unit"), _("step")
    steps, units = values.shape
    order = np.arange(units) if order is None else np.asarray(order)
    z = values[:, order].T  # (H, T)
    labels = _step_labels(chars)
    share = min(0.05, max(0.01, 1.5 / units))  # one whole unit (of 30 or more) may be the outlier
    zmin, zmax, clipped = (*zrange, None) if zrange is not None else _colour_limits(values, zmid, share)
    heat = _trace(go.Heatmap,
        z=z, x=labels, y=order.astype(str), colorscale=colorscale, reversescale=reversescale, zmin=zmin, zmax=zmax,
        colorbar=_colorbar(label, clipped),
        hovertemplate=f"{unit_word} %{{y}}<br>{step_word} %{{x}}<br>{label} %{{z:.3f}}<extra></extra>",
    )
    shown = _axis_chars(chars)
    every = 1 if steps * 9 <= width_px else _stride(steps, width_px, 30)
    xaxis = dict(type="category", tickmode="array", tickvals=labels[::every].tolist(),
                 ticktext=shown if every == 1 else [f"{shown[t]}<br>{t}" for t in range(0, steps, every)], tickangle=0,
                 tickfont=dict(size=10), title=_title(_("time step (character)") if x_title is None else x_title))
    height = int(min(900, max(260, 110 + 5 * units, 110 + 12 * min(units, 32))))  # up to 32 units: every number
    rows = range(0, units, _stride(units, height - 110, 12))
    yaxis = dict(type="category", title=_title(_("unit")), tickmode="array", tickvals=[str(order[r]) for r in rows],
                 tickfont=dict(size=10))
    return _panel(heat, height, title, xaxis=xaxis, yaxis=yaxis)


def text_heatmap(
    chars: Sequence[str], values: np.ndarray, *, width: int = 80, title: str | None = None,
    colorscale: str = "RdBu", reversescale: bool = True, zmid: float | None = 0.0,
    zrange: tuple[float, float] | None = None, label: str | None = None,
) -> go.Figure:
    """The text laid out in rows of `width` characters, each cell coloured by its value (LSTMVis style), the
    colour bar titled `label` ("value" when None).

    Without `zrange` the colours span a range robust to outliers (see `_colour_limits`), centred on `zmid`
    when it is given; the hover shows each character's step and true value. NaN cells stay blank.
    """
    values = np.asarray(values, dtype=np.float64)
    label = _("value") if label is None else label
    step_word = _("step")
    n = len(chars)
    width = max(1, min(width, n))
    rows = -(-n // width)
    z = np.full((rows, width), np.nan)
    shown = np.array(["·" if c == " " else c for c in chars], dtype=str)  # an array: see `_step_labels`
    text = np.full((rows, width), "", dtype=shown.dtype)
    z.flat[:n] = values[:n]
    text.flat[:n] = shown
    step = np.arange(rows * width).reshape(rows, width)
    zmin, zmax, clipped = (*zrange, None) if zrange is not None else _colour_limits(values[:n], zmid)
    heat = _trace(go.Heatmap,
        z=z[::-1], text=text[::-1], customdata=step[::-1], texttemplate="%{text}",
        textfont=dict(family="monospace", size=12), colorscale=colorscale, reversescale=reversescale, zmin=zmin,
        zmax=zmax, hoverongaps=False, xgap=1, ygap=1, colorbar=_colorbar(label, clipped),
        hovertemplate=f"{step_word} %{{customdata}}: %{{text}}<br>{label} %{{z:.3f}}<extra></extra>",
    )
    return _panel(heat, int(min(1200, 90 + 24 * rows)), title, xaxis=dict(visible=False), yaxis=dict(visible=False))


def trajectory(points: np.ndarray, chars: Sequence[str], explained: np.ndarray, title: str | None = None) -> go.Figure:
    """The path of h_t through its first 2 or 3 principal components, coloured by time.

    Each axis is titled "PCi: x% of the variance": the share of the states' variance along that component.
    """
    steps, k = points.shape
    labels = _step_labels(chars)
    marker = dict(size=4 if k == 3 else 6, color=np.arange(steps), colorscale="Viridis",
                  colorbar=dict(title=dict(text=_("time step"), side="top"), thickness=12, ticks="outside", ticklen=3))
    axis = [_("PC{i}: {share:.0%} of the variance").format(i=i + 1, share=e) for i, e in enumerate(explained)]
    if k >= 3:
        path = _trace(go.Scatter3d, x=points[:, 0], y=points[:, 1], z=points[:, 2], mode="lines+markers",
                            marker=marker, line=dict(color="rgba(120,120,120,0.4)"), text=labels,
                            hovertemplate="%{text}<extra></extra>")
        scene = dict(xaxis=dict(title=_title(axis[0])), yaxis=dict(title=_title(axis[1])),
                     zaxis=dict(title=_title(axis[2])))
        return _panel(path, 460, title, scene=scene)
    y = points[:, 1] if k > 1 else np.zeros(steps)
    path = _trace(go.Scatter, x=points[:, 0], y=y, mode="lines+markers", marker=marker,
                      line=dict(color="rgba(120,120,120,0.4)"), text=labels, hovertemplate="%{text}<extra></extra>")
    return _panel(path, 460, title, xaxis=dict(title=_title(axis[0])), yaxis=dict(title=_title(axis[1] if k > 1 else "")))


def gate_histograms(gates: dict[str, np.ndarray], title: str | None = None) -> go.Figure:
    """Overlaid histograms of each gate's values in [0, 1]: saturated gates pile up at 0 or 1."""
    bars = [_trace(go.Histogram, x=np.asarray(values).ravel(), name=name, xbins=dict(start=0, end=1, size=0.025),
                         opacity=0.6, histnorm="probability") for name, values in gates.items()]
    return _panel(bars, 320, title, barmode="overlay", xaxis=dict(range=[0, 1], title=_title(_("gate value"))),
                  yaxis=dict(title=_title(_("fraction of (step, unit) values"))))


def line_chart(series: dict[str, np.ndarray], x_title: str, y_title: str, title: str | None = None,
               log_y: bool = False, names: dict[str, str] | None = None) -> go.Figure:
    """Several named (T,) series against their index, each in its thing's colour (`core.palette`); `names` gives
    a series' legend text where it differs from its key (a translated label: the key keeps the colour)."""
    yaxis = _log_axis(list(series.values())) if log_y else {}
    names = names or {}
    return _panel([_trace(go.Scatter, y=np.asarray(v), mode="lines", name=names.get(k, k), line=_coloured(k))
                   for k, v in series.items()],
                  320, title, xaxis=dict(title=_title(x_title)), yaxis=dict(yaxis, title=_title(y_title)))


def matrix_heatmap(
    values: np.ndarray, *, title: str | None = None, cells: Sequence[tuple[int, int]] = (),
    winner: tuple[int, int] | None = None, annotate: bool | None = None, colorscale: str = "Greys",
    reversescale: bool = True, zmid: float | None = None, height: int | None = None, fmt: str = ".2f",
) -> go.Figure:
    """A small matrix drawn cell by cell (row 0 on top), values written in the cells when it is small,
    `cells` outlined (a kernel's window) and `winner` outlined in red (max pooling's choice)."""
    values = np.asarray(values, dtype=np.float64)
    rows, cols = values.shape
    annotate = (rows * cols <= 256) if annotate is None else annotate
    heat = _trace(go.Heatmap,
        z=values, colorscale=colorscale, reversescale=reversescale, zmid=zmid, colorbar=dict(thickness=10),
        hovertemplate=_("row %{y}, col %{x}: %{z:.3f}<extra></extra>"), xgap=1 if annotate else 0, ygap=1 if annotate else 0,
        text=np.vectorize(lambda v: format(v, fmt))(values) if annotate else None,
        texttemplate="%{text}" if annotate else None, textfont=dict(size=11),
    )
    boxes = [dict(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, line=dict(color="#1f77b4", width=3))
             for r, c in cells]
    if winner is not None:
        r, c = winner
        boxes.append(dict(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5, line=dict(color="#d62728", width=4)))
    return _panel(heat, height or int(min(520, max(220, 40 + 34 * rows))), title, **({"shapes": boxes} if boxes else {}),
                  xaxis=dict(visible=False, constrain="domain"),
                  yaxis=dict(visible=False, autorange="reversed", scaleanchor="x", constrain="domain"))


def field_chart(names: Sequence[str], fields: Sequence[float], jumps: Sequence[float], input_side: int,
                title: str | None = None) -> go.Figure:
    """Theoretical receptive field and jump of each layer against depth, with the input's side for scale."""
    depth = list(range(1, len(names) + 1))
    finite = [f if np.isfinite(f) else None for f in fields]
    lines = [
        _trace(go.Scatter, x=depth, y=finite, mode="lines+markers", name=_("receptive field (pixels)"),
                   text=list(names), hovertemplate=_("%{text}<br>field %{y} px<extra></extra>")),
        _trace(go.Scatter, x=depth, y=list(jumps), mode="lines", name=_("jump (stride in pixels)"), text=list(names),
                   line=dict(dash="dot"), hovertemplate=_("%{text}<br>jump %{y} px<extra></extra>")),
        _trace(go.Scatter, x=[depth[0], depth[-1]] if depth else [], y=[input_side, input_side], mode="lines",
                   name=_("input side ({side} px)").format(side=input_side), line=dict(color=REFERENCE, dash="dash")),
    ]
    return _panel(lines, 380, title, xaxis=dict(title=_title(_("layer (graph order)"))),
                  yaxis=_log_axis([[f for f in finite if f is not None], jumps, [input_side]],
                                  title=_title(_("pixels (log)"))))


def field_map(grad: np.ndarray, box: tuple[float, float, float, float] | None, title: str | None = None) -> go.Figure:
    """An effective receptive field (H, W) gradient map, with the theoretical field drawn as a box."""
    heat = _trace(go.Heatmap, z=np.asarray(grad, dtype=np.float32), colorscale="Inferno", colorbar=dict(thickness=10),
                      hovertemplate=_("row %{y}, col %{x}: %{z:.3g}<extra></extra>"))
    extra = {}
    if box is not None:
        x0, y0, x1, y1 = box
        extra["shapes"] = [dict(type="rect", x0=x0 - 0.5, y0=y0 - 0.5, x1=x1 - 0.5, y1=y1 - 0.5,
                                line=dict(color="#4fc3f7", width=2))]
    return _panel(heat, 360, title, **extra,
                  xaxis=dict(visible=False, constrain="domain", range=[-0.5, grad.shape[1] - 0.5]),
                  yaxis=dict(visible=False, autorange="reversed", scaleanchor="x", constrain="domain"))


def shift_chart(series: dict[str, tuple[np.ndarray, np.ndarray]], y_title: str, title: str | None = None,
                y_range: tuple[float, float] | None = (0, 1.02)) -> go.Figure:
    """Named (x, y) curves against the shift in percent of the picture's width, each in its model's colour."""
    return _panel([_trace(go.Scatter, x=x, y=y, mode="lines+markers", name=k, line=_coloured(k), marker=_coloured(k))
                   for k, (x, y) in series.items()], 340, title,
                  xaxis=dict(title=_title(_("horizontal shift (% of the model's input width)")), zeroline=True),
                  yaxis=dict(title=_title(y_title), **({"range": list(y_range)} if y_range else {})))


def counts_bar(labels: Sequence[str], counts: Sequence[int], title: str | None = None) -> go.Figure:
    """Parameter counts on a log axis, each bar labelled with its number."""
    bars = _trace(go.Bar, x=list(labels), y=list(counts), text=[f"{c:,}" for c in counts], textposition="outside",
                  cliponaxis=False, marker=dict(color=["#4c78a8", "#f58518", "#e45756"][: len(counts)]))
    return _panel(bars, 340, title, yaxis=_log_axis([counts], title=_title(_("parameters (log)"))))


def grad_norm_chart(series: dict[str, np.ndarray], bound: np.ndarray | None = None, title: str | None = None) -> go.Figure:
    """‖∂L/∂h_t‖ against t on a log axis, one curve per model, with an optional theoretical bound (dashed).

    Non-finite values are not drawn; the caller says where the gradient exploded.
    """
    lines = []
    for name, norms in series.items():
        norms = np.asarray(norms, dtype=np.float64)
        shown = np.where(np.isfinite(norms) & (norms > 0), norms, np.nan)
        lines.append(_trace(go.Scatter, y=shown, mode="lines", name=name, line=_coloured(name),
                            hovertemplate="t=%{x}: %{y:.3g}<extra></extra>"))
    if bound is not None:
        b = np.where(np.isfinite(bound) & (bound > 0) & (bound < 1e300), bound, np.nan)
        lines.append(_trace(go.Scatter, y=b, mode="lines", name=_("RNN bound (γ·σ_max)^(T−t)"),
                            line=dict(dash="dash", color=REFERENCE)))
    return _panel(lines, 380, title, xaxis=dict(title=_title(_("time step t (the loss is at the last step)"))),
                  yaxis=_log_axis([line.y for line in lines], title=_title(_("‖∂L/∂h_t‖ (log)"))))


def training_curves(runs: dict[str, tuple[np.ndarray, np.ndarray]], y_title: str, baseline: float | None = None,
                    title: str | None = None, log_y: bool = True) -> go.Figure:
    """Named (step, value) curves, each in its thing's colour (`core.palette`), with an optional horizontal baseline;
    the legend under the x axis (the Gradient lab sets two of these side by side)."""
    lines = [_trace(go.Scatter, x=np.asarray(x), y=np.asarray(y), mode="lines", name=k, line=_coloured(k))
             for k, (x, y) in runs.items()]
    if baseline is not None:
        xs = [min((float(np.min(x)) for x, _ in runs.values() if len(x)), default=0),
              max((float(np.max(x)) for x, _ in runs.values() if len(x)), default=1)]
        lines.append(_trace(go.Scatter, x=xs, y=[baseline, baseline], mode="lines",
                            name=_("always answer 1: MSE {mse:.3f}").format(mse=baseline),
                            line=dict(dash="dash", color=REFERENCE)))
    yaxis = _log_axis([line.y for line in lines]) if log_y else {}
    return _panel(lines, 400, title, xaxis=dict(title=_title(_("training step"))), yaxis=dict(yaxis, title=_title(y_title)),
                  legend=LEGEND_BELOW)


def sequence_samples(xs: np.ndarray, ys: np.ndarray, classes: Sequence[str], title: str | None = None) -> go.Figure:
    """One example line per class (N, T) in a row of small plots, sharing the y scale."""
    from plotly.subplots import make_subplots

    picks = [int(np.flatnonzero(ys == c)[0]) for c in range(len(classes)) if np.any(ys == c)]
    fig = make_subplots(figure=_figure(), rows=1, cols=len(picks), shared_yaxes=True, horizontal_spacing=0.01,
                        subplot_titles=[f"“{classes[int(ys[i])]}”" for i in picks])
    for k, i in enumerate(picks, start=1):
        fig.add_trace(_trace(go.Scatter, y=xs[i], mode="lines", line=dict(width=1.5, color="#4c78a8"), showlegend=False,
                                 hovertemplate=_("position %{x}: %{y:.2f}") + "<extra></extra>"), row=1, col=k)
    fig.update_xaxes(showticklabels=False)
    fig = _tight(fig, 220, title)
    fig.update_layout(margin=dict(t=70))  # room for the title above the subplot titles
    return fig


def sequence_saliency(x: np.ndarray, maps: dict[str, np.ndarray], labels: dict[str, str],
                      title: str | None = None) -> go.Figure:
    """The sequence on top; below, one row per model of its gradient × input over the 40 positions, each row
    scaled to its own largest magnitude (red pushes the prediction up, blue down). Each row is `labels[name]` and
    ends in a square of the colour of `name`, the model (`core.palette`), in whatever language the label is."""
    from plotly.subplots import make_subplots

    names = list(maps)
    rows = np.stack([maps[n] / (np.abs(maps[n]).max() or 1.0) for n in names])
    fig = make_subplots(figure=_figure(), rows=2, cols=1, shared_xaxes=True, row_heights=[0.3, 0.7], vertical_spacing=0.04)
    fig.add_trace(_trace(go.Scatter, y=x, mode="lines+markers", marker=dict(size=4), line=dict(color="#333"),
                             showlegend=False, hovertemplate=_("position %{x}: %{y:.2f}") + "<extra></extra>"), row=1, col=1)
    fig.add_trace(_trace(go.Heatmap, z=rows, y=[labels[n] for n in names], colorscale=[[0, "#2166ac"], [0.5, "#f7f7f7"], [1, "#b2182b"]],
        zmin=-1, zmax=1,
        colorbar=dict(thickness=12, title=dict(text=_("grad × input<br>(row-scaled)"))),
        hovertemplate="%{y}<br>" + _("position %{x}: %{z:.2f}") + "<extra></extra>"), row=2, col=1)
    shown = [labels[n] for n in names]
    fig.update_yaxes(type="category", automargin=True, tickmode="array", tickvals=shown,
                     ticktext=[f'{labels[n]} <span style="color:{colour_of(n)}">■</span>' for n in names], row=2, col=1)
    fig.update_xaxes(title=_("position in the sequence"), row=2, col=1)
    return _tight(fig, 160 + 34 * len(names), title)


def _step_axis(labels: Sequence[str], show: bool) -> dict:
    """A numeric axis of steps 0 … n−1 labelled with `labels` (which may repeat, like letters of a word)."""
    return dict(tickmode="array", tickvals=list(range(len(labels))), ticktext=[str(c) for c in labels] if show else [],
                showticklabels=show)


def attention_heads(weights: np.ndarray, query_labels: Sequence[str], key_labels: Sequence[str],
                    head_titles: Sequence[str], title: str | None = None, query_title: str | None = None,
                    key_title: str | None = None) -> go.Figure:
    """Attention weights (heads, queries, keys) as one heatmap per head; each row sums to 1. Every head's
    x axis is titled `key_title`; the first head's y axis `query_title` (the heads share their rows); both
    default to query and key."""
    from plotly.subplots import make_subplots

    heads = weights.shape[0]
    fig = make_subplots(figure=_figure(), rows=1, cols=heads, horizontal_spacing=0.03, subplot_titles=list(head_titles))
    queries = [f"{i}: {c}" for i, c in enumerate(query_labels)]
    keys = [f"{j}: {c}" for j, c in enumerate(key_labels)]
    for h in range(heads):
        fig.add_trace(_trace(go.Heatmap,
            z=weights[h], zmin=0, zmax=1, colorscale="Viridis", customdata=[[f"{q} → {k}" for k in keys] for q in queries],
            showscale=h == heads - 1, colorbar=dict(thickness=12, title=dict(text=_("weight"))),
            hovertemplate="%{customdata}: %{z:.2f}<extra></extra>"), row=1, col=h + 1)
    fig.update_xaxes(**_step_axis(key_labels, len(key_labels) <= 30), tickangle=0,
                     title=_title(key_title or _("key (attended to)")))
    fig.update_yaxes(autorange="reversed", showticklabels=False)
    fig.update_yaxes(**_step_axis(query_labels, len(query_labels) <= 30),
                     title=_title(query_title or _("query (position attending)")), col=1)
    fig = _tight(fig, 340, title)
    # Fixed margins: with automargin on many small subplots, plotly shrank the plot area to a stamp.
    fig.update_xaxes(automargin=False)
    fig.update_yaxes(automargin=False)
    fig.update_layout(margin=dict(t=70, l=80, b=60))
    return fig


def attention_map(weights: np.ndarray, output_labels: Sequence[str], input_labels: Sequence[str],
                  title: str | None = None) -> go.Figure:
    """Attention of each output step (rows) over the input steps (columns); each row sums to 1."""
    cell = _("output {i} “{o}”, input {j} “{c}”")
    customdata = [[cell.format(i=i, o=o, j=j, c=c) for j, c in enumerate(input_labels)]
                  for i, o in enumerate(output_labels)]
    fig = _figure(_trace(go.Heatmap,
        z=weights, zmin=0, zmax=1, colorscale="Viridis", customdata=customdata,
        colorbar=dict(thickness=12, title=dict(text=_("weight"))),
        hovertemplate="%{customdata}<br>" + _("weight %{z:.2f}") + "<extra></extra>"))
    fig.update_xaxes(**_step_axis(input_labels, True), tickangle=0, title=_("input step (what the encoder read)"))
    fig.update_yaxes(**_step_axis(output_labels, True), autorange="reversed",
                     title=_("output step (what the decoder wrote)"))
    fig = _tight(fig, int(min(700, 160 + 28 * len(output_labels))), title)
    fig.update_xaxes(automargin=False)  # fixed margins: automargin shrank this plot to a stamp
    fig.update_yaxes(automargin=False)
    fig.update_layout(margin=dict(t=50, l=70, b=60))
    return fig


def scaling_chart(series: dict[str, tuple[np.ndarray, np.ndarray]], y_title: str, title: str | None = None,
                  computed: Sequence[str] = (), names: dict[str, str] | None = None) -> go.Figure:
    """Named (sequence length, value) curves on log–log axes, each in its layer's colour (`core.palette`);
    the curves named in `computed` (from a formula, not measured) are dashed lines without markers. `names`
    gives a curve's legend text where it differs from its key (the key keeps the colour)."""
    names = names or {}
    lines = [_trace(go.Scatter, x=np.asarray(x), y=np.asarray(y), mode="lines" if k in computed else "lines+markers",
                    name=names.get(k, k), line=_coloured(k, dash="dash") if k in computed else _coloured(k),
                    marker=_coloured(k))
             for k, (x, y) in series.items()]
    return _panel(lines, 480, title, xaxis=_log_axis([x for x, _ in series.values()], title=_title(_("sequence length T"))),
                  yaxis=_log_axis([y for _, y in series.values()], title=_title(y_title)), legend=LEGEND_BELOW)


def accuracy_by_length(series: dict[str, tuple[np.ndarray, np.ndarray]], title: str | None = None,
                       names: dict[str, str] | None = None) -> go.Figure:
    """Named (input length, exact-match accuracy) curves, each in its model's colour (`core.palette`); `names` gives a
    curve's legend text where it differs from its key (the key keeps the colour)."""
    names = names or {}
    lines = [_trace(go.Scatter, x=np.asarray(x), y=np.asarray(y), mode="lines+markers", name=names.get(k, k), line=_coloured(k),
                    marker=_coloured(k)) for k, (x, y) in series.items()]
    return _panel(lines, 340, title, xaxis=dict(title=_title(_("input length (characters)"))),
                  yaxis=dict(title=_title(_("exact-match accuracy")), range=[0, 1.02], tickformat=".0%"))


def lab_curves(runs: dict[str, dict[str, np.ndarray]], title: str | None = None, metric: str = "accuracy",
               names: dict[str, str] | None = None) -> go.Figure:
    """Two or more training runs on four panels: loss, accuracy, learning rate and gradient norm against the step.

    Each run is a dict of arrays: 'step', 'loss', 'lr', 'grad_norm' per step (the batch's values, loss
    smoothed by the caller if wanted) and 'epoch_step', 'train_accuracy', 'val_loss', 'val_accuracy' per
    epoch. Solid lines are training, dashed lines and markers held-out; a run keeps its colour on every panel,
    the colour of its label ("run A") everywhere in the app (`core.palette`), and `names` gives the run's name
    as the legend shows it. `metric` is the task's English metric (its message id), translated here. The legend
    stands to the right, one group per run.
    """
    from plotly.subplots import make_subplots

    per_epoch = _("{metric} per epoch").format(metric=_(metric))
    short = _(metric.split(" ")[0])  # "accuracy", "R²"
    fig = make_subplots(figure=_figure(), rows=2, cols=2, horizontal_spacing=0.08, vertical_spacing=0.16,
                        subplot_titles=(_("Loss (batch, and held-out per epoch)"), per_epoch[0].upper() + per_epoch[1:],
                                        _("Learning rate"), _("Gradient norm before clipping")))
    for label, r in runs.items():
        solid, dashed = _coloured(label, width=1.5), _coloured(label, width=2, dash="dash")
        run = (names or {}).get(label, label)
        panels = (
            (1, 1, r["step"], r["loss"], _("{run}: training loss").format(run=run), solid, "lines"),
            (1, 1, r["epoch_step"], r["val_loss"], _("{run}: held-out loss").format(run=run), dashed, "lines+markers"),
            (1, 2, r["epoch_step"], r["train_accuracy"], _("{run}: training {metric}").format(run=run, metric=short),
             solid, "lines+markers"),
            (1, 2, r["epoch_step"], r["val_accuracy"], _("{run}: held-out {metric}").format(run=run, metric=short),
             dashed, "lines+markers"),
            (2, 1, r["step"], r["lr"], _("{run}: learning rate").format(run=run), solid, "lines"),
            (2, 2, r["step"], r["grad_norm"], _("{run}: gradient norm").format(run=run), solid, "lines"),
        )
        for row, col, x, y, name, line, mode in panels:
            y = np.asarray(y, dtype=np.float64)
            fig.add_trace(_trace(go.Scatter, x=np.asarray(x), y=np.where(np.isfinite(y), y, np.nan), name=name, mode=mode,
                                     line=line, marker=dict(size=5), legendgroup=label,
                                     showlegend=(row, col) in ((1, 1), (1, 2))), row=row, col=col)
    for row, col in ((1, 1), (1, 2), (2, 1), (2, 2)):
        fig.update_xaxes(title=_("step") if row == 2 else None, row=row, col=col)
    fig.update_yaxes(**_log_axis([v for r in runs.values() for v in (r["loss"], r["val_loss"])]), row=1, col=1)
    if metric.startswith("accuracy"):
        fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)
    fig.update_yaxes(**_log_axis([r["grad_norm"] for r in runs.values()]), row=2, col=2)
    top = max((float(np.nanmax(r["lr"])) for r in runs.values() if len(r["lr"])), default=1.0)
    fig.update_yaxes(range=[0, 1.1 * top], exponentformat="power", row=2, col=1)  # a constant rate is a visible line
    fig = _tight(fig, 620, title)
    fig.update_layout(legend=dict(x=1.02, y=1, yanchor="top", tracegroupgap=12, font=dict(size=11)),
                      margin=dict(t=60 if title else 30))
    return fig


def confusion_matrix(counts: np.ndarray, classes: Sequence[str], title: str | None = None) -> go.Figure:
    """Counts of (true class row, predicted class column), written in the cells; the diagonal is right."""
    counts = np.asarray(counts)
    labels = [str(c) for c in classes]
    heat = _trace(go.Heatmap, z=counts, x=labels, y=labels, colorscale="Blues", showscale=False, xgap=1, ygap=1,
                      text=counts.astype(str), texttemplate="%{text}", textfont=dict(size=11),
                      hovertemplate=_("true %{y}, predicted %{x}: %{z}") + "<extra></extra>")
    return _panel(heat, int(min(560, 120 + 30 * len(labels))), title,
                  xaxis=dict(title=_title(_("predicted")), type="category", side="bottom"),
                  yaxis=dict(title=_title(_("true")), type="category", autorange="reversed"))


def frame_grid(rows: Sequence[Sequence[np.ndarray]], row_titles: Sequence[str], column_titles: Sequence[str],
               colorscales: Sequence[str], hover: Sequence[str], title: str | None = None) -> go.Figure:
    """Small maps in a grid, row `r` holding the maps `rows[r]` (each (H, W)) with values in 0–1 on colour scale
    `colorscales[r]`, titled `row_titles[r]` on the left; column `k` titled `column_titles[k]` on top; `hover[r]`
    names a value of row `r`. For a clip: its frames in a row, then a map of each frame under it."""
    from plotly.subplots import make_subplots

    n_rows, n_cols = len(rows), len(column_titles)
    fig = make_subplots(figure=_figure(), rows=n_rows, cols=n_cols, horizontal_spacing=0.01, vertical_spacing=0.04,
                        subplot_titles=list(column_titles) + [""] * (n_cols * (n_rows - 1)))
    for r, (maps, scale, name) in enumerate(zip(rows, colorscales, hover)):
        for k, values in enumerate(maps):
            fig.add_trace(_trace(go.Heatmap, z=np.asarray(values, dtype=np.float32), zmin=0.0, zmax=1.0, colorscale=scale, showscale=False,
                                 hovertemplate=f"row %{{y}}, column %{{x}}<br>{name} %{{z:.2f}}<extra></extra>"),
                          row=r + 1, col=k + 1)
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain", showticklabels=False, showgrid=False,
                     zeroline=False, ticks="")
    for r, text in enumerate(row_titles):
        fig.update_yaxes(title=_title(text), row=r + 1, col=1)
    for note in fig.layout.annotations:
        note.font = dict(size=11)
    fig = _tight(fig, 60 + 120 * n_rows, title)
    fig.update_layout(margin=dict(t=(60 if title else 30)))  # room for the column titles above the first row
    return fig


def model_probabilities(probs: dict[str, np.ndarray], labels: dict[str, str], classes: Sequence[str],
                        x_title: str, title: str | None = None) -> go.Figure:
    """Each model's probability of every class (classes,) as horizontal bars side by side, the first class on
    top; a model is named by its catalogue name (its colour, `core.palette`) and shown as `labels[name]`."""
    bars = [_trace(go.Bar, x=np.asarray(p, dtype=np.float64), y=list(classes), orientation="h", name=labels[name],
                   marker=dict(color=colour_of(name)), text=[f"{v:.0%}" for v in p], textposition="outside",
                   cliponaxis=False, hovertemplate=f"{labels[name]}<br>%{{y}}: %{{x:.1%}}<extra></extra>")
            for name, p in probs.items()]
    return _panel(bars, 80 + 40 * len(classes), title, barmode="group", legend=LEGEND_BELOW,
                  xaxis=dict(range=[0, 1.15], tickvals=[0, 0.25, 0.5, 0.75, 1], tickformat=".0%", title=_title(x_title)),
                  yaxis=dict(type="category", autorange="reversed"))
