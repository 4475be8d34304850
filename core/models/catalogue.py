"""Every model the app offers, in one catalogue: the CNN zoo, the sequence models, MNIST-1D's seven and the
string reversers. A learner's own models (lab runs, uploaded weights) are described by the same `ModelSpec`.

An entry is named by its kind and its name (`get_spec("lstm", "mnist1d")`): names are unique within a kind.
Loading an entry's weights is `core.weights.load_model`. Titles, labels and summaries are marked with `N_`
(they are defined at import time): a page shows them through `_`. Pure model names (LeNet-5, VGG-16) are
the same in every language and are not marked.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from typing import Callable

import torchvision
from torch import nn
from torchvision.models import WeightsEnum

from core.data.digits import DIGIT_CLASSES
from core.data.poems import poem_vocab
from core.data.preprocess import Preprocessing
from core.data.sequences import BRACKETS_VOCAB, MAX_DEPTH, QUOTES_VOCAB
from core.data.shapes import SHAPE_CLASSES, TEXTURED_CLASSES
from core.data.text import VOCAB
from core.data.video import DIRECTIONS
from core.i18n import N_
from core.models import eras, mnist1d, seq2seq, video
from core.models.lenet import LeNet5
from core.models.sequence import CharModel
from core.models.small_vgg import SmallVGG

KINDS = ("image", "sequence", "mnist1d", "seq2seq", "video")
WEIGHTS_SOURCES = ("bundled", "torchvision", "own")  # where an entry's trained weights come from


@dataclass(frozen=True)
class ModelSpec:
    """Everything the app needs to know about a model before it loads a single weight.

    Common to every kind: name, title, a short label (a column header, a legend entry), kind, task, the
    kind of input it reads, how to build it and where its weights come from. The fields below those
    belong to one kind each and keep their defaults elsewhere.
    """

    name: str
    title: str
    label: str
    kind: str  # one of KINDS
    task: str  # "digits", "shapes", "imagenet"; "charlm", "brackets", "quotes"; "mnist1d"; "reverse"
    input_kind: str  # "digit", "shapes", "eras", "imagenet" (pictures); "text"; "series" (40 numbers); "letters"
    build: Callable[..., nn.Module] = field(repr=False)  # sequence models take traced=True|False
    weights: str = "bundled"  # one of WEIGHTS_SOURCES
    bundled_file: str | None = None  # in assets/weights/
    torchvision_weights: WeightsEnum | None = None
    # image
    year: int = 0
    summary: str = ""
    preprocessing: Preprocessing | None = None
    classes: tuple[str, ...] = ()
    # sequence (character models and taggers)
    cell: str = ""
    hidden_size: int = 0
    vocab: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    embed_dim: int | None = None
    # mnist1d
    family: str = ""  # "dense", "convolutional", "recurrent" or "attention"
    lr: float = 0.0
    paper_accuracy: float | None = None  # Greydanus (2020), test accuracy in %
    sequential_steps: str = ""  # how many steps must run one after another for one sequence
    clip: float | None = None  # gradient-norm cap in training (the vanilla RNN's gradients explode without it)

    @property
    def input_size(self) -> tuple[int, int, int]:
        """(C, H, W) of an image model's input."""
        if self.preprocessing is None:
            raise AttributeError(f"{self.name} is a {self.kind} model: it reads no pictures")
        return self.preprocessing.input_size

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def predicts_next(self) -> bool:
        """A character language model: its outputs are the next character (else a tagger of each step)."""
        return self.task in ("charlm", "poems")

    @property
    def world(self) -> str | None:
        """The pictures it was trained on, named as samples name theirs ("digit", "shapes", "eras", "imagenet"), or
        None when its classes are someone's own (a lab run on your pictures, weights with your class names)."""
        known = {"digit": DIGIT_CLASSES, "shapes": SHAPE_CLASSES, "eras": TEXTURED_CLASSES}
        if self.torchvision_weights is not None:
            known["imagenet"] = tuple(self.torchvision_weights.meta["categories"])
        return self.input_kind if known.get(self.input_kind) == self.classes else None


