"""Is a picture from the world a model was trained on? Named for the bundled samples, measured for uploads.

A classifier gives every input a confident-looking answer: a cat photo through the digit reader comes
out "4, 99%". A bundled sample knows its world (core.data.samples), so a sample from another world is
named as such. For an upload we measure it: the picture becomes a vector (the prepared input itself, or a
layer's output), L2-normalised, and its distance to the K-th nearest vector of the model's own training
pictures is compared with the same distance for held-out pictures of that world. Above their 99th
percentile the picture "looks unlike anything the model was trained on" (the nearest-neighbour test of
Sun et al. 2022, "Out-of-distribution detection with deep nearest neighbors"). ImageNet models have no
training data here, so an upload through them is not judged.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from core.data.samples import Sample
from core.i18n import N_, _
from core.models.catalogue import ModelSpec
from core.probes import activations

K = 5  # the neighbour whose distance counts: the 5th nearest, so one odd training picture cannot vouch alone
PERCENTILE = 0.99  # held-out pictures of the model's own world farther than this are 1 in 100


@dataclass(frozen=True)
class World:
    """The pictures a model was trained on: what it knows (plural) and what one picture of it is (marked with
    `N_`, translated where a note is written)."""

    knows: str
    one: str


WORLDS: dict[str, World] = {
    "digit": World(N_("handwritten digits 0–9"), N_("a handwritten digit")),
    "shapes": World(N_("six drawn shapes — circle, square, triangle, star, cross, ring — on cluttered backgrounds"),
                    N_("a drawn shape")),
    "eras": World(N_("twelve textured shapes — a circle, square or triangle filled with stripes or checks — on "
                     "faintly textured backgrounds"), N_("a textured shape")),
    "imagenet": World(N_("photos of the 1,000 ImageNet classes"), N_("a photo")),
}


def outside_world_note(spec: ModelSpec, sample: Sample, top1: str, prob: float) -> str | None:
    """A sentence when bundled `sample` is from another world than `spec`'s; None when it is from its own
    world, or when the model's world is unknown (its classes are someone's own). `top1` is the class as shown."""
    if spec.world is None or sample.kind == spec.world:
        return None
    return _("{model} only knows {knows}; “{sample}” is {one}, outside its world, so “{label}, {prob:.0%}” means "
             "nothing.").format(model=_(spec.title), knows=_(WORLDS[spec.world].knows), sample=_(sample.title),
                                one=_(WORLDS[sample.kind].one), label=top1, prob=prob)


@dataclass(frozen=True)
class Reference:
    """A model's training pictures as vectors, and how far held-out pictures of its world lie from them."""

    layer: str | None  # where the vectors are read: a layer of the model, or None for the prepared input
    vectors: torch.Tensor  # (N, D) training pictures, L2-normalised
    threshold: float  # PERCENTILE of the held-out pictures' distance to their K-th nearest training vector
    data: str  # what the training pictures are, e.g. "1,347 training digits"
    held_out: str  # what the held-out pictures are, e.g. "held-out digits"
    method: str  # one line: how the distance is measured, with {model} and {k} to fill
    # held_out and method are English message ids (N_), translated where a note is written: one cached reference
    # serves every language


def picture_vectors(model: nn.Module, layer: str | None, x: torch.Tensor, batch: int = 256) -> torch.Tensor:
    """(N, C, H, W) prepared pictures → (N, D) L2-normalised vectors: `x` itself, or `layer`'s output."""
    if layer is None:
        return F.normalize(x.detach().flatten(1).float().cpu(), dim=1)
    graph = activations.make_extractor(model, [layer])
    device = next(model.parameters()).device
    with torch.inference_mode():
        parts = [graph(x[i:i + batch].to(device))[layer].flatten(1).float().cpu() for i in range(0, len(x), batch)]
    return F.normalize(torch.cat(parts), dim=1)


def neighbour_distance(vectors: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """(N,) distance from each of `vectors` (N, D) to its K-th nearest row of `reference` (M, D)."""
    return torch.cdist(vectors, reference).topk(min(K, len(reference)), largest=False).values[:, -1]


def build_reference(model: nn.Module, layer: str | None, train: torch.Tensor, held_out: torch.Tensor, data: str,
                    held_out_name: str, method: str) -> Reference:
    """A Reference from prepared training pictures and held-out ones of the same world (N, C, H, W)."""
    vectors = picture_vectors(model, layer, train)
    distances = neighbour_distance(picture_vectors(model, layer, held_out), vectors)
    return Reference(layer, vectors, float(torch.quantile(distances, PERCENTILE)), data, held_out_name, method)


def digits_reference(model: nn.Module, spec: ModelSpec) -> Reference:
    """LeNet-5's reference: the 32×32 input itself, from scikit-learn's digits (train split; test split held out).

    Its own features do not tell photos from digits: squeezed into the digit format (an 8×8 scan of the
    brightest blob) a photo lands among the digits in every layer from C5 on, while the 32×32 pixels still
    set every bundled photo and shape apart (tests/test_domain.py holds both).
    """
    from core.training.tasks import digits_tensors

    train = digits_tensors("train", spec)[0]
    test = digits_tensors("test", spec)[0]
    return build_reference(model, None, train, test, f"{len(train):,} training digits", N_("held-out digits"),
                           N_("the distance from the picture as {model} sees it (32×32) to its {k}th-nearest "
                              "training digit"))


def shapes_reference(model: nn.Module, spec: ModelSpec, n_train: int = 1200, n_held_out: int = 300) -> Reference:
    """The shapes model's reference: its penultimate features (after global pooling) of pictures from its
    training generator (seed 1) against held-out ones (seed 2, the seed its accuracy was measured on)."""
    from core.training.tasks import SHAPES_TEST_SEED, SHAPES_TRAIN_SEED, shapes_tensors

    train = shapes_tensors(n_train, SHAPES_TRAIN_SEED, spec)[0]
    held_out = shapes_tensors(n_held_out, SHAPES_TEST_SEED, spec)[0]
    return build_reference(model, "avgpool", train, held_out, f"{n_train:,} training shapes", N_("held-out shapes"),
                           N_("the distance from the picture's penultimate-layer features to those of its "
                              "{k}th-nearest training shape"))


REFERENCES = {"lenet5": digits_reference, "small_vgg": shapes_reference}
"""Registry models whose training data is here to measure against (ImageNet's is not)."""


@dataclass(frozen=True)
class Familiarity:
    """How far one picture lies from a model's training pictures, against the held-out threshold."""

    distance: float
    threshold: float

    @property
    def unlike(self) -> bool:
        return self.distance > self.threshold


def familiarity(reference: Reference, model: nn.Module, x: torch.Tensor) -> Familiarity:
    """Measure prepared picture `x` (1, C, H, W) against `reference`."""
    distance = float(neighbour_distance(picture_vectors(model, reference.layer, x), reference.vectors)[0])
    return Familiarity(distance, reference.threshold)


def unlike_note(spec: ModelSpec, reference: Reference, measured: Familiarity, top1: str, prob: float) -> str | None:
    """A sentence when the picture looks unlike the model's training pictures; None when it does not. `top1` is
    the class as shown."""
    if not measured.unlike:
        return None
    return _("This picture looks unlike anything {model} was trained on, so “{label}, {prob:.0%}” means little. "
             "Measured as {method}: {distance:.2f}, farther than {share:.0%} of {held_out} ({threshold:.2f}).").format(
        model=_(spec.title), label=top1, prob=prob, method=_(reference.method).format(model=_(spec.title), k=K),
        distance=measured.distance, share=PERCENTILE, held_out=_(reference.held_out), threshold=reference.threshold)
