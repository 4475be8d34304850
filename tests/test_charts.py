"""ui.charts: a figure is built once per distinct input, and only core.plots builders are accepted."""
import numpy as np
import plotly.graph_objects as go
import pytest

from core import plots
from ui import charts


def test_same_input_reuses_the_figure_and_new_input_rebuilds() -> None:
    charts.FIGURES.clear()
    maps = np.random.default_rng(0).random((4, 6, 6)).astype(np.float32)
    first = charts.figure(plots.feature_grid, maps, [0, 1], title="a")
    assert charts.figure(plots.feature_grid, maps.copy(), [0, 1], title="a") is first
    changed = maps.copy()
    changed[0, 0, 0] += 1.0
    assert charts.figure(plots.feature_grid, changed, [0, 1], title="a") is not first
    assert charts.figure(plots.feature_grid, maps, [0, 2], title="a") is not first
    assert len(first.layout.annotations) == 2 and first.layout.annotations[1].text == "1"


def test_only_core_plots_builders() -> None:
    def homemade() -> go.Figure:
        return go.Figure()

    with pytest.raises(ValueError, match="not a figure builder"):
        charts.figure(homemade)


def test_shared_per_picture_results_are_read_only() -> None:
    """Pictures, prepared inputs and results are shared by every session without a copy: none may change them."""
    import numpy as np
    import pytest

    from core.data.samples import samples_for
    from ui import vision

    first = samples_for("digit")[0]
    picture = vision.sample(first, first.file)
    prepared = vision.model_input("lenet5", picture, picture.digest)
    probs = vision.probabilities("lenet5", picture.digest, "bundled", prepared.tensor)
    for array in (picture.pixels, prepared.display, probs):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0
    assert np.isclose(probs.sum(), 1.0, atol=1e-5)


def test_large_arrays_are_keyed_by_every_value() -> None:
    """Streamlit's own hash samples arrays from 500,000 values up; a change anywhere must still give a new figure."""
    charts.FIGURES.clear()
    big = np.zeros((1, 800, 800), dtype=np.float32)
    first = charts.figure(plots.feature_grid, big, [0])
    for i in range(0, 640_000, 64_007):
        changed = big.copy()
        changed.flat[i] = 1.0
        assert charts.figure(plots.feature_grid, changed, [0]) is not first


def test_arrays_inside_containers_are_keyed_by_content() -> None:
    charts.FIGURES.clear()
    gates = {"input": np.full((5, 3), 0.2), "forget": np.full((5, 3), 0.9)}
    first = charts.figure(plots.gate_histograms, gates)
    assert charts.figure(plots.gate_histograms, {k: v.copy() for k, v in gates.items()}) is first
    moved = {"input": gates["input"], "forget": gates["forget"] - 0.5}
    assert charts.figure(plots.gate_histograms, moved) is not first


def test_read_only_arrays_are_hashed_once_and_forgotten_with_them(monkeypatch) -> None:
    """The loaders' shared results are read-only: a rerun reuses their digest instead of hashing megabytes again."""
    import gc

    charts.FIGURES.clear()
    maps = np.random.default_rng(1).random((8, 16, 16)).astype(np.float32)
    maps.setflags(write=False)
    before = len(charts._digests)
    charts.figure(plots.feature_grid, maps, [0, 1])
    assert len(charts._digests) == before + 1
    hashed, sha256 = [], charts.hashlib.sha256
    monkeypatch.setattr(charts.hashlib, "sha256", lambda *a, **k: hashed.append(1) or sha256(*a, **k))
    charts.figure(plots.feature_grid, maps, [0, 1])
    assert len(hashed) == 1  # the arguments' digest, not the array again
    del maps
    gc.collect()
    assert len(charts._digests) == before


def test_the_chart_sends_the_figure_it_built() -> None:
    """`chart` hands Streamlit a figure whose dict was made once; what reaches the browser is that figure."""
    import json

    from streamlit.testing.v1 import AppTest

    def page() -> None:
        import numpy as np
        import streamlit as st

        from core import plots
        from ui.charts import chart

        chart(st, plots.top_k_bar, ["cat", "dog", "fox"], np.array([0.2, 0.5, 0.3]), 2, "top", key="c")

    at = AppTest.from_function(page, default_timeout=60).run()
    sent = json.loads(at.get("plotly_chart")[0].proto.spec)
    built = json.loads(plots.top_k_bar(["cat", "dog", "fox"], np.array([0.2, 0.5, 0.3]), 2, "top").to_json())
    assert sent["data"] == built["data"] and sent["layout"]["title"] == built["layout"]["title"]
    assert list(sent["data"][0]["y"]) == ["fox", "dog"]


def test_tables_go_as_arrow_and_keep_every_value() -> None:
    """`widgets.table` sends rows as an Arrow table; rows Arrow cannot type, or with differing keys, still show whole."""
    import pandas as pd
    from streamlit.testing.v1 import AppTest

    def page() -> None:
        import streamlit as st

        from ui.widgets import table

        table(st, [{"term": "i_t", "value": 0.25}, {"term": "f_t", "value": 0.75}])
        table(st, [{"field r": 3, "unit": "px"}, {"field r": "global", "unit": "px"}])  # numbers and text in a column
        table(st, [{"a": 1}, {"a": 2, "b": 3}])  # keys differ: nothing may be dropped

    at = AppTest.from_function(page, default_timeout=60).run()
    assert not at.exception
    frames = [d.value for d in at.dataframe]
    pd.testing.assert_frame_equal(frames[0], pd.DataFrame({"term": ["i_t", "f_t"], "value": [0.25, 0.75]}))
    assert [str(v) for v in frames[1]["field r"]] == ["3", "global"]
    assert list(frames[2].columns) == ["a", "b"] and frames[2]["b"].iloc[1] == 3


