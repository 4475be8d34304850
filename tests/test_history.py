"""The History page's timeline: every row has a year, a page of the catalogue and a number read from the bundled
results, and a changed result changes its row."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file
from streamlit.testing.v1 import AppTest

from core import history
from core.models.catalogue import get_spec
from core.probes import costs
from core.weights import ASSETS
from ui.catalogue import PAGES

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"alexnet": {"params": 61_100_840, "flops": 1_428_376_960},
         "vgg16": {"params": 138_357_544, "flops": 30_940_528_640},
         "googlenet": {"params": 6_624_904, "flops": 2_996_752_384}}
ARTICLE_YEARS = ["1986", "1989 / 1998", "1997", "2012", "2014", "2014", "2014", "2014", "2015", "2017"]


@pytest.fixture
def assets(tmp_path: Path) -> Path:
    """A copy of the bundled results and of the three weights files the timeline reads, to change at will."""
    shutil.copytree(ASSETS / "curves", tmp_path / "curves")
    (tmp_path / "weights").mkdir()
    for name in history.WEIGHTS:
        shutil.copy(history.weights_file(name), tmp_path / "weights")
    return tmp_path


def rows(assets: Path) -> dict[str, history.Milestone]:
    return {row.model: row for row in history.timeline(history.read_measurements(SIZES, assets))}


def test_every_row_has_a_year_a_page_of_the_catalogue_and_a_number() -> None:
    timeline = history.timeline(history.read_measurements(SIZES))
    pages = {entry.path for entry in PAGES}
    assert [row.year for row in timeline] == ARTICLE_YEARS
    for row in timeline:
        assert row.page in pages, row
        assert row.idea and row.where and row.source
        assert re.search(r"\d", row.measured) and "Not measured" not in row.measured, row
    for use in history.APPLICATIONS:
        assert use.page in pages, use


def test_the_numbers_are_the_bundled_ones() -> None:
    """Against the files themselves, so a number typed into the code would differ as soon as a file is remade."""
    timeline = {row.model: row.measured for row in history.timeline(history.read_measurements(SIZES))}
    mnist1d = json.loads((ASSETS / "curves" / "mnist1d_results.json").read_text())["models"]
    gru = sum(mnist1d["gru"]["accuracy"]) / 3
    assert f"GRU {gru:.1%} with {mnist1d['gru']['params']:,}" in timeline["GRU (Cho et al.)"]
    assert "61.1 M parameters, 1.43 GFLOPs" in timeline["AlexNet"]
    assert "1/21 of VGG-16's" in timeline["GoogLeNet"]


def test_a_changed_result_file_changes_its_row(assets: Path) -> None:
    before = rows(assets)
    path = assets / "curves" / "mnist1d_results.json"
    results = json.loads(path.read_text())
    results["models"]["gru"]["accuracy"] = [0.5, 0.5, 0.5]
    path.write_text(json.dumps(results))
    path = assets / "curves" / "reverse_by_length.json"
    results = json.loads(path.read_text())
    results["models"]["gru_plain"]["by_length"]["24"] = 0.25
    path.write_text(json.dumps(results))
    after = rows(assets)
    assert "GRU 50.0%" in after["GRU (Cho et al.)"].measured
    assert "GRU 50.0%" not in before["GRU (Cho et al.)"].measured
    assert "100% with attention, 25% without" in after["Attention (Bahdanau et al.)"].measured
    assert after["LSTM"] == before["LSTM"]


def test_the_cnn_eras_quote_the_era_models_on_one_task(assets: Path) -> None:
    """AlexNet, VGG, GoogLeNet and ResNet each quote their era CNN's accuracy on the eras task, from its file."""
    timeline = {row.model: row.measured for row in rows(ASSETS).values()}
    assert "the ResNet-style CNN reads 92.9% ± 1.3%" in timeline["ResNet"]
    assert "the AlexNet-style CNN reads 46.7% ± 1.2%" in timeline["AlexNet"]
    path = assets / "curves" / "eras_results.json"
    results = json.loads(path.read_text())
    results["models"]["era_vgg"]["accuracy"] = [0.5, 0.6, 0.7]
    path.write_text(json.dumps(results))
    assert "the VGG-style CNN reads 60.0% ± 8.2%" in rows(assets)["VGG"].measured


def test_a_changed_weights_file_changes_its_row(assets: Path) -> None:
    save_file({"w": torch.zeros(1)}, str(assets / "weights" / history.weights_file("lenet5").name),
              metadata={"test_accuracy": "0.5"})
    assert "reads 50.0% of held-out" in rows(assets)["LeNet / LeNet-5"].measured


def test_a_missing_file_is_named_with_its_command(assets: Path) -> None:
    (assets / "curves" / "adding_T100.json").unlink()
    (assets / "weights" / history.weights_file("char_rnn").name).unlink()
    after = rows(assets)
    assert "adding_T100.json is missing (`python -m core.train adding`" in after["LSTM"].measured
    assert "char_rnn.safetensors is missing" in after["RNN (Rumelhart et al.)"].measured
    assert not re.search(r"\d", history.lesson(history.read_measurements(SIZES, assets)))  # no number it cannot read


def test_history_page_links_every_row() -> None:
    """Through app.py, as the app runs it: a link per timeline row and per use, and the lesson's live numbers."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("app_pages/history.py").run()
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(m.value for m in at.markdown)
    assert "The lesson:" in text and "0.026" in text
    assert "61.1 M parameters" in text
    links = [link.proto.label for link in at.get("page_link")]
    timeline = history.timeline(history.read_measurements(SIZES))
    assert len(links) == len(timeline) + len(history.APPLICATIONS)
    assert links[0] == "Hidden states" and links[-1] == "Attention"


def test_history_page_on_its_own_names_the_pages() -> None:
    """Run as a file outside the app's navigation (as the monkey test runs it), the page names the pages instead."""
    at = AppTest.from_file(str(ROOT / "app_pages/history.py"), default_timeout=300)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "**Hidden states**" in [m.value for m in at.markdown]


@pytest.mark.parametrize("name", ["lenet5", "small_vgg", "googlenet", "resnet18"])
def test_size_without_weights_equals_the_real_network(name: str) -> None:
    """The timeline's sizes are counted on the meta device; they must equal the counts of the network itself."""
    spec = get_spec(name)
    net = spec.build().eval()
    assert costs.size_without_weights(spec.build, spec.input_size) == {
        "params": costs.parameter_count(net), "weight_layers": costs.weight_layers(net), "depth": costs.depth(net),
        "flops": costs.forward_flops(net, spec.input_size)}
