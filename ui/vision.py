"""Pictures, and what the CNNs make of them: predictions, feature maps, Grad-CAM and attributions, how
familiar a picture is, receptive fields and shifts.

Pictures and per-picture results are read on every rerun of the CNN pages. As `shared` values they are
handed out as they are (st.cache_data would unpickle a fresh copy per read: milliseconds per photo, per
model, per rerun); their arrays are read-only, so sharing them is safe. Arguments named with a leading "_"
(a tensor, a decoded picture) are not part of the key.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import streamlit as st
import torch

from core.data import preprocess
from core.data.images import DecodedImage, decode_image
from core.data.preprocess import ModelInput, prepare_image
from core.data.samples import Sample, load_sample
from core.i18n import _
from core.probes import activations, domain, receptive_field, saliency, translation
from ui import charts
from ui.models import extractor, model, probe, size, spec_of, untrained_model
from ui.scheduling import heavy_slot
from ui.shared_cache import frozen, shared


@shared(64)
def sample(_sample: Sample, file: str) -> DecodedImage:
    """A bundled sample picture, decoded once."""
    picture = load_sample(_sample)
    frozen(picture.pixels)
    return picture


@shared(16)
def upload(file_id: str, language: str, _data: bytes) -> DecodedImage:
    """An uploaded file, decoded once per language (raises core.data.images.ImageInputError; its notes are
    sentences in `language`). Keyed by the upload's id, which Streamlit makes anew for every upload: a key of the
    bytes themselves would keep up to 16 files alive. Decoded in a heavy-work slot: a 40-megapixel picture takes a
    second and hundreds of MB."""
    with heavy_slot():
        picture = decode_image(_data)
    frozen(picture.pixels)
    return picture


@shared(64)
def model_input(name: str, _picture: DecodedImage, digest: str) -> ModelInput:
    """The picture prepared for model `name` (the tensor is only ever read by models)."""
    prepared = prepare_image(_picture.pixels, spec_of(name).preprocessing)
    charts.name_array(frozen(prepared.display), "model_input", name, digest)
    return prepared


@shared(64)
def probabilities(name: str, digest: str, weights: str, _x: torch.Tensor) -> np.ndarray:
    """Class probabilities of model `name` for the prepared picture `digest`."""
    net = model(name, weights)[0]
    with heavy_slot():
        return frozen(activations.predict(net, _x).numpy())


@shared(32)
def layer_maps(name: str, layer: str, digest: str, weights: str, _x: torch.Tensor) -> np.ndarray:
    """The output of `layer` for the prepared picture `digest`, without the batch axis."""
    graph = extractor(name, layer, weights)
    with heavy_slot():
        maps = activations.feature_maps(graph, _x)[layer][0].numpy()
    return charts.name_array(frozen(maps), "layer_maps", name, layer, digest, weights)


@shared(16)
def cam_layers(name: str, weights: str) -> tuple[saliency.SpatialModule, ...]:
    """Modules of model `name` with a spatial output: the layers Grad-CAM can read. Shared, not copied per
    read (frozen records in a tuple: nobody can change them), since four pages read it on every rerun."""
    return tuple(probe(name, weights, saliency.spatial_modules))


@st.cache_data(show_spinner=False, max_entries=16)
def cam_notes(name: str, weights: str, language: str) -> list[saliency.LayerNote]:
    """Every module of model `name`, marked usable for Grad-CAM or not, with the reason in `language` (the run's:
    `core.i18n.language()`)."""
    return probe(name, weights, saliency.cam_layer_notes)


@shared(16)
def cam_notes_table(name: str, weights: str, suggested: str, language: str) -> pa.Table:
    """`cam_notes(name, weights, language)` as the Arrow table the saliency page shows, `suggested` marked (see
    `ui.models.layer_table`), its headers in `language`."""
    notes = cam_notes(name, weights, language)
    return pa.table({
        _("layer"): [n.name for n in notes],
        _("operation"): [n.op for n in notes],
        _("output"): [" × ".join(map(str, n.shape)) for n in notes],
        "Grad-CAM": [(_("✓ suggested") if n.name == suggested else "✓") if n.usable else "✗" for n in notes],
        _("why"): [n.why for n in notes],
    })


@shared(64)
def attribution(name: str, weights: str, digest: str, method: str, target: int,
                params: tuple[tuple[str, object], ...], _x: torch.Tensor,
                _on_progress: saliency.Progress | None = None) -> np.ndarray:
    """The (H, W) map of `method` for class `target` (raises core.probes.saliency.SaliencyError).

    `_on_progress` goes to the methods in saliency.STOPPABLE_METHODS; a stopped one raises
    saliency.AttributionStopped, and nothing is cached for it. Occlusion over the server's budget is refused before
    it waits for a slot (saliency.check_occlusion_budget)."""
    if method == "Occlusion":
        options = dict(params)
        saliency.check_occlusion_budget(*_x.shape[-2:], int(options["window"]), int(options["stride"]),
                                        size(name)["flops"])
    net = model(name, weights)[0]
    kwargs = dict(params, on_progress=_on_progress) if method in saliency.STOPPABLE_METHODS else dict(params)
    with heavy_slot():
        heat = saliency.METHODS[method](net, _x, target, **kwargs)
    return charts.name_array(frozen(heat), "attribution", name, weights, digest, method, target, params)


@shared(4)
def domain_reference(name: str, weights: str) -> domain.Reference:
    """Model `name`'s training pictures as vectors and the held-out threshold (a registry model in
    domain.REFERENCES): made once per server, on the first upload it has to judge."""
    net = model(name, weights)[0]
    with heavy_slot():
        return domain.REFERENCES[name](net, spec_of(name))


@shared(64)
def familiarity(name: str, digest: str, weights: str, _x: torch.Tensor) -> domain.Familiarity:
    """How far the prepared picture `digest` lies from model `name`'s training pictures."""
    reference = domain_reference(name, weights)
    net = model(name, weights)[0]
    with heavy_slot():
        return domain.familiarity(reference, net, _x)


