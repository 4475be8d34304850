"""Everything cached across reruns and sessions lives here, keyed by plain strings.

Models, pictures and per-picture results are `shared` (ui.shared_cache: one read-only copy for every
session, what st.cache_resource does at a dict lookup's cost); the rest is `st.cache_data` (a copy per
read). Arguments named with a leading "_" (a tensor, a decoded picture) are not part of the key.
"""
from __future__ import annotations

import collections
import contextlib
import functools
import os
import threading
import time
import types
from typing import Callable, Iterator, ParamSpec, TypeVar

import numpy as np
import pyarrow as pa
import streamlit as st
import torch
from torch import nn

from core.data import preprocess
from core.data.images import DecodedImage, decode_image
from core.data.mnist1d import MNIST1D, load_mnist1d
from core.data.preprocess import ModelInput, prepare_image
from core.data.samples import Sample, load_sample
from core.data.text import EncodedText, encode
from core.device import DeviceChoice, choose_device, configure_threads
from core.models.mnist1d import RecurrentClassifier, TinyTransformer, input_gradient
from core.models.registry import ModelSpec, get_spec
from core.models.seq2seq import VOCAB, decode_letters, encode_letters
from core.models.sequence import SequenceSpec, get_sequence_spec
from core.probes import activations, domain, gradients, receptive_field, recurrent, saliency, scaling, translation
from core.probes import costs as measured
from core.train_attention import load_bundled as load_reverser
from core.train_mnist1d import costs as mnist1d_measure
from core.train_mnist1d import load_bundled as load_mnist1d_model
from core.weights import WeightsStatus, imagenet_cache_path, load_model, load_sequence_model
from ui import charts, own_models
from ui.shared_cache import shared


HEAVY_SLOTS_ENV = "EXPLORER_HEAVY_SLOTS"
P = ParamSpec("P")
R = TypeVar("R")


class HeavySlots:
    """A few server-wide slots for model work ($EXPLORER_HEAVY_SLOTS, default 2), re-entrant per thread.

    Two queues. Work a learner is waiting to see (a prediction, a Grad-CAM, a trace) enters with `with
    slots:`; training steps enter with `with slots.background():` and get a slot only when no such work
    waits, and never the last free one: training holds at most `slots − 1` slots at once (one when there
    is one), so a click always finds a core that no trainer is using. A training run lasts seconds and
    takes a slot per step; in a class some sessions train while others click, and with one queue a click
    would wait behind every step queued before it. Here training fills the gaps between clicks instead.

    Within a queue the order is first come, first served: a plain semaphore lets the thread that just
    released a slot take it straight back, so one trainer could keep another's steps waiting for its whole
    run. A released slot goes to the longest waiter of the first queue, else of the second.

    Functions here fetch what they need from other caches *before* taking a slot, so no thread
    waits on a cache's per-key lock while holding a slot; re-entrancy is a second guard.
    """

    def __init__(self, slots: int) -> None:
        self.slots = max(1, slots)
        self._free = self.slots
        self._lock = threading.Lock()
        self._waiters: collections.deque[threading.Event] = collections.deque()
        self._later: collections.deque[threading.Event] = collections.deque()
        self._training = 0  # slots held by training steps now
        self._training_cap = max(1, self.slots - 1)
        self._depth = threading.local()
        self._waited = threading.local()

    def __enter__(self) -> "HeavySlots":
        self._acquire(training=False)
        return self

    def __exit__(self, *exc: object) -> None:
        self._release()

    @contextlib.contextmanager
    def background(self) -> Iterator[None]:
        """A slot for a training step: granted only when no interactive work is queued."""
        self._acquire(training=True)
        try:
            yield
        finally:
            self._release(training=True)

    def waited(self) -> float:
        """Seconds this thread has spent queueing for a slot since its last `reset_waited` (for the load
        benchmark, which separates queueing from work)."""
        return getattr(self._waited, "s", 0.0)

    def reset_waited(self) -> None:
        self._waited.s = 0.0

    def _acquire(self, training: bool) -> None:
        depth = getattr(self._depth, "n", 0)
        if depth == 0:
            with self._lock:
                turn = None
                if self._free > 0 and not self._waiters and (
                        not training or (not self._later and self._training < self._training_cap)):
                    self._free -= 1
                    self._training += training
                else:
                    turn = threading.Event()
                    (self._later if training else self._waiters).append(turn)
            if turn is not None:
                queued = time.perf_counter()
                turn.wait()  # set by the release that hands this thread its slot (and counts it)
                self._waited.s = self.waited() + time.perf_counter() - queued
        self._depth.n = depth + 1

    def _release(self, training: bool = False) -> None:
        self._depth.n -= 1
        if self._depth.n == 0:
            with self._lock:
                self._training -= training
                if self._waiters:
                    self._waiters.popleft().set()
                elif self._later and self._training < self._training_cap:
                    self._training += 1
                    self._later.popleft().set()
                else:
                    self._free += 1


