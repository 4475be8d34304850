"""Receptive fields: the theoretical one from the graph's kernels and strides, the effective one from gradients.

Theory (Araujo et al. 2019, "Computing receptive fields of CNNs"): through a layer of kernel k,
stride s, padding p, dilation d, with k' = d(k−1)+1,
    r_out = r_in + (k'−1)·j_in,   j_out = j_in·s,   start_out = start_in + ((k'−1)/2 − p)·j_in,
where r is the field's side in input pixels, j the distance in input pixels between neighbouring
units (the jump) and start the centre of the first unit. Branches (ResNet's shortcut, Inception's
parallel paths) merge with the largest field. The effective field (Luo et al. 2016) is the gradient of
one centre unit with respect to the input: usually much smaller than the theory, and Gaussian-like.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

GLOBAL = math.inf


@dataclass(frozen=True)
class FieldInfo:
    """A graph node's receptive field: side r (inf when global), jump j and centre of the first unit, in input pixels."""

    name: str
    op: str
    r: float
    j: float
    start: float


def _pair(v: int | tuple[int, ...]) -> int:
    return int(v[0] if isinstance(v, tuple) else v)


def _window(module: nn.Module) -> tuple[int, int, int, int] | None:
    """(kernel, stride, padding, dilation) along the height axis for sliding-window modules, else None."""
    if isinstance(module, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
        k = _pair(module.kernel_size)
        s = _pair(module.stride if module.stride is not None else k)
        p = module.padding
        p = 0 if isinstance(p, str) else _pair(p)
        d = _pair(getattr(module, "dilation", 1))
        return k, s, p, d
    return None


def theoretical_fields(model: nn.Module) -> list[FieldInfo]:
    """The receptive field of every node of the model's fx graph, in execution order (input excluded)."""
    from torchvision.models.feature_extraction import NodePathTracer

    was_training = model.training
    tracer = NodePathTracer()
    graph = tracer.trace(model.eval())
    model.train(was_training)
    qualname = tracer.node_to_qualname  # the names create_feature_extractor and list_layers use
    fields: dict[str, tuple[float, float, float]] = {}
    out: list[FieldInfo] = []
    modules = dict(model.named_modules())
    for node in graph.nodes:
        if node.op == "placeholder":
            fields[node.name] = (1.0, 1.0, 0.5)
            continue
        if node.op == "output":
            continue
        parents = [a for a in node.all_input_nodes if a.name in fields]
        if not parents:
            fields[node.name] = (1.0, 1.0, 0.5)
            continue
        r, j, start = max((fields[p.name] for p in parents), key=lambda f: (f[0], f[1]))
        op = node.target if node.op != "call_module" else type(modules[node.target]).__name__
        if node.op == "call_module":
            module = modules[node.target]
            window = _window(module)
            if window is not None:
                k, s, p, d = window
                keff = d * (k - 1) + 1
                r, start, j = r + (keff - 1) * j, start + ((keff - 1) / 2 - p) * j, j * s
            elif isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d, nn.Linear, nn.Flatten)):
                r = GLOBAL
        elif node.op in ("call_function", "call_method"):
            name = getattr(node.target, "__name__", str(node.target))
            op = name
            if name in ("flatten", "adaptive_avg_pool2d", "mean", "linear"):
                r = GLOBAL
        fields[node.name] = (r, j, start)
        if node in qualname:
            out.append(FieldInfo(qualname[node], str(op), r, j, start))
    return out


def centre_unit_box(info: FieldInfo, map_shape: tuple[int, int, int], side: int) -> tuple[float, float, float, float]:
    """The input square (x0, y0, x1, y1, in input pixels) that the centre unit of a (C, H, W) map sees:
    a side of `info.r` centred on that unit, or the whole `side`×`side` input when the field is global."""
    if not math.isfinite(info.r):
        return (0, 0, side, side)
    centre = info.start + (map_shape[1] // 2) * info.j
    half = info.r / 2
    return (centre - half, centre - half, centre + half, centre + half)


def effective_field(model: nn.Module, layer: str, input_size: tuple[int, int, int],
                    x: torch.Tensor | None = None) -> np.ndarray:
    """|∂ centre unit of `layer` / ∂ input|, summed over channels: an (H, W) map of the effective field.

    The centre unit is the sum over channels at the central spatial position of `layer`'s output.
    A feature-extraction graph shares the model's weights and `torch.autograd.grad` asks only for the
    input's gradient, so the shared model gets no hooks and no `.grad`.
    """
    from torchvision.models.feature_extraction import create_feature_extractor

    was_training = model.training
    extractor = create_feature_extractor(model.eval(), return_nodes={layer: "out"})
    model.train(was_training)
    device = next(model.parameters()).device
    if x is None:
        x = torch.randn(1, *input_size, generator=torch.Generator().manual_seed(0)).to(device)
    x = x.detach().to(device).clone().requires_grad_(True)
    out = extractor(x)["out"]
    if out.ndim != 4:
        raise ValueError(f"{layer} has no spatial output (shape {tuple(out.shape)})")
    h, w = out.shape[-2:]
    (grad,) = torch.autograd.grad(out[0, :, h // 2, w // 2].sum(), x)
    return grad[0].abs().sum(0).cpu().numpy()


def gradient_extent(model: nn.Module, layer: str, input_size: tuple[int, int, int]) -> tuple[int, int]:
    """(height, width) of the non-zero region of the centre unit's input gradient, measured with all
    weights positive, max pooling replaced by average pooling and batch norm as identity, so that no
    path is blocked: the theoretical field as the gradient sees it (clipped by the input's borders)."""
    net = copy.deepcopy(model).eval()
    with torch.no_grad():
        for name, module in list(net.named_modules()):
            if isinstance(module, nn.Conv2d):
                module.weight.fill_(0.01)
                if module.bias is not None:
                    module.bias.fill_(0.0)
            elif isinstance(module, nn.BatchNorm2d):
                module.reset_running_stats()
                module.weight.fill_(1.0)
                module.bias.fill_(0.0)
            if isinstance(module, nn.MaxPool2d):
                parent, _, child = name.rpartition(".")
                holder = net.get_submodule(parent) if parent else net
                setattr(holder, child, nn.AvgPool2d(module.kernel_size, module.stride, module.padding,
                                                    ceil_mode=module.ceil_mode))
    grad = effective_field(net, layer, input_size, torch.ones(1, *input_size))
    ys, xs = np.nonzero(grad > 0)
    return int(ys.max() - ys.min() + 1), int(xs.max() - xs.min() + 1)
