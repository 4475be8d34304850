"""Attribution maps: which pixels (or which places of a layer) made the model say `target`.

Every method has the same shape of signature, `method(model, image, target, ...) -> (H, W)` float map.
Grad-CAM and Guided Grad-CAM are magnitudes scaled to [0, 1] (Grad-CAM keeps only the positive part by
definition). The methods in SIGNED_METHODS keep their sign and their units (class-score units): positive
where a pixel speaks for the class, negative where it speaks against it. Grad-CAM, the one a page asks for most, reads its layer from a feature-extraction graph
and needs no hook, so sessions run it side by side; it equals captum's LayerGradCam (tested). The
others are captum's: captum registers hooks on the model for the length of one call and removes them
in `finally`; since our models are shared by every session, calls that hook a model are serialised by
one lock, so no session ever sees another's hooks.

Integrated gradients and occlusion run the model many times, in batches (seconds on a CPU for ResNet-18).
They take an optional `on_progress(fraction) -> bool`, called after each batch with the fraction done; when it
returns False the call raises `AttributionStopped` instead of returning a map that covers only part of the work.
"""
from __future__ import annotations

import threading
import warnings
import weakref
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from captum.attr import GuidedGradCam, IntegratedGradients, LayerAttribution, Occlusion, Saliency
from torch import nn

from core.i18n import _
from core.probes import activations

_HOOK_LOCK = threading.RLock()


class SaliencyError(ValueError):
    """A request that cannot give a map (wrong layer, class out of range, no conv layer); the message is for the user."""


class AttributionStopped(Exception):
    """The caller's `on_progress` returned False: the computation was abandoned and there is no map."""


Progress = Callable[[float], bool]
"""Called after each batch with the fraction of the batches done (the last call gets 1.0); False stops."""

OCCLUSION_BATCH = 16
"""Occluded copies of the picture per forward pass (captum's perturbations_per_eval)."""
IG_BATCH = 8
"""Points of the integrated-gradients path per forward and backward pass (captum's internal_batch_size)."""


def _reporting(model: nn.Module, batches: int, on_progress: Progress | None) -> Callable[..., torch.Tensor]:
    """`model` as a forward function that tells `on_progress` after each of the `batches` calls captum makes."""
    done = 0

    def forward(x: torch.Tensor) -> torch.Tensor:
        nonlocal done
        out = model(x)
        done += 1
        if on_progress is not None and not on_progress(min(1.0, done / batches)):
            raise AttributionStopped(f"Stopped after {done} of {batches} batches.")
        return out

    return forward


@dataclass(frozen=True)
class SpatialModule:
    """A module whose output is a (C, H, W) map, in execution order: a candidate layer for Grad-CAM."""

    name: str
    op: str
    shape: tuple[int, int, int]
    has_conv: bool


def _module_outputs(model: nn.Module, input_size: tuple[int, int, int]) -> list[tuple[str, int, tuple[int, ...]]]:
    """(name, calls, output shape without the batch) of every module that returns a tensor, in the order they
    finish, from one forward pass with hooks that are removed before returning."""
    seen: dict[str, tuple[int, tuple[int, ...]]] = {}
    order: list[str] = []

    def record(name: str):
        def hook(_module: nn.Module, _inputs: object, output: object) -> None:
            if isinstance(output, torch.Tensor):
                count, shape = seen.get(name, (0, tuple(output.shape[1:])))
                seen[name] = (count + 1, shape)
                if count == 0:
                    order.append(name)
        return hook

    device = next(model.parameters()).device
    with _HOOK_LOCK:
        handles = [m.register_forward_hook(record(n)) for n, m in model.named_modules() if n]
        try:
            with torch.inference_mode():
                model(torch.zeros(1, *input_size, device=device))
        finally:
            for h in handles:
                h.remove()
    return [(name, *seen[name]) for name in order]


def spatial_modules(model: nn.Module, input_size: tuple[int, int, int]) -> list[SpatialModule]:
    """Modules with a spatial output (H·W > 1), each called once per forward, in the order they finish."""
    result = []
    for name, count, shape in _module_outputs(model, input_size):
        if count == 1 and len(shape) == 3 and shape[1] * shape[2] > 1:
            module = model.get_submodule(name)
            has_conv = any(isinstance(m, nn.Conv2d) for m in module.modules())
            result.append(SpatialModule(name, type(module).__name__, shape, has_conv))  # type: ignore[arg-type]
    return result


