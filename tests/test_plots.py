"""Figures are pure functions: assert on their data and layout."""
import numpy as np
import pytest

from core import plots


def test_blend_heatmap_endpoints() -> None:
    picture = np.full((8, 6, 3), 100, dtype=np.uint8)
    heat = np.arange(12, dtype=np.float32).reshape(4, 3)
    assert np.array_equal(plots.blend_heatmap(picture, heat, 0.0), picture)
    full = plots.blend_heatmap(picture, heat, 1.0)
    lut = plots.colormap_lut("Inferno")
    assert full.shape == picture.shape
    assert tuple(full[0, 0]) == tuple(lut[0]) and tuple(full[-1, -1]) == tuple(lut[255])
    with pytest.raises(ValueError):
        plots.blend_heatmap(picture, heat, 1.5)
    rng = np.random.default_rng(0)
    photo = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    coloured = plots.colorize(plots.resize_map(heat, 20, 30)).astype(float)
    for alpha in (0.05, 0.3, 0.5, 0.77):
        exact = (1 - alpha) * photo + alpha * coloured
        assert np.abs(plots.blend_heatmap(photo, heat, alpha) - exact).max() <= 1.0


def test_mosaic_places_tiles_with_gaps() -> None:
    maps = np.arange(3 * 2 * 2, dtype=np.float32).reshape(3, 2, 2)
    grid = plots.mosaic(maps, cols=2)
    assert grid.shape == (5, 5)
    assert np.array_equal(grid[0:2, 3:5], maps[1]) and np.array_equal(grid[3:5, 0:2], maps[2])
    assert np.isnan(grid[2]).all() and np.isnan(grid[3:5, 3:5]).all()


def test_feature_grid_scales_each_map_and_labels_channels() -> None:
    maps = np.random.default_rng(0).normal(size=(10, 64, 64)).astype(np.float32) * np.arange(1, 11)[:, None, None]
    fig = plots.feature_grid(maps, [3, 7, 1])
    z = np.asarray(fig.data[0].z, dtype=float)
    assert np.nanmin(z) == 0.0 and np.nanmax(z) == 1.0
    assert max(z.shape) <= 3 * (plots.MAX_TILE + plots.GRID_GAP)  # big maps are shrunk to tiles
    assert [a.text for a in fig.layout.annotations] == ["3", "7", "1"]
    shared = plots.feature_grid(maps, [0, 9], per_channel_scale=False)
    assert shared.data[0].zmax > 5


def test_maps_are_shrunk_and_scaled_together_as_one_at_a_time() -> None:
    """The grid resizes and scales all maps at once; the numbers are those of PIL's bilinear resize and
    `scale_01`, map by map, growing, shrinking or keeping the size, a constant map included."""
    from PIL import Image

    def pil(m: np.ndarray, height: int, width: int) -> np.ndarray:
        return np.asarray(Image.fromarray(m, mode="F").resize((width, height), Image.Resampling.BILINEAR))

    rng = np.random.default_rng(3)
    for shape, size in (((5, 112, 112), (32, 32)), ((3, 100, 37), (32, 12)), ((2, 7, 7), (20, 20)), ((2, 13, 200), (2, 32)),
                        ((2, 24, 24), (24, 24))):
        maps = rng.normal(size=shape).astype(np.float32)
        together = plots.resize_stack(maps, *size)
        alone = np.stack([pil(m, *size) for m in maps])
        assert np.abs(plots.resize_map(maps[0], *size) - alone[0]).max() < 1e-5
        assert together.shape == alone.shape and np.abs(together - alone).max() < 1e-5
    tiles = rng.normal(size=(4, 6, 6))
    tiles[2] = 3.0
    assert np.allclose(plots._scale_each(tiles), np.stack([plots.scale_01(t) for t in tiles]))


def test_feature_grid_rejects_flat_outputs() -> None:
    with pytest.raises(ValueError, match="C, H, W"):
        plots.feature_grid(np.zeros((10,)), [0])


def test_channel_heatmap_keeps_row_zero_on_top_without_a_row_index_array() -> None:
    values = np.arange(12, dtype=np.float32).reshape(3, 4)
    fig = plots.channel_heatmap(values, "one map")
    assert np.array_equal(np.asarray(fig.data[0].z), values) and fig.layout.yaxis.autorange == "reversed"
    assert fig.data[0].customdata is None and "row %{y}" in fig.data[0].hovertemplate
    assert len(plots.channel_heatmap(np.zeros((224, 224))).to_json()) < 300_000  # was 410 kB with a row-index array


