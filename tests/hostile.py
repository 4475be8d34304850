"""A corpus of hostile uploads, generated (never downloaded): each entry is bytes plus what should happen."""
from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image


def _save(im: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny valid-looking PNG whose header claims `width`×`height` pixels (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def gradient_rgb(w: int = 64, h: int = 48) -> Image.Image:
    x = np.linspace(0, 255, w, dtype=np.float32)[None, :].repeat(h, 0)
    y = np.linspace(0, 255, h, dtype=np.float32)[:, None].repeat(w, 1)
    return Image.fromarray(np.stack([x, y, 255 - x], -1).astype(np.uint8))


def exif_rotated_jpeg() -> bytes:
    """A 40×20 JPEG whose EXIF orientation (6) says: rotate 90° clockwise to view."""
    im = gradient_rgb(40, 20)
    exif = Image.Exif()
    exif[0x0112] = 6
    return _save(im, "JPEG", exif=exif.tobytes())


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (16, 16), (i * 60, 255 - i * 60, 0)) for i in range(4)]
    return _save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50, loop=0)


def multipage_tiff() -> bytes:
    frames = [gradient_rgb(), gradient_rgb().rotate(90, expand=True)]
    return _save(frames[0], "TIFF", save_all=True, append_images=frames[1:])


def palette_png_with_transparency() -> bytes:
    im = Image.new("P", (8, 8), 0)
    im.putpalette([255, 0, 0, 0, 255, 0] + [0] * (254 * 3))
    im.putpixel((0, 0), 1)
    return _save(im, "PNG", transparency=0)


def truncated_jpeg() -> bytes:
    data = _save(gradient_rgb(256, 256), "JPEG", quality=95)
    return data[: len(data) // 2]


# name → (bytes, expected): expected is "error" or the (H, W) the decoded picture must have.
def corpus() -> dict[str, tuple[bytes, object]]:
    gray16 = Image.fromarray((np.arange(32 * 24, dtype=np.uint16).reshape(24, 32) * 80))
    return {
        "empty.png": (b"", "error"),
        "random.png": (np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes(), "error"),
        "truncated.jpg": (truncated_jpeg(), "error"),
        "bomb.png": (png_claiming(100_000, 100_000), "error"),
        "strip.png": (_save(Image.new("RGB", (20_000, 10), "white"), "PNG"), "error"),
        "drawing.svg": (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>', "error"),
        "notes.txt": ("just some text, not a picture\n".encode(), "error"),
        "one_pixel.png": (_save(Image.new("RGB", (1, 1), (200, 10, 10)), "PNG"), (1, 1)),
        "gray16.png": (_save(gray16, "PNG"), (24, 32)),
        "cmyk.jpg": (_save(Image.new("CMYK", (30, 20), (0, 255, 255, 0)), "JPEG"), (20, 30)),
        "palette_transparent.png": (palette_png_with_transparency(), (8, 8)),
        "la.png": (_save(Image.new("LA", (10, 12), (128, 100)), "PNG"), (12, 10)),
        "float.tif": (_save(Image.fromarray(np.linspace(-1, 3, 200, dtype=np.float32).reshape(10, 20)), "TIFF"), (10, 20)),
        "animated.gif": (animated_gif(), (16, 16)),
        "multipage.tif": (multipage_tiff(), (48, 64)),
        "exif_rotated.jpg": (exif_rotated_jpeg(), (40, 20)),
        "photo.webp": (_save(gradient_rgb(), "WEBP"), (48, 64)),
        "photo.bmp": (_save(gradient_rgb(), "BMP"), (48, 64)),
    }
