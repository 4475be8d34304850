"""The training lab page teaches its lesson: each task opens on two runs that differ in one choice, a finished
pair says what it shows with its numbers, and a run scored below its held-out data under dropout says why."""
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core import lab
from core.training.engine import RunPair
from core.training.tasks import TASKS

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120  # importing torch and building models takes far longer than AppTest's 3 s default
WIDGETS = {"cell": "cell", "optimizer": "opt", "lr": "lr", "schedule": "sched", "batch_size": "batch", "epochs": "epochs",
           "dropout": "drop", "weight_decay": "wd", "clip": "clip", "seed": "seed", "batch_norm": "bn", "augment": "aug"}


def lab_page(task: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages/training_lab.py"), default_timeout=TIMEOUT)
    at.run()
    at.selectbox(key="tl_task").set_value(task).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def settings(at: AppTest, run: str, task: str) -> dict[str, object]:
    """The values of one run's setting widgets as the page shows them."""
    keys = {field: f"tl_{run}_{task}_{widget}" for field, widget in WIDGETS.items()}
    return {field: at.session_state[key] for field, key in keys.items() if key in at.session_state}


def train(at: AppTest) -> RunPair:
    at.button(key="tl_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    pair = at.session_state["tl_pair"]
    pair.join(120)
    assert not pair.running and pair.error is None
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return pair


def test_every_task_opens_on_two_runs_that_differ_in_one_setting() -> None:
    at = lab_page("digits")
    for task in TASKS:
        at.selectbox(key="tl_task").set_value(task).run()
        assert not at.exception, [e.value for e in at.exception]
        a, b = settings(at, "A", task), settings(at, "B", task)
        assert len(a) >= 10 and a.keys() == b.keys()
        pair = lab.DEFAULT_PAIRS[task]
        assert [k for k in a if a[k] != b[k]] == list(lab.differences(pair.a, pair.b)), task


def test_a_finished_default_pair_states_its_lesson_with_the_live_numbers() -> None:
    at = lab_page("digits")
    pair = train(at)
    a, b = (run.epochs[-1].val_accuracy for run in pair.runs)
    summary = next(m.value for m in at.markdown if m.value.startswith("**What this pair shows.**"))
    assert f"Batch norm off vs on: {a:.1%} vs {b:.1%} held-out accuracy after {len(pair.runs[0].steps)} steps" in summary
    assert f"a gap of {abs(a - b) * 100:.1f} points" in summary
    assert f"±{lab.DEFAULT_PAIRS['digits'].spread * 100:.1f} points" in summary


def test_dropout_explains_training_accuracy_below_held_out() -> None:
    at = lab_page("digits")
    at.slider(key="tl_B_digits_drop").set_value(0.5)
    at.number_input(key="tl_B_digits_epochs").set_value(1)
    at.number_input(key="tl_A_digits_epochs").set_value(1).run()
    pair = train(at)
    a, b = pair.runs
    assert b.epochs[-1].train_accuracy < b.epochs[-1].val_accuracy  # the situation the caption explains
    notes = [c.value for c in at.caption if "is below held-out" in c.value]
    assert len(notes) == 1 and notes[0].startswith("run B: training accuracy") and "dropout on" in notes[0], notes
    assert f"{b.epochs[-1].val_accuracy:.1%}" in notes[0]
    summary = next(m.value for m in at.markdown if m.value.startswith("**What this pair shows.**"))
    assert "differ in 2 choices (dropout, batch norm)" in summary and "±" not in summary


def test_your_series_opens_on_a_pair_that_differs_in_one_setting() -> None:
    import numpy as np

    at = lab_page("own_series")
    values = np.sin(np.arange(300) * 0.2)
    at.file_uploader(key="tl_upload_own_series").set_value(("wave.csv", "\n".join(map(str, values)).encode(),
                                                           "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    a, b = settings(at, "A", "own_series"), settings(at, "B", "own_series")
    assert [k for k in a if a[k] != b[k]] == ["cell"]