def test_top_k_bar_puts_the_most_probable_on_top() -> None:
    fig = plots.top_k_bar(["a", "b", "c", "d"], np.array([0.1, 0.6, 0.05, 0.25]), k=3)
    assert list(fig.data[0].y) == ["a", "d", "b"]  # plotly draws the last bar on top
    assert fig.data[0].text[-1] == "60.0%"


def test_kernel_grid_draws_colour_and_gray_kernels() -> None:
    rgb = plots.kernel_grid(np.random.default_rng(0).normal(size=(16, 3, 3, 3)))
    assert rgb.data[0].type == "image" and rgb.data[0].source.startswith("data:image/png;base64,")
    gray = plots.kernel_grid(np.random.default_rng(0).normal(size=(6, 1, 5, 5)))
    z = np.asarray(gray.data[0].z, dtype=float)
    assert gray.data[0].zmin == -gray.data[0].zmax and np.nanmax(np.abs(z)) == gray.data[0].zmax


def _decoded(fig) -> np.ndarray:
    import base64
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(base64.b64decode(fig.data[0].source.split(",", 1)[1]))).convert("RGB"))


def test_photos_go_as_one_jpeg_and_small_pictures_as_exact_png() -> None:
    """A photo or overlay is sent as JPEG (16× faster to encode than PNG, a quarter of the bytes); a digit or a
    kernel tile stays PNG, pixel for pixel."""
    photo = np.clip(np.random.default_rng(0).normal(120, 5, (224, 224, 3)), 0, 255).astype(np.uint8)
    fig = plots.image_figure(photo)
    assert fig.data[0].source.startswith("data:image/jpeg;base64,") and len(fig.to_json()) < 60_000
    assert np.abs(_decoded(fig).astype(int) - photo).mean() < 4
    digit = np.zeros((28, 28, 3), dtype=np.uint8)
    digit[6:22, 12:16] = 255
    small = plots.image_figure(digit)
    assert small.data[0].source.startswith("data:image/png;base64,")
    assert np.array_equal(_decoded(small), digit)
    assert plots.image_figure(photo, lossy=False).data[0].source.startswith("data:image/png;base64,")


def figure_builders(rng: np.random.Generator) -> list:
    """One call of every figure builder of core.plots (some twice, in their other form), drawing from `rng`."""
    return [
        lambda: plots.feature_grid(rng.random((16, 12, 12)), range(16), title="grid"),
        lambda: plots.image_figure((rng.random((20, 30, 3)) * 255).astype(np.uint8), "picture"),
        lambda: plots.top_k_bar([f"class {i}" for i in range(10)], rng.random(10), 5, "top"),
        lambda: plots.confusion_matrix(rng.integers(0, 9, (3, 3)), ["a", "b", "c"], "confusion"),
        lambda: plots.lab_curves({"run A": {k: rng.random(5) for k in ("step", "loss", "lr", "grad_norm", "epoch_step",
                                                                          "val_loss", "train_accuracy", "val_accuracy")}}),
        lambda: plots.matrix_heatmap(rng.random((4, 4)), title="m", cells=[(0, 0)], winner=(1, 1)),
        lambda: plots.state_heatmap(rng.random((12, 5)), list("hello world!"), title="states"),
        lambda: plots.trajectory(rng.random((6, 3)), list("abcdef"), np.array([0.5, 0.2, 0.1]), "path"),
        lambda: plots.shift_chart({"a": (rng.random(4), rng.random(4))}, "p", y_range=None),
        lambda: plots.field_map(rng.random((8, 8)), (1, 1, 4, 4)),
        lambda: plots.channel_heatmap(rng.random((7, 9)), "map “x”"),
        lambda: plots.kernel_grid(rng.normal(size=(6, 3, 3, 3)), "kernels"),
        lambda: plots.kernel_grid(rng.normal(size=(4, 8, 5, 5))),
        lambda: plots.zoo_scatter([{"model": m, "year": 1998 + i, "forward GFLOPs": 0.1 * (i + 1),
                                    "latency on cpu (ms)": 2.0 + i, "parameters (M)": 1.0 + i}
                                   for i, m in enumerate(["a", "b", "c"])], "cpu"),
        lambda: plots.text_heatmap(list("a ‘b’\n😀"), rng.random(7), colorscale="Reds", reversescale=False, zmid=None,
                                   zrange=(0, 8), label="bits"),
        lambda: plots.text_heatmap(list("abcdef"), rng.random(6) - 0.5, width=4),
        lambda: plots.trajectory(rng.random((6, 2)), list("ab\ncd "), np.array([0.5, 0.2]), "flat path"),
        lambda: plots.gate_histograms({"i": rng.random((5, 3)), "f": rng.random((5, 3))}, "gates"),
        lambda: plots.field_chart(["conv1", "pool"], [3.0, 4.0], [1.0, 2.0], 28, "fields"),
        lambda: plots.counts_bar(["RNN", "LSTM", "GRU"], [100, 400, 300], "counts"),
        lambda: plots.grad_norm_chart({"RNN": rng.random(8), "LSTM": rng.random(8)}, rng.random(8), "norms"),
        lambda: plots.training_curves({"a": (np.arange(4.0), rng.random(4))}, "MSE", baseline=0.2, title="t"),
        lambda: plots.sequence_saliency(rng.random(10), {"a": rng.random(10)}, {"a": "class a"}, "saliency"),
        lambda: plots.attention_heads(rng.random((2, 3, 4)), list("abc"), list("wxyz"), ["head 1", "head 2"], "heads"),
        lambda: plots.attention_map(rng.random((3, 4)), list("abc"), list("wxyz"), "attention"),
        lambda: plots.scaling_chart({"LSTM": (np.array([10.0, 100.0]), rng.random(2))}, "ms"),
        lambda: plots.accuracy_by_length({"LSTM": (np.array([3.0, 6.0]), rng.random(2))}, "accuracy"),
        lambda: plots.line_chart({"a": rng.random(5), "b": rng.random(5)}, "step", "value", "lines", log_y=True),
        lambda: plots.sequence_samples(rng.random((6, 12)), np.array([0, 1, 2, 0, 1, 2]), ["x", "y", "z"], "samples"),
    ]