def _torchvision_spec(name: str, title: str, year: int, summary: str, weights: WeightsEnum,
                      **arch: object) -> ModelSpec:
    transforms = weights.transforms()
    crop = int(transforms.crop_size[0])
    return ModelSpec(
        name=name, title=title, label=title, kind="image", task="imagenet", input_kind="imagenet",
        build=partial(torchvision.models.get_model, name, weights=None, num_classes=1000, **arch),
        weights="torchvision", torchvision_weights=weights, year=year, summary=summary,
        preprocessing=Preprocessing("imagenet", (3, crop, crop), tuple(transforms.mean), tuple(transforms.std),
                                    int(transforms.resize_size[0])),
        classes=tuple(weights.meta["categories"]),
    )


def char_model_spec(name: str, title: str, label: str, task: str, cell: str, hidden_size: int,
                    vocab: tuple[str, ...], outputs: tuple[str, ...], embed_dim: int | None,
                    weights: str = "bundled", summary: str = "") -> ModelSpec:
    """A `CharModel` (tokens → per-step outputs) as a catalogue entry; bundled ones live in NAME.safetensors."""
    return ModelSpec(
        name=name, title=title, label=label, kind="sequence", task=task, input_kind="text", summary=summary,
        build=partial(CharModel, cell, len(vocab), hidden_size, len(outputs), embed_dim),
        weights=weights, bundled_file=f"{name}.safetensors" if weights == "bundled" else None,
        cell=cell, hidden_size=hidden_size, vocab=tuple(vocab), outputs=tuple(outputs), embed_dim=embed_dim,
    )


def own_image_spec(base: ModelSpec, name: str, title: str, classes: tuple[str, ...],
                   build: Callable[[], nn.Module], summary: str) -> ModelSpec:
    """A learner's image model: `base`'s architecture and input recipe with their own classes and weights."""
    return replace(base, name=name, title=title, label=title, classes=tuple(classes), build=build, summary=summary,
                   weights="own", bundled_file=None)


def _mnist1d_spec(name: str, title: str, label: str, family: str, build: Callable[[], nn.Module], lr: float,
                  paper_accuracy: float | None, sequential_steps: str, clip: float | None = None) -> ModelSpec:
    return ModelSpec(name=name, title=title, label=label, kind="mnist1d", task="mnist1d", input_kind="series",
                     build=build, bundled_file=f"mnist1d_{name}.safetensors", family=family, lr=lr,
                     paper_accuracy=paper_accuracy, sequential_steps=sequential_steps, clip=clip)


def _seq2seq_spec(name: str, title: str, label: str, build: Callable[[], nn.Module]) -> ModelSpec:
    return ModelSpec(name=name, title=title, label=label, kind="seq2seq", task="reverse", input_kind="letters",
                     build=build, bundled_file=f"reverse_{name}.safetensors")


def _era_spec(name: str, title: str, label: str, year: int, summary: str, build: Callable[..., nn.Module]) -> ModelSpec:
    """One of the five era CNNs, trained on the textured shapes (`python -m core.train eras`)."""
    return ModelSpec(name=name, title=title, label=label, kind="image", task="eras", input_kind="eras",
                     build=partial(build, num_classes=len(TEXTURED_CLASSES)), bundled_file=f"{name}.safetensors",
                     year=year, summary=summary,
                     preprocessing=Preprocessing("eras", (3, 32, 32), (0.5, 0.5, 0.5), (0.25, 0.25, 0.25)),
                     classes=TEXTURED_CLASSES)


def _video_spec(name: str, title: str, label: str, build: Callable[[], nn.Module]) -> ModelSpec:
    """A direction-of-motion classifier of the generated clips (`python -m core.train video`)."""
    return ModelSpec(name=name, title=title, label=label, kind="video", task="video", input_kind="clip", build=build,
                     bundled_file=f"video_{name}.safetensors", classes=DIRECTIONS)


ERA_MODELS: tuple[str, ...] = ("era_lenet", "era_alexnet", "era_vgg", "era_googlenet", "era_resnet")
"""The mini-zoo of the eras, oldest first: the same task, comparable budgets, one idea each."""

CHARLM_HIDDEN = 128
POEM_EMBED = 32
POEM_SUMMARY = N_("Trained to predict the next character of the Tang poems (唐诗三百首); a tenth of the poems, held out "
                  "whole, were never seen in training.")