_HEAVY = HeavySlots(int(os.environ.get(HEAVY_SLOTS_ENV, "2") or 2))


def heavy(fn: Callable[P, R]) -> Callable[P, R]:
    """Run `fn` in a heavy-work slot. Placed under the cache decorators, so only cache misses wait:
    many sessions at once queue their model work instead of oversubscribing a small CPU."""
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with _HEAVY:
            return fn(*args, **kwargs)
    return wrapper


def heavy_slot() -> HeavySlots:
    """The same slots as a context manager, for model work a page runs itself (reading a model a learner
    brought)."""
    return _HEAVY


def training_slot() -> contextlib.AbstractContextManager[None]:
    """A slot for one training step (or one short training run): behind every queued interactive request."""
    return _HEAVY.background()


@shared()
def device_choice() -> DeviceChoice:
    """The one device of this server process (thread count fixed at the same time: the cores shared out
    among the heavy-work slots, so jobs that run side by side never oversubscribe the CPU)."""
    configure_threads(_HEAVY.slots)
    return choose_device()


def spec_of(name: str) -> ModelSpec:
    """The spec of a registry model, or of one of this session's own models."""
    own = own_models.lookup(name)
    return own.spec if own is not None and isinstance(own.spec, ModelSpec) else get_spec(name)


def sequence_spec_of(name: str) -> SequenceSpec:
    """The spec of a bundled sequence model, or of one of this session's own ones."""
    own = own_models.lookup(name)
    return own.spec if own is not None and isinstance(own.spec, SequenceSpec) else get_sequence_spec(name)


def weights_key(name: str) -> str:
    """'bundled', 'cached', 'missing' or 'own': part of every cache key, so a download refreshes the model."""
    if own_models.lookup(name) is not None:
        return "own"
    spec = spec_of(name)
    if spec.torchvision_weights is None:
        return "bundled"
    return "cached" if imagenet_cache_path(spec).exists() else "missing"


@shared(8)
@heavy
def _registry_model(name: str, weights: str) -> tuple[nn.Module, WeightsStatus]:
    with torch.no_grad():
        return load_model(name, device_choice().device)


def model(name: str, weights: str) -> tuple[nn.Module, WeightsStatus]:
    """Model `name` on the app's device (registry: loaded once per server; own: this session's); `weights`
    is `weights_key(name)`."""
    own = own_models.lookup(name)
    if own is not None:
        return own.net, own.status
    return _registry_model(name, weights)


def model_ready(name: str, weights: str) -> bool:
    """Whether `model(name, weights)` is loaded already (a session's own model always is)."""
    return own_models.lookup(name) is not None or _registry_model.has(name, weights)


@shared(32)
def _registry_extractor(name: str, layer: str, weights: str) -> nn.Module:
    net, _ = model(name, weights)
    return activations.make_extractor(net, [layer])


def extractor(name: str, layer: str, weights: str) -> nn.Module:
    """A feature-extraction graph returning `layer` of model `name`, sharing that model's weights (an own
    model keeps its graphs itself, so they go with it)."""
    own = own_models.lookup(name)
    if own is None:
        return _registry_extractor(name, layer, weights)
    if layer not in own.extractors:
        own.extractors[layer] = activations.make_extractor(own.net, [layer])
    return own.extractors[layer]


