"""Models on the app's device, whether from the catalogue or a session's own, and what they are made of.

Models are `shared` (ui.shared_cache: one copy for every session, what st.cache_resource does at a dict
lookup's cost); the rest is `st.cache_data` (a copy per read). Arguments named with a leading "_" are not
part of the key.
"""
from __future__ import annotations

from typing import Callable, TypeVar

import numpy as np
import pyarrow as pa
import streamlit as st
import torch
from torch import nn

from core.i18n import _
from core.models.catalogue import ModelSpec, get_spec
from core.probes import activations, receptive_field
from core.probes import costs as measured
from core.weights import WeightsStatus, load_model, weights_source
from ui import own_models
from ui.scheduling import device_choice, heavy, heavy_slot
from ui.shared_cache import shared

R = TypeVar("R")


def spec_of(name: str, kind: str = "image") -> ModelSpec:
    """The catalogue entry `name` of `kind`, or one of this session's own models."""
    own = own_models.lookup(name)
    return own.spec if own is not None and own.kind == kind else get_spec(name, kind)


def weights_key(name: str, kind: str = "image") -> str:
    """Where model `name`'s weights come from now (core.weights.SOURCES: 'bundled', 'imagenet', 'own' or
    'random'): part of every cache key, so a download refreshes the model."""
    return weights_source(spec_of(name, kind))


@shared(16)
@heavy
def _catalogue_model(name: str, weights: str, kind: str) -> tuple[nn.Module, WeightsStatus]:
    with torch.no_grad():
        return load_model(name, device_choice().device, kind)


def model(name: str, weights: str, kind: str = "image") -> tuple[nn.Module, WeightsStatus]:
    """Model `name` of `kind` on the app's device, and where its weights came from: a catalogue entry (loaded
    once per server) or this session's own; `weights` is `weights_key(name, kind)`."""
    own = own_models.lookup(name)
    if own is not None:
        return own.net, own.status
    return _catalogue_model(name, weights, kind)


def model_ready(name: str, weights: str) -> bool:
    """Whether `model(name, weights)` is loaded already (a session's own model always is)."""
    return weights == "own" or _catalogue_model.has(name, weights, "image")


@shared(32)
def _catalogue_extractor(name: str, layer: str, weights: str) -> nn.Module:
    net = model(name, weights)[0]
    return activations.make_extractor(net, [layer])


def extractor(name: str, layer: str, weights: str) -> nn.Module:
    """A feature-extraction graph returning `layer` of model `name`, sharing that model's weights (an own
    model keeps its graphs itself, so they go with it)."""
    own = own_models.lookup(name)
    if own is None:
        return _catalogue_extractor(name, layer, weights)
    if layer not in own.extractors:
        own.extractors[layer] = activations.make_extractor(own.net, [layer])
    return own.extractors[layer]


def probe(name: str, weights: str, measure: Callable[[nn.Module, tuple[int, int, int]], R]) -> R:
    """`measure(net, input_size)` of image model `name`, in a heavy-work slot taken after the model is fetched."""
    net = model(name, weights)[0]
    with heavy_slot():
        return measure(net, spec_of(name).input_size)


@st.cache_data(show_spinner=False, max_entries=16)
def layers(name: str, weights: str) -> list[activations.LayerInfo]:
    """The layer table of model `name`."""
    return probe(name, weights, activations.list_layers)


@shared(16)
def layer_table(name: str, weights: str, language: str) -> pa.Table:
    """`layers(name, weights)` as the Arrow table the page shows, headers in `language` (the run's:
    `core.i18n.language()`), made once: st.dataframe sends an Arrow table as it is (0.4 ms) but takes a list of
    rows through pandas on every rerun (3 ms)."""
    rows = layers(name, weights)
    return pa.table({
        "#": list(range(len(rows))),
        _("layer"): [layer.name for layer in rows],
        _("operation"): [layer.op for layer in rows],
        _("output shape"): [" × ".join(map(str, layer.shape)) for layer in rows],
        _("values"): [int(np.prod(layer.shape)) for layer in rows],
    })


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
    with heavy_slot():
        net = spec.build().to(device).eval()
        return {**counted, "latency_s": measured.forward_latency(net, spec.input_size, repeats=3)}


@shared(4)
def zoo_costs(device: str, _on_progress: Callable[[int, str], None] | None = None) -> dict[str, dict[str, float]]:
    """`costs` of every architecture of the zoo on `device`, as one value: the compare page reads the whole zoo
    on every rerun, and one cache lookup is cheaper than twelve. Measuring them takes seconds the first time
    (VGG-16's latency alone ≈ 2 s on 2 cores): `_on_progress(k, name)` is told before each, and `zoo_costs.has`
    says whether a page can show them at once."""
    from core.models.catalogue import model_names

    measured = {}
    for k, name in enumerate(model_names("image")):
        if _on_progress is not None:
            _on_progress(k, name)
        measured[name] = costs(name, device)
    return measured


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


@st.cache_data(show_spinner=False)
def bundled_curves(file: str) -> dict | None:
    """Training curves made by `python -m core.train adding|depth` (assets/curves/FILE), or None if missing."""
    import json

    from core.weights import ASSETS

    path = ASSETS / "curves" / file
    return json.loads(path.read_text()) if path.exists() else None
