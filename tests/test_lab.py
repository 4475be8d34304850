"""The training lab's core: toggles change the model and data they should, schedules follow their formulas,
runs repeat exactly, stop within a step, stop themselves on NaN, and export what they trained."""
import csv
import io
import math
from dataclasses import replace

import numpy as np
import pytest
import torch
from safetensors.torch import load
from torch import nn

from core import lab
from core.training.engine import (OPTIMIZERS, EpochRecord, Run, RunConfig, RunConfigError, RunPair, StepRecord,
                                  first_step_below, history_arrays, history_csv, make_optimizer, make_schedule, train,
                                  validate, weights_bytes)
from core.training.limits import TRAINING_LAB
from core.training.tasks import OWN_TASKS, TASKS, Outcome, TaskData, get_task, images_data, series_data, text_data


def has(model: nn.Module, kind: type) -> bool:
    return any(isinstance(m, kind) for m in model.modules())


def build(config: RunConfig) -> nn.Module:
    """The network a run of `config` trains, with as many outputs as its task's data has classes."""
    task = get_task(config.task)
    return task.build(config, len(task.data().classes) or None)


def trained(run: Run) -> list[StepRecord]:
    """A run's steps without their compute seconds (the clock differs between identical runs)."""
    return [replace(s, seconds=0.0) for s in run.steps]


@pytest.mark.parametrize("task", list(TASKS))
def test_dropout_toggle_adds_dropout_layers(task: str) -> None:
    assert not has(build(RunConfig(task)), nn.Dropout)
    model = build(RunConfig(task, dropout=0.4))
    assert has(model, nn.Dropout)
    assert all(m.p == 0.4 for m in model.modules() if isinstance(m, nn.Dropout))


@pytest.mark.parametrize("name", ["digits", "shapes", "images"])
def test_batch_norm_toggle_adds_batch_norm(name: str) -> None:
    task = get_task(name)
    assert task.picture
    assert not has(task.build(RunConfig(name, batch_norm=False), None), nn.BatchNorm2d)
    assert has(task.build(RunConfig(name, batch_norm=True), None), nn.BatchNorm2d)


def test_batch_norm_is_refused_for_recurrent_tasks() -> None:
    with pytest.raises(RunConfigError, match="layer norm"):
        validate(RunConfig("char", batch_norm=True), get_task("char"))


def test_toggles_off_keep_the_bundled_architectures() -> None:
    """Without dropout and batch norm the lab's LeNet-5 has exactly the bundled one's parameters."""
    from core.models.registry import get_spec

    lab_keys = build(RunConfig("digits")).state_dict().keys()
    assert list(lab_keys) == list(get_spec("lenet5").build().state_dict().keys())


@pytest.mark.parametrize(("task", "names"), [("shapes", ("shift",)), ("shapes", ("rotate",)), ("shapes", ("flip",)),
                                             ("digits", ("noise",)), ("char", ("noise",)), ("adding", ("noise",))])
def test_augmentation_changes_the_batch(task: str, names: tuple[str, ...]) -> None:
    run = Run(RunConfig(task, batch_size=16))
    x, _ = run._next_batch(0)
    out = run.task.augment(x, names, torch.Generator().manual_seed(0))
    assert out.shape == x.shape and out.dtype == x.dtype
    assert not torch.equal(out, x)
    assert torch.equal(run.task.augment(x, (), torch.Generator().manual_seed(0)), x)
    if task == "adding":
        assert torch.equal(out[..., 1], x[..., 1])  # the markers stay where they are


def test_flip_is_refused_for_digits() -> None:
    with pytest.raises(RunConfigError, match="flip"):
        validate(RunConfig("digits", augment=("flip",)), get_task("digits"))


def lrs(schedule: str, total: int = 30, lr: float = 0.1) -> list[float]:
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=lr)
    sched = make_schedule(RunConfig(schedule=schedule, lr=lr), opt, total)
    out = []
    for _ in range(total):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