def default_cam_layer(layers: Sequence[SpatialModule]) -> str:
    """Where Grad-CAM is usually read: the last module whose map is as fine as the last convolution's.

    That is the last conv layer's activation (VGG, AlexNet: the ReLU after it) or the last block that
    ends at that resolution (ResNet's layer4, GoogLeNet's inception5b), before the final pooling.
    """
    convs = [layer for layer in layers if layer.op == "Conv2d"]
    if not convs:
        raise SaliencyError(_("This model has no convolution layer with a spatial output, so Grad-CAM has nothing to "
                              "read."))
    size = convs[-1].shape[1:]
    return [layer.name for layer in layers if layer.shape[1:] == size][-1]


@dataclass(frozen=True)
class LayerNote:
    """Whether Grad-CAM can read a module's output, and why (or why not), in one phrase."""

    name: str
    op: str
    shape: tuple[int, ...]
    usable: bool
    why: str


def cam_layer_notes(model: nn.Module, input_size: tuple[int, int, int]) -> list[LayerNote]:
    """Every module that returns a tensor, in the order they finish, marked usable for Grad-CAM or not.

    Grad-CAM weights the channels of a (C, H, W) map by their gradients and keeps the map's layout, so a
    layer qualifies when its output has a spatial layout larger than 1×1 and it runs once per forward pass.
    """
    notes = []
    for name, count, shape in _module_outputs(model, input_size):
        op = type(model.get_submodule(name)).__name__
        if count > 1:
            note = LayerNote(name, op, shape, False, _("runs {count} times per forward pass, so its gradient mixes "
                                                       "several uses").format(count=count))
        elif len(shape) != 3:
            note = LayerNote(name, op, shape, False, _("a vector of {values} values: the spatial layout is gone "
                                                       "(flattened or pooled)").format(
                                                           values=int(torch.tensor(shape).prod())))
        elif shape[1] * shape[2] == 1:
            note = LayerNote(name, op, shape, False, _("a 1×1 map: one number per channel, no “where” left to show"))
        else:
            note = LayerNote(name, op, shape, True, _("a {height}×{width} map of {channels} channels").format(
                height=shape[1], width=shape[2], channels=shape[0]))
        notes.append(note)
    return notes


def suggestion(layers: Sequence[SpatialModule]) -> tuple[str, str]:
    """The layer to start Grad-CAM (or a look at features) from, and one sentence saying why."""
    name = default_cam_layer(layers)
    layer = next(layer for layer in layers if layer.name == name)
    return name, _("Suggested: {layer}, the last {height}×{width} map — as fine as the last convolution's, just "
                   "before pooling throws the layout away — so its channels are the most class-specific features "
                   "that still know where they are.").format(layer=name, height=layer.shape[1], width=layer.shape[2])


def resolve_layer(model: nn.Module, layer: str | nn.Module) -> nn.Module:
    """The module named `layer` (dotted path), or `layer` itself if it is a module of `model`."""
    if isinstance(layer, nn.Module):
        if not any(m is layer for m in model.modules()):
            raise SaliencyError(_("That layer is not part of this model."))
        return layer
    try:
        return model.get_submodule(layer)
    except AttributeError:
        raise SaliencyError(_("This model has no layer named {layer!r}.").format(layer=layer)) from None


_FACTS: weakref.WeakKeyDictionary[nn.Module, dict[object, object]] = weakref.WeakKeyDictionary()


def _fact(model: nn.Module, key: object, compute) -> object:
    """Shape facts about a model (class count, a layer's output shape), computed by one forward pass once.

    They do not depend on the weights, so later calls cost nothing: a Grad-CAM is one forward pass
    and a short backward, not three forward passes.
    """
    facts = _FACTS.setdefault(model, {})
    if key not in facts:
        facts[key] = compute()
    return facts[key]


