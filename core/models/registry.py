"""One registry of every CNN the app can show: how to build it, what it eats, where its weights come from."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Callable

import torchvision
from torch import nn
from torchvision.models import WeightsEnum

from core.data.digits import DIGIT_CLASSES
from core.data.shapes import SHAPE_CLASSES, TEXTURED_CLASSES
from core.models import eras
from core.models.lenet import LeNet5
from core.models.small_vgg import SmallVGG

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class ModelSpec:
    """Everything the app needs to know about a model before it loads a single weight."""

    name: str
    title: str
    year: int
    summary: str
    input_kind: str  # "digit", "shapes", "eras" or "imagenet": how a picture is prepared for it
    input_size: tuple[int, int, int]  # (C, H, W)
    mean: tuple[float, ...]
    std: tuple[float, ...]
    classes: tuple[str, ...]
    build: Callable[[], nn.Module] = field(repr=False)
    bundled_file: str | None = None
    torchvision_weights: WeightsEnum | None = None
    resize_size: int | None = None  # shorter side before the centre crop (ImageNet models)

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def world(self) -> str | None:
        """The pictures it was trained on, named as samples name theirs ("digit", "shapes", "eras", "imagenet"), or
        None when its classes are someone's own (a lab run on your pictures, weights with your class names)."""
        known = {"digit": DIGIT_CLASSES, "shapes": SHAPE_CLASSES, "eras": TEXTURED_CLASSES}
        if self.torchvision_weights is not None:
            known["imagenet"] = tuple(self.torchvision_weights.meta["categories"])
        return self.input_kind if known.get(self.input_kind) == self.classes else None


def _torchvision_spec(
    name: str, title: str, year: int, summary: str, weights: WeightsEnum, **arch: object
) -> ModelSpec:
    transforms = weights.transforms()
    crop = int(transforms.crop_size[0])
    return ModelSpec(
        name=name,
        title=title,
        year=year,
        summary=summary,
        input_kind="imagenet",
        input_size=(3, crop, crop),
        mean=tuple(transforms.mean),
        std=tuple(transforms.std),
        classes=tuple(weights.meta["categories"]),
        build=partial(torchvision.models.get_model, name, weights=None, num_classes=1000, **arch),
        torchvision_weights=weights,
        resize_size=int(transforms.resize_size[0]),
    )


def _era_spec(name: str, title: str, year: int, summary: str, build: Callable[..., nn.Module]) -> ModelSpec:
    """One of the five era CNNs, trained on the textured shapes (`python -m core.train eras`)."""
    return ModelSpec(name=name, title=title, year=year, summary=summary, input_kind="eras", input_size=(3, 32, 32),
                     mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25), classes=TEXTURED_CLASSES,
                     build=partial(build, num_classes=len(TEXTURED_CLASSES)), bundled_file=f"{name}.safetensors")


ERA_MODELS: tuple[str, ...] = ("era_lenet", "era_alexnet", "era_vgg", "era_googlenet", "era_resnet")
"""The mini-zoo of the eras, oldest first: the same task, comparable budgets, one idea each."""

_SPECS: tuple[ModelSpec, ...] = (
    ModelSpec(
        name="lenet5",
        title="LeNet-5",
        year=1998,
        summary="Convolution, pooling and a small classifier read handwritten digits.",
        input_kind="digit",
        input_size=(1, 32, 32),
        mean=(0.23,),
        std=(0.31,),
        classes=DIGIT_CLASSES,
        build=LeNet5,
        bundled_file="lenet5_digits.safetensors",
    ),
    ModelSpec(
        name="small_vgg",
        title="Small VGG (shapes)",
        year=2014,
        summary="VGG's recipe in miniature: stacks of 3×3 convolutions, batch norm, max pooling.",
        input_kind="shapes",
        input_size=(3, 64, 64),
        mean=(0.5, 0.5, 0.5),
        std=(0.25, 0.25, 0.25),
        classes=SHAPE_CLASSES,
        build=partial(SmallVGG, num_classes=len(SHAPE_CLASSES)),
        bundled_file="small_vgg_shapes.safetensors",
    ),
    _era_spec("era_lenet", "LeNet-style (eras)", 1998,
              "5×5 convolutions, tanh and average-pool subsampling, then fully-connected layers.", eras.EraLeNet),
    _era_spec("era_alexnet", "AlexNet-style (eras)", 2012,
              "A large strided first kernel, ReLU, overlapping max pooling and dropout.", eras.EraAlexNet),
    _era_spec("era_vgg", "VGG-style (eras)", 2014,
              "Nothing but stacks of small 3×3 convolutions between max poolings.", eras.EraVGG),
    _era_spec("era_googlenet", "GoogLeNet-style (eras)", 2014,
              "Inception blocks: 1×1, 3×3, 5×5 and pooling branches side by side, 1×1 reductions first.",
              eras.EraGoogLeNet),
    _era_spec("era_resnet", "ResNet-style (eras)", 2015,
              "Residual blocks: each adds its input back, so a deeper network still trains.", eras.EraResNet),
    _torchvision_spec(
        "alexnet", "AlexNet", 2012,
        "Deeper, ReLU, dropout and GPUs: the ImageNet 2012 breakthrough.",
        torchvision.models.AlexNet_Weights.IMAGENET1K_V1,
    ),
    _torchvision_spec(
        "vgg16", "VGG-16", 2014,
        "Sixteen weight layers built only from 3×3 convolutions.",
        torchvision.models.VGG16_Weights.IMAGENET1K_V1,
    ),
    _torchvision_spec(
        "googlenet", "GoogLeNet", 2014,
        "Inception modules: 1×1, 3×3, 5×5 convolutions and pooling side by side, few parameters.",
        torchvision.models.GoogLeNet_Weights.IMAGENET1K_V1,
        aux_logits=False, transform_input=True, init_weights=True,
    ),
    _torchvision_spec(
        "resnet18", "ResNet-18", 2015,
        "Residual connections let the gradient skip layers, so deep networks train.",
        torchvision.models.ResNet18_Weights.IMAGENET1K_V1,
    ),
    _torchvision_spec(
        "resnet50", "ResNet-50", 2015,
        "Bottleneck residual blocks: 50 layers deep at a modest cost.",
        torchvision.models.ResNet50_Weights.IMAGENET1K_V2,
    ),
)

_BY_NAME = {spec.name: spec for spec in _SPECS}


def model_names() -> list[str]:
    """Registry names in the order of the seed's history: LeNet first, ResNet last (bundled first)."""
    return [spec.name for spec in _SPECS]


def get_spec(name: str) -> ModelSpec:
    """The spec registered as `name`; a KeyError lists the valid names."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown model {name!r}; known: {', '.join(_BY_NAME)}") from None