def test_figure_json_is_plotlys_json_in_ascii_and_made_once() -> None:
    """`chart` hands Streamlit the figure's JSON made when the figure was built: the same figure as plotly's own
    `to_json`, but ASCII only (a non-ASCII title or axis label makes every later pass over the text slower)."""
    import json

    import orjson
    import plotly.io as pio

    h = np.random.default_rng(0).normal(size=(40, 8)).astype(np.float32)
    chars = list("def f(x):\n    return “x” × 2 ↵ 😀 </script>" * 2)[:40]
    fig = plots.state_heatmap(h, chars, title="h_t — “quoted” <b>bold</b>")
    serialised = charts._Serialised(fig)
    sent = pio.to_json(serialised, validate=False)
    assert sent.isascii() and "</" not in sent
    assert json.loads(sent) == json.loads(pio.to_json(fig, validate=False))
    assert sent == charts.figure_json(fig)
    assert isinstance(serialised.to_dict().to_plotly_json(), orjson.Fragment)  # a rerun sends it as it is
    cells = go.Figure(go.Heatmap(z=np.eye(2), text=np.array([["a", "“b”"], ["😀", "d"]], dtype=object)))
    cells_json = charts.figure_json(cells)  # orjson alone cannot write objects: plotly's path, then escaped
    assert cells_json.isascii() and json.loads(cells_json) == json.loads(cells.to_json())
    edges = go.Figure(go.Scatter(x=np.arange(3.0), y=[np.float32(1), 2, 3], customdata=[np.arange(2), "b", None],
                                 _validate=False),
                      layout=dict(xaxis=dict(range=np.array([0.0, 2.0])), title=dict(text="t")), _validate=False)
    assert json.loads(charts.figure_json(edges)) == json.loads(edges.to_json())  # a skipped key, arrays in a list


@pytest.mark.parametrize("validate", [True, False])
def test_every_figure_goes_out_as_plotly_would_send_it(monkeypatch, validate: bool) -> None:
    """`figure_json` reads a figure's data and layout without plotly's `to_dict` (a deep copy, then a call per
    list item): for every builder, checked by plotly or not, the JSON means what plotly's own does."""
    import json

    from tests.test_plots import figure_builders

    monkeypatch.setattr(plots, "VALIDATE", validate)
    for build in figure_builders(np.random.default_rng(0)):
        fig = build()
        assert json.loads(charts.figure_json(fig)) == json.loads(fig.to_json())


def test_numpy_arrays_go_out_as_plotly_sends_them() -> None:
    """`figure_json` writes numpy arrays itself (plotly's converter asks pandas and narwhals about each one):
    every kind of array must come out as plotly's own JSON of it, 64-bit integers narrowed as plotly narrows them."""
    import json

    big = np.array([0, 2 ** 40], dtype=np.int64)
    arrays = [
        np.arange(5), np.array([-200, 5]), np.array([-70_000, 1]), big, np.array([3, 300], dtype=np.uint64),
        np.array([2 ** 63], dtype=np.uint64), np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3),
        np.arange(12.0).reshape(3, 4)[:, ::2], np.ones(3, dtype=np.float16),
        np.array([True, False]), np.array([["a", "↵"], ["b", "c"]]), np.array(["x", 1], dtype=object),
        np.zeros((0, 3)), np.array(["2024-01-01"], dtype="datetime64[D]"),
    ]
    for array in arrays:
        fig = go.Figure(go.Scatter(x=array, customdata=array, _validate=False), _validate=False)
        assert json.loads(charts.figure_json(fig)) == json.loads(fig.to_json()), array


def test_named_arrays_are_keyed_by_their_name_not_their_bytes() -> None:
    """A loader names its read-only result by its cache key, and the figure cache then keys it by that name: equal
    names give one figure whatever the bytes, other names another; a writable array cannot be named."""
    a, b = np.zeros((64, 56, 56), dtype=np.float32), np.ones((64, 56, 56), dtype=np.float32)
    for array in (a, b):
        array.setflags(write=False)
    charts.name_array(a, "layer_maps", "resnet18", "conv1", "picture")
    charts.name_array(b, "layer_maps", "resnet18", "conv1", "picture")
    assert charts._array_key(a) == charts._array_key(b)
    c = np.zeros((64, 56, 56), dtype=np.float32)
    c.setflags(write=False)
    charts.name_array(c, "layer_maps", "resnet18", "conv1", "another picture")
    assert charts._array_key(c) != charts._array_key(a)
    with pytest.raises(ValueError, match="read-only"):
        charts.name_array(np.zeros(3), "x")


def test_the_figure_cache_keeps_the_most_recently_drawn() -> None:
    """At most `size` figures stay; the one drawn least recently goes first, and a hit counts as drawn."""
    from ui.shared_cache import SharedCache

    figures = SharedCache(charts._draw, 2)
    maps = [np.full((3, 3), float(i), dtype=np.float32) for i in range(3)]
    first = figures("channel_heatmap", "a", (maps[0],), {})
    second = figures("channel_heatmap", "b", (maps[1],), {})
    assert figures("channel_heatmap", "a", (maps[0],), {}) is first  # a hit: "a" is now the most recent
    figures("channel_heatmap", "c", (maps[2],), {})
    assert len(figures) == 2
    assert figures("channel_heatmap", "a", (maps[0],), {}) is first
    assert figures("channel_heatmap", "b", (maps[1],), {}) is not second  # "b" was dropped and is built again