@st.cache_data(show_spinner=False, max_entries=16)
def layers(name: str, weights: str) -> list[activations.LayerInfo]:
    """The layer table of model `name`."""
    net, _ = model(name, weights)
    with _HEAVY:
        return activations.list_layers(net, spec_of(name).input_size)


@shared(16)
def layer_table(name: str, weights: str) -> pa.Table:
    """`layers(name, weights)` as the Arrow table the page shows, made once: st.dataframe sends an Arrow
    table as it is (0.4 ms) but takes a list of rows through pandas on every rerun (3 ms)."""
    rows = layers(name, weights)
    return pa.table({
        "#": list(range(len(rows))),
        "layer": [layer.name for layer in rows],
        "operation": [layer.op for layer in rows],
        "output shape": [" × ".join(map(str, layer.shape)) for layer in rows],
        "values": [int(np.prod(layer.shape)) for layer in rows],
    })


@shared(16)
def cam_notes_table(name: str, weights: str, suggested: str) -> pa.Table:
    """`cam_notes(name, weights)` as the Arrow table the saliency page shows, `suggested` marked (see `layer_table`)."""
    notes = cam_notes(name, weights)
    return pa.table({
        "layer": [n.name for n in notes],
        "operation": [n.op for n in notes],
        "output": [" × ".join(map(str, n.shape)) for n in notes],
        "Grad-CAM": [("✓ suggested" if n.name == suggested else "✓") if n.usable else "✗" for n in notes],
        "why": [n.why for n in notes],
    })


def frozen(array: np.ndarray) -> np.ndarray:
    """`array`, made read-only: results below are shared by every session without a copy, so none may change them."""
    array.setflags(write=False)
    return array


# Pictures and per-picture results are read on every rerun of the CNN pages. As `shared` values they are
# handed out as they are (st.cache_data would unpickle a fresh copy per read: milliseconds per photo, per
# model, per rerun); their arrays are read-only, so sharing them is safe.

@shared(64)
def sample(_sample: Sample, file: str) -> DecodedImage:
    """A bundled sample picture, decoded once."""
    picture = load_sample(_sample)
    frozen(picture.pixels)
    return picture


@shared(16)
def upload(file_id: str, _data: bytes) -> DecodedImage:
    """An uploaded file, decoded once (raises core.data.images.ImageInputError). Keyed by the upload's id,
    which Streamlit makes anew for every upload: a key of the bytes themselves would keep up to 16 files alive."""
    picture = decode_image(_data)
    frozen(picture.pixels)
    return picture


@shared(64)
def model_input(name: str, _picture: DecodedImage, digest: str) -> ModelInput:
    """The picture prepared for model `name` (the tensor is only ever read by models)."""
    prepared = prepare_image(_picture.pixels, spec_of(name))
    charts.name_array(frozen(prepared.display), "model_input", name, digest)
    return prepared


@shared(64)
def probabilities(name: str, digest: str, weights: str, _x: torch.Tensor) -> np.ndarray:
    """Class probabilities of model `name` for the prepared picture `digest`."""
    net, _ = model(name, weights)
    with _HEAVY:
        return frozen(activations.predict(net, _x).numpy())


@shared(32)
def layer_maps(name: str, layer: str, digest: str, weights: str, _x: torch.Tensor) -> np.ndarray:
    """The output of `layer` for the prepared picture `digest`, without the batch axis."""
    graph = extractor(name, layer, weights)
    with _HEAVY:
        maps = activations.feature_maps(graph, _x)[layer][0].numpy()
    return charts.name_array(frozen(maps), "layer_maps", name, layer, digest, weights)


@shared(16)
def cam_layers(name: str, weights: str) -> tuple[saliency.SpatialModule, ...]:
    """Modules of model `name` with a spatial output: the layers Grad-CAM can read. Shared, not copied per
    read (frozen records in a tuple: nobody can change them), since four pages read it on every rerun."""
    net, _ = model(name, weights)
    with _HEAVY:
        return tuple(saliency.spatial_modules(net, spec_of(name).input_size))


@st.cache_data(show_spinner=False, max_entries=16)
def cam_notes(name: str, weights: str) -> list[saliency.LayerNote]:
    """Every module of model `name`, marked usable for Grad-CAM or not, with the reason."""
    net, _ = model(name, weights)
    with _HEAVY:
        return saliency.cam_layer_notes(net, spec_of(name).input_size)


