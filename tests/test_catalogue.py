"""One catalogue of every model: each entry builds, each bundled entry loads its weights, and core/data needs none of it."""
import ast
from pathlib import Path

import pytest

from core.models.catalogue import CATALOGUE, KINDS, WEIGHTS_SOURCES, get_spec, model_names
from core.weights import SOURCES, load_model, weights_source

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("spec", CATALOGUE, ids=lambda s: f"{s.kind}:{s.name}")
def test_every_entry_builds_and_a_bundled_one_loads_its_weights(spec) -> None:
    assert spec.kind in KINDS and spec.weights in WEIGHTS_SOURCES and spec.label and spec.task and spec.input_kind
    assert get_spec(spec.name, spec.kind) is spec
    if spec.weights == "bundled":
        model, status = load_model(spec.name, kind=spec.kind)
        assert status.source == "bundled" and status.is_trained, status.message
        assert spec.bundled_file in status.message and not model.training
    else:
        model = spec.build()
    assert sum(p.numel() for p in model.parameters()) > 0


def test_names_are_unique_within_a_kind_and_in_catalogue_order() -> None:
    for kind in KINDS:
        names = model_names(kind)
        assert names and len(names) == len(set(names)), kind
    assert model_names()[:2] == ["lenet5", "small_vgg"]  # the default kind is the CNN zoo, history's order
    with pytest.raises(KeyError, match="lenet5"):
        get_spec("lstm")  # an MNIST-1D name is not an image model: the error lists the image models


def test_the_predicted_source_is_the_one_loading_reports(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))  # no ImageNet file cached: random weights, said in advance
    for name, kind in (("lenet5", "image"), ("resnet18", "image"), ("quotes_lstm", "sequence")):
        predicted = weights_source(get_spec(name, kind))
        assert predicted in SOURCES and predicted == load_model(name, kind=kind)[1].source, name


def test_core_data_imports_nothing_from_core_models() -> None:
    """The arrows run from models to data: a model's input recipe is core.data.preprocess.Preprocessing."""
    for path in sorted((ROOT / "core" / "data").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            assert not any(n == "core.models" or n.startswith("core.models.") for n in names), (path.name, names)
