"""Data a user brings: a zip of class folders, a text, a one-column CSV of numbers — each checked and capped.

Every failure raises `DataInputError` with a sentence for the user. Zip members are read through a
byte budget (never trusting the sizes the archive claims), so a zip bomb stops at the cap; every
picture goes through the same decoder as single uploads.
"""
from __future__ import annotations

import io
import math
import zipfile
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from core.data.images import MAX_BYTES as MAX_IMAGE_BYTES
from core.data.images import ImageInputError, decode_image
from core.i18n import N_, _
from core.markup import inert

MAX_ZIP_BYTES = 50_000_000  # MB here are 1,000,000 bytes
MAX_ZIP_MEMBERS = 3000
MAX_UNPACKED_BYTES = 200_000_000
MAX_ZIP_PIXELS = 300_000_000  # decoded in all (JPEGs at a reduced scale): 3,000 pictures of 316×316, or 7 of 40 MP
MAX_RATIO = 200  # unpacked / packed size of one member; pictures compress far less
MAX_CLASSES = 20
MIN_PER_CLASS = 4
IMAGE_SIDE = 64
MAX_TEXT_BYTES = 2_000_000
MIN_TEXT_CHARS = 2_000
MAX_SERIES = 100_000
MIN_SERIES = 100
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff")


class DataInputError(ValueError):
    """Data the app refuses; the message says why, for the user."""