def test_figures_built_without_plotly_checks_are_the_same_figures(monkeypatch) -> None:
    """The app builds figures and their traces with plotly's validation off (faster); the JSON sent must not
    change. Colour scales given by name are the case to watch: unchecked, only `_trace` expands them."""
    import json

    rng = np.random.default_rng(0)
    builders = figure_builders(rng)
    for build in builders:
        state = rng.bit_generator.state
        monkeypatch.setattr(plots, "VALIDATE", True)
        checked = json.loads(build().to_json())
        rng.bit_generator.state = state
        monkeypatch.setattr(plots, "VALIDATE", False)
        assert json.loads(build().to_json()) == checked


def test_every_figure_carries_plotly_default_template_made_once() -> None:
    """Builders skip plotly's per-figure copy of its default template (0.7 ms each): the template must still
    be plotly's own, and one shared copy, never changed by a builder."""
    import plotly.graph_objects as go

    default = go.Figure().to_dict()["layout"]["template"]
    shared = []
    for build in figure_builders(np.random.default_rng(0)):
        fig = build()
        assert fig.to_dict()["layout"]["template"] == default
        shared.append(fig._layout["template"])
    assert len({id(t) for t in shared}) == 1
    assert shared[0] == default


def test_colour_scales_go_out_as_rgb_stops() -> None:
    """Every colour scale reaches the browser as stops with rgb() colours: a name stays a name without plotly's
    checks (plotly.js lacks Inferno), and Streamlit repaints hex colours like Inferno's #000004 in its theme."""
    import json

    def scales(node: object) -> list:
        if isinstance(node, dict):
            return [v for k, v in node.items() if k == "colorscale"] + [s for v in node.values() for s in scales(v)]
        return [s for v in node for s in scales(v)] if isinstance(node, list) else []

    found = 0
    for build in figure_builders(np.random.default_rng(0)):
        for scale in scales(json.loads(build().to_json())["data"]):
            found += 1
            assert isinstance(scale, list) and all(colour.startswith("rgb(") for _, colour in scale), scale
    assert found >= 15


def test_axis_titles_are_objects() -> None:
    """plotly.js 3 ignores a bare-string title; with plotly's checks off nothing converts it for us."""
    fig = plots.line_chart({"a": np.arange(3.0)}, "step", "value", "t")
    assert fig.to_dict()["layout"]["xaxis"]["title"] == {"text": "step"}
    assert fig.to_dict()["layout"]["yaxis"]["title"] == {"text": "value"}


