"""Build a small CNN from a list of layers, and say layer by layer what it computes — or where it breaks.

`plan_cnn` works out every layer's output shape, parameters and FLOPs from the formulas (nothing runs),
and raises `BuildError` at the first layer that cannot work, naming it and saying what would fix it.
`build_cnn` turns the same list into an `nn.Sequential` with readable names (conv1, pool2, …) that
the feature-map and Grad-CAM pages can list. An output layer to the task's classes is always added.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from torch import nn

from core.i18n import N_, _, ngettext

CNN_KINDS = ("conv", "maxpool", "avgpool", "relu", "tanh", "batchnorm", "dropout", "flatten", "linear")
MAX_LAYERS = 16
MAX_WIDTH = 256  # channels or features of one layer
MAX_PARAMS = 5_000_000


class BuildError(ValueError):
    """A layer list that cannot work; `index` is the 1-based layer where it breaks (0: the list as a whole)."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class LayerSpec:
    """One layer: `size` is a conv's output channels or a linear layer's features; `p` a dropout's rate."""

    kind: str
    size: int = 0
    kernel: int = 3
    stride: int = 1
    padding: int = 0
    p: float = 0.5

    def label(self) -> str:
        """The layer in a few words, in the current language."""
        if self.kind == "conv":
            return _("conv {k}×{k}, {size} channels, stride {stride}, padding {padding}").format(
                k=self.kernel, size=self.size, stride=self.stride, padding=self.padding)
        if self.kind in ("maxpool", "avgpool"):
            pool = N_("max pool {k}×{k}, stride {stride}") if self.kind == "maxpool" else N_("avg pool {k}×{k}, stride {stride}")
            return _(pool).format(k=self.kernel, stride=self.stride or self.kernel)
        if self.kind == "linear":
            return _("linear, {size} features").format(size=self.size)
        if self.kind == "dropout":
            return _("dropout p = {p:g}").format(p=self.p)
        return self.kind


@dataclass(frozen=True)
class PlannedLayer:
    """What one layer does to the shape, and what it costs."""

    index: int
    name: str
    label: str
    shape: tuple[int, ...]
    params: int
    flops: int


def _shape(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape))


