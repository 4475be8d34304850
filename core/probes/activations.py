"""Feature maps without leftovers: torchvision's feature-extraction graphs, never hooks on a shared model.

`create_feature_extractor` builds a new module that shares the model's parameters and returns the
chosen intermediate values, so nothing is registered on (or stashed in) the model every session uses.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import fx, nn
from torchvision.models.feature_extraction import create_feature_extractor, get_graph_node_names


@dataclass(frozen=True)
class LayerInfo:
    """One node of the model's graph: its name, what it computes, and its output shape without the batch."""

    name: str
    op: str
    shape: tuple[int, ...]

    @property
    def is_spatial(self) -> bool:
        """True for (C, H, W) outputs: the layers whose feature maps can be drawn as pictures."""
        return len(self.shape) == 3


def _op_name(model: nn.Module, node: str) -> str:
    try:
        return type(model.get_submodule(node)).__name__
    except AttributeError:
        return node.rsplit(".", 1)[-1].rstrip("_0123456789") or node


def graph_nodes(model: nn.Module) -> list[str]:
    """Names of every node of the model's eval-mode graph, input excluded, in execution order."""
    _, eval_nodes = get_graph_node_names(model)
    return [n for n in eval_nodes if n != "x"]


def make_extractor(model: nn.Module, layers: list[str]) -> nn.Module:
    """An eval-mode module returning {layer: tensor} for `layers`; shares the model's weights."""
    extractor = create_feature_extractor(model, return_nodes={n: n for n in layers})
    _keep_returned_values(extractor)
    return extractor.eval()


def _keep_returned_values(graph_module: fx.GraphModule) -> None:
    """Hand the operations after a returned node a copy of its value, as captum's layer hooks do.

    A graph that returns a layer and also runs on past it would otherwise return the value after later
    in-place work on it: ResNet's bn1 comes back through ReLU(inplace=True), all its negatives gone, and a
    block's last BatchNorm comes back with the shortcut added (`out += identity`). Nodes that nothing runs
    on (the graph ends there) are returned as they are, at no cost.
    """
    graph = graph_module.graph
    output = next(node for node in graph.nodes if node.op == "output")
    for node in dict.fromkeys(output.args[0].values()):
        if all(user is output for user in node.users):
            continue
        with graph.inserting_after(node):
            copy = graph.call_method("clone", (node,))
        node.replace_all_uses_with(copy, delete_user_cb=lambda user, copy=copy: user is not output and user is not copy)
    graph.lint()
    graph_module.recompile()


def list_layers(model: nn.Module, input_size: tuple[int, int, int]) -> list[LayerInfo]:
    """Every graph node with its output shape, found by one forward pass of zeros of `input_size` (C, H, W)."""
    nodes = graph_nodes(model)
    # Only shapes are read here, and in-place work does not change a shape: no copies of every node needed.
    extractor = create_feature_extractor(model, return_nodes={n: n for n in nodes}).eval()
    device = next(model.parameters()).device
    with torch.inference_mode():
        outputs = extractor(torch.zeros(1, *input_size, device=device))
    layers = []
    for name in nodes:
        value = outputs[name]
        if isinstance(value, torch.Tensor):
            layers.append(LayerInfo(name, _op_name(model, name), tuple(value.shape[1:])))
    return layers


def feature_maps(extractor: nn.Module, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Run `x` (1, C, H, W) through an extractor from `make_extractor`; returns its tensors on the CPU."""
    device = next(extractor.parameters()).device
    with torch.inference_mode():
        outputs = extractor(x.to(device))
    return {k: v.detach().float().cpu() for k, v in outputs.items() if isinstance(v, torch.Tensor)}


def first_conv_kernels(model: nn.Module) -> tuple[str, np.ndarray] | None:
    """Name and weights (O, I, k, k) of the first 2-D convolution in module order, or None if it has none."""
    for name, module in model.named_modules():
        if isinstance(module, nn.Conv2d):
            return name, module.weight.detach().float().cpu().numpy()
    return None


def rank_channels(maps: np.ndarray, k: int) -> list[int]:
    """Indices of the `k` channels of `maps` (C, H, W) with the highest mean activation, highest first."""
    means = maps.reshape(maps.shape[0], -1).mean(axis=1)
    k = max(1, min(k, maps.shape[0]))
    return [int(i) for i in np.argsort(-means, kind="stable")[:k]]


@torch.inference_mode()
def predict(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Class probabilities (num_classes,) for one input `x` (1, C, H, W)."""
    device = next(model.parameters()).device
    return torch.softmax(model(x.to(device)).float(), dim=1)[0].cpu()
