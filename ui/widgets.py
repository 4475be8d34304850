"""Widgets shared by several pages: model picker, picture picker, weights notice, device panel."""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import streamlit as st
import torch
from torch import nn

from core import plots
from core.data.preprocess import ModelInput

from core.data.images import UPLOAD_TYPES, DecodedImage, ImageInputError, MAX_BYTES
from core.data.samples import sample_with_digest, samples_for
from core.i18n import N_, _, language
from core.markup import escape_markdown
from core.models.catalogue import ModelSpec, model_names
from core.probes import domain
from core.weights import WeightsStatus, WeightsUnavailable, download_imagenet_weights, visitors_may_download
from ui import models, own_models, vision
from ui.charts import chart
from ui.links import encode, linked


def table(where: Any, rows: list[dict]) -> None:
    """`rows` as a full-width table without the index, in `where` (st, a column, a tab).

    Sent as an Arrow table (about 0.6 ms) rather than as the rows themselves, which st.dataframe takes
    through pandas on every rerun (about 3 ms). Rows Arrow cannot type (a column mixing numbers and
    text) or whose keys differ go as they are.
    """
    data: object = rows
    if rows and all(row.keys() == rows[0].keys() for row in rows):
        try:
            data = pa.Table.from_pylist(rows)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    where.dataframe(data, hide_index=True, width="stretch")


def start_over_when(key: str, about: str, value: object) -> None:
    """Set the widget `key` to `value` whenever `about` (what it describes: a picture and model) changes.

    A control about one picture (the class to explain, the channel to enlarge) keeps the value it had for
    the previous picture otherwise, and the figures beside it explain that old choice, not what the new
    picture shows. Call it before the widget is created; `value` must be the widget's own default so
    Streamlit does not warn about a value set twice.
    """
    marker = f"{key}:about"
    if st.session_state.get(marker) != about:
        st.session_state[marker] = about
        st.session_state[key] = value


def linked_value(key: str, default: Any, allowed: Collection[Any] | Callable[[Any], bool],
                 about: object = None) -> None:
    """Call just before drawing the widget `key` (without index= or value=): its value comes from the URL on the
    session's first sight (`ui.links.linked`, `default` when the URL has none that is `allowed`), goes back to
    `default` whenever `about` changes (the model or picture it is about: a layer of one model means nothing
    for another) or it is no longer allowed (a slider whose range shrank), and the URL follows it."""
    marker = f"{key}:about"
    if key in st.session_state:
        value = st.session_state[key]
        ok = allowed(value) if callable(allowed) else value in allowed
        if st.session_state.get(marker) != about or not ok:
            st.session_state[key] = default
    st.session_state[marker] = about
    linked(key, default, allowed)


def linked_list(key: str, default: list, options: Sequence[Any], most: int | None = None) -> None:
    """`linked_value` for a multiselect: its list of `options` (at most `most`, none repeated) from the URL on
    the session's first sight, kept to the options still offered, and the URL following it."""
    if key in st.session_state:
        st.session_state[key] = [v for v in st.session_state[key] if v in options]
    else:
        raw = st.query_params.get(key)
        offered = {encode(v): v for v in options}
        chosen = [offered.get(part) for part in raw.split("~")] if raw else []
        fits = chosen and None not in chosen and len(set(chosen)) == len(chosen) and len(chosen) <= (most or len(chosen))
        st.session_state[key] = chosen if fits else list(default)
    linked(key, default, lambda v: all(item in options for item in v))


def model_label(name: str) -> str:
    """'LeNet-5 (1998)' for the registry; '★ Yours: …' for a model this session trained."""
    spec = models.spec_of(name)
    if own_models.lookup(name):
        return _("★ Yours: {title}").format(title=_(spec.title))
    return _("{title} ({year})").format(title=_(spec.title), year=spec.year)


def class_label(spec: ModelSpec, index: int) -> str:
    """Class `index` of `spec` as the learner reads it: the shapes' and textures' names in the run's language;
    digits, ImageNet's 1,000 names and a learner's own class names as they are."""
    name = spec.classes[index]
    if spec.world not in ("shapes", "eras"):
        return name
    shape, _comma, texture = name.partition(", ")
    return _("{shape}, {texture}").format(shape=_(shape), texture=_(texture)) if texture else _(shape)


def class_labels(spec: ModelSpec) -> list[str]:
    """Every class of `spec` as `class_label` shows it."""
    return [class_label(spec, i) for i in range(spec.num_classes)]