@shared(64)
def attribution(name: str, weights: str, digest: str, method: str, target: int,
                params: tuple[tuple[str, object], ...], _x: torch.Tensor,
                _on_progress: saliency.Progress | None = None) -> np.ndarray:
    """The (H, W) map of `method` for class `target` (raises core.probes.saliency.SaliencyError).

    `_on_progress` goes to the methods in saliency.STOPPABLE_METHODS; a stopped one raises
    saliency.AttributionStopped, and nothing is cached for it."""
    net, _ = model(name, weights)
    kwargs = dict(params, on_progress=_on_progress) if method in saliency.STOPPABLE_METHODS else dict(params)
    with _HEAVY:
        heat = saliency.METHODS[method](net, _x, target, **kwargs)
    return charts.name_array(frozen(heat), "attribution", name, weights, digest, method, target, params)


@shared(4)
def domain_reference(name: str, weights: str) -> domain.Reference:
    """Model `name`'s training pictures as vectors and the held-out threshold (a registry model in
    domain.REFERENCES): made once per server, on the first upload it has to judge."""
    net, _ = model(name, weights)
    with _HEAVY:
        return domain.REFERENCES[name](net, spec_of(name))


@shared(64)
def familiarity(name: str, digest: str, weights: str, _x: torch.Tensor) -> domain.Familiarity:
    """How far the prepared picture `digest` lies from model `name`'s training pictures."""
    reference = domain_reference(name, weights)
    net, _ = model(name, weights)
    with _HEAVY:
        return domain.familiarity(reference, net, _x)


@st.cache_data(show_spinner=False, max_entries=32)
@heavy
def size(name: str) -> dict[str, int]:
    """Parameters, weight layers, depth and forward FLOPs of architecture `name`: the same on every device, counted
    without weights, so a page that quotes only the size need not wait for the timing `costs` adds."""
    spec = spec_of(name)
    return measured.size_without_weights(spec.build, spec.input_size)


@st.cache_data(show_spinner=False, max_entries=32)
def costs(name: str, device: str) -> dict[str, float]:
    """`size` of architecture `name`, and its forward latency measured on `device`.

    Built fresh (random weights: costs do not depend on them), so nothing waits for a weights file.
    """
    counted = size(name)  # from its cache, before taking a slot
    spec = spec_of(name)
    with _HEAVY:
        net = spec.build().to(device).eval()
        return {**counted, "latency_s": measured.forward_latency(net, spec.input_size, repeats=3)}


@st.cache_data(show_spinner=False, max_entries=4)
def zoo_costs(device: str) -> dict[str, dict[str, float]]:
    """`costs` of every registry architecture on `device`, as one cached value: the compare page reads the
    whole zoo on every rerun, and one cache lookup is cheaper than seven."""
    from core.models.registry import model_names

    return {name: costs(name, device) for name in model_names()}


@shared(8)
@heavy
def _bundled_sequence_model(name: str) -> tuple[nn.Module, WeightsStatus]:
    with torch.no_grad():
        return load_sequence_model(name, device_choice().device)


def sequence_model(name: str) -> tuple[nn.Module, WeightsStatus]:
    """A recurrent model with traced cells on the app's device: bundled (shared) or this session's own."""
    own = own_models.lookup(name)
    if own is not None:
        return own.net, own.status
    return _bundled_sequence_model(name)


@shared(64)
def sequence_run(name: str, text: str) -> tuple[EncodedText, recurrent.SequenceRun]:
    """`text` encoded for model `name` and traced through it (raises core.data.text.TextInputError).

    Shared and read-only, like the per-picture results: as st.cache_data a 1,000-character LSTM trace (six
    1,000 × 128 arrays) was pickled when stored and unpickled again on every rerun of the page.
    """
    spec = sequence_spec_of(name)
    encoded = encode(text, spec.vocab)
    net, _ = sequence_model(name)
    with _HEAVY:
        run = recurrent.run_sequence(net, encoded.ids)
    frozen(encoded.ids)
    trace = types.MappingProxyType({field: charts.name_array(frozen(values), "sequence_run", name, text, field)
                                    for field, values in run.trace.items()})
    return encoded, recurrent.SequenceRun(ids=frozen(run.ids), probs=frozen(run.probs), trace=trace)


