"""Gradient norms over time: exact decay for a linear RNN, never above Pascanu's bound with tanh."""
import numpy as np
import pytest
import torch

from core.models.rnn import GRU, LSTM, RNN
from core.probes.gradients import (
    RecurrentInit, first_exploded_step, first_layer_share, first_underflowed_step, hidden_state_grad_norms,
    largest_singular_value, make_cell, pascanu_bound, power_of_ten, underflowed_layers,
)


@pytest.mark.parametrize("rho", [0.9, 1.1])
def test_linear_rnn_decays_as_rho_to_the_power(rho: float) -> None:
    model = make_cell("rnn", 4, 32, RecurrentInit("orthogonal", rho), nonlinearity="identity")
    assert largest_singular_value(model) == pytest.approx(rho, rel=1e-5)
    norms = hidden_state_grad_norms(model, torch.randn(3, 60, 4))
    assert norms[-1] == pytest.approx(1.0, rel=1e-5)
    slope = np.polyfit(np.arange(60), np.log(norms), 1)[0]
    assert slope == pytest.approx(-np.log(rho), rel=0.02)  # norms grow towards T: ρ^(T−t)


def test_tanh_rnn_stays_under_the_pascanu_bound() -> None:
    for seed in range(5):
        model = make_cell("rnn", 4, 32, RecurrentInit("gaussian", 1.5), seed=seed)
        norms = hidden_state_grad_norms(model, torch.randn(4, 80, 4) * 2)
        bound = pascanu_bound(model, 80)
        assert np.all(norms <= bound * (1 + 1e-6)), seed


def test_every_cell_gives_one_norm_per_step_and_lstm_keeps_more() -> None:
    x = torch.randn(2, 100, 3)
    rnn = hidden_state_grad_norms(make_cell("rnn", 3, 16, RecurrentInit("orthogonal", 0.8)), x)
    lstm = hidden_state_grad_norms(make_cell("lstm", 3, 16, RecurrentInit("orthogonal", 0.8, forget_bias=3.0)), x)
    gru = hidden_state_grad_norms(make_cell("gru", 3, 16, RecurrentInit("orthogonal", 0.8)), x)
    assert rnn.shape == lstm.shape == gru.shape == (100,)
    assert lstm[0] > 1e3 * rnn[0]  # a forget gate near 1 carries the gradient 100 steps back


def test_exploded_norms_are_found_not_plotted() -> None:
    assert first_exploded_step(np.array([np.inf, np.nan, 1.0, 1.0])) == 1
    assert first_exploded_step(np.array([1.0, 2.0])) is None
    model = make_cell("rnn", 2, 8, RecurrentInit("orthogonal", 1e30), nonlinearity="identity")
    norms = hidden_state_grad_norms(model, torch.randn(1, 20, 2))
    assert first_exploded_step(norms) is not None


def test_refuses_other_modules() -> None:
    with pytest.raises(TypeError):
        hidden_state_grad_norms(torch.nn.LSTM(2, 2), torch.randn(1, 3, 2))
    assert isinstance(make_cell("lstm", 2, 4, RecurrentInit()), LSTM) and isinstance(make_cell("gru", 2, 4, RecurrentInit()), GRU)
    assert isinstance(make_cell("rnn", 2, 4, RecurrentInit()), RNN)


def test_depth_gradients_vanish_in_plain_sigmoid_stacks_not_in_residual_relu_ones() -> None:
    from core.probes.gradients import depth_grad_norms

    plain = [v for _, v in depth_grad_norms(20, False, "sigmoid", False, size=16)]
    residual = [v for _, v in depth_grad_norms(20, True, "relu", True, size=16)]
    assert len(plain) == len(residual) == 20
    assert plain[0] < 1e-6 * plain[-1]  # the first layer gets almost nothing
    assert residual[0] > 1e-2 * residual[-1]


def test_adding_problem_data_and_baseline() -> None:
    from core.data.sequences import make_adding

    x, y = make_adding(4000, 30, seed=0)
    assert x.shape == (4000, 30, 2) and y.shape == (4000,)
    assert np.all(x[:, :, 1].sum(axis=1) == 2)
    assert np.all(x[:, :15, 1].sum(axis=1) == 1)
    assert np.allclose(y, (x[:, :, 0] * x[:, :, 1]).sum(axis=1))
    assert ((y - 1.0) ** 2).mean() == pytest.approx(1 / 6, abs=0.01)


def test_bundled_adding_curves_show_the_lstm_learning() -> None:
    import json

    from core.weights import ASSETS

    curves = json.loads((ASSETS / "curves" / "adding_T100.json").read_text())
    lstm, rnn = curves["runs"]["lstm"]["val_mse"], curves["runs"]["rnn"]["val_mse"]
    assert min(lstm) < 0.5 * curves["baseline_mse"]
    assert min(rnn) > 0.8 * curves["baseline_mse"]


def test_bundled_depth_curves_cover_the_three_networks() -> None:
    import json

    from core.weights import ASSETS

    curves = json.loads((ASSETS / "curves" / "depth_shapes.json").read_text())
    assert set(curves["loss"]) == {"plain-20", "plain-56", "residual-56"}
    assert all(len(v) == curves["steps"] and all(np.isfinite(v)) for v in curves["loss"].values())
    tail = {k: float(np.mean(v[-20:])) for k, v in curves["loss"].items()}
    assert tail["plain-56"] > tail["plain-20"]  # the deeper plain network trains worse on the same budget