def model_picker(key: str, label: str = N_("Model"), default: str = "lenet5") -> ModelSpec:
    """A select box over the registry and this session's own models (marked ★, listed last), linked to the URL."""
    names = model_names() + own_models.session_names("image")
    linked_value(key, default, names)  # a model of an ended lab run falls back to the default
    name = st.selectbox(_(label), names, key=key, format_func=model_label)
    return models.spec_of(name)


def picture_picker(kind: str, key: str) -> DecodedImage | None:
    """Pick a bundled sample or upload a picture; returns the picture to use, or None when there is none yet.

    Until an upload arrives, and after a bad one (whose reason is shown), the page keeps the picture it
    showed last. Stopping the page instead would drop every control below the picker from the browser for
    one run; the browser then draws them anew at their defaults while the server still holds the learner's
    choices, and the next click silently jumps to those defaults.
    """
    shown_key = f"{key}_shown_picture"
    linked(f"{key}_source", "Sample", SOURCES, in_url=False)  # keeps its value when the language (its labels) changes;
    # not in the URL: an uploaded file does not travel with a link
    source = st.radio(_("Picture"), list(SOURCES), horizontal=True, key=f"{key}_source",
                      format_func=lambda s: _(SOURCES[s]))
    if source == "Sample":
        options = {s.file: s for s in samples_for(kind)}
        files = list(options)
        linked_value(f"{key}_sample", files[0], files, about=kind)  # a new kind of model opens on its own world
        chosen = st.selectbox(_("Sample"), files, key=f"{key}_sample", format_func=lambda f: _(options[f].title))
        picture = vision.sample(options[chosen], chosen)
        st.session_state[shown_key] = (picture, "sample")
        return picture
    uploaded = st.file_uploader(
        _("Your picture (PNG, JPEG, WebP, BMP, GIF or TIFF, up to {size} MB)").format(size=MAX_BYTES // 10**6),
        type=UPLOAD_TYPES, key=f"{key}_upload",
    )
    previous, origin = st.session_state.get(shown_key, (None, None))
    if uploaded is None:
        if origin == "sample":
            st.caption(_("Until you upload a picture, the page keeps the sample it showed."))
        return previous
    try:
        picture = vision.upload(uploaded.file_id, language(), uploaded.getvalue())
    except ImageInputError as err:
        st.error(f"**{escape_markdown(uploaded.name)}**: {escape_markdown(str(err))}")
        if previous is not None:
            st.caption(_("Still showing your previous picture."))
        return previous
    for note in picture.notes:
        st.caption(note)
    st.session_state[shown_key] = (picture, "upload")
    return picture


def own_world_picture(spec: ModelSpec) -> DecodedImage:
    """The first bundled sample of `spec`'s world (of its input kind when its classes are someone's own)."""
    first = samples_for(spec.world or spec.input_kind)[0]
    return vision.sample(first, first.file)


@dataclass(frozen=True)
class PictureChoice:
    """One picture for every model (`shared`), or, when `shared` is None, each model a sample of its own world."""

    shared: DecodedImage | None

    def for_model(self, spec: ModelSpec) -> DecodedImage:
        return self.shared if self.shared is not None else own_world_picture(spec)


SOURCES = {"Sample": N_("Sample"), "Upload": N_("Upload")}  # where `picture_picker` takes its picture from
PICTURE_MODES = {"own": N_("Each model its own world"), "one": N_("One picture for all")}


def pictures_picker(kind: str, key: str) -> PictureChoice | None:
    """For pages that run several models: each on a sample of the world it was trained on (the default: every
    answer then means something), or one picture for all (`picture_picker`). None when there is no picture yet."""
    linked_value(f"{key}_mode", "own", PICTURE_MODES)
    mode = st.radio(_("Pictures"), list(PICTURE_MODES), horizontal=True, key=f"{key}_mode",
                    format_func=lambda m: _(PICTURE_MODES[m]))
    if mode == "own":
        st.caption(_("Each model reads a bundled sample of what it was trained on: a digit for LeNet-5, a shape for "
                     "the Small VGG, a textured shape for the era models, a photo for the ImageNet models."))
        return PictureChoice(None)
    picture = picture_picker(kind, key)
    return None if picture is None else PictureChoice(picture)


def weights_notice(spec: ModelSpec, status: WeightsStatus) -> None:
    """Say where the weights came from, in the sidebar; offer the ImageNet download when they are missing."""
    with st.sidebar:
        st.markdown(_("**{model}** weights").format(model=escape_markdown(_(spec.title))))  # an own title is typed
        if status.source == "random":
            st.warning(status.message)
        else:
            st.caption(escape_markdown(status.message) if status.source == "own" else status.message)
    if status.source == "random" and spec.torchvision_weights is not None:
        st.warning(_(
            "{model} is showing a **randomly initialised** network: its ImageNet weights are not on this machine. "
            "Shapes, parameters and feature maps are real; predictions are meaningless."
        ).format(model=_(spec.title)))
        if visitors_may_download() and st.button(_("Download {model} weights ({size} MB)").format(
                model=_(spec.title), size=spec.torchvision_weights.meta.get("_file_size", "?")),
                key=f"download_{spec.name}"):
            with st.spinner(_("Downloading {url} …").format(url=spec.torchvision_weights.url)):
                try:
                    download_imagenet_weights(spec)
                except WeightsUnavailable as err:
                    st.error(_("{error} Without internet, copy the file into the folder named above.").format(error=err))
                else:
                    st.rerun()


@dataclass(frozen=True)
class Prediction:
    """A registry model loaded, a picture prepared for it, and the model's class probabilities."""

    spec: ModelSpec
    net: nn.Module
    status: WeightsStatus
    weights: str
    prepared: ModelInput
    key: str  # picture digest + model name: the cache key of everything computed from this pair
    probs: np.ndarray
    world_note: str | None = None  # a sentence when the picture is outside the model's world


def working(text: str, cached: bool) -> contextlib.AbstractContextManager:
    """`st.spinner(text)`, or nothing when the result is already cached.

    A spinner starts a timer thread on every rerun, used or not: ≈ 0.4 ms on an idle server, and up to
    ≈ 0.1 s under load, where the new thread first has to win the GIL from every other session.
    """
    return contextlib.nullcontext() if cached else st.spinner(text)


def predict(spec: ModelSpec, picture: DecodedImage, notice: bool = True) -> Prediction:
    """Load `spec` (with a spinner that names it), prepare `picture` for it and classify it."""
    weights = models.weights_key(spec.name)
    with working(_("Loading {model} …").format(model=_(spec.title)), models.model_ready(spec.name, weights)):
        net, status = models.model(spec.name, weights)
    if notice:
        weights_notice(spec, status)
    prepared = vision.model_input(spec.name, picture, picture.digest)
    key = f"{picture.digest}:{spec.name}"
    probs = vision.probabilities(spec.name, key, weights, prepared.tensor)
    return Prediction(spec, net, status, weights, prepared, key, probs,
                      world_note(spec, picture, weights, key, prepared.tensor, probs))


def world_note(spec: ModelSpec, picture: DecodedImage, weights: str, key: str, x: torch.Tensor,
               probs: np.ndarray) -> str | None:
    """A sentence when `picture` is outside `spec`'s world: named for a bundled sample from another world,
    measured for an upload to a model whose training data is here (core.probes.domain); else None."""
    top1 = int(probs.argmax())
    label, prob = class_label(spec, top1), float(probs[top1])
    sample = sample_with_digest(picture.digest)
    if sample is not None:
        return domain.outside_world_note(spec, sample, label, prob)
    if spec.name not in domain.REFERENCES:
        return None
    with working(_("Measuring how far this picture is from {model}'s training data (once per server) …").format(
            model=_(spec.title)),
                 vision.domain_reference.has(spec.name, weights)):
        reference = vision.domain_reference(spec.name, weights)
    measured = vision.familiarity(spec.name, key, weights, x)
    return domain.unlike_note(spec, reference, measured, label, prob)


def input_and_top5(p: Prediction, prefix: str) -> None:
    """'What the model sees' beside its top-5 bars."""
    seen, top5 = st.columns([2, 3])
    chart(seen, plots.image_figure, p.prepared.display,
          _("Model input, {width}×{height}").format(width=p.spec.input_size[2], height=p.spec.input_size[1]),
          height=300, key=f"{prefix}_input")
    chart(top5, plots.top_k_bar, class_labels(p.spec), p.probs, 5, _("Top-5 prediction"), key=f"{prefix}_top5")
    if not p.status.is_trained:
        top5.caption(_("Untrained weights: these probabilities are close to uniform noise."))
    if p.spec.world == "imagenet" and language() != "en":
        top5.caption(_("ImageNet's 1,000 class names are shown in English, as the dataset names them."))
    if p.world_note:
        top5.warning(p.world_note)
