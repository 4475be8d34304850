"""What a model costs, measured: parameters, weight layers, forward FLOPs, forward latency on a device."""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def parameter_count(model: nn.Module) -> int:
    """Number of learnable parameters."""
    return sum(p.numel() for p in model.parameters())


def weight_layers(model: nn.Module) -> int:
    """Convolution and fully-connected layers, counted as modules (shortcut 1×1 convolutions included)."""
    return sum(isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Linear)) for m in model.modules())


def forward_flops(model: nn.Module, input_size: tuple[int, ...]) -> int:
    """FLOPs of one forward pass on one input (a multiply-add counts 2), by torch.utils.flop_counter."""
    device = next(model.parameters()).device
    counter = FlopCounterMode(display=False)
    with torch.inference_mode(), counter:
        model(torch.zeros(1, *input_size, device=device))
    return int(counter.get_total_flops())


def size_without_weights(build: Callable[[], nn.Module], input_size: tuple[int, ...]) -> dict[str, int]:
    """Parameters, weight layers, depth and forward FLOPs of the network `build()` makes, built on PyTorch's meta device:
    shapes only, so no memory for weights and no initialisation (VGG-16's 138 M parameters would take 550 MB and
    seconds). The counts equal those of the real network."""
    with torch.device("meta"):
        net = build().eval()
    return {"params": parameter_count(net), "weight_layers": weight_layers(net), "depth": depth(net),
            "flops": forward_flops(net, input_size)}


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def forward_latency(model: nn.Module, input_size: tuple[int, ...], repeats: int = 5, warmup: int = 1) -> float:
    """Median seconds of one forward pass of a batch of one, on the model's device (after `warmup` runs)."""
    device = next(model.parameters()).device
    x = torch.randn(1, *input_size, device=device)
    times = []
    with torch.inference_mode():
        for i in range(warmup + repeats):
            _sync(device)
            start = time.perf_counter()
            model(x)
            _sync(device)
            if i >= warmup:
                times.append(time.perf_counter() - start)
    return statistics.median(times)


def depth(model: nn.Module) -> int:
    """Weight layers (convolutions, fully-connected) on the longest path from input to output, traced by torch.fx:
    an Inception block's four branches add the depth of one, a residual block's shortcut adds none."""
    from torch import fx

    graph = fx.symbolic_trace(model).graph
    modules = dict(model.named_modules())
    longest: dict[fx.Node, int] = {}
    for node in graph.nodes:
        before = max((longest[n] for n in node.all_input_nodes), default=0)
        weighted = node.op == "call_module" and isinstance(modules[node.target], (nn.Conv1d, nn.Conv2d, nn.Linear))
        longest[node] = before + weighted
    return max(longest.values(), default=0)
