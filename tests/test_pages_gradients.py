"""The Gradient lab opens on states that show its lessons, says them with the live numbers, and notes what it cannot draw."""
import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.training.tasks import ADDING_BASELINE

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "gradients.py")
TIMEOUT = 180  # importing torch, then back-propagating three cells or training, on 2 shared cores


def run_page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart_series(at: AppTest, title: str) -> dict[str, np.ndarray]:
    """The y values of every trace of the chart whose title starts with `title`, by trace name."""
    figure = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                  if json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "").startswith(title))
    out = {}
    for trace in figure["data"]:
        y = trace["y"]
        if isinstance(y, dict):  # plotly's typed-array encoding
            y = np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"]))
        out[trace["name"]] = np.array(y, dtype=np.float64)
    return out


def texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in at.get(kind)]


def test_over_time_defaults_show_gates_keeping_the_gradient_and_say_it() -> None:
    at = run_page()
    series = chart_series(at, "At initialisation")
    rnn = series["RNN (tanh)"][0]
    assert series["LSTM"][0] > 100 * rnn and series["GRU"][0] > 100 * rnn  # at t = 0, T − 1 steps back
    lesson = next(t for t in texts(at, "markdown") if t.startswith("**Untrained"))
    assert "199 steps back" in lesson and "×10⁻" in lesson
    assert not at.warning and not at.info and not at.error


def test_a_series_that_leaves_the_chart_gets_a_note() -> None:
    at = run_page()
    at.slider(key="gl_ub").set_value(0.0).run()  # the GRU's update gate at σ(0) = 0.5: it underflows to 0
    assert not at.exception
    gru = chart_series(at, "At initialisation")["GRU"]
    gone = int(np.flatnonzero(np.isnan(gru)).max())
    notes = texts(at, "warning")
    assert any(n.startswith("GRU:") and f"t ≤ {gone}" in n for n in notes), notes
    assert any("GRU keeps no more than the RNN" in n for n in texts(at, "info"))
    lesson = next(t for t in texts(at, "markdown") if t.startswith("**Untrained"))
    assert lesson.endswith("and 0 for the GRU.**")


def test_clipping_and_depth_open_on_their_lessons() -> None:
    at = run_page()
    at.segmented_control(key="gl_part").set_value("Clipping").run()  # trains the default pair at once
    assert not at.exception
    lesson = next(t for t in texts(at, "markdown") if t.startswith("**Without clipping"))
    assert "overflowed at step" in lesson and "all steps ran" in lesson and "kept training alive" in lesson
    assert len(at.get("plotly_chart")) == 2
    at.slider(key="gl_clip_rho").set_value(1.2).run()
    assert any("used ρ = 1.8" in t for t in texts(at, "info"))  # the figures are not those of the new ρ: said
    at.segmented_control(key="gl_part").set_value("Over depth").run()
    lesson = next(t for t in texts(at, "markdown") if t.startswith("**At initialisation"))
    assert "residual-56 0.4" in lesson and "plain-56 0;" in lesson and "identity path" in lesson


@pytest.mark.slow
def test_long_lag_live_defaults_let_the_gru_learn_what_the_rnn_cannot() -> None:
    at = run_page()
    at.segmented_control(key="gl_part").set_value("Long lag").run()
    at.multiselect(key="gl_lag_cells").set_value(["rnn", "gru"]).run()
    at.button(key="gl_lag_go").click().run()
    assert not at.exception
    at.session_state["gl_lag_runs"][2].join(300)  # the runs train in the background; the page polls them
    at.run()
    series = chart_series(at, "Your runs")
    assert series["GRU"][-1] < ADDING_BASELINE / 2 < 0.8 * ADDING_BASELINE < series["RNN"][-1]
    lesson = next(t for t in texts(at, "markdown") if t.startswith("**Held-out MSE"))
    assert "The GRU learned" in lesson and "the RNN still answers about the mean" in lesson
