"""Weights a user brings: a state dict for one of our architectures, read without ever unpickling code.

`read_state_dict` takes safetensors, or a `.pt`/`.pth` file through `torch.load(weights_only=True)`
that holds nothing but a flat name → tensor mapping. `fit_image_model` / `fit_char_model` build the
architecture with the number of classes (and, for text, the hidden size) read from the weights, and
explain any mismatch by naming the first offending keys and the shapes the architecture expects.
"""
from __future__ import annotations

import io
import json
import pickle
import struct
import zipfile
from dataclasses import dataclass
from functools import partial

import torch
from torch import nn

from core.i18n import N_, _
from core.markup import inert
from core.models.catalogue import ModelSpec

MAX_WEIGHTS_BYTES = 200_000_000  # MB here are 1,000,000 bytes; ResNet-50 in float32 is 102 MB
MAX_CLASS_FILE_BYTES = 1_000_000
MAX_TENSORS = 5_000  # ResNet-152 has 932
MAX_HEADER_BYTES = 1_000_000  # a safetensors header, or the pickle of a torch file: ResNet-152's is 115 kB
SHOW = 5  # offending keys named in a message


class WeightsInputError(ValueError):
    """Weights (or a class-names file) the app refuses; the message says why, for the user."""


def read_state_dict(data: bytes, filename: str) -> dict[str, torch.Tensor]:
    """Name → tensor from safetensors bytes, or from a torch file holding only a state dict; nothing else."""
    if len(data) == 0:
        raise WeightsInputError(_("The file is empty."))
    if len(data) > MAX_WEIGHTS_BYTES:
        raise WeightsInputError(_("The file is {size:.0f} MB; weights may be at most {cap} MB here.").format(
            size=len(data) / 1e6, cap=MAX_WEIGHTS_BYTES // 10**6))
    lower = filename.lower()
    if lower.endswith(".safetensors"):
        from safetensors import SafetensorError
        from safetensors.torch import load

        _check_safetensors_header(data)
        try:
            state = load(data)
        except (SafetensorError, ValueError, OverflowError, RuntimeError) as err:
            raise WeightsInputError(_("This is not a readable safetensors file ({error}).").format(error=err)) from None
    elif lower.endswith((".pt", ".pth", ".bin")):
        if data.startswith(b"\x80"):
            raise WeightsInputError(_("This is a bare pickle or a PyTorch file older than PyTorch 1.6 (2020), which "
                                      "cannot be checked before it is read. Save the state dict again with a current "
                                      "PyTorch (`torch.save(model.state_dict(), …)`), or as safetensors."))
        if not data.startswith(b"PK\x03\x04"):  # the zip archive torch.save writes
            raise WeightsInputError(_("This is not a PyTorch file: it is neither the zip archive `torch.save` writes "
                                      "nor an older pickle."))
        _check_torch_archive(data)
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
    broken = [k for k, v in state.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if broken:
        raise WeightsInputError(_("These weights hold NaN or infinite values ({names}): a network with them computes "
                                  "nothing but NaN. Save weights from a run that did not diverge.").format(
                                      names=", ".join(broken[:SHOW]) + ("…" if len(broken) > SHOW else "")))
    return state


def _too_many_tensors(count: int) -> WeightsInputError:
    return WeightsInputError(_("The file holds {count:,} entries; weights of the architectures here have at most "
                               "{most:,}.").format(count=count, most=MAX_TENSORS))


def _check_safetensors_header(data: bytes) -> None:
    """Refuse a safetensors file whose header is too long or names too many tensors, before any tensor is made
    (a million empty tensors cost more than a gigabyte of Python objects)."""
    if len(data) < 8:
        raise WeightsInputError("This is not a readable safetensors file (it is shorter than its 8-byte header size).")
    (size,) = struct.unpack("<Q", data[:8])
    if size > MAX_HEADER_BYTES:
        raise WeightsInputError(_("This safetensors file's header is {size:,} bytes; weights of the architectures "
                                  "here need less than {most:,}.").format(size=size, most=MAX_HEADER_BYTES))
    try:
        header = json.loads(data[8:8 + size])
    except (UnicodeDecodeError, ValueError):
        raise WeightsInputError("This is not a readable safetensors file (its header is not JSON).") from None
    if not isinstance(header, dict):
        raise WeightsInputError("This is not a readable safetensors file (its header is not a table of tensors).")
    if len(header) > MAX_TENSORS + 1:  # one entry may be "__metadata__"
        raise _too_many_tensors(len(header))


def _check_torch_archive(data: bytes) -> None:
    """Refuse a `torch.save` archive with too many entries or a pickle too long to be a state dict's, before the
    pickle is read: an opcode flood of 200 MB takes minutes and gigabytes to refuse once it is being read."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as err:
        raise WeightsInputError(f"This is not a readable PyTorch file (BadZipFile: {str(err)[:200]}).") from None
    if len(entries) > MAX_TENSORS + 8:  # one per tensor, plus the pickle, version, byte order and the like
        raise _too_many_tensors(len(entries))
    pickles = [e for e in entries if e.filename.endswith(".pkl")]
    if len(pickles) != 1 or pickles[0].file_size > MAX_HEADER_BYTES:
        raise WeightsInputError(_("This PyTorch file's pickle is {size:,} bytes; a state dict of the architectures "
                                  "here needs less than {most:,}.").format(
                                      size=sum(e.file_size for e in pickles), most=MAX_HEADER_BYTES))


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
    if n < 1:
        raise WeightsInputError(_("The output layer {key} has no rows: a classifier needs at least one class.").format(
            key=key))
    model = build_with_classes(spec, n)
    explain_mismatch(model.state_dict(), state, _("{model} with {n} classes").format(model=_(spec.title), n=n))
    model.load_state_dict(state)
    return FittedModel(model.eval(), n, partial(build_with_classes, spec, n))


def fit_char_model(cell: str, state: dict[str, torch.Tensor], vocab_size: int) -> tuple[nn.Module, int]:
    """A traced character model of `cell` with the hidden size read from the weights; returns it and that size."""
    from core.models.sequence import CharModel

    probe = CharModel(cell, vocab_size, 8, vocab_size, 32)
    hh = state.get("rnn.weight_hh_l0")
    if hh is not None and hh.ndim == 2 and 0 in hh.shape:
        raise WeightsInputError(_("rnn.weight_hh_l0 is {shape}: a recurrent layer needs a hidden size of at least "
                                  "1.").format(shape="×".join(map(str, hh.shape))))
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
        raise WeightsInputError(_("The class-names file is over {cap} MB.").format(cap=MAX_CLASS_FILE_BYTES // 10**6))
    from core.data.own import decode_utf8

    text = decode_utf8(data, N_("The class-names file is not UTF-8 text: byte {byte} (0x{code:02x}) cannot start a "
                                "character. Save the file as UTF-8."), WeightsInputError)
    names = tuple(inert(line.strip()[:80]) for line in text.splitlines() if line.strip())
    if len(names) != num_classes:
        raise WeightsInputError(_("The weights have {n} classes, but the file names {named}: write one name per line, "
                                  "in the order of the output layer.").format(n=num_classes, named=len(names)))
    return names
