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

MAX_BYTES = 20_000_000  # MB here are 1,000,000 bytes
MAX_PIXELS = 40_000_000
MAX_DECODE_BYTES = 320_000_000  # what decoding one picture may hold at once: 40 megapixels of 8-bit RGB
FRAMES_COUNTED = 8  # frames counted for the note; counting a TIFF's pages costs the square of their number
MAX_ASPECT = 25.0
FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff"]


class ImageInputError(ValueError):
    """An upload that cannot become a picture; `str(err)` is a sentence to show the user."""


@dataclass(frozen=True)
class DecodedImage:
    """An RGB picture (H, W, 3) uint8, the format it came in, notes on what was done to it, and how many pixels
    were decoded from the file (more than `pixels` holds when a `draft` size let the decoder shrink it)."""

    pixels: np.ndarray
    source_format: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    decoded_pixels: int = 0

    @cached_property
    def digest(self) -> str:
        """A short content hash: the cache key of everything computed from this picture (hashed once: a
        12-megapixel photo takes tens of milliseconds, and every rerun asks for it)."""
        h = hashlib.blake2b(self.pixels.tobytes(), digest_size=12)
        h.update(str(self.pixels.shape).encode())
        return h.hexdigest()

    def to_pil(self) -> Image.Image:
        return Image.fromarray(self.pixels, mode="RGB")


HIGH_DEPTH_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I", "F")


def decode_bytes(mode: str, width: int, height: int) -> int:
    """Bytes decoding a `mode` picture of `width`×`height` holds at its peak: PIL's own copy (1 byte a pixel for
    1-bit, gray and palette pictures, 2 for 16-bit, 4 for 32-bit and colour) plus the conversion to 8-bit RGB
    (a float32 copy and an 8-bit one for high bit depths; an RGB copy in PIL and one in numpy)."""
    stored = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2, "LA": 2, "PA": 2}.get(mode, 4)
    converted = 4 + 1 if mode in HIGH_DEPTH_MODES else 0
    return width * height * (stored + converted + 4 + 3)


def _frames(im: Image.Image) -> int:
    """How many frames the file holds, counted up to FRAMES_COUNTED + 1 (more is 'more than FRAMES_COUNTED')."""
    if not getattr(im, "is_animated", False):
        return 1
    count = 1
    try:
        while count <= FRAMES_COUNTED:
            im.seek(count)
            count += 1
    except EOFError:
        pass
    im.seek(0)
    return count


def _to_rgb(im: Image.Image, notes: list[str]) -> Image.Image:
    """Convert any PIL mode to RGB: transparency over white, high bit depths rescaled to 8 bits (in float32,
    in place: one float copy of the picture, not five)."""
    if im.mode in HIGH_DEPTH_MODES:
        arr = np.asarray(im, dtype=np.float32)
        finite = np.isfinite(arr)
        lo = float(arr.min(where=finite, initial=np.inf))
        hi = float(arr.max(where=finite, initial=-np.inf))
        del finite
        if not hi > lo:
            lo = hi = lo if np.isfinite(lo) else 0.0
            arr = np.zeros(arr.shape, dtype=np.float32)
        else:
            arr = arr.copy() if not arr.flags.writeable else arr
            arr -= lo
            arr /= hi - lo
            arr *= 255.0
            np.nan_to_num(arr, copy=False, nan=0.0, posinf=255.0, neginf=0.0)
            np.clip(arr, 0, 255, out=arr)
        notes.append(_("{mode} image rescaled from [{lo:g}, {hi:g}] to 8 bits.").format(mode=im.mode, lo=lo, hi=hi))
        return Image.fromarray(arr.astype(np.uint8), mode="L").convert("RGB")
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
    data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS, draft: tuple[int, int] | None = None
) -> DecodedImage:
    """Decode uploaded bytes into an RGB picture, or raise `ImageInputError` with the reason.

    `draft`: a size the caller will shrink the picture to anyway; a JPEG is then decoded at the smallest scale
    (1/2, 1/4, 1/8) at least that large, eight to sixty-four times fewer pixels, and any picture is shrunk by a
    whole factor to at least twice that size before it is converted to RGB (a 40-megapixel one-bit PNG would
    otherwise take 160 MB as RGB in PIL and 120 MB more in numpy)."""
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
            if draft is not None and im.format == "JPEG":
                im.draft("RGB", draft)
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
            cost = decode_bytes(im.mode, width, height)
            if cost > MAX_DECODE_BYTES:
                raise ImageInputError(_("A picture of {width}×{height} pixels in mode {mode} takes {cost:,.0f} MB to decode; "
                                        "this server decodes at most {most:,.0f} MB per picture. Save it smaller, or "
                                        "with 8 bits per channel.").format(
                                            mode=im.mode, width=width, height=height, cost=cost / 1e6,
                                            most=MAX_DECODE_BYTES / 1e6))
            notes: list[str] = []
            frames = _frames(im)
            if frames > FRAMES_COUNTED:
                notes.append(_("The file holds more than {n} frames; the first one is shown.").format(n=FRAMES_COUNTED))
            elif frames > 1:
                notes.append(_("The file holds {frames} frames; the first one is shown.").format(frames=frames))
            im.load()
            oriented = ImageOps.exif_transpose(im)
            if oriented is not None and oriented.size != im.size:
                notes.append(_("Rotated upright as its EXIF orientation says."))
            im = oriented if oriented is not None else im
            if draft is not None:
                factor = min(im.width // (2 * draft[0]), im.height // (2 * draft[1]))
                if factor > 1:
                    if im.mode in ("1", "P") or im.mode.startswith("I;16"):  # modes reduce() cannot shrink
                        im = im.convert({"1": "L", "P": "RGBA" if "transparency" in im.info else "RGB"}.get(im.mode, "I"))
                    im = im.reduce(factor)
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
    return DecodedImage(pixels=pixels, source_format=fmt, notes=tuple(notes), decoded_pixels=width * height)

