"""Find and load a catalogue entry's weights: bundled safetensors in assets/, or ImageNet files in torch's hub cache.

Only safe formats are read: safetensors, and torch files through `weights_only=True`. Nothing is
downloaded unless the caller asks for it (`allow_download=True`), so an offline machine never waits.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch import nn

from core.i18n import N_, _
from core.models.catalogue import ModelSpec, get_spec, model_names

SERVE_ENV = "EXPLORER_SERVE"
"""Set to 1 when the app serves visitors (`./explorer.sh serve`): then only the operator downloads weights."""
ASSETS = Path(__file__).resolve().parent.parent / "assets"
WEIGHTS_DIR = ASSETS / "weights"
TRAIN_COMMAND = {"image": "python -m core.train", "sequence": "python -m core.train",
                 "mnist1d": "python -m core.train_mnist1d", "seq2seq": "python -m core.train_attention",
                 "video": "python -m core.train_video"}


SOURCES = ("bundled", "imagenet", "own", "random")  # where the weights a model holds now came from


@dataclass(frozen=True)
class WeightsStatus:
    """Where a model's weights came from (one of SOURCES), and one sentence saying so: an English message id and its
    values, read in each reader's language (a loaded model is shared by every session)."""

    source: str
    why: str
    path: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    values: tuple[tuple[str, object], ...] = ()

    @property
    def message(self) -> str:
        """The sentence, in the current language (a model's title among the values is translated too)."""
        if not self.values:  # a sentence made for one session (your own model's), possibly holding braces
            return _(self.why)
        values = {key: _(value) if key == "title" else value for key, value in self.values}
        return _(self.why).format(**values)

    @property
    def is_trained(self) -> bool:
        return self.source != "random"


def visitors_may_download() -> bool:
    """Whether a visitor's button may make the server fetch ImageNet weights: on a learner's own machine yes; on a
    server ($EXPLORER_SERVE=1) no, since each press would make the server reach the internet and write its cache."""
    return os.environ.get(SERVE_ENV, "").strip() not in ("1", "true", "yes")


class WeightsUnavailable(RuntimeError):
    """Raised by `download_imagenet_weights` when the file cannot be fetched; the message says why."""


def bundled_path(spec: ModelSpec) -> Path:
    """Where the project's own trained weights for `spec` live (assets/weights/*.safetensors)."""
    if spec.bundled_file is None:
        raise ValueError(f"{spec.name} has no bundled weights")
    return WEIGHTS_DIR / spec.bundled_file


def imagenet_cache_path(spec: ModelSpec) -> Path:
    """The file torchvision's weights API would download for `spec`, inside torch's hub cache."""
    if spec.torchvision_weights is None:
        raise ValueError(f"{spec.name} has no torchvision weights")
    filename = os.path.basename(spec.torchvision_weights.url)
    return Path(torch.hub.get_dir()) / "checkpoints" / filename


def save_bundled(model: nn.Module, path: Path, metadata: dict[str, str]) -> None:
    """Write a state dict as safetensors, with training facts (accuracy, seed, command) as metadata."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(path), metadata={k: str(v) for k, v in metadata.items()})


def read_metadata(path: Path) -> dict[str, str]:
    """The metadata stored in a safetensors file (empty when it has none)."""
    with safe_open(str(path), framework="pt") as f:
        return dict(f.metadata() or {})


def _imagenet_state_dict(spec: ModelSpec) -> dict[str, torch.Tensor]:
    state = torch.hub.load_state_dict_from_url(
        spec.torchvision_weights.url, progress=False, check_hash=True, weights_only=True, map_location="cpu"
    )
    if spec.name == "googlenet":
        state = {k: v for k, v in state.items() if not k.startswith(("aux1.", "aux2."))}
    return state


def download_imagenet_weights(spec: ModelSpec) -> Path:
    """Fetch the ImageNet weights of `spec` into torch's hub cache (hash-checked); raise WeightsUnavailable."""
    try:
        _imagenet_state_dict(spec)
    except Exception as err:  # network errors come in many types: URLError, socket errors, HTTP errors
        raise WeightsUnavailable(
            f"Could not download {spec.torchvision_weights.url} ({type(err).__name__}: {err})."
        ) from None
    return imagenet_cache_path(spec)