CATALOGUE: tuple[ModelSpec, ...] = (
    # the CNN zoo, in the order of the seed's history: LeNet first, ResNet last (bundled first)
    ModelSpec(
        name="lenet5", title="LeNet-5", label="LeNet-5", kind="image", task="digits", input_kind="digit",
        build=LeNet5, bundled_file="lenet5_digits.safetensors", year=1998,
        summary=N_("Convolution, pooling and a small classifier read handwritten digits."),
        preprocessing=Preprocessing("digit", (1, 32, 32), (0.23,), (0.31,)), classes=DIGIT_CLASSES,
    ),
    ModelSpec(
        name="small_vgg", title=N_("Small VGG (shapes)"), label="Small VGG", kind="image", task="shapes",
        input_kind="shapes", build=partial(SmallVGG, num_classes=len(SHAPE_CLASSES)),
        bundled_file="small_vgg_shapes.safetensors", year=2014,
        summary=N_("VGG's recipe in miniature: stacks of 3×3 convolutions, batch norm, max pooling."),
        preprocessing=Preprocessing("shapes", (3, 64, 64), (0.5, 0.5, 0.5), (0.25, 0.25, 0.25)),
        classes=SHAPE_CLASSES,
    ),
    _era_spec("era_lenet", N_("LeNet-style (eras)"), N_("LeNet-style"), 1998,
              N_("5×5 convolutions, tanh and average-pool subsampling, then fully-connected layers."), eras.EraLeNet),
    _era_spec("era_alexnet", N_("AlexNet-style (eras)"), N_("AlexNet-style"), 2012,
              N_("A large strided first kernel, ReLU, overlapping max pooling and dropout."), eras.EraAlexNet),
    _era_spec("era_vgg", N_("VGG-style (eras)"), N_("VGG-style"), 2014,
              N_("Nothing but stacks of small 3×3 convolutions between max poolings."), eras.EraVGG),
    _era_spec("era_googlenet", N_("GoogLeNet-style (eras)"), N_("GoogLeNet-style"), 2014,
              N_("Inception blocks: 1×1, 3×3, 5×5 and pooling branches side by side, 1×1 reductions first."),
              eras.EraGoogLeNet),
    _era_spec("era_resnet", N_("ResNet-style (eras)"), N_("ResNet-style"), 2015,
              N_("Residual blocks: each adds its input back, so a deeper network still trains."), eras.EraResNet),
    _torchvision_spec("alexnet", "AlexNet", 2012, N_("Deeper, ReLU, dropout and GPUs: the ImageNet 2012 breakthrough."),
                      torchvision.models.AlexNet_Weights.IMAGENET1K_V1),
    _torchvision_spec("vgg16", "VGG-16", 2014, N_("Sixteen weight layers built only from 3×3 convolutions."),
                      torchvision.models.VGG16_Weights.IMAGENET1K_V1),
    _torchvision_spec("googlenet", "GoogLeNet", 2014,
                      N_("Inception modules: 1×1, 3×3, 5×5 convolutions and pooling side by side, few parameters."),
                      torchvision.models.GoogLeNet_Weights.IMAGENET1K_V1,
                      aux_logits=False, transform_input=True, init_weights=True),
    _torchvision_spec("resnet18", "ResNet-18", 2015,
                      N_("Residual connections let the gradient skip layers, so deep networks train."),
                      torchvision.models.ResNet18_Weights.IMAGENET1K_V1),
    _torchvision_spec("resnet50", "ResNet-50", 2015, N_("Bottleneck residual blocks: 50 layers deep at a modest cost."),
                      torchvision.models.ResNet50_Weights.IMAGENET1K_V2),
    # character models and per-step taggers on our traced cells
    *(char_model_spec(f"char_{cell}", title, label, "charlm", cell, CHARLM_HIDDEN, VOCAB, VOCAB, 32)
      for cell, title, label in (("rnn", N_("Character model: vanilla RNN"), N_("vanilla RNN")),
                                 ("lstm", N_("Character model: LSTM"), "LSTM"),
                                 ("gru", N_("Character model: GRU"), "GRU"))),
    # the same three on the Tang poems (python -m core.train poems)
    *(char_model_spec(f"poem_{cell}", title, label, "poems", cell, CHARLM_HIDDEN, poem_vocab(), poem_vocab(), POEM_EMBED,
                      summary=POEM_SUMMARY)
      for cell, title, label in (("rnn", N_("Tang poems: vanilla RNN"), N_("vanilla RNN")),
                                 ("lstm", N_("Tang poems: LSTM"), "LSTM"), ("gru", N_("Tang poems: GRU"), "GRU"))),
    char_model_spec("brackets_lstm", N_("Bracket depth: LSTM"), "LSTM", "brackets", "lstm", 32, BRACKETS_VOCAB,
                    tuple(str(d) for d in range(MAX_DEPTH + 1)), None),
    char_model_spec("quotes_lstm", N_("Inside quotes: LSTM"), "LSTM", "quotes", "lstm", 16, QUOTES_VOCAB,
                    ("outside", "inside"), None),
    # MNIST-1D's seven classifiers at comparable parameter budgets
    _mnist1d_spec("logistic", N_("Logistic regression"), N_("Logistic regression"), "dense", mnist1d.Logistic, 1e-2,
                  32.0, "1"),
    _mnist1d_spec("mlp", N_("MLP (one hidden layer)"), "MLP", "dense", mnist1d.MLP, 1e-2, 68.0, N_("2 layers")),
    _mnist1d_spec("cnn", N_("1-D CNN"), N_("1-D CNN"), "convolutional", mnist1d.ConvNet1d, 1e-2, 94.0, N_("3 layers")),
    _mnist1d_spec("rnn", N_("Vanilla RNN"), N_("Vanilla RNN"), "recurrent", partial(mnist1d.RecurrentClassifier, "rnn", 64),
                  1e-3, None, N_("40 steps"), clip=1.0),
    _mnist1d_spec("lstm", "LSTM", "LSTM", "recurrent", partial(mnist1d.RecurrentClassifier, "lstm", 34), 1e-2, None,
                  N_("40 steps")),
    _mnist1d_spec("gru", "GRU", "GRU", "recurrent", partial(mnist1d.RecurrentClassifier, "gru", 39), 1e-2, 91.0,
                  N_("40 steps")),
    _mnist1d_spec("transformer", N_("Transformer encoder (1 block)"), N_("Transformer encoder"), "attention",
                  mnist1d.TinyTransformer, 3e-3, None, N_("1 block")),
    # encoder–decoders that write a string backwards
    _seq2seq_spec("gru_attention", N_("GRU encoder–decoder with attention (Bahdanau 2014)"),
                  N_("GRU encoder–decoder with attention"), partial(seq2seq.Seq2Seq, attention=True)),
    _seq2seq_spec("gru_plain", N_("GRU encoder–decoder without attention (Cho 2014)"),
                  N_("GRU encoder–decoder without attention"), partial(seq2seq.Seq2Seq, attention=False)),
    _seq2seq_spec("transformer", N_("Transformer, one encoder and one decoder block"),
                  N_("Transformer, one encoder and one decoder block"), seq2seq.TinySeq2SeqTransformer),
    # a clip's direction of motion: the per-frame CNN with a GRU over the frames, or on the averaged frames
    _video_spec("cnn_gru", N_("Per-frame CNN + GRU"), N_("CNN + GRU"), video.CNNGRU),
    _video_spec("averaged_cnn", N_("CNN on the averaged frames"), N_("averaged CNN"), video.AveragedCNN),
)

_BY_KEY = {(spec.kind, spec.name): spec for spec in CATALOGUE}


def model_names(kind: str = "image") -> list[str]:
    """Names of the catalogue's models of `kind`, in catalogue order."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    return [spec.name for spec in CATALOGUE if spec.kind == kind]


def get_spec(name: str, kind: str = "image") -> ModelSpec:
    """The catalogue entry `name` of `kind`; a KeyError lists the valid names."""
    try:
        return _BY_KEY[(kind, name)]
    except KeyError:
        raise KeyError(f"unknown {kind} model {name!r}; known: {', '.join(model_names(kind))}") from None
