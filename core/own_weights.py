"""Weights a user brings: a state dict for one of our architectures, read without ever unpickling code.

`read_state_dict` takes safetensors, or a `.pt`/`.pth` file through `torch.load(weights_only=True)`
that holds nothing but a flat name → tensor mapping. `fit_image_model` / `fit_char_model` build the
architecture with the number of classes (and, for text, the hidden size) read from the weights, and
explain any mismatch by naming the first offending keys and the shapes the architecture expects.
"""
from __future__ import annotations

import io
import pickle
from dataclasses import dataclass
from functools import partial

import torch
from torch import nn

from core.i18n import N_, _
from core.models.catalogue import ModelSpec

MAX_WEIGHTS_BYTES = 200 * 2**20  # ResNet-50 in float32 is 98 MB
MAX_CLASS_FILE_BYTES = 1 * 2**20
SHOW = 5  # offending keys named in a message


class WeightsInputError(ValueError):
    """Weights (or a class-names file) the app refuses; the message says why, for the user."""


def read_state_dict(data: bytes, filename: str) -> dict[str, torch.Tensor]:
    """Name → tensor from safetensors bytes, or from a torch file holding only a state dict; nothing else."""
    if len(data) == 0:
        raise WeightsInputError(_("The file is empty."))
    if len(data) > MAX_WEIGHTS_BYTES:
        raise WeightsInputError(_("The file is {size:.0f} MB; weights may be at most {cap} MB here.").format(
            size=len(data) / 2**20, cap=MAX_WEIGHTS_BYTES // 2**20))
    lower = filename.lower()
    if lower.endswith(".safetensors"):
        from safetensors import SafetensorError
        from safetensors.torch import load

        try:
            state = load(data)
        except (SafetensorError, ValueError, OverflowError, RuntimeError) as err:
            raise WeightsInputError(_("This is not a readable safetensors file ({error}).").format(error=err)) from None
    elif lower.endswith((".pt", ".pth", ".bin")):
        if not data.startswith((b"PK\x03\x04", b"\x80")):  # a torch zip archive, or a legacy pickle
            raise WeightsInputError(_("This is not a PyTorch file: it is neither the zip archive `torch.save` writes "
                                      "nor an older pickle."))
        try:
            state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        except pickle.UnpicklingError as err:
            lines = [line.strip() for line in str(err).splitlines() if "unsupported" in line.lower() or "Unpickler" in line]
            first = (lines[0] if lines else str(err).splitlines()[0])[:200]
            raise WeightsInputError(_("Refused: the file holds Python objects besides tensors, and loading them could "
                                      "run code. Save only the state dict (`torch.save(model.state_dict(), …)`), or use "
                                      "safetensors. PyTorch said: {said}").format(said=first)) from None
        except Exception as err:  # truncated zip, not a torch file at all, …
            raise WeightsInputError(_("This is not a readable PyTorch file ({error}).").format(
                error=f"{type(err).__name__}: {str(err)[:200]}")) from None
    else:
        raise WeightsInputError(_("Upload a .safetensors file, or a .pt / .pth file holding a state dict."))
    if not isinstance(state, dict) or not state or not all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                                          for k, v in state.items()):
        raise WeightsInputError(_("The file does not hold a plain state dict (names mapped to tensors). Save "
                                  "`model.state_dict()` itself, not a checkpoint with other entries."))
    if all(k.startswith("module.") for k in state):  # saved from DataParallel
        state = {k[len("module."):]: v for k, v in state.items()}
    return state


def _head_key(model: nn.Module) -> str:
    """The weight of the last linear layer: its rows are the classes."""
    names = [name for name, m in model.named_modules() if isinstance(m, nn.Linear)]
    if not names:
        raise WeightsInputError(_("This architecture has no linear output layer to read the classes from."))
    return f"{names[-1]}.weight"


def build_with_classes(spec: ModelSpec, num_classes: int) -> nn.Module:
    """Architecture `spec` with an output layer of `num_classes`."""
    build = spec.build
    if isinstance(build, partial):
        return build.func(*build.args, **{**build.keywords, "num_classes": num_classes})
    return build(num_classes=num_classes)


def explain_mismatch(expected: dict[str, torch.Tensor], got: dict[str, torch.Tensor], what: str) -> None:
    """Raise WeightsInputError naming missing, unexpected and wrongly shaped keys (first few of each)."""
    missing = [k for k in expected if k not in got]
    unexpected = [k for k in got if k not in expected]
    shapes = [k for k in expected if k in got and tuple(expected[k].shape) != tuple(got[k].shape)]
    if not (missing or unexpected or shapes):
        return

    def listed(keys: list[str], show) -> str:
        shown = "; ".join(show(k) for k in keys[:SHOW])
        return _("{keys} and {n} more").format(keys=shown, n=len(keys) - SHOW) if len(keys) > SHOW else shown

    parts = [_("These weights do not fit {what}.").format(what=what)]
    if missing:
        parts.append(_("{n} missing: {keys}.").format(
            n=len(missing), keys=listed(missing, lambda k: f"{k} {tuple(expected[k].shape)}")))
    if unexpected:
        parts.append(_("{n} not in {what}: {keys}.").format(
            n=len(unexpected), what=what, keys=listed(unexpected, lambda k: f"{k} {tuple(got[k].shape)}")))
    if shapes:
        parts.append(_("{n} with another shape: {keys}.").format(n=len(shapes), keys=listed(
            shapes, lambda k: _("{key} is {shape}, expected {expected}").format(
                key=k, shape=tuple(got[k].shape), expected=tuple(expected[k].shape)))))
    raise WeightsInputError(" ".join(parts))


@dataclass(frozen=True)
class FittedModel:
    """A user's weights in our architecture, in eval mode; `num_classes` read from the weights."""

    model: nn.Module
    num_classes: int
    build: partial


def fit_image_model(spec: ModelSpec, state: dict[str, torch.Tensor]) -> FittedModel:
    """Build `spec` with as many classes as the weights' output layer has, and load them (strict)."""
    key = _head_key(spec.build())
    if key not in state or state[key].ndim != 2:
        explain_mismatch(spec.build().state_dict(), state, _(spec.title))
        raise WeightsInputError(_("The output layer {key} is not a matrix in these weights.").format(key=key))
    n = int(state[key].shape[0])
    model = build_with_classes(spec, n)
    explain_mismatch(model.state_dict(), state, _("{model} with {n} classes").format(model=_(spec.title), n=n))
    model.load_state_dict(state)
    return FittedModel(model.eval(), n, partial(build_with_classes, spec, n))


def fit_char_model(cell: str, state: dict[str, torch.Tensor], vocab_size: int) -> tuple[nn.Module, int]:
    """A traced character model of `cell` with the hidden size read from the weights; returns it and that size."""
    from core.models.sequence import CharModel

    probe = CharModel(cell, vocab_size, 8, vocab_size, 32)
    hh = state.get("rnn.weight_hh_l0")
    if hh is None or hh.ndim != 2 or hh.shape[0] % hh.shape[1]:
        explain_mismatch(probe.state_dict(), state, _("a {cell} character model").format(cell=cell.upper()))
        raise WeightsInputError(_("rnn.weight_hh_l0 is not a recurrent matrix in these weights."))
    hidden = int(hh.shape[1])
    if hidden > 2048:
        raise WeightsInputError(_("A hidden size of {hidden} is more than this app traces (2048 at most).").format(
            hidden=hidden))
    embed = state.get("embed.weight")
    model = CharModel(cell, vocab_size, hidden, vocab_size, int(embed.shape[1]) if embed is not None and embed.ndim == 2 else 32)
    explain_mismatch(model.state_dict(), state, _("a {cell} character model with hidden size {hidden}").format(
        cell=cell.upper(), hidden=hidden))
    model.load_state_dict(state)
    return model.eval(), hidden


def read_class_names(data: bytes | None, num_classes: int) -> tuple[str, ...]:
    """One name per non-empty line (UTF-8), exactly `num_classes` of them; 'class 0', … when there is no file."""
    if data is None:
        return tuple(_("class {i}").format(i=i) for i in range(num_classes))
    if len(data) > MAX_CLASS_FILE_BYTES:
        raise WeightsInputError(_("The class-names file is over {cap} MB.").format(cap=MAX_CLASS_FILE_BYTES // 2**20))
    from core.data.own import decode_utf8

    text = decode_utf8(data, N_("The class-names file is not UTF-8 text: byte {byte} (0x{code:02x}) cannot start a "
                                "character. Save the file as UTF-8."), WeightsInputError)
    names = tuple(line.strip()[:80] for line in text.splitlines() if line.strip())
    if len(names) != num_classes:
        raise WeightsInputError(_("The weights have {n} classes, but the file names {named}: write one name per line, "
                                  "in the order of the output layer.").format(n=num_classes, named=len(names)))
    return names