def test_schedules_follow_their_formulas() -> None:
    assert lrs("constant") == [0.1] * 30
    step = lrs("step")
    assert step[:10] == [0.1] * 10 and step[10:20] == pytest.approx([0.01] * 10) and step[20:] == pytest.approx([0.001] * 10)
    cosine = lrs("cosine")
    for t, v in enumerate(cosine):
        assert v == pytest.approx(0.05 * (1 + math.cos(math.pi * t / 30)))
    onecycle = lrs("onecycle")
    assert onecycle[0] == pytest.approx(0.1 / 25)  # starts at max/25
    assert max(onecycle) == pytest.approx(0.1, rel=0.02) and 5 <= onecycle.index(max(onecycle)) <= 12  # peak near 30%
    assert onecycle[-1] < 1e-4


def test_each_optimizer_is_the_one_it_names() -> None:
    params = [nn.Parameter(torch.zeros(1))]
    kinds = {name: make_optimizer(RunConfig(optimizer=name, lr=0.02, weight_decay=0.1), params) for name in OPTIMIZERS}
    assert {n: type(o) for n, o in kinds.items()} == {"sgd": torch.optim.SGD, "adam": torch.optim.AdamW,
                                                      "rmsprop": torch.optim.RMSprop}
    assert kinds["sgd"].defaults["momentum"] == 0.9
    assert all(o.defaults["lr"] == 0.02 and o.defaults["weight_decay"] == 0.1 for o in kinds.values())


def test_a_run_records_the_scheduled_rate() -> None:
    run = train(Run(RunConfig("digits", schedule="step", epochs=3, lr=0.01)))
    assert [s.lr for s in run.steps] == pytest.approx([0.01] * 22 + [0.001] * 22 + [0.0001] * 22)


@pytest.mark.parametrize("config", [
    RunConfig(lr=-0.1), RunConfig(lr=0.0), RunConfig(lr=float("nan")), RunConfig(batch_size=0),
    RunConfig(epochs=0), RunConfig(epochs=TRAINING_LAB.max_epochs + 1), RunConfig(dropout=1.0), RunConfig(clip=-1.0),
    RunConfig(weight_decay=-0.1), RunConfig(task="nope"), RunConfig(optimizer="lbfgs"),
    RunConfig(lr=TRAINING_LAB.max_lr * 2), RunConfig(batch_size=TRAINING_LAB.max_batch + 1),
    RunConfig("shapes", batch_size=8, epochs=40),  # 375 steps per epoch × 40 is over the step cap
])
def test_nonsense_settings_are_refused_with_a_reason(config: RunConfig) -> None:
    """Refused where a lab run is made (an unknown task is refused before there is a task to validate against)."""
    with pytest.raises(RunConfigError) as err:
        Run(config, limits=TRAINING_LAB)
    assert len(str(err.value)) > 20


def test_a_script_run_has_no_lab_caps() -> None:
    """The lab's caps come with TRAINING_LAB; a script's run (no limits given) may go past them."""
    digits, shapes = get_task("digits"), get_task("shapes")
    for config, task in [(RunConfig(epochs=TRAINING_LAB.max_epochs + 1), digits), (RunConfig(lr=2.0), digits),
                         (RunConfig("shapes", batch_size=8, epochs=40), shapes)]:
        assert validate(config, task) is config
        with pytest.raises(RunConfigError):
            validate(config, task, None, TRAINING_LAB)


def test_training_lowers_the_loss() -> None:
    run = train(Run(RunConfig("digits", epochs=3)))
    assert run.status == "done"
    assert run.epochs[-1].train_loss < 0.5 * run.steps[0].loss
    assert run.epochs[-1].val_accuracy > 0.85


def test_a_seeded_run_repeats_exactly() -> None:
    config = RunConfig("digits", epochs=2, dropout=0.3, augment=("shift", "noise"), batch_norm=True)
    a, b = train(Run(config)), train(Run(config))
    assert trained(a) == trained(b)
    for (k, va), vb in zip(a.model.state_dict().items(), b.model.state_dict().values()):
        assert torch.equal(va, vb), k
    c = train(Run(replace(config, seed=1)))
    assert trained(c) != trained(a)