@st.cache_data(show_spinner=False, max_entries=32)
def effective_field(name: str, weights: str, layer: str, trained: bool) -> np.ndarray:
    """|∂ centre unit / ∂ input| of `layer` for the trained or the untrained network, on a fixed noise input."""
    net = model(name, weights)[0] if trained else untrained_model(name)
    with heavy_slot():
        return receptive_field.effective_field(net, layer, spec_of(name).input_size)


@st.cache_data(show_spinner=False, max_entries=32)
def sweep(name: str, weights: str, digest: str, layer: str, shifts: tuple[int, ...], jump: int,
          _x: torch.Tensor) -> translation.ShiftSweep:
    """Prediction and `layer`'s equivariance of model `name` for horizontal shifts of the picture `digest`."""
    net = model(name, weights)[0]
    graph = extractor(name, layer, weights)
    with heavy_slot():
        return translation.shift_sweep(net, graph, layer, _x, list(shifts), jump)


@st.cache_data(show_spinner=False, max_entries=16)
def gray_thumbnail(_picture: DecodedImage, digest: str, side: int) -> np.ndarray:
    """The picture `digest` in gray, at most side × side, values in [0, 1]."""
    return preprocess.gray_thumbnail(_picture.pixels, side)


@st.cache_data(show_spinner=False, max_entries=32)
def shifted_view(name: str, weights: str, digest: str, dx: int, _x: torch.Tensor) -> tuple[np.ndarray, int, float]:
    """The picture `digest` shifted by `dx` pixels as model `name` sees it, its top-1 class and probability."""
    net = model(name, weights)[0]
    with heavy_slot():
        view = translation.shifted_prediction(net, _x, dx)
    return preprocess.to_display(view.x, spec_of(name).preprocessing), view.top1, view.prob