def test_state_heatmap_colours_survive_one_runaway_unit() -> None:
    """One LSTM cell unit at ±80 must not wash out the rest: colours end where one unit's worth of values
    (1.5 of 64 units) lies beyond, centred on 0, the colour bar says so, and the hover still reads the true value."""
    rng = np.random.default_rng(0)
    cell = rng.normal(scale=0.5, size=(200, 64)).astype(np.float32)
    cell[:, 7] = np.linspace(-80, 80, 200)
    fig = plots.state_heatmap(cell, ["x"] * 200, label="c_t")
    heat = fig.data[0]
    bound = np.percentile(np.abs(cell), 100 * (1 - 1.5 / 64))
    assert heat.zmin == pytest.approx(-bound) and heat.zmax == pytest.approx(bound) and bound < 10
    assert "c_t" in heat.colorbar.title.text and f"±{bound:.3g}" in heat.colorbar.title.text
    assert np.asarray(heat.z).max() == pytest.approx(80)  # hover reads z: the value, not the clipped colour
    assert "c_t %{z" in heat.hovertemplate
    states = np.tanh(3 * cell[:, :7])
    plain = plots.state_heatmap(states, ["x"] * 200, label="h_t").data[0]
    assert plain.zmax == pytest.approx(np.abs(states).max()) and plain.zmin == -plain.zmax
    assert plain.colorbar.title.text == "h_t"  # nothing clipped, nothing said


def test_state_heatmap_labels_units_and_characters_at_every_length() -> None:
    rng = np.random.default_rng(1)
    short = plots.state_heatmap(rng.normal(size=(12, 128)), list("hello world!"), label="h_t")
    assert list(short.layout.xaxis.ticktext) == list("hello␠world!")
    units = [int(u) for u in short.layout.yaxis.tickvals]
    assert units[:3] == [0, 5, 10] and len(units) == 26  # 128 rows in ~640 px: every 5th number fits
    long_text = [chr(97 + t % 26) for t in range(1000)]
    long = plots.state_heatmap(rng.normal(size=(1000, 16)), long_text, label="h_t")
    ticks = list(long.layout.xaxis.ticktext)
    assert 10 <= len(ticks) <= 30 and ticks[1] == f"{long_text[50]}<br>50"  # every 50th: character and step
    assert list(long.layout.yaxis.tickvals) == [str(u) for u in range(16)]
    narrow = plots.state_heatmap(rng.normal(size=(150, 8)), long_text[:150], width_px=300)
    assert len(narrow.layout.xaxis.tickvals) * 30 <= 300


def test_text_heatmap_keeps_sign_and_true_values_under_clipping() -> None:
    values = np.r_[np.linspace(-1, 1, 199), 50.0]
    heat = plots.text_heatmap(["a"] * 200, values, label="c[3]").data[0]
    assert heat.zmin == -heat.zmax and heat.zmax < 2 and "clipped" in heat.colorbar.title.text
    assert np.nanmax(np.asarray(heat.z, dtype=float)) == 50.0
    assert "step %{customdata}" in heat.hovertemplate


def test_trajectory_axes_say_what_a_principal_component_share_is() -> None:
    fig = plots.trajectory(np.zeros((5, 2)), list("abcde"), np.array([0.14, 0.05]))
    assert fig.layout.xaxis.title.text == "PC1: 14% of the variance"
    assert fig.data[0].marker.colorbar.title.text == "time step"


def per_thing_figures() -> list:
    """Every builder that draws one trace per model, cell or run, fed the labels the pages give it and values
    over four decades."""
    rng = np.random.default_rng(0)
    cells = ["RNN (tanh)", "LSTM", "GRU"]
    curve = (np.logspace(1, 4, 5), np.logspace(-3, 1, 5))
    history = {k: np.logspace(-3, 1, 5) for k in ("step", "loss", "lr", "grad_norm", "epoch_step", "val_loss",
                                                 "train_accuracy", "val_accuracy")}
    return [
        plots.grad_norm_chart({c: np.logspace(-k, 1, 8) for k, c in enumerate(cells)}, rng.random(8)),
        plots.training_curves({c: curve for c in ("LSTM", "GRU", "RNN")}, "MSE", baseline=0.17),
        plots.training_curves({c: curve for c in ("plain-20", "residual-20", "plain-56", "residual-56")}, "norm"),
        plots.scaling_chart({c: curve for c in ("Conv1d × 4", "LSTM", "GRU", "fused attention", "explicit attention")}, "ms"),
        plots.accuracy_by_length({c: curve for c in ("GRU encoder–decoder with attention", "Transformer")}),
        plots.shift_chart({c: curve for c in ("LeNet-5", "Small VGG (shapes)")}, "p"),
        plots.line_chart({c: np.logspace(-3, 1, 5) for c in ("actual", "run A", "run B")}, "step", "value", log_y=True),
        plots.lab_curves({"run A": history, "run B": history}),
    ]


