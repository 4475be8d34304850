"""Compare architectures opens on trained models reading pictures they understand, and says its lesson with live numbers."""
import json
import re
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from core.models.catalogue import ERA_MODELS, get_spec

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 240


def open_compare() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app_pages" / "compare.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "") for c in at.get("plotly_chart")]


def lesson(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**The lesson:**"))


def metrics_of(at: AppTest) -> dict[str, list[str]]:
    metrics: dict[str, list[str]] = {}
    for m in at.metric:
        metrics.setdefault(m.label, []).append(m.value)
    return metrics


def test_the_default_compares_the_five_eras_on_one_picture_of_their_task() -> None:
    at = open_compare()
    assert at.multiselect(key="cmp_models").value == list(ERA_MODELS)
    assert not at.warning, [w.value for w in at.warning]  # no random weights, no picture outside a world
    assert not any("random" in t for t in titles(at))
    read = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    read = [json.dumps(f["data"]) for f in read if f["layout"].get("title", {}).get("text", "").startswith("What it reads")]
    assert len(read) == 5 and len(set(read)) == 1  # every era reads the same picture
    results = json.loads((ROOT / "assets" / "curves" / "eras_results.json").read_text())["models"]
    metrics = metrics_of(at)
    for name, value in zip(ERA_MODELS, metrics["Accuracy"]):  # the bundled mean ± spread over the seeds
        assert value == f"{np.mean(results[name]['accuracy']):.1%} ± {np.std(results[name]['accuracy']) * 100:.1f}"
    assert all(value.endswith(" s") for value in metrics["Training time"]) and len(metrics["Depth"]) == 5
    captions = " ".join(c.value for c in at.caption)
    for name in ERA_MODELS:  # each column says its era's idea
        assert get_spec(name).summary in captions
    text = lesson(at)
    params = sorted(metrics["Parameters"], key=lambda v: int(v.replace(",", "")))
    for value in [params[0], params[-1]] + metrics["Confidence in its answer"]:  # the numbers the columns measured
        assert value in text
    for r in results.values():  # each answer with its accuracy over the seeds
        assert f"{np.mean(r['accuracy']):.1%} ± {np.std(r['accuracy']) * 100:.1f} points (3 seeds) held out" in text
    assert re.search(r"Trained the same way on the same task, .+ reaches [\d.]+% held out and .+ [\d.]+%: "
                     r"[\d.]+ points apart, against a spread over seeds of at most ±[\d.]+", text)
    assert re.search(r"needs [\d.]+× its FLOPs", text) and "ms a picture on" in text


def test_lenet_and_the_small_vgg_each_read_their_own_world() -> None:
    at = open_compare()
    at.multiselect(key="cmp_models").set_value(["lenet5", "small_vgg"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning, [w.value for w in at.warning]
    metrics = metrics_of(at)
    assert all(value.endswith("held out") for value in metrics["Accuracy"])
    text = lesson(at)
    for value in metrics["Parameters"] + metrics["Confidence in its answer"]:
        assert value in text
    assert "LeNet-5 said “3”" in text and "said “star”" in text
    assert "Trained the same way" not in text  # one seed each: no spread to compare against


def test_random_weights_say_so_on_the_prediction_and_on_the_map(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))  # no ImageNet weights: ResNet-18 is randomly initialised
    at = open_compare()
    at.multiselect(key="cmp_models").set_value(["small_vgg", "resnet18"]).run()
    assert not at.exception, [e.value for e in at.exception]
    marked = [t for t in titles(at) if "random weights: meaningless" in t]
    assert any(t.startswith("Top-5") for t in marked) and any(t.startswith("Grad-CAM") for t in marked)
    assert not any("random" in t for t in titles(at) if "star" in t)  # the trained column is not marked
    assert "ResNet-18 has random weights, so its answer means nothing" in lesson(at)


def test_one_picture_for_all_names_the_model_it_is_foreign_to() -> None:
    at = open_compare()
    at.multiselect(key="cmp_models").set_value(["lenet5", "small_vgg", "era_resnet"]).run()
    at.radio(key="cmp_mode").set_value("one").run()  # the first sample for ImageNet models: a photo
    assert not at.exception, [e.value for e in at.exception]
    warnings = [w.value for w in at.warning]
    assert any("LeNet-5 only knows handwritten digits" in w for w in warnings)
    assert any("Small VGG (shapes) only knows" in w for w in warnings)
    assert any("ResNet-style (eras) only knows twelve textured shapes" in w for w in warnings)
    assert "outside its world" in lesson(at)
