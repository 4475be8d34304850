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


def test_shared_per_picture_results_are_read_only() -> None:
    """Pictures, prepared inputs and results are shared by every session without a copy: none may change them."""
    import numpy as np
    import pytest

    from core.data.samples import samples_for
    from ui import loaders

    first = samples_for("digit")[0]
    picture = loaders.sample(first, first.file)
    prepared = loaders.model_input("lenet5", picture, picture.digest)
    probs = loaders.probabilities("lenet5", picture.digest, "bundled", prepared.tensor)
    for array in (picture.pixels, prepared.display, probs):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0
    assert np.isclose(probs.sum(), 1.0, atol=1e-5)