def test_two_runs_side_by_side_match_the_same_runs_alone() -> None:
    """Stepping two runs in turn on one thread changes neither: each keeps its own random state."""
    configs = [RunConfig("char", epochs=1, dropout=0.2, augment=("noise",), batch_size=16, cell="gru"),
               RunConfig("digits", epochs=1, dropout=0.5)]
    pair = RunPair([Run(c, label=f"run {i}") for i, c in enumerate(configs)]).start()
    pair.join(120)
    assert not pair.running and pair.error is None
    for run, config in zip(pair.runs, configs):
        alone = train(Run(config))
        assert run.status == "done" and trained(run) == trained(alone)
        assert run.outcome is not None


def test_stop_lands_within_one_step() -> None:
    run = Run(RunConfig("digits", epochs=5))
    calls = []

    def stop_after_seven() -> bool:
        calls.append(1)
        return len(run.steps) >= 7

    train(run, stop_after_seven)
    assert run.status == "stopped" and len(run.steps) == 7
    pair = RunPair([Run(RunConfig("digits", epochs=15, batch_size=8))]).start()
    pair.stop()
    pair.join(30)
    assert not pair.running and pair.runs[0].status == "stopped" and len(pair.runs[0].steps) <= 1


def test_a_diverging_run_stops_itself_and_says_so() -> None:
    run = train(Run(RunConfig("adding", optimizer="sgd", lr=1.0, cell="rnn", epochs=2)))
    assert run.status == "diverged"
    assert "Diverged at step" in run.message and "learning rate" in run.message
    assert len(run.steps) < run.total_steps
    assert not math.isfinite(run.steps[-1].loss) or not math.isfinite(run.steps[-1].grad_norm)
    assert all(torch.isfinite(p).all() for p in run.model.parameters())  # the bad step was not applied


def test_exports_hold_the_history_and_the_weights() -> None:
    run = train(Run(RunConfig("digits", epochs=2, dropout=0.2)))
    rows = list(csv.DictReader(io.StringIO(history_csv(run))))
    assert len(rows) == len(run.steps) == 44
    assert float(rows[21]["val_accuracy"]) == pytest.approx(run.epochs[0].val_accuracy, abs=1e-5)
    assert rows[0]["val_accuracy"] == ""
    state = load(weights_bytes(run))
    fresh = build(run.config)
    fresh.load_state_dict(state)
    fresh.eval()
    x = run.data.x_val[:8]
    assert torch.equal(fresh(x), run.model.eval()(x))


def test_finish_reports_confusion_and_mistakes() -> None:
    run = train(Run(RunConfig("digits", epochs=1)))
    outcome = run.finish()
    assert outcome.confusion.shape == (10, 10) and outcome.confusion.sum() == len(run.data.y_val)
    assert int(outcome.confusion.trace()) == int((outcome.predictions == outcome.targets).sum())
    assert all(outcome.predictions[i] != outcome.targets[i] for i in outcome.mistakes)
    assert int(outcome.confusion.trace()) / len(run.data.y_val) == pytest.approx(run.epochs[-1].val_accuracy, abs=1e-6)


def test_a_run_stops_at_its_compute_cap() -> None:
    run = train(Run(RunConfig("digits", epochs=3), limits=replace(TRAINING_LAB, max_seconds=0.0)))
    assert run.status == "capped" and len(run.steps) == 1 and "limit" in run.message
    assert len(run.epochs) == 1 and run.epochs[0].step == 1  # the partial epoch is closed with held-out numbers


def test_a_pair_stops_at_its_wall_cap() -> None:
    pair = RunPair([Run(RunConfig("digits", epochs=10))], max_wall_s=0.0).start()
    pair.join(30)
    assert pair.runs[0].status == "stopped" and len(pair.runs[0].steps) <= 1
    capped = replace(TRAINING_LAB, max_wall_seconds=0.0)  # the cap a pair's runs were given, when none is passed
    pair = RunPair([Run(RunConfig("digits", epochs=10), limits=capped)]).start()
    pair.join(30)
    assert pair.runs[0].status == "stopped" and len(pair.runs[0].steps) <= 1


def test_a_lab_run_trains_on_the_chosen_device() -> None:
    """The lab trains where the app runs: on CUDA under bench/gpu.sh, here on the CPU; nothing stays behind."""
    from core.device import choose_device

    device = choose_device("").device
    run = train(Run(RunConfig("digits", epochs=1, batch_norm=True, augment=("shift",)), device))
    assert run.status == "done" and {p.device.type for p in run.model.parameters()} == {device.type}
    assert run.finish().confusion.sum() == len(run.data.y_val)


