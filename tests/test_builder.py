"""The layer-list builder: planned shapes, parameters and FLOPs equal what torch builds and counts; a broken
list is explained at the layer where it breaks."""
from dataclasses import replace

import pytest
import torch

from core.builder import LENET_LIKE, BuildError, LayerSpec, build_cnn, plan_cnn, rnn_plan
from core.data.text import VOCAB
from core.models.sequence import CharModel
from core.probes.costs import forward_flops
from core.training.engine import Run, RunConfig, RunConfigError, train, validate
from core.training.tasks import get_task

L = LayerSpec


@pytest.mark.parametrize(("layers", "input_size"), [
    (LENET_LIKE, (1, 32, 32)),
    (LENET_LIKE, (3, 64, 64)),
    ((L("conv", 6, 3, 2, 1), L("batchnorm"), L("tanh"), L("avgpool", kernel=3, stride=2), L("dropout", p=0.2),
      L("flatten"), L("batchnorm"), L("linear", 10)), (3, 64, 64)),
    ((L("conv", 4, 5),), (1, 32, 32)),  # no flatten: the output layer adds one
])
def test_the_plan_matches_the_network(layers, input_size) -> None:
    plan = plan_cnn(layers, input_size, 7)
    net = build_cnn(layers, input_size, 7).eval()
    x = torch.zeros(2, *input_size)
    for step, (name, module) in zip(plan, [(n, m) for n, m in net.named_children() if n != "flatten_out"]):
        assert name == step.name
        x = module(x) if name != "output" else module(x.flatten(1))
        assert tuple(x.shape[1:]) == step.shape, step.label
        assert sum(p.numel() for p in module.parameters()) == step.params, step.label
    assert net(torch.zeros(1, *input_size)).shape == (1, 7)
    counted = forward_flops(net, input_size)  # torch counts convolutions and matrix products only
    planned = sum(p.flops for p in plan if p.name.startswith(("conv", "linear", "output")))
    assert counted == planned


@pytest.mark.parametrize(("layers", "where", "words"), [
    ((L("conv", 8, 5), L("maxpool", kernel=4, stride=4), L("conv", 8, 5), L("maxpool", kernel=4, stride=4), L("conv", 8, 7)), 5,
     "smaller than the 7×7 kernel"),
    ((L("conv", 8, 3), L("linear", 10)), 2, "put a flatten before it"),
    ((L("flatten"), L("conv", 8, 3)), 2, "convolutions go before the flatten"),
    ((L("flatten"), L("maxpool", kernel=2)), 2, "pool before the flatten"),
    ((L("conv", 9999, 3),), 1, "channels 1–256"),
    ((L("softmax"),), 1, "unknown kind"),
    ((L("conv", 256, 3, 1, 1), L("conv", 256, 3, 1, 1)), 3, "parameters, over"),
])
def test_a_broken_list_is_explained_at_its_layer(layers, where: int, words: str) -> None:
    with pytest.raises(BuildError) as err:
        plan_cnn(layers, (3, 64, 64), 6)
    assert err.value.index == where and words in str(err.value)


@pytest.mark.parametrize(("cell", "embed"), [("rnn", 0), ("lstm", 32), ("gru", 16)])
def test_the_rnn_plan_counts_the_character_models_parameters(cell: str, embed: int) -> None:
    plan = rnn_plan(len(VOCAB), embed, cell, 64)
    model = CharModel(cell, len(VOCAB), 64, len(VOCAB), embed or None, traced=False)
    assert sum(p.params for p in plan) == sum(p.numel() for p in model.parameters())


def test_a_built_network_trains_in_the_lab_and_toggles_are_refused_with_it() -> None:
    config = RunConfig("digits", epochs=2, layers=LENET_LIKE)
    run = train(Run(config))
    assert run.status == "done" and run.epochs[-1].val_accuracy > 0.7
    assert isinstance(run.model, torch.nn.Sequential) and run.model.output.out_features == 10
    digits = get_task("digits")
    with pytest.raises(RunConfigError, match="put dropout and batch-norm layers in its list"):
        validate(replace(config, dropout=0.3), digits)
    with pytest.raises(RunConfigError, match="Your network: Layer 2"):
        validate(replace(config, layers=(L("conv", 8, 3), L("linear", 10))), digits)


def test_a_character_model_of_another_size_trains() -> None:
    run = train(Run(RunConfig("char", cell="gru", hidden=32, embed=0, epochs=1, batch_size=16)))
    assert run.status == "done" and run.model.embed is None and run.model.rnn.hidden_size == 32