def weights_source(spec: ModelSpec) -> str:
    """The source (one of SOURCES) `load_model` would find for `spec` now, without loading anything."""
    if spec.weights == "own":
        return "own"
    if spec.weights == "torchvision":
        return "imagenet" if imagenet_cache_path(spec).exists() else "random"
    return "bundled" if bundled_path(spec).exists() else "random"


def load_model(name: str, device: torch.device | str = "cpu", kind: str = "image") -> tuple[nn.Module, WeightsStatus]:
    """Build catalogue entry `name` of `kind` in eval mode on `device`, with the best weights found offline.

    Bundled models load their safetensors file. ImageNet models load the torchvision file if it is in
    the hub cache. Otherwise the model keeps its random initialisation and the status says how to get it.
    """
    spec = get_spec(name, kind)
    model = spec.build()
    source = weights_source(spec)
    if source == "bundled":
        path = bundled_path(spec)
        model.load_state_dict(load_file(str(path)))
        meta = read_metadata(path)
        if "test_accuracy" in meta:
            why, values = N_("Trained by this project ({file}, held-out accuracy {accuracy:.1%})."), \
                (("file", path.name), ("accuracy", float(meta["test_accuracy"])))
        elif meta.get("metric"):  # the training script's own words for its score (data, shown as written)
            why, values = N_("Trained by this project ({file}, {detail})."), (("file", path.name), ("detail", meta["metric"]))
        else:
            why, values = N_("Trained by this project ({file})."), (("file", path.name),)
        status = WeightsStatus("bundled", why, str(path), meta, values)
    elif source == "imagenet":
        path = imagenet_cache_path(spec)
        model.load_state_dict(_imagenet_state_dict(spec))
        status = WeightsStatus("imagenet", N_("ImageNet weights from torchvision ({file})."), str(path),
                               values=(("file", path.name),))
    elif spec.weights == "bundled":
        status = WeightsStatus("random", N_("{file} is missing, so the network is untrained; run `{command}` to train it."),
                               values=(("file", spec.bundled_file), ("command", f"{TRAIN_COMMAND[kind]} {name}")))
    else:
        path = imagenet_cache_path(spec)
        if visitors_may_download():
            why = N_("ImageNet weights ({file}) are not in torch's hub cache, so this {title} is randomly "
                     "initialised; download them here or run `python -m core.weights {name}` (or copy the file "
                     "into hub/checkpoints/ under $TORCH_HOME, ~/.cache/torch by default).")
        else:
            why = N_("ImageNet weights ({file}) are not on this server, so this {title} is randomly initialised; "
                     "the server's operator can fetch them with `python -m core.weights {name}`.")
        status = WeightsStatus("random", why, values=(("file", path.name), ("title", spec.title), ("name", spec.name)))
    return model.to(device).eval(), status


def main(argv: list[str] | None = None) -> int:
    """`python -m core.weights NAME [NAME ...]` or `--all`: download ImageNet weights into torch's hub cache
    (the operator's way on a server, where visitors have no download button)."""
    import sys

    names = (argv if argv is not None else sys.argv[1:]) or []
    if names == ["--all"]:
        names = [name for name in model_names() if get_spec(name).torchvision_weights is not None]
    if not names:
        print("usage: python -m core.weights alexnet vgg16 googlenet resnet18 resnet50  (or --all)")
        return 2
    for name in names:
        spec = get_spec(name)
        try:
            print(f"{name}: {download_imagenet_weights(spec)}")
        except WeightsUnavailable as err:
            print(f"{name}: {err}")
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