def plan_cnn(layers: tuple[LayerSpec, ...], input_size: tuple[int, int, int], num_classes: int) -> list[PlannedLayer]:
    """Every layer's output shape (without the batch), parameters and forward FLOPs, the added output layer last."""
    if len(layers) > MAX_LAYERS:
        raise BuildError(0, _("{n} layers; at most {cap} here.").format(n=len(layers), cap=MAX_LAYERS))
    shape: tuple[int, ...] = tuple(input_size)
    planned: list[PlannedLayer] = []
    for i, layer in enumerate(layers, 1):
        if layer.kind not in CNN_KINDS:
            raise BuildError(i, _("Layer {i}: unknown kind {kind!r}; choose one of {kinds}.").format(
                i=i, kind=layer.kind, kinds=", ".join(CNN_KINDS)))
        where = _("Layer {i} ({label})").format(i=i, label=layer.label())
        params = flops = 0
        if layer.kind == "conv":
            if len(shape) != 3:
                raise BuildError(i, _("{where} needs a map (channels × height × width), but gets a vector of {n} values: "
                                      "convolutions go before the flatten.").format(where=where, n=shape[0]))
            if not (1 <= layer.size <= MAX_WIDTH and 1 <= layer.kernel <= 11 and 1 <= layer.stride <= 4
                    and 0 <= layer.padding <= 5):
                raise BuildError(i, _("{where}: channels 1–{cap}, kernel 1–11, stride 1–4, padding 0–5.").format(
                    where=where, cap=MAX_WIDTH))
            c, h, w = shape
            span = h + 2 * layer.padding
            if span < layer.kernel or w + 2 * layer.padding < layer.kernel:
                raise BuildError(i, _("{where}: its input is {h}×{w}, smaller than the {k}×{k} kernel even with padding "
                                      "{padding}. Use padding {same}, a smaller kernel, or fewer pooling layers before "
                                      "it.").format(where=where, h=h, w=w, k=layer.kernel, padding=layer.padding,
                                                    same=(layer.kernel - 1) // 2))
            oh = (h + 2 * layer.padding - layer.kernel) // layer.stride + 1
            ow = (w + 2 * layer.padding - layer.kernel) // layer.stride + 1
            params = layer.size * (c * layer.kernel ** 2 + 1)
            flops = 2 * layer.size * oh * ow * c * layer.kernel ** 2
            shape = (layer.size, oh, ow)
        elif layer.kind in ("maxpool", "avgpool"):
            if len(shape) != 3:
                raise BuildError(i, _("{where} needs a map, but gets a vector of {n} values: pool before the flatten.").format(
                    where=where, n=shape[0]))
            stride = layer.stride or layer.kernel
            c, h, w = shape
            if h < layer.kernel or w < layer.kernel:
                raise BuildError(i, _("{where}: its input is {h}×{w}, smaller than the {k}×{k} window. Remove this "
                                      "pooling layer or an earlier one.").format(where=where, h=h, w=w, k=layer.kernel))
            shape = (c, (h - layer.kernel) // stride + 1, (w - layer.kernel) // stride + 1)
            flops = shape[0] * shape[1] * shape[2] * layer.kernel ** 2
        elif layer.kind == "batchnorm":
            params, flops = 2 * shape[0], 4 * _count(shape)
        elif layer.kind == "dropout":
            if not 0 <= layer.p < 1:
                raise BuildError(i, _("{where}: the rate must be at least 0 and below 1.").format(where=where))
        elif layer.kind == "flatten":
            shape = (_count(shape),)
        elif layer.kind == "linear":
            if len(shape) != 1:
                raise BuildError(i, _("{where} needs a vector, but gets a {shape} map: put a flatten before it (it would "
                                      "give {n:,} values).").format(where=where, shape=_shape(shape), n=_count(shape)))
            if not 1 <= layer.size <= 4096:
                raise BuildError(i, _("{where}: between 1 and 4096 features.").format(where=where))
            params, flops = layer.size * (shape[0] + 1), 2 * layer.size * shape[0]
            shape = (layer.size,)
        elif layer.kind in ("relu", "tanh"):
            flops = _count(shape)
        planned.append(PlannedLayer(i, f"{layer.kind}{i}", layer.label(), shape, params, flops))
    n = _count(shape)
    head = (N_("output (added): flatten, then linear → {n} classes") if len(shape) > 1
            else N_("output (added): linear → {n} classes"))
    planned.append(PlannedLayer(len(layers) + 1, "output", _(head).format(n=num_classes),
                                (num_classes,), num_classes * (n + 1), 2 * num_classes * n))
    total = sum(p.params for p in planned)
    if total > MAX_PARAMS:
        raise BuildError(len(layers) + 1, _("{total:,} parameters, over the {cap:,} this server trains: the output layer "
                                            "alone reads {n:,} values. Pool more, or use fewer channels.").format(
            total=total, cap=MAX_PARAMS, n=n))
    return planned


@dataclass(frozen=True)
class StepCost:
    """What one training step of a planned network costs: FLOPs forward and backward (backward ≈ twice the
    forward), and the bytes of the activations kept for the backward pass (float32, every layer's output)."""

    flops: int
    activation_bytes: int


def step_cost(plan: list[PlannedLayer], batch: int, input_size: tuple[int, int, int]) -> StepCost:
    """The cost of one step at `batch` of the network `plan_cnn` planned."""
    kept = _count(input_size) + sum(_count(layer.shape) for layer in plan)
    return StepCost(3 * batch * sum(layer.flops for layer in plan), 4 * batch * kept)


def _count(shape: tuple[int, ...]) -> int:
    out = 1
    for s in shape:
        out *= s
    return out


def build_cnn(layers: tuple[LayerSpec, ...], input_size: tuple[int, int, int], num_classes: int) -> nn.Sequential:
    """The planned network as modules named after their layer (conv1, relu2, …, output)."""
    plan = plan_cnn(layers, input_size, num_classes)
    modules: OrderedDict[str, nn.Module] = OrderedDict()
    shape: tuple[int, ...] = tuple(input_size)
    for layer, step in zip(layers, plan):
        if layer.kind == "conv":
            module: nn.Module = nn.Conv2d(shape[0], layer.size, layer.kernel, layer.stride, layer.padding)
        elif layer.kind == "maxpool":
            module = nn.MaxPool2d(layer.kernel, layer.stride or layer.kernel)
        elif layer.kind == "avgpool":
            module = nn.AvgPool2d(layer.kernel, layer.stride or layer.kernel)
        elif layer.kind == "batchnorm":
            module = nn.BatchNorm2d(shape[0]) if len(shape) == 3 else nn.BatchNorm1d(shape[0])
        elif layer.kind == "dropout":
            module = nn.Dropout(layer.p)
        elif layer.kind == "flatten":
            module = nn.Flatten()
        elif layer.kind == "linear":
            module = nn.Linear(shape[0], layer.size)
        else:
            module = nn.ReLU() if layer.kind == "relu" else nn.Tanh()
        modules[step.name] = module
        shape = step.shape
    if len(shape) > 1:
        modules["flatten_out"] = nn.Flatten()
    modules["output"] = nn.Linear(_count(shape), num_classes)
    return nn.Sequential(modules)


LENET_LIKE: tuple[LayerSpec, ...] = (
    LayerSpec("conv", 8, 5, 1, 2), LayerSpec("relu"), LayerSpec("maxpool", kernel=2, stride=2),
    LayerSpec("conv", 16, 3, 1, 1), LayerSpec("relu"), LayerSpec("maxpool", kernel=2, stride=2),
    LayerSpec("flatten"), LayerSpec("linear", 64), LayerSpec("relu"),
)


def rnn_plan(vocab: int, embed: int, cell: str, hidden: int, steps: int = 1) -> list[PlannedLayer]:
    """The character model's layers (embedding or one-hot, one recurrent layer, output) with parameters and
    FLOPs per time step (× `steps` for a sequence)."""
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    width = embed or vocab
    rows = [PlannedLayer(1, "embed", _("embedding, {n} dimensions").format(n=embed) if embed
                         else _("one-hot, {n} values").format(n=vocab), (steps, width), vocab * embed, 0),
            PlannedLayer(2, "rnn", ngettext("{cell}, hidden size {hidden} ({n} weight block)",
                                            "{cell}, hidden size {hidden} ({n} weight blocks)", gates).format(
                                                cell=cell.upper(), hidden=hidden, n=gates),
                         (steps, hidden), gates * hidden * (width + hidden + 2),
                         steps * 2 * gates * hidden * (width + hidden)),
            PlannedLayer(3, "head", _("linear → {n} characters").format(n=vocab), (steps, vocab), vocab * (hidden + 1),
                         steps * 2 * vocab * hidden)]
    return rows
