"""MNIST-1D: the offline splits, the seven bundled models' accuracies, their FLOP counts and saliency."""
import json

import numpy as np
import pytest
import torch

from core.data.mnist1d import LENGTH, load_mnist1d
from core.models.catalogue import get_spec, model_names
from core.models.mnist1d import Logistic, RecurrentClassifier, TinyTransformer, input_gradient, recurrent_flops
from core.training.engine import accuracy
from core.train_mnist1d import RESULTS, mnist1d_tensors
from core.weights import load_model


def test_splits_are_generated_offline_with_the_package_defaults() -> None:
    data = load_mnist1d()
    assert data.x_train.shape == (4000, LENGTH) and data.x_test.shape == (1000, LENGTH)
    assert set(np.unique(data.y_train)) == set(range(10)) and data.t.shape == (LENGTH,)
    again = load_mnist1d.__wrapped__()  # generated again, not from the cache: the recipe is deterministic
    assert np.array_equal(again.x_train, data.x_train) and np.array_equal(again.y_test, data.y_test)


@pytest.fixture(scope="module")
def results() -> dict:
    return json.loads(RESULTS.read_text())


@pytest.mark.parametrize("name", model_names("mnist1d"))
def test_bundled_model_accuracy_matches_what_the_readme_reports(name: str, results: dict) -> None:
    """The table in docs/benchmarks.md is made from mnist1d_results.json; the bundled seed-0 weights must reproduce it."""
    _, test = mnist1d_tensors()
    model, status = load_model(name, kind="mnist1d")
    assert status.source == "bundled"
    measured = accuracy(model, *test)
    reported = results["models"][name]["accuracy"][0]
    assert abs(measured - reported) <= 0.01, (name, measured, reported)
    assert results["models"][name]["params"] == sum(p.numel() for p in model.parameters())


def test_the_cnn_and_the_gru_reach_the_paper_ballpark(results: dict) -> None:
    assert np.mean(results["models"]["cnn"]["accuracy"]) >= 0.90
    assert np.mean(results["models"]["gru"]["accuracy"]) >= 0.85
    assert np.mean(results["models"]["logistic"]["accuracy"]) < np.mean(results["models"]["cnn"]["accuracy"])


def test_comparable_parameter_budgets() -> None:
    counts = {n: sum(p.numel() for p in get_spec(n, "mnist1d").build().parameters())
              for n in model_names("mnist1d") if n != "logistic"}
    assert all(4000 <= c <= 7000 for c in counts.values()), counts
    assert counts["cnn"] == 5210  # the MNIST-1D notebook's ConvBase


def test_recurrent_flops_by_formula() -> None:
    gru = RecurrentClassifier("gru", 2)
    assert recurrent_flops(gru) == LENGTH * 3 * 2 * 2 * (1 + 2) + 2 * 2 * 10


def test_gradient_times_input_of_logistic_regression_is_exact() -> None:
    torch.manual_seed(0)
    model = Logistic()
    x = torch.randn(LENGTH)
    expected = model.linear.weight[3].detach() * x
    assert torch.allclose(input_gradient(model, x, 3), expected, atol=1e-6)


def test_transformer_attention_rows_sum_to_one() -> None:
    model = TinyTransformer().eval()
    x = torch.randn(2, LENGTH)
    logits, weights = model.attend(x)
    assert logits.shape == (2, 10) and weights.shape == (2, 4, LENGTH, LENGTH)
    assert torch.allclose(weights.sum(-1), torch.ones(2, 4, LENGTH), atol=1e-5)
    assert torch.allclose(logits, model(x), atol=1e-5)  # attend() computes the same function as forward()


def test_every_training_step_and_evaluation_runs_inside_the_guard() -> None:
    """The app passes its training slot as the guard: a retrain takes it per step, the evaluation at an epoch's
    end inside its last step's (so other sessions' training steps interleave), and the guard changes no number."""
    import contextlib
    import math

    from core.train_mnist1d import BATCH, train_mnist1d

    entered = [0]

    @contextlib.contextmanager
    def guard():
        entered[0] += 1
        yield

    _, guarded = train_mnist1d("logistic", seed=0, epochs=2, step_guard=guard)
    _, plain = train_mnist1d("logistic", seed=0, epochs=2)
    n_train = len(mnist1d_tensors()[0][0])
    assert entered[0] == 2 * math.ceil(n_train / BATCH)
    assert [r.val_accuracy for r in guarded] == [r.val_accuracy for r in plain]
