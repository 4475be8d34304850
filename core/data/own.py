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
from core.i18n import _
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
        raise DataInputError(f"{info.filename} unpacks to {info.file_size / info.compress_size:.0f}× its packed size: "
                             "that is a zip bomb, not a picture.")
    cap = min(MAX_IMAGE_BYTES, budget)
    with zf.open(info) as f:
        data = f.read(cap + 1)
    if len(data) > cap:
        if cap < MAX_IMAGE_BYTES:
            raise DataInputError(f"The archive unpacks to more than {MAX_UNPACKED_BYTES // 10**6} MB.")
        raise ImageInputError(f"over {MAX_IMAGE_BYTES // 10**6} MB")
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
        raise DataInputError("The file is empty.")
    if len(data) > MAX_ZIP_BYTES:
        raise DataInputError(f"The zip is {len(data) / 1e6:.0f} MB; at most {MAX_ZIP_BYTES // 10**6} MB here.")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        members = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as err:
        raise DataInputError(f"This is not a readable zip file ({err}).") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise DataInputError(f"The zip holds {len(members):,} entries; at most {MAX_ZIP_MEMBERS:,} here.")
    files = [m for m in members if not m.is_dir() and "__MACOSX" not in m.filename
             and not m.filename.rsplit("/", 1)[-1].startswith(".")]
    paths = [m.filename.strip("/").split("/") for m in files]
    depth = {len(p) for p in paths}
    if not paths or min(depth) < 2:
        raise DataInputError("Put the pictures in one folder per class (cats/1.jpg, dogs/2.jpg, …) and zip those folders.")
    common = 0  # strip folders every path shares (a zipped parent folder)
    while all(len(p) > common + 2 for p in paths) and len({p[common] for p in paths}) == 1:
        common += 1
    folders = sorted({p[common] for p in paths})
    classes = [inert(name) for name in folders]  # shown in many places; markup made inert at the source
    if len(classes) < 2:
        raise DataInputError(f"Only one class folder ({classes[0]}): a classifier needs at least two.")
    if len(classes) > MAX_CLASSES:
        raise DataInputError(f"{len(classes)} class folders; at most {MAX_CLASSES} here.")
    index = {name: i for i, name in enumerate(folders)}
    images, labels, skipped = [], [], []
    budget, pixels_left = MAX_UNPACKED_BYTES, MAX_ZIP_PIXELS
    for number, (info, path) in enumerate(zip(files, paths)):
        name = "/".join(path[common:])
        if not name.lower().endswith(PICTURE_SUFFIXES):
            skipped.append(f"{name}: not a picture file")
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
            skipped.append(f"{name}: unreadable in the zip ({err})")
            continue
        images.append(_square(picture.pixels))
        labels.append(index[path[common]])
    folder = ImageFolder(np.stack(images) if images else np.zeros((0, IMAGE_SIDE, IMAGE_SIDE, 3), np.uint8),
                         np.array(labels, dtype=np.int64), tuple(classes), tuple(skipped))
    few = [f"{name} ({n})" for name, n in folder.counts().items() if n < MIN_PER_CLASS]
    if few:
        raise DataInputError(f"Each class needs at least {MIN_PER_CLASS} readable pictures; too few in " + ", ".join(few)
                             + (f". Skipped: {'; '.join(skipped[:3])}" if skipped else "") + ".")
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


def decode_utf8(data: bytes, what: str, error: type[ValueError] = DataInputError) -> str:
    """`data` as UTF-8 text (a BOM is fine); otherwise `error` saying which byte of `what` is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise error(f"{what} is not UTF-8 text: byte {err.start} (0x{data[err.start]:02x}) cannot start a "
                    "character. Save the file as UTF-8.") from None


def read_text(data: bytes) -> str:
    """UTF-8 text (a BOM is fine) of at least MIN_TEXT_CHARS characters and at most MAX_TEXT_BYTES."""
    if len(data) > MAX_TEXT_BYTES:
        raise DataInputError(f"The text is {len(data) / 1e6:.1f} MB; at most {MAX_TEXT_BYTES // 10**6} MB here.")
    text = decode_utf8(data, "This")
    if "\x00" in text:
        raise DataInputError("The text contains NUL bytes: it looks like a binary file, not text.")
    if len(text) < MIN_TEXT_CHARS:
        raise DataInputError(f"The text has {len(text):,} characters; a character model needs at least "
                             f"{MIN_TEXT_CHARS:,} to learn anything.")
    return text


def read_series(data: bytes) -> np.ndarray:
    """One column of numbers (an optional header line, blank lines skipped) as float32, checked line by line."""
    if len(data) > MAX_TEXT_BYTES:
        raise DataInputError(f"The file is {len(data) / 1e6:.1f} MB; at most {MAX_TEXT_BYTES // 10**6} MB here.")
    text = decode_utf8(data, "This")
    values: list[float] = []
    for number, line in enumerate(text.splitlines(), 1):
        cell = line.strip()
        if not cell:
            continue
        if "," in cell or ";" in cell or "\t" in cell:
            raise DataInputError(f"Line {number} has more than one column ({cell[:40]!r}); give one number per line.")
        try:
            value = float(cell)
        except ValueError:
            if not values and number == 1:
                continue  # a header
            raise DataInputError(f"Line {number} is not a number: {cell[:40]!r}.") from None
        if not math.isfinite(value):
            raise DataInputError(f"Line {number} is {cell!r}; every value must be a finite number.")
        values.append(value)
        if len(values) > MAX_SERIES:
            raise DataInputError(f"More than {MAX_SERIES:,} values; at most {MAX_SERIES:,} here.")
    if len(values) < MIN_SERIES:
        raise DataInputError(f"{len(values)} values; a next-value predictor needs at least {MIN_SERIES}.")
    series = np.array(values, dtype=np.float64)
    if series.std() == 0:
        raise DataInputError("Every value is the same: there is nothing to predict.")
    return series.astype(np.float32)
