"""CNN + RNN for video: the clip generator, the two models and their traces, the bundled results, the page."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from core import plots
from core.data import video as clips
from core.data.video import DIRECTIONS, FRAMES, SHAPES, SIZE, axis_of, make_clip, make_clips
from core.models.video import FEATURES, HIDDEN, AveragedCNN, CNNGRU
from core.probes.video import inspect_clip, within_axis_accuracy
from core.train_video import RESULTS, held_out_scores, video_task
from core.weights import load_model

ROOT = Path(__file__).resolve().parent.parent
STEP = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}  # (dx, dy), row 0 on top


def centroids(frames: np.ndarray) -> np.ndarray:
    """(T, 2) x, y of the bright pixels of each frame (the shape; noise rarely passes half the shape's brightness)."""
    out = []
    for frame in frames:
        ys, xs = np.nonzero(frame > 0.45)
        out.append((xs.mean(), ys.mean()))
    return np.array(out)


def test_clips_are_the_same_for_a_seed_and_differ_between_seeds() -> None:
    a, b, c = make_clips(20, seed=5), make_clips(20, seed=5), make_clips(20, seed=6)
    assert a.frames.shape == (20, FRAMES, SIZE, SIZE) and a.frames.dtype == np.float32
    assert np.array_equal(a.frames, b.frames) and np.array_equal(a.directions, b.directions)
    assert not np.array_equal(a.frames, c.frames)
    assert 0.0 <= a.frames.min() and a.frames.max() <= 1.0
    assert np.array_equal(make_clip("up", "cross", 3), make_clip("up", "cross", 3))
    assert not np.array_equal(make_clip("up", "cross", 3), make_clip("up", "cross", 4))
    with pytest.raises(ValueError, match="direction"):
        make_clip("sideways", "cross", 0)


def test_every_label_is_the_direction_the_shape_moves() -> None:
    batch = make_clips(200, seed=9)
    assert set(batch.directions.tolist()) == set(range(len(DIRECTIONS)))
    for frames, label in zip(batch.frames, batch.directions):
        moved = centroids(frames)[-1] - centroids(frames)[0]
        dx, dy = STEP[DIRECTIONS[label]]
        assert moved[0] * dx + moved[1] * dy > 5, (DIRECTIONS[label], moved)  # ≥ 7 pixels along the motion
        assert abs(moved[0] * dy + moved[1] * dx) < 1.5, (DIRECTIONS[label], moved)  # and none across it
    for direction in DIRECTIONS:
        moved = np.diff(centroids(make_clip(direction, "disc", 0)), axis=0).sum(0)
        assert np.sign(moved[0]) == STEP[direction][0] or abs(moved[0]) < 1.5
        assert np.sign(moved[1]) == STEP[direction][1] or abs(moved[1]) < 1.5


def test_opposite_directions_visit_the_same_positions_in_reverse(monkeypatch) -> None:
    """Why the averaged frames cannot tell left from right: without the noise, a clip moving left is the clip
    moving right played backwards, so both have the same average."""
    monkeypatch.setattr(clips, "NOISE", 0.0)
    for shape in range(len(SHAPES)):
        for axis in (0, 1):
            one = clips._render(2 * axis, shape, np.random.default_rng(shape))
            other = clips._render(2 * axis + 1, shape, np.random.default_rng(shape))
            assert np.array_equal(one, other[::-1])
            assert not np.array_equal(one, other)


def test_the_models_return_their_traces_frames_by_units() -> None:
    torch.manual_seed(0)
    x = torch.rand(3, FRAMES, SIZE, SIZE)
    gru = CNNGRU().eval()
    logits, trace = gru(x)
    assert logits.shape == (3, len(DIRECTIONS))
    assert trace.hidden.shape == (3, FRAMES, HIDDEN) and trace.features.shape == (3, FRAMES, FEATURES)
    assert trace.maps.shape[:2] == (3, FRAMES)
    torch.testing.assert_close(gru.head(trace.hidden[:, -1]), logits)  # the classifier reads the last hidden state
    out, _ = gru.gru(trace.features[:, :4])
    torch.testing.assert_close(out[:, -1], trace.hidden[:, 3])  # h_t depends on the frames up to t only
    averaged = AveragedCNN().eval()
    a_logits, a_trace = averaged(x)
    torch.testing.assert_close(a_trace.average, x.mean(1))
    torch.testing.assert_close(averaged(x.flip(1))[0], a_logits)  # the frames' order cannot change its answer


@pytest.fixture(scope="module")
def bundled() -> tuple[torch.nn.Module, torch.nn.Module]:
    return load_model("cnn_gru", kind="video")[0], load_model("averaged_cnn", kind="video")[0]


def test_the_gru_beats_the_average_and_the_bundled_results_are_reproduced(bundled) -> None:
    results = json.loads(RESULTS.read_text())
    scores = {}
    for name, model in zip(("cnn_gru", "averaged_cnn"), bundled):
        r = results["models"][name]
        assert len(r["accuracy"]) == 3 and r["params"] == sum(p.numel() for p in model.parameters())
        scores[name] = held_out_scores(model, video_task(name))
        assert scores[name]["accuracy"] == pytest.approx(r["accuracy"][r["bundled_seed"]], abs=1e-4)
        assert scores[name]["axis_accuracy"] == pytest.approx(r["axis_accuracy"][r["bundled_seed"]], abs=1e-4)
    gru, avg = scores["cnn_gru"], scores["averaged_cnn"]
    assert gru["accuracy"] > 0.95 and gru["accuracy"] - avg["accuracy"] > 0.35
    assert avg["axis_accuracy"] > 0.95  # the streak shows the axis …
    assert within_axis_accuracy(avg["accuracy"], avg["axis_accuracy"]) < 0.6  # … not the direction along it
    assert min(results["models"]["cnn_gru"]["accuracy"]) - max(results["models"]["averaged_cnn"]["accuracy"]) > 0.35


def test_reversing_a_clip_reverses_the_gru_answer_and_leaves_the_shared_models_clean(bundled) -> None:
    gru, averaged = bundled
    for direction in DIRECTIONS:
        clip = make_clip(direction, "diamond", 1)
        view = inspect_clip(gru, averaged, clip)
        back = inspect_clip(gru, averaged, clip[::-1].copy())
        twin = DIRECTIONS.index(direction) ^ 1
        assert view.gru_probs.argmax() == DIRECTIONS.index(direction) and back.gru_probs.argmax() == twin
        np.testing.assert_allclose(view.averaged_probs, back.averaged_probs, atol=1e-5)
        assert axis_of(int(view.averaged_probs.argmax())) == axis_of(DIRECTIONS.index(direction))
        assert view.hidden.shape == (FRAMES, HIDDEN) and view.gru_cam.shape == (FRAMES, SIZE, SIZE)
        assert view.gru_cam.max() == pytest.approx(1.0) and view.averaged_cam.shape == (SIZE, SIZE)
    for model in bundled:
        assert not model.training and all(p.grad is None for p in model.parameters())


def test_the_figures() -> None:
    frames = make_clip("left", "square", 0)
    fig = plots.frame_grid([[*frames, frames.mean(0)], [*frames, frames.mean(0)]], ["frames", "Grad-CAM"],
                           [f"frame {t}" for t in range(FRAMES)] + ["average"], ["gray", "Inferno"], ["b", "c"])
    assert len(fig.data) == 2 * (FRAMES + 1) and fig.data[0].zmax == 1.0
    assert [a.text for a in fig.layout.annotations][:FRAMES + 1][-1] == "average"
    probs = {"cnn_gru": np.array([0.9, 0.1, 0, 0]), "averaged_cnn": np.array([0.5, 0.5, 0, 0])}
    fig = plots.model_probabilities(probs, {"cnn_gru": "CNN + GRU", "averaged_cnn": "averaged CNN"}, DIRECTIONS, "p")
    assert [b.name for b in fig.data] == ["CNN + GRU", "averaged CNN"]
    assert fig.data[0].marker.color != fig.data[1].marker.color and list(fig.data[1].x) == [0.5, 0.5, 0, 0]


def test_the_page_runs_for_every_direction_and_says_its_lesson() -> None:
    at = AppTest.from_file(str(ROOT / "app_pages" / "video.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("plotly_chart")) == 3 and "held-out clips" in at.info[0].value
    for direction in DIRECTIONS:
        at.radio(key="vi_direction").set_value(direction).run()
        assert not at.exception, (direction, [e.value for e in at.exception])
        assert at.query_params.get("vi_direction", ["right"]) in ([direction], direction)  # the default stays out
    at.selectbox(key="vi_shape").set_value("cross").run()
    at.number_input(key="vi_clip").set_value(7).run()
    assert not at.exception and "%" in at.info[0].value
