"""The mini-zoo of the CNN eras: five bundled models trained the same way on the textured shapes, and the facts
the Compare page reads about them (assets/curves/eras_results.json, written by `python -m core.train eras`)."""
import json
from dataclasses import replace

import numpy as np
import pytest

import core.train as train_module
from core.data.samples import SAMPLES
from core.data.shapes import TEXTURED_CLASSES, make_textured_shapes
from core.models.catalogue import ERA_MODELS, get_spec
from core.probes import domain
from core.train import ERAS_RESULTS, ERAS_TEST_SIZE, bundle_eras
from core.training.engine import accuracy
from core.training.tasks import ERAS_TEST_SEED, eras_tensors
from core.weights import load_model


@pytest.fixture(scope="module")
def results() -> dict:
    return json.loads(ERAS_RESULTS.read_text())


@pytest.fixture(scope="module")
def held_out() -> tuple:
    return eras_tensors(ERAS_TEST_SIZE, ERAS_TEST_SEED, get_spec("era_vgg"))


@pytest.mark.parametrize("name", ERA_MODELS)
def test_each_bundled_era_model_reaches_its_recorded_accuracy(name: str, results: dict, held_out: tuple) -> None:
    model, status = load_model(name)
    assert status.source == "bundled", status.message
    recorded = results["models"][name]["accuracy"][0]  # seed 0, the bundled one
    assert float(status.metadata["test_accuracy"]) == pytest.approx(recorded, abs=1e-4)
    assert accuracy(model, *held_out) == pytest.approx(recorded, abs=0.01)


def test_the_eras_differ_beyond_the_seeds_spread(results: dict) -> None:
    means = {name: np.mean(r["accuracy"]) for name, r in results["models"].items()}
    assert set(means) == set(ERA_MODELS) and all(len(r["accuracy"]) == 3 for r in results["models"].values())
    assert max(means.values()) - min(means.values()) >= 0.05, means
    assert min(means.values()) > 1.5 / len(TEXTURED_CLASSES), means  # every era learned something: above chance


def test_budgets_are_comparable_and_the_resnet_is_deepest(results: dict) -> None:
    models = results["models"]
    assert all(20_000 <= r["params"] <= 70_000 for r in models.values()), {n: r["params"] for n, r in models.items()}
    assert max(models, key=lambda n: models[n]["depth"]) == "era_resnet"
    assert models["era_googlenet"]["depth"] < models["era_googlenet"]["weight_layers"]  # branches side by side


def test_the_results_are_what_the_command_writes(results: dict, tmp_path, monkeypatch) -> None:
    """A one-epoch run of the command on a few pictures writes a file with the same keys as the bundled one."""
    tiny = train_module.eras_task
    monkeypatch.setattr(train_module, "eras_task", lambda name: replace(tiny(name), train=48, val=24))
    monkeypatch.setattr(train_module, "ERAS_CONFIG", replace(train_module.ERAS_CONFIG, epochs=1, batch_size=16))
    monkeypatch.setattr(train_module, "ERAS_RESULTS", tmp_path / "eras_results.json")
    monkeypatch.setattr(train_module, "bundled_path", lambda spec: tmp_path / spec.bundled_file)
    bundle_eras(seeds=(0,))
    written = json.loads((tmp_path / "eras_results.json").read_text())
    assert written.keys() == results.keys() and written["command"] == results["command"] == "python -m core.train eras"
    assert written["models"].keys() == results["models"].keys()
    for name in ERA_MODELS:
        assert written["models"][name].keys() == results["models"][name].keys()
        assert (tmp_path / f"{name}.safetensors").exists()


def test_the_generator_is_seeded_and_balanced() -> None:
    a, labels = make_textured_shapes(48, seed=5)
    b, _ = make_textured_shapes(48, seed=5)
    assert a.shape == (48, 32, 32, 3) and np.array_equal(a, b)
    assert np.bincount(labels, minlength=len(TEXTURED_CLASSES)).tolist() == [4] * len(TEXTURED_CLASSES)


def test_era_models_know_their_world() -> None:
    spec = get_spec("era_resnet")
    assert spec.world == "eras"
    own = [s for s in SAMPLES if s.kind == "eras"]
    assert len(own) == 3 and all(domain.outside_world_note(spec, s, "x", 0.5) is None for s in own)
    star = next(s for s in SAMPLES if s.file == "shape_star.png")
    assert "only knows twelve textured shapes" in domain.outside_world_note(spec, star, "circle, checks", 0.9)


def test_each_era_model_has_its_own_colour() -> None:
    from core.palette import colour_of, thing_of

    for name in ERA_MODELS:
        assert thing_of(get_spec(name).title) == thing_of(name) == name
    zoo = [colour_of(get_spec(n).title) for n in ERA_MODELS + ("lenet5", "alexnet", "vgg16", "googlenet", "resnet18")]
    assert len(set(zoo)) == len(zoo)  # "AlexNet-style" is not coloured as AlexNet


@pytest.mark.parametrize(("page", "key"), [("feature_maps", "fm_model"), ("saliency", "sal_model")])
def test_feature_maps_and_saliency_offer_the_eras_on_a_picture_of_their_task(page: str, key: str) -> None:
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app_pages" / f"{page}.py"),
                           default_timeout=240)
    at.run()
    at.selectbox(key=key).set_value("era_googlenet").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning, [w.value for w in at.warning]  # trained weights, a picture of its own world
    prefix = key.removesuffix("_model")
    assert at.selectbox(key=f"{prefix}_sample").value == "textured_triangle_checks.png"