def _check(model: nn.Module, image: torch.Tensor, target: int) -> tuple[torch.Tensor, int]:
    if image.ndim != 4 or image.shape[0] != 1:
        raise SaliencyError(_("Expected one image as a (1, C, H, W) tensor, got shape {shape}.").format(
            shape=tuple(image.shape)))
    device = next(model.parameters()).device
    x = image.detach().to(device)

    def count_classes() -> int:
        with torch.inference_mode():
            return int(model(x).shape[1])

    classes = int(_fact(model, ("classes", tuple(x.shape)), count_classes))  # type: ignore[arg-type]
    if not 0 <= int(target) < classes:
        raise SaliencyError(_("Class index {target} is out of range: this model has classes 0 to {last}.").format(
            target=target, last=classes - 1))
    return x.clone().requires_grad_(True), int(target)


def _finish(attr: torch.Tensor, size: tuple[int, int]) -> np.ndarray:
    """(1, 1, h, w) attribution → (H, W) float32 in [0, 1]; all zeros stay zeros."""
    if attr.shape[-2:] != size:
        attr = LayerAttribution.interpolate(attr, size, interpolate_mode="bilinear")
    out = attr.detach().float().cpu()[0, 0].numpy()
    lo, hi = float(out.min()), float(out.max())
    if hi - lo <= 1e-12 or not np.isfinite([lo, hi]).all():
        return np.zeros(size, dtype=np.float32)
    return ((out - lo) / (hi - lo)).astype(np.float32)


def _finish_signed(attr: torch.Tensor, size: tuple[int, int]) -> np.ndarray:
    """(1, 1, h, w) signed attribution → (H, W) float32 with its sign and units kept; non-finite values become 0."""
    if attr.shape[-2:] != size:
        attr = LayerAttribution.interpolate(attr, size, interpolate_mode="bilinear")
    out = attr.detach().float().cpu()[0, 0].numpy()
    return np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32)


def _pixel_map(attr: torch.Tensor) -> torch.Tensor:
    """(1, C, H, W) pixel attribution → (1, 1, H, W): magnitude summed over colour channels."""
    return attr.abs().sum(dim=1, keepdim=True)


def _layer_output_is_spatial(model: nn.Module, module: nn.Module, image: torch.Tensor) -> None:
    def layer_shape() -> tuple[int, ...]:
        shapes: list[tuple[int, ...]] = []
        handle = module.register_forward_hook(lambda _m, _i, out: shapes.append(tuple(out.shape)))
        try:
            with torch.inference_mode():
                model(image)
        finally:
            handle.remove()
        return shapes[0] if shapes else ()

    shape = _fact(model, ("shape", id(module), tuple(image.shape)), layer_shape)
    if len(shape) != 4 or shape[2] * shape[3] <= 1:  # type: ignore[arg-type, index]
        text = "×".join(map(str, shape[1:])) if shape else _("nothing")  # type: ignore[index]
        raise SaliencyError(_("Grad-CAM needs a layer with a spatial (C×H×W) output; this one gives {shape}. Pick a "
                              "convolution or pooling layer.").format(shape=text))


def _module_name(model: nn.Module, module: nn.Module) -> str:
    return next(name for name, m in model.named_modules() if m is module)


def _cam_graph(model: nn.Module, layer: str) -> tuple[nn.Module, str]:
    """A feature-extraction graph returning {layer: its output, last: the model's output}, made once per
    model and layer. It shares the model's weights and registers nothing on it."""
    def build() -> tuple[nn.Module, str]:
        last = activations.graph_nodes(model)[-1]
        return activations.make_extractor(model, list(dict.fromkeys([layer, last]))), last

    return _fact(model, ("cam graph", layer), build)  # type: ignore[return-value]