def test_every_trace_of_a_model_cell_or_run_takes_its_palette_colour() -> None:
    from core.palette import REFERENCE, colour_of, thing_of

    for fig in per_thing_figures():
        for trace in fig.data:
            expected = REFERENCE if thing_of(trace.name) == "reference" else colour_of(trace.name)
            assert trace.line.color == expected, (trace.name, trace.line.color)
    assert plots.grad_norm_chart({"LSTM": np.ones(3)}).data[0].line.color == plots.training_curves(
        {"LSTM": (np.arange(3.0), np.ones(3))}, "MSE").data[0].line.color  # the same cell, two figures, one colour


def test_zoo_bubbles_and_saliency_rows_carry_their_models_colours() -> None:
    from core.palette import colour_of

    rows = [{"model": m, "year": 2000, "forward GFLOPs": 1.0, "latency on cpu (ms)": 1.0, "parameters (M)": 1.0}
            for m in ("LeNet-5", "ResNet-18")]
    assert list(plots.zoo_scatter(rows, "cpu").data[0].marker.color) == [colour_of("LeNet-5"), colour_of("ResNet-18")]
    fig = plots.sequence_saliency(np.zeros(4), {"lstm": np.ones(4), "gru": -np.ones(4)}, {"lstm": "LSTM", "gru": "GRU"})
    assert [t.endswith(f'color:{colour_of(n)}">■</span>') for t, n in zip(fig.layout.yaxis2.ticktext, ["LSTM", "GRU"])] == [True, True]


@pytest.mark.parametrize(("values", "dtick"), [
    (np.array([1.0, 2.0, 9.0]), None),       # less than a decade: plotly labels its ticks in full
    (np.array([0.05, 2.0]), 1),               # 1.6 decades: left alone, plotly labels 2 … 9 with bare digits
    (np.array([1e-20, 1.0]), 3),              # twenty decades: a labelled power every 3, at most MAX_LOG_TICKS
])
def test_log_axes_label_powers_of_ten_only(values: np.ndarray, dtick: int | None) -> None:
    fig = plots.line_chart({"LSTM": values}, "step", "norm", log_y=True)
    axis = fig.layout.yaxis
    assert axis.type == "log" and axis.exponentformat == "power"
    assert axis.dtick == dtick
    if dtick is not None:
        assert axis.minor.ticks == "outside"  # plotly never labels minor ticks


def test_every_log_axis_of_a_wide_range_sets_its_tick_step() -> None:
    """No log axis spanning a decade or more is left to plotly's own ticks (which label 2 … 9 as bare digits)."""
    for fig in per_thing_figures() + [plots.counts_bar(["a", "b"], [448, 50_348_032]),
                                      plots.field_chart(["c1", "c2"], [3.0, 300.0], [1.0, 2.0], 28)]:
        layout = fig.to_dict()["layout"]
        for name, axis in layout.items():
            if name.startswith(("xaxis", "yaxis")) and axis.get("type") == "log":
                assert axis.get("dtick") is not None, name


def test_attention_heads_title_every_axis() -> None:
    fig = plots.attention_heads(np.random.default_rng(0).random((3, 4, 5)), list("abcd"), list("vwxyz"),
                                ["head 1", "head 2", "head 3"], query_title="output step", key_title="input step")
    layout = fig.to_dict()["layout"]
    assert [layout[f"xaxis{k}"]["title"]["text"] for k in ("", "2", "3")] == ["input step"] * 3
    assert layout["yaxis"]["title"]["text"] == "output step"


def test_legends_stand_beside_their_plots() -> None:
    """Side-by-side figures keep their legend under the x axis, clear of the data and the title; the lab's four
    panels keep theirs at the right, not far below the figure."""
    curve = (np.array([16.0, 4096.0]), np.array([1.0, 10.0]))
    for fig in (plots.scaling_chart({"LSTM": curve}, "ms", "t"), plots.training_curves({"LSTM": curve}, "MSE", 0.17)):
        legend = fig.layout.legend
        assert legend.orientation == "h" and legend.y < 0 and legend.yanchor == "top"
    history = {k: np.arange(1.0, 4.0) for k in ("step", "loss", "lr", "grad_norm", "epoch_step", "val_loss",
                                                 "train_accuracy", "val_accuracy")}
    legend = plots.lab_curves({"run A": history}).layout.legend
    assert legend.x > 1 and legend.y == 1 and legend.orientation is None