def own_data(task: str) -> TaskData:
    """Small data of the user's kind, made here (the own-data default pairs validate against it)."""
    import numpy as np

    if task == "images":
        rng = np.random.default_rng(0)
        return images_data(rng.integers(0, 255, (20, 64, 64, 3), dtype=np.uint8), np.arange(20) % 2, ("a", "b"))
    if task == "series":
        return series_data(np.sin(np.arange(400) * 0.2))
    return text_data("def f(x):\n    return x + 1\n" * 200)


@pytest.mark.parametrize(("task", "own"), [(t, False) for t in lab.DEFAULT_PAIRS] + [(t, True) for t in lab.OWN_DEFAULT_PAIRS])
def test_every_default_pair_differs_in_exactly_one_choice(task: str, own: bool) -> None:
    """Compared field by field: a pair that differs in more than one choice cannot teach what any one does."""
    from dataclasses import fields

    pair = (lab.OWN_DEFAULT_PAIRS if own else lab.DEFAULT_PAIRS)[task]
    changed = [f.name for f in fields(RunConfig) if getattr(pair.a, f.name) != getattr(pair.b, f.name)]
    assert len(changed) == 1, changed
    assert lab.differences(pair.a, pair.b) == tuple(changed)
    assert pair.a.task == pair.b.task == task and pair.a.seed == pair.b.seed == 0
    data = own_data(task) if own else None
    for config in (pair.a, pair.b):
        validate(config, get_task(task, own=own), data, TRAINING_LAB)  # within the lab's caps
    assert (pair.spread is None) == own  # a spread is measured for the bundled tasks only


def test_every_task_the_lab_offers_has_a_default_pair() -> None:
    assert set(lab.DEFAULT_PAIRS) == set(TASKS) and set(lab.OWN_DEFAULT_PAIRS) == set(OWN_TASKS)


def finished(config: RunConfig, val: float, train: float = 0.9, steps: int = 88) -> Run:
    """A digits run whose history is written by hand (no training): `steps` steps, one epoch ending at `val`."""
    run = Run(config)
    run.steps = [StepRecord(i + 1, 1, config.lr, 1.0, train, 1.0, float(i + 1)) for i in range(steps)]
    run.epochs = [EpochRecord(1, steps, 0.5, train, 0.5, val, 1.0)]
    run.status = "done"
    return run


def test_lesson_names_the_one_choice_with_its_numbers_and_the_seed_spread() -> None:
    pair = lab.DEFAULT_PAIRS["digits"]
    a, b = finished(pair.a, 0.78), finished(pair.b, 0.91)
    assert lab.lesson(a, b, 0.02) == ("Batch norm off vs on: 78.0% vs 91.0% held-out accuracy after 88 steps, a gap "
                                      "of 13.0 points; over seeds 0–2 these runs spread ±2.0 points.")
    assert lab.lesson(a, b).endswith("a gap of 13.0 points.")
    assert "shows nothing" in lab.lesson(a, b, 0.2)  # a gap inside the seed spread is named as such
    assert lab.lesson(finished(pair.a, 0.5), Run(pair.b)) is None  # run B has no held-out result yet


def test_lesson_refuses_to_credit_one_choice_when_several_differ() -> None:
    a = finished(RunConfig("digits"), 0.95)
    several = lab.lesson(a, finished(RunConfig("digits", batch_norm=True, dropout=0.3, schedule="onecycle"), 0.97))
    assert "differ in 3 choices (schedule, dropout, batch norm)" in several and "cannot be pinned" in several
    seed_only = lab.lesson(a, finished(RunConfig("digits", seed=1), 0.96))
    assert "only in their seed" in seed_only and "1.0 points" in seed_only
    assert "train identically" in lab.lesson(a, finished(RunConfig("digits"), 0.95))
    assert lab.differences(RunConfig("shapes", cell="rnn"), RunConfig("shapes", cell="gru")) == ()  # pictures have no cell


