"""ui.charts: a figure is built once per distinct input, and only core.plots builders are accepted."""
import numpy as np
import plotly.graph_objects as go
import pytest

from core import plots
from ui import charts


def test_same_input_reuses_the_figure_and_new_input_rebuilds() -> None:
    charts._figure.clear()
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
