"""Decode whatever a user uploads into one RGB picture, or say in one sentence why not.

Uploads are hostile by default: empty, huge, truncated, animated, 16-bit, CMYK, rotated by EXIF,
or not images at all. Every failure raises `ImageInputError`, whose message is written for the user.
"""
from __future__ import annotations

import hashlib
import io
import struct
import warnings
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from core.i18n import _

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_ASPECT = 25.0
FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff"]


class ImageInputError(ValueError):
    """An upload that cannot become a picture; `str(err)` is a sentence to show the user."""


@dataclass(frozen=True)
class DecodedImage:
    """An RGB picture (H, W, 3) uint8, the format it came in, and notes on what was done to it."""

    pixels: np.ndarray
    source_format: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    @cached_property
    def digest(self) -> str:
        """A short content hash: the cache key of everything computed from this picture (hashed once: a
        12-megapixel photo takes tens of milliseconds, and every rerun asks for it)."""
        h = hashlib.blake2b(self.pixels.tobytes(), digest_size=12)
        h.update(str(self.pixels.shape).encode())
        return h.hexdigest()

    def to_pil(self) -> Image.Image:
        return Image.fromarray(self.pixels, mode="RGB")


def _to_rgb(im: Image.Image, notes: list[str]) -> Image.Image:
    """Convert any PIL mode to RGB: transparency over white, high bit depths rescaled to 8 bits."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(im, dtype=np.float64)
        finite = arr[np.isfinite(arr)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
        scaled = np.zeros_like(arr) if hi <= lo else (arr - lo) / (hi - lo) * 255.0
        scaled = np.nan_to_num(scaled, nan=0.0, posinf=255.0, neginf=0.0)
        notes.append(_("{mode} image rescaled from [{lo:g}, {hi:g}] to 8 bits.").format(mode=im.mode, lo=lo, hi=hi))
        return Image.fromarray(np.clip(scaled, 0, 255).astype(np.uint8), mode="L").convert("RGB")
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = im.convert("RGBA")
        if rgba.getextrema()[3][0] < 255:
            notes.append(_("Transparent pixels were placed on white."))
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if im.mode != "RGB":
        return im.convert("RGB")
    return im


def decode_image(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> DecodedImage:
    """Decode uploaded bytes into an RGB picture, or raise `ImageInputError` with the reason."""
    if not data:
        raise ImageInputError(_("The file is empty (0 bytes)."))
    if len(data) > max_bytes:
        raise ImageInputError(
            _("The file is {size:.1f} MB; the limit is {limit:.0f} MB.").format(size=len(data) / 1e6,
                                                                               limit=max_bytes / 1e6)
        )
    head = data[:512].lstrip().lower()
    if head.startswith(b"<?xml") or b"<svg" in head:
        raise ImageInputError(
            _("This is an SVG (a vector drawing); export it as PNG or JPEG and upload that.")
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=list(FORMATS))  # an allow-list: no exotic decoders
            width, height = im.size
            if width <= 0 or height <= 0:
                raise ImageInputError(_("The image says it has no pixels."))
            if width * height > max_pixels:
                raise ImageInputError(
                    _("The image claims {width}×{height} pixels ({megapixels:.0f} megapixels); the limit is "
                      "{limit:.0f} megapixels.").format(width=width, height=height,
                                                       megapixels=width * height / 1e6, limit=max_pixels / 1e6)
                )
            if max(width, height) / min(width, height) > MAX_ASPECT:
                raise ImageInputError(
                    _("The image is {width}×{height} pixels, a strip more than {aspect:.0f}× longer than it is "
                      "wide; crop it closer to a square.").format(width=width, height=height, aspect=MAX_ASPECT)
                )
            fmt = im.format or "unknown"
            if fmt not in FORMATS:
                raise ImageInputError(
                    _("{format} files are not supported; use one of {formats}.").format(
                        format=fmt, formats=", ".join(FORMATS))
                )
            notes: list[str] = []
            frames = getattr(im, "n_frames", 1)
            if frames > 1:
                im.seek(0)
                notes.append(_("The file holds {frames} frames; the first one is shown.").format(frames=frames))
            im.load()
            oriented = ImageOps.exif_transpose(im)
            if oriented is not None and oriented.size != im.size:
                notes.append(_("Rotated upright as its EXIF orientation says."))
            im = oriented if oriented is not None else im
            rgb = _to_rgb(im, notes)
            pixels = np.array(rgb, dtype=np.uint8)
    except ImageInputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageInputError(
            _("The image claims more pixels than the limit of {limit:.0f} megapixels (a decompression bomb, or a "
              "very large picture); downscale it first.").format(limit=max_pixels / 1e6)
        ) from None
    except UnidentifiedImageError:
        raise ImageInputError(
            _("This file is not an image we can read; upload one of {formats}.").format(formats=", ".join(FORMATS))
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as err:
        if "truncated" in str(err).lower():
            raise ImageInputError(_("The image file is truncated: it ends before its last pixels.")) from None
        raise ImageInputError(_("The image file is damaged and cannot be decoded ({error}).").format(error=err)) from None
    if pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ImageInputError(_("The image could not be converted to RGB."))
    return DecodedImage(pixels=pixels, source_format=fmt, notes=tuple(notes))