def test_default_spread_is_quoted_only_for_the_default_pair() -> None:
    pair = lab.DEFAULT_PAIRS["digits"]
    assert lab.default_spread(pair.a, pair.b, pair) == pair.spread
    assert lab.default_spread(replace(pair.a, seed=3), replace(pair.b, seed=3), pair) == pair.spread
    assert lab.default_spread(replace(pair.a, lr=1e-3), pair.b, pair) is None
    assert lab.default_spread(pair.a, pair.b, None) is None


@pytest.mark.parametrize(("changes", "train", "val", "noted"), [
    (dict(dropout=0.5), 0.80, 0.90, True),
    (dict(augment=("shift",)), 0.80, 0.90, True),
    ({}, 0.80, 0.90, False),  # neither on: the caption is about dropout and augmentation
    (dict(dropout=0.5), 0.95, 0.90, False),  # training above held-out: nothing to explain
])
def test_train_below_held_out_needs_dropout_or_augmentation(changes: dict, train: float, val: float, noted: bool) -> None:
    run = finished(RunConfig("digits", **changes), val, train)
    assert (lab.train_below_held_out(run) is not None) == noted


def test_the_digits_default_pair_shows_its_gap() -> None:
    """Seed 0 of the digits default pair: batch norm is ahead by more than the seed spread measured for it."""
    pair = lab.DEFAULT_PAIRS["digits"]
    a, b = train(Run(pair.a, limits=TRAINING_LAB)), train(Run(pair.b, limits=TRAINING_LAB))
    assert b.epochs[-1].val_accuracy - a.epochs[-1].val_accuracy > pair.spread


@pytest.mark.slow
def test_the_shapes_default_pair_shows_its_gap() -> None:
    """Seed 0 of the shapes default pair: without batch norm the small VGG is still at chance, with it it learns."""
    pair = lab.DEFAULT_PAIRS["shapes"]
    a, b = train(Run(pair.a, limits=TRAINING_LAB)), train(Run(pair.b, limits=TRAINING_LAB))
    assert b.epochs[-1].val_accuracy - a.epochs[-1].val_accuracy > max(pair.spread, 0.1)


def test_history_arrays_hold_every_step_and_epoch_in_order() -> None:
    steps = [StepRecord(k, 1 + (k > 2), 0.1 / k, 2.0 / k, 0.1 * k, 3.0 * k, 0.5 * k) for k in (1, 2, 3, 4)]
    epochs = [EpochRecord(1, 2, 1.5, 0.15, 1.2, 0.3, 1.0), EpochRecord(2, 4, 0.6, 0.35, 0.9, 0.5, 2.0)]
    h = history_arrays(steps, epochs)
    assert h["step"].tolist() == [1, 2, 3, 4] and h["loss"].tolist() == [2.0, 1.0, 2 / 3, 0.5]
    assert h["grad_norm"].tolist() == [3.0, 6.0, 9.0, 12.0] and h["lr"][3] == pytest.approx(0.025)
    assert h["epoch_step"].tolist() == [2, 4] and h["val_loss"].tolist() == [1.2, 0.9]
    assert h["train_accuracy"].tolist() == [0.15, 0.35] and h["val_accuracy"].tolist() == [0.3, 0.5]
    assert history_arrays(steps)["val_loss"].size == 0  # a run still in its first epoch


def test_first_step_below_finds_where_a_curve_leaves_its_baseline() -> None:
    assert first_step_below([100, 200, 300, 400], [0.17, 0.1, 0.05, 0.01], 0.08) == 300
    assert first_step_below([100, 200], [0.17, 0.16], 0.08) is None


def test_commonest_mistakes_are_off_the_diagonal_most_frequent_first() -> None:
    confusion = np.array([[50, 3, 0],
                          [7, 40, 1],
                          [0, 3, 9]])
    assert lab.commonest_mistakes(confusion, 10) == [(1, 0, 7), (0, 1, 3), (2, 1, 3), (1, 2, 1)]
    assert lab.commonest_mistakes(confusion, 2) == [(1, 0, 7), (0, 1, 3)]
    assert confusion[0, 0] == 50  # the caller's matrix is left alone


def test_right_count_counts_equal_predictions_one_by_one() -> None:
    outcome = Outcome(np.array([[1, 2, 3], [0, 0, 1]]), np.array([[1, 0, 3], [0, 2, 2]]), None, np.empty(0))
    assert lab.right_count(outcome) == 3