@shared(64)
def sequence_pca(name: str, text: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The hidden states of `sequence_run(name, text)` on their first `k` principal components, and the variance
    each explains: made once per text, not on every move of the page's step slider."""
    _, run = sequence_run(name, text)
    points, explained = recurrent.pca(run.trace["h"], k)
    return frozen(points), frozen(explained)


@st.cache_data(show_spinner=False, max_entries=16)
@heavy
def fields(name: str) -> list[receptive_field.FieldInfo]:
    """Theoretical receptive field of every node of architecture `name`."""
    return receptive_field.theoretical_fields(spec_of(name).build())


@shared(4)
def untrained_model(name: str) -> nn.Module:
    """Architecture `name` with its default random initialisation (seed 0), on the app's device."""
    torch.manual_seed(0)
    return spec_of(name).build().to(device_choice().device).eval()


@st.cache_data(show_spinner=False, max_entries=32)
def effective_field(name: str, weights: str, layer: str, trained: bool) -> np.ndarray:
    """|∂ centre unit / ∂ input| of `layer` for the trained or the untrained network, on a fixed noise input."""
    net = model(name, weights)[0] if trained else untrained_model(name)
    with _HEAVY:
        return receptive_field.effective_field(net, layer, spec_of(name).input_size)


@st.cache_data(show_spinner=False, max_entries=32)
def sweep(name: str, weights: str, digest: str, layer: str, shifts: tuple[int, ...], jump: int,
          _x: torch.Tensor) -> translation.ShiftSweep:
    """Prediction and `layer`'s equivariance of model `name` for horizontal shifts of the picture `digest`."""
    net, _ = model(name, weights)
    graph = extractor(name, layer, weights)
    with _HEAVY:
        return translation.shift_sweep(net, graph, layer, _x, list(shifts), jump)


@st.cache_data(show_spinner=False, max_entries=16)
def gray_thumbnail(_picture: DecodedImage, digest: str, side: int) -> np.ndarray:
    """The picture `digest` in gray, at most side × side, values in [0, 1]."""
    return preprocess.gray_thumbnail(_picture.pixels, side)


@st.cache_data(show_spinner=False, max_entries=32)
def shifted_view(name: str, weights: str, digest: str, dx: int, _x: torch.Tensor) -> tuple[np.ndarray, int, float]:
    """The picture `digest` shifted by `dx` pixels as model `name` sees it, its top-1 class and probability."""
    net, _ = model(name, weights)
    with _HEAVY:
        view = translation.shifted_prediction(net, _x, dx)
    return preprocess.to_display(view.x, spec_of(name)), view.top1, view.prob


@st.cache_data(show_spinner=False, max_entries=64)
@heavy
def grad_norms_at_init(cell: str, steps: int, hidden: int, kind: str, scale: float, nonlinearity: str,
                       input_scale: float, gate_bias: float, seed: int = 0) -> tuple[np.ndarray, float, np.ndarray | None]:
    """‖∂L/∂h_t‖ of a freshly initialised cell on a fixed random input, σ_max(W_hh), and (RNN) Pascanu's bound.

    `gate_bias` is added to the keep-gate's biases: the LSTM's forget gate, the GRU's update gate (unused by the RNN).
    """
    init = gradients.RecurrentInit(kind, scale, forget_bias=gate_bias if cell == "lstm" else 0.0,
                                   update_bias=gate_bias if cell == "gru" else 0.0)
    net = gradients.make_cell(cell, 8, hidden, init, nonlinearity, seed)
    x = torch.randn(8, steps, 8, generator=torch.Generator().manual_seed(seed)) * input_scale
    norms = gradients.hidden_state_grad_norms(net, x)
    bound = gradients.pascanu_bound(net, steps) if cell == "rnn" else None
    return norms, gradients.largest_singular_value(net), bound


@st.cache_data(show_spinner=False, max_entries=16)
def grad_norms_trained(name: str, text: str) -> np.ndarray:
    """‖∂L/∂h_t‖ of a bundled character model's recurrent layer on `text` (its own embedding as input)."""
    net, _ = sequence_model(name)
    encoded = encode(text, sequence_spec_of(name).vocab)
    with _HEAVY:
        with torch.no_grad():
            x = net.inputs(torch.as_tensor(encoded.ids)[None].to(device_choice().device))
        return gradients.hidden_state_grad_norms(net.rnn, x)


@st.cache_data(show_spinner=False, max_entries=32)
@heavy
def depth_grads(depth: int, residual: bool, activation: str, batch_norm: bool, train_steps: int) -> list[tuple[str, float]]:
    """Per-layer weight-gradient norms of a deep plain or residual CNN (see core.probes.gradients)."""
    return gradients.depth_grad_norms(depth, residual, activation, batch_norm, train_steps)


@st.cache_data(show_spinner=False)
def bundled_curves(file: str) -> dict | None:
    """Training curves made by `python -m core.train adding|depth` (assets/curves/FILE), or None if missing."""
    import json

    from core.weights import ASSETS

    path = ASSETS / "curves" / file
    return json.loads(path.read_text()) if path.exists() else None


@shared()
def mnist1d() -> MNIST1D:
    """The MNIST-1D splits, generated once per server (≈ 4 s)."""
    return load_mnist1d()


@shared(8)
def mnist1d_model(name: str) -> nn.Module:
    """Bundled MNIST-1D model `name` (seed 0) on the app's device."""
    return load_mnist1d_model(name, device_choice().device)


@st.cache_data(show_spinner=False, max_entries=512)
def mnist1d_inspect(name: str, index: int) -> dict[str, np.ndarray]:
    """For test sequence `index`: class probabilities, gradient × input of the predicted class, and the
    model's own view (hidden states of a recurrent model, attention weights of the Transformer)."""
    data, net = mnist1d(), mnist1d_model(name)
    x = torch.from_numpy(data.x_test[index]).to(device_choice().device)
    with _HEAVY:
        with torch.no_grad():
            logits = net(x[None])[0]
            out = {"probs": torch.softmax(logits, 0).cpu().numpy()}
            if isinstance(net, RecurrentClassifier):
                out["states"] = net.states(x[None])[0].cpu().numpy()
            elif isinstance(net, TinyTransformer):
                out["attention"] = net.attend(x[None])[1][0].cpu().numpy()
        out["saliency"] = input_gradient(net, x, int(logits.argmax())).cpu().numpy()
    return out


@st.cache_data(show_spinner=False, max_entries=32)
def mnist1d_costs(name: str, device: str) -> dict[str, float]:
    """Parameters, FLOPs and forward latency of one sequence, measured on `device`."""
    net = mnist1d_model(name)
    with _HEAVY:
        return mnist1d_measure(net)


@st.cache_data(show_spinner=False, max_entries=16)
@heavy
def scaling_sweep(lengths: tuple[int, ...], batch: int, device: str) -> list[dict]:
    """Latency, peak memory and sequential steps of Conv1d / LSTM / GRU / attention at each length, on `device`."""
    from dataclasses import asdict

    return [asdict(p) for p in scaling.sweep(list(lengths), batch=batch, device=device)]


@shared(4)
def reverser(name: str) -> nn.Module:
    """A bundled string-reversal encoder–decoder (CPU: one short string at a time)."""
    return load_reverser(name)


@st.cache_data(show_spinner=False, max_entries=256)
def reverse(name: str, text: str) -> tuple[str, list[str], np.ndarray | None, np.ndarray | None]:
    """Greedy output of model `name` for `text` as a string and as the tokens of each output step, its
    attention (output × input, or heads × output × input) and, for the Transformer, the encoder's
    self-attention; raises Seq2SeqInputError for a bad input."""
    ids = encode_letters(text)
    net = reverser(name)
    with _HEAVY:
        decoded = net.decode(torch.tensor([ids]))
    arrays = [None if a is None else a.cpu().numpy() for a in (decoded.attention, decoded.encoder_attention)]
    return decode_letters(decoded.ids), [VOCAB[i] for i in decoded.ids], arrays[0], arrays[1]