def grad_cam(model: nn.Module, image: torch.Tensor, target: int, layer: str | nn.Module) -> np.ndarray:
    """Grad-CAM (Selvaraju et al. 2017) of class `target` at `layer`: ReLU(Σ_k mean(∂y/∂A_k)·A_k), upsampled.

    `image` is (1, 3, H, W), already normalised for the model. Computed as captum's LayerGradCam computes
    it (a test holds the two equal), but from a feature-extraction graph that returns the layer's output
    beside the class scores, so no hook touches the shared model and sessions need not take turns: the
    gradient flows from the score down to the layer only.
    """
    module = resolve_layer(model, layer)
    name = layer if isinstance(layer, str) else _module_name(model, module)
    x, target = _check(model, image, target)
    graph, last = _cam_graph(model, name)
    with torch.enable_grad():
        outputs = graph(x)
        acts, scores = outputs[name], outputs[last]
        if not isinstance(acts, torch.Tensor) or acts.ndim != 4 or acts.shape[2] * acts.shape[3] <= 1:
            shape = tuple(acts.shape[1:]) if isinstance(acts, torch.Tensor) else ()
            text = "×".join(map(str, shape)) if shape else _("nothing")
            raise SaliencyError(_("Grad-CAM needs a layer with a spatial (C×H×W) output; this one gives {shape}. "
                                  "Pick a convolution or pooling layer.").format(shape=text))
        (grads,) = torch.autograd.grad(scores[0, target], acts)
    cam = F.relu((grads.mean(dim=(2, 3), keepdim=True) * acts.detach()).sum(dim=1, keepdim=True))
    return _finish(cam, tuple(x.shape[-2:]))


def guided_grad_cam(model: nn.Module, image: torch.Tensor, target: int, layer: str | nn.Module) -> np.ndarray:
    """Guided Grad-CAM: Grad-CAM times guided backpropagation, sharp edges where the class evidence is."""
    module = resolve_layer(model, layer)
    x, target = _check(model, image, target)
    with _HOOK_LOCK, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Setting backward hooks on ReLU")
        _layer_output_is_spatial(model, module, x)
        attr = GuidedGradCam(model, module).attribute(x, target=target)
    return _finish(_pixel_map(attr), tuple(x.shape[-2:]))


def gradient_saliency(model: nn.Module, image: torch.Tensor, target: int) -> np.ndarray:
    """∂y_target/∂x summed over colour channels (Simonyan et al. 2014, with its sign): positive where
    brightening a pixel would raise the class score, negative where it would lower it."""
    x, target = _check(model, image, target)
    with _HOOK_LOCK:
        attr = Saliency(model).attribute(x, target=target, abs=False)
    return _finish_signed(attr.sum(dim=1, keepdim=True), tuple(x.shape[-2:]))