@dataclass(frozen=True)
class ImageFolder:
    """Pictures (N, 64, 64, 3) uint8 and labels (N,) from class folders, with what was skipped and why."""

    images: np.ndarray
    labels: np.ndarray
    classes: tuple[str, ...]
    skipped: tuple[str, ...] = field(default_factory=tuple)

    def counts(self) -> dict[str, int]:
        found = Counter(self.labels.tolist())
        return {name: found.get(i, 0) for i, name in enumerate(self.classes)}


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """The member's bytes, stopping at min(picture cap, what is left of the archive's budget)."""
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        raise DataInputError(_("{name} unpacks to {ratio:.0f}× its packed size: that is a zip bomb, not a picture.").format(
            name=info.filename, ratio=info.file_size / info.compress_size))
    cap = min(MAX_IMAGE_BYTES, budget)
    with zf.open(info) as f:
        data = f.read(cap + 1)
    if len(data) > cap:
        if cap < MAX_IMAGE_BYTES:
            raise DataInputError(_("The archive unpacks to more than {cap} MB.").format(cap=MAX_UNPACKED_BYTES // 10**6))
        raise ImageInputError(_("over {cap} MB").format(cap=MAX_IMAGE_BYTES // 10**6))
    return data


def _square(pixels: np.ndarray, side: int = IMAGE_SIDE) -> np.ndarray:
    """Centre square crop, resized to side × side."""
    img = Image.fromarray(pixels)
    s = min(img.size)
    left, top = (img.width - s) // 2, (img.height - s) // 2
    return np.asarray(img.crop((left, top, left + s, top + s)).resize((side, side), Image.Resampling.BILINEAR))


def images_from_zip(data: bytes) -> ImageFolder:
    """Class folders (`cats/1.png`, or `root/cats/1.png`) of pictures in a zip, as 64×64 RGB."""
    if not data:
        raise DataInputError(_("The file is empty."))
    if len(data) > MAX_ZIP_BYTES:
        raise DataInputError(_("The zip is {size:.0f} MB; at most {cap} MB here.").format(
            size=len(data) / 1e6, cap=MAX_ZIP_BYTES // 10**6))
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        members = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as err:
        raise DataInputError(_("This is not a readable zip file ({error}).").format(error=err)) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise DataInputError(_("The zip holds {n:,} entries; at most {cap:,} here.").format(
            n=len(members), cap=MAX_ZIP_MEMBERS))
    files = [m for m in members if not m.is_dir() and "__MACOSX" not in m.filename
             and not m.filename.rsplit("/", 1)[-1].startswith(".")]
    paths = [m.filename.strip("/").split("/") for m in files]
    depth = {len(p) for p in paths}
    if not paths or min(depth) < 2:
        raise DataInputError(_("Put the pictures in one folder per class (cats/1.jpg, dogs/2.jpg, …) and zip those "
                               "folders."))
    common = 0  # strip folders every path shares (a zipped parent folder)
    while all(len(p) > common + 2 for p in paths) and len({p[common] for p in paths}) == 1:
        common += 1
    folders = sorted({p[common] for p in paths})
    classes = [inert(name) for name in folders]  # shown in many places; markup made inert at the source
    if len(classes) < 2:
        raise DataInputError(_("Only one class folder ({name}): a classifier needs at least two.").format(name=classes[0]))
    if len(classes) > MAX_CLASSES:
        raise DataInputError(_("{n} class folders; at most {cap} here.").format(n=len(classes), cap=MAX_CLASSES))
    index = {name: i for i, name in enumerate(folders)}
    images, labels, skipped = [], [], []
    budget, pixels_left = MAX_UNPACKED_BYTES, MAX_ZIP_PIXELS
    for number, (info, path) in enumerate(zip(files, paths)):
        name = "/".join(path[common:])
        if not name.lower().endswith(PICTURE_SUFFIXES):
            skipped.append(_("{name}: not a picture file").format(name=name))
            continue
        if pixels_left <= 0:
            skipped.append(_("{name} and the {n:,} files after it: not read, since the pictures before them hold "
                             "{most:,} megapixels, all one upload may decode here.").format(
                                 name=name, n=len(files) - number - 1, most=MAX_ZIP_PIXELS // 10**6))
            break
        try:
            raw = _read_member(zf, info, budget)
            budget -= len(raw)
            picture = decode_image(raw, draft=(IMAGE_SIDE, IMAGE_SIDE))  # the budget may go over by one picture
            pixels_left -= picture.decoded_pixels
        except ImageInputError as err:
            skipped.append(f"{name}: {err}")
            continue
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as err:  # encrypted, corrupt
            skipped.append(_("{name}: unreadable in the zip ({error})").format(name=name, error=err))
            continue
        images.append(_square(picture.pixels))
        labels.append(index[path[common]])
    folder = ImageFolder(np.stack(images) if images else np.zeros((0, IMAGE_SIDE, IMAGE_SIDE, 3), np.uint8),
                         np.array(labels, dtype=np.int64), tuple(classes), tuple(skipped))
    few = [f"{name} ({n})" for name, n in folder.counts().items() if n < MIN_PER_CLASS]
    if few:
        message = _("Each class needs at least {n} readable pictures; too few in {classes}.").format(
            n=MIN_PER_CLASS, classes=", ".join(few))
        if skipped:
            message += " " + _("Skipped: {files}.").format(files="; ".join(skipped[:3]))
        raise DataInputError(message)
    return folder


def split_indices(labels: np.ndarray, held_out: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A stratified split: about `held_out` of each class (at least one) kept for validation."""
    rng = np.random.default_rng(seed)
    train, val = [], []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        k = max(1, int(round(len(idx) * held_out)))
        val.extend(idx[:k])
        train.extend(idx[k:])
    return np.sort(np.array(train)), np.sort(np.array(val))


NOT_UTF8 = N_("This is not UTF-8 text: byte {byte} (0x{code:02x}) cannot start a character. Save the file as UTF-8.")


def decode_utf8(data: bytes, message: str = NOT_UTF8, error: type[ValueError] = DataInputError) -> str:
    """`data` as UTF-8 text (a BOM is fine); otherwise `error` with `message` (a message id whose {byte} and {code}
    say which byte is not UTF-8)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise error(_(message).format(byte=err.start, code=data[err.start])) from None


def read_text(data: bytes) -> str:
    """UTF-8 text (a BOM is fine) of at least MIN_TEXT_CHARS characters and at most MAX_TEXT_BYTES."""
    if len(data) > MAX_TEXT_BYTES:
        raise DataInputError(_("The text is {size:.1f} MB; at most {cap} MB here.").format(
            size=len(data) / 1e6, cap=MAX_TEXT_BYTES // 10**6))
    text = decode_utf8(data)
    if "\x00" in text:
        raise DataInputError(_("The text contains NUL bytes: it looks like a binary file, not text."))
    if len(text) < MIN_TEXT_CHARS:
        raise DataInputError(_("The text has {n:,} characters; a character model needs at least {least:,} to learn "
                               "anything.").format(n=len(text), least=MIN_TEXT_CHARS))
    return text


def read_series(data: bytes) -> np.ndarray:
    """One column of numbers (an optional header line, blank lines skipped) as float32, checked line by line."""
    if len(data) > MAX_TEXT_BYTES:
        raise DataInputError(_("The file is {size:.1f} MB; at most {cap} MB here.").format(
            size=len(data) / 1e6, cap=MAX_TEXT_BYTES // 10**6))
    text = decode_utf8(data)
    values: list[float] = []
    for number, line in enumerate(text.splitlines(), 1):
        cell = line.strip()
        if not cell:
            continue
        if "," in cell or ";" in cell or "\t" in cell:
            raise DataInputError(_("Line {number} has more than one column ({cell!r}); give one number per line.").format(
                number=number, cell=cell[:40]))
        try:
            value = float(cell)
        except ValueError:
            if not values and number == 1:
                continue  # a header
            raise DataInputError(_("Line {number} is not a number: {cell!r}.").format(number=number, cell=cell[:40])) from None
        if not math.isfinite(value):
            raise DataInputError(_("Line {number} is {cell!r}; every value must be a finite number.").format(
                number=number, cell=cell))
        values.append(value)
        if len(values) > MAX_SERIES:
            raise DataInputError(_("More than {cap:,} values; at most {cap:,} here.").format(cap=MAX_SERIES))
    if len(values) < MIN_SERIES:
        raise DataInputError(_("{n} values; a next-value predictor needs at least {least}.").format(
            n=len(values), least=MIN_SERIES))
    series = np.array(values, dtype=np.float64)
    if series.std() == 0:
        raise DataInputError(_("Every value is the same: there is nothing to predict."))
    return series.astype(np.float32)