def test_adding_training_takes_its_guard_around_every_step_and_stops_on_explosion() -> None:
    """The app passes its heavy-work slot as the guard: held for one step at a time, never across steps."""
    from contextlib import contextmanager

    from core.train import train_adding

    held, entries = [False], [0]

    @contextmanager
    def guard():
        assert not held[0]
        held[0], entries[0] = True, entries[0] + 1
        try:
            yield
        finally:
            held[0] = False

    def on_step(_record) -> None:
        assert not held[0]  # progress is reported outside the slot

    run = train_adding("rnn", 10, hidden=8, steps=12, eval_every=6, step_guard=guard, on_step=on_step)
    assert len(run.steps) == 12 and entries[0] == 12
    exploded = train_adding("rnn", 30, hidden=16, steps=200, lr=50.0, clip=None, rho=3.0, optimizer="sgd",
                            step_guard=guard)
    assert exploded.status == "diverged"
    assert not np.isfinite(exploded.steps[-1].loss) or not np.isfinite(exploded.steps[-1].grad_norm)
    assert entries[0] == 12 + len(exploded.steps) < 12 + 200


def test_gru_update_bias_starts_the_gate_near_one_and_keeps_the_gradient() -> None:
    """torch's GRU keeps the old state with z: h_t = (1 − z)·n + z·h_(t−1), so a positive z bias keeps more."""
    x = torch.randn(4, 200, 8, generator=torch.Generator().manual_seed(0))
    open_gate = make_cell("gru", 8, 32, RecurrentInit("orthogonal", 0.9, update_bias=2.0))
    shut_gate = make_cell("gru", 8, 32, RecurrentInit("orthogonal", 0.9))
    with torch.no_grad():
        assert open_gate(x)[1].z.mean() > 0.8 > 0.6 > shut_gate(x)[1].z.mean()
    rnn = hidden_state_grad_norms(make_cell("rnn", 8, 32, RecurrentInit("orthogonal", 0.9)), x)
    kept, lost = hidden_state_grad_norms(open_gate, x), hidden_state_grad_norms(shut_gate, x)
    assert kept[0] > 1e6 * rnn[0] and rnn[0] > lost[0]  # the lesson, and why an untrained GRU can lose it


def test_underflowed_norms_are_found() -> None:
    assert first_underflowed_step(np.array([0.0, 0.0, 1e-30, 1.0])) == 1
    assert first_underflowed_step(np.array([1e-30, 1.0])) is None
    gru = make_cell("gru", 8, 64, RecurrentInit("orthogonal", 0.9))  # gate bias 0: half the state kept per step
    norms = hidden_state_grad_norms(gru, torch.randn(8, 200, 8, generator=torch.Generator().manual_seed(0)))
    step = first_underflowed_step(norms)
    assert step is not None and np.all(norms[:step + 1] == 0) and np.all(norms[step + 1:] > 0)


@pytest.mark.parametrize(("x", "text"), [(7.9e-19, "8×10⁻¹⁹"), (1.02e-5, "10⁻⁵"), (0.56, "0.56"), (4.4e12, "4×10¹²"),
                                         (0.0, "0"), (np.inf, "overflow"), (np.nan, "overflow")])
def test_power_of_ten(x: float, text: str) -> None:
    assert power_of_ten(x) == text


@pytest.mark.slow
def test_live_adding_defaults_let_a_gated_model_learn_what_the_rnn_cannot() -> None:
    """The Gradient lab's live run at its defaults: the GRU and LSTM leave the baseline, the plain RNN does not."""
    from core.train import LIVE_ADDING, train_adding
    from core.training.tasks import ADDING_BASELINE

    final = {}
    for cell in ("rnn", "lstm", "gru"):
        run = train_adding(cell, LIVE_ADDING.length, hidden=LIVE_ADDING.hidden, steps=LIVE_ADDING.steps,
                           lr=LIVE_ADDING.lr, clip=1.0, eval_every=LIVE_ADDING.steps)
        final[cell] = run.epochs[-1].val_loss  # held-out MSE
    assert final["gru"] < 0.25 * ADDING_BASELINE and final["lstm"] < 0.5 * ADDING_BASELINE, final
    assert final["rnn"] > 0.8 * ADDING_BASELINE, final


def test_first_layer_share_and_underflowed_layers_of_a_depth_profile() -> None:
    norms = np.array([0.0, 0.0, 1e-6, 1e-3, 0.5])
    assert underflowed_layers(norms) == 2
    assert first_layer_share(np.array([2e-4, 1e-2, 4.0])) == pytest.approx(5e-5)
    assert first_layer_share(norms) == 0.0
    assert np.isnan(first_layer_share(np.array([1.0, 0.0])))


def test_a_fused_layer_is_probed_through_the_step_cell_with_its_weights() -> None:
    """The pages hold torch.nn's fused layers; the probe reads them through our cell with the same weights, and
    gets the same norms as on that cell (a fused kernel's h_t for t < T is not on autograd's path)."""
    from core.models.rnn import step_cell

    torch.manual_seed(0)
    for fused in (torch.nn.RNN(4, 6, batch_first=True), torch.nn.LSTM(4, 6, batch_first=True),
                  torch.nn.GRU(4, 6, batch_first=True)):
        x = torch.randn(2, 12, 4)
        ours = step_cell(fused)
        assert torch.allclose(ours(x)[0], fused(x)[0], atol=1e-6)
        assert np.allclose(hidden_state_grad_norms(fused, x), hidden_state_grad_norms(ours, x))