def baseline_image(image: torch.Tensor, kind: str) -> torch.Tensor:
    """An integrated-gradients baseline: 'zeros' (the dataset mean, after normalisation), 'min' (darkest value) or 'blur'."""
    if kind == "zeros":
        return torch.zeros_like(image)
    if kind == "min":
        return torch.full_like(image, float(image.detach().min()))
    if kind == "blur":
        k = max(3, (min(image.shape[-2:]) // 8) | 1)
        return F.avg_pool2d(F.pad(image, [k // 2] * 4, mode="replicate"), k, stride=1)
    raise SaliencyError(_("Unknown baseline {kind!r}; use 'zeros', 'min' or 'blur'.").format(kind=kind))


def integrated_gradients(
    model: nn.Module, image: torch.Tensor, target: int, steps: int = 32, baseline: str = "zeros",
    on_progress: Progress | None = None,
) -> np.ndarray:
    """Integrated gradients (Sundararajan et al. 2017) from `baseline` to the image in `steps` steps, summed
    over colour channels with their sign: the map sums to the score of the image minus that of the baseline.

    The path's points go through the model IG_BATCH at a time; `on_progress` hears after each batch."""
    if not 2 <= steps <= 256:
        raise SaliencyError(_("Integrated gradients needs between 2 and 256 steps."))
    x, target = _check(model, image, target)
    forward = _reporting(model, -(-steps // IG_BATCH), on_progress)
    with _HOOK_LOCK:
        attr = IntegratedGradients(forward).attribute(
            x, baselines=baseline_image(x, baseline), target=target, n_steps=steps, internal_batch_size=IG_BATCH
        )
    return _finish_signed(attr.sum(dim=1, keepdim=True), tuple(x.shape[-2:]))


def occlusion_windows(height: int, width: int, window: int, stride: int) -> int:
    """How many window positions occlusion tries (captum's count: a last window flush with each edge)."""
    return (-(-(height - window) // stride) + 1) * (-(-(width - window) // stride) + 1)


OCCLUSION_BUDGET_FLOPS = 10**13
"""Forward FLOPs (a multiply-add counts 2) one visitor's occlusion may spend: under two minutes of one CPU core,
with a progress bar and Stop. VGG-16's default (window 28, stride 14: 226 passes of 31 GFLOPs, 7 TFLOPs) fits;
its smallest window at stride 1 (49,730 passes, 1,540 TFLOPs, hours) is refused with the window that fits."""


def occlusion_flops(height: int, width: int, window: int, stride: int, model_flops: int) -> int:
    """Forward FLOPs of one occlusion: the picture itself, then one pass per window position."""
    return (1 + occlusion_windows(height, width, window, stride)) * model_flops


def check_occlusion_budget(height: int, width: int, window: int, stride: int, model_flops: int,
                           budget: int = OCCLUSION_BUDGET_FLOPS) -> None:
    """Raise SaliencyError, naming the smallest stride that fits (or asking for a larger window), when occlusion
    at `window`/`stride` would spend more than `budget` forward FLOPs of a model costing `model_flops` a pass."""
    need = occlusion_flops(height, width, window, stride, model_flops)
    if need <= budget:
        return
    passes = need // max(1, model_flops)
    fits = [s for s in range(stride + 1, window + 1)
            if occlusion_flops(height, width, window, s, model_flops) <= budget]
    side = min(height, width)
    windows = [w for w in range(window + 1, side + 1) if occlusion_flops(height, width, w, w, model_flops) <= budget]
    if fits:
        advice = _("Use a stride of at least {stride} with this window.").format(stride=fits[0])
    else:
        advice = _("Use a window of at least {window} pixels, with a stride as large.").format(
            window=windows[0] if windows else side)
    raise SaliencyError(_("Occlusion with a {window}-pixel window and stride {stride} needs {passes:,} forward passes "
                          "({tflops:,.1f} TFLOPs); one request may spend at most {most:,.1f} TFLOPs on this server. "
                          "{advice}").format(window=window, stride=stride, passes=passes, tflops=need / 1e12,
                                             most=budget / 1e12, advice=advice))


def occlusion(model: nn.Module, image: torch.Tensor, target: int, window: int = 16, stride: int = 8,
              on_progress: Progress | None = None) -> np.ndarray:
    """Occlusion (Zeiler & Fergus 2014): how much the class score drops when a window is greyed out, averaged
    over the windows that cover each pixel; negative where greying out raises the score (that part spoke
    against the class).

    One forward pass of the picture itself, then the occluded copies OCCLUSION_BATCH at a time; `on_progress`
    hears after each pass."""
    channels, height, width = image.shape[1:]
    if not 1 <= stride <= window <= min(height, width):
        raise SaliencyError(_("Occlusion needs 1 ≤ stride ≤ window ≤ {side} (the image side).").format(side=min(height, width)))
    x, target = _check(model, image, target)
    batches = 1 + -(-occlusion_windows(height, width, window, stride) // OCCLUSION_BATCH)
    with _HOOK_LOCK, torch.no_grad():
        attr = Occlusion(_reporting(model, batches, on_progress)).attribute(
            x, sliding_window_shapes=(channels, window, window), strides=(channels, stride, stride),
            target=target, baselines=0.0, perturbations_per_eval=OCCLUSION_BATCH,
        )
    return _finish_signed(attr.mean(dim=1, keepdim=True), tuple(x.shape[-2:]))


METHODS = {
    "Grad-CAM": grad_cam,
    "Guided Grad-CAM": guided_grad_cam,
    "Integrated gradients": integrated_gradients,
    "Gradient saliency": gradient_saliency,
    "Occlusion": occlusion,
}
SIGNED_METHODS = frozenset({"Integrated gradients", "Gradient saliency", "Occlusion"})
"""Methods whose maps keep their sign (evidence for the class > 0, against < 0) and class-score units."""
STOPPABLE_METHODS = frozenset({"Integrated gradients", "Occlusion"})
"""Methods that run the model batch after batch and take `on_progress` (seconds on a CPU for ImageNet models)."""
