"""A corpus of hostile uploads, generated (never downloaded): each entry is bytes plus what should happen."""
from __future__ import annotations

import functools
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
        "float_bomb.tif": (tiff_claiming(6324, 6324), "error"),  # 134 bytes, 1.5 GB to decode before issue 27
        "pages.tif": (tiff_pages(2000), (1, 1)),
    }


def tiff_claiming(width: int, height: int, bits: int = 32, sample_format: int = 3) -> bytes:
    """A tiny TIFF whose one page claims `width`×`height` pixels of `bits`-bit samples (3: float), pixels absent:
    decoding it for real would take width × height × (bits / 8) bytes and more to convert."""
    tags = [(256, 4, width), (257, 4, height), (258, 3, bits), (259, 3, 1), (262, 3, 1), (273, 4, 8),
            (277, 3, 1), (278, 4, height), (279, 4, width * height * bits // 8), (339, 3, sample_format)]
    ifd = struct.pack("<H", len(tags)) + b"".join(
        struct.pack("<HHI", tag, kind, 1) + (struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value))
        for tag, kind, value in tags) + struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", 8) + ifd


def tiff_pages(pages: int) -> bytes:
    """A TIFF of `pages` one-pixel gray pages (≈ 130 bytes each): counting its pages costs the square of their number."""
    tags = 9
    size = 2 + tags * 12 + 4
    data_at = 8 + pages * size  # every page points at the same one pixel, after the last page
    out = [b"II*\x00", struct.pack("<I", 8)]
    for i in range(pages):
        following = 8 + (i + 1) * size if i + 1 < pages else 0
        entries = [(256, 3, 1), (257, 3, 1), (258, 3, 8), (259, 3, 1), (262, 3, 1), (273, 4, data_at), (277, 3, 1),
                   (278, 3, 1), (279, 4, 1)]
        out.append(struct.pack("<H", tags) + b"".join(
            struct.pack("<HHI", tag, kind, 1) + (struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value))
            for tag, kind, value in entries) + struct.pack("<I", following))
    out.append(b"\x80")
    return b"".join(out)


def one_bit_png(side: int) -> bytes:
    """A `side`×`side` one-bit PNG: a few kB on disk, `side`² pixels to decode."""
    return _save(Image.new("1", (side, side), 1), "PNG", optimize=False)


def zip_of(files: dict[str, bytes]) -> bytes:
    """A zip holding `files` (name → bytes), deflated."""
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def torch_archive_with_pickle(pickle_bytes: bytes) -> bytes:
    """A zip laid out as `torch.save` writes it, whose data.pkl is `pickle_bytes` (an opcode flood, say)."""
    return zip_of({"archive/data.pkl": pickle_bytes, "archive/byteorder": b"little", "archive/version": b"3\n"})


def pickle_opcode_flood(size: int) -> bytes:
    """A pickle that appends None to a list `size // 2` times: every opcode is work (and memory) for the reader,
    and what it builds is no state dict (4 MB of it took 10 s to refuse before issue 27)."""
    return b"\x80\x02]" + b"Na" * (size // 2) + b"."


def safetensors_of_empty_tensors(count: int) -> bytes:
    """A safetensors file naming `count` empty tensors: a few bytes of header each, a Python object each when read."""
    import json

    header = json.dumps({f"t{i}": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]} for i in range(count)}).encode()
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header


# Names a stranger types (class folders, file names, the "Call it" label, class-names lines) that markup would run.
MARKUP_NAMES = (
    "![a](https:127.0.0.1:8699)",
    '<a href="//host/x">x</a>',
    "[click](https://example.invalid)",
    "<img src=x onerror=alert(1)>",
    ":red[loud] $x^2$ **bold**",
    "https://example.invalid/track",
    "www.example.invalid and mail@example.invalid",
    "# heading `code` ~~gone~~ \\[escaped\\]",
)


@functools.cache
def worst_requests() -> dict[str, tuple[bytes, str]]:
    """Single requests that cost the server most before the fixes of issue 27: name → (bytes, what refuses them)."""
    return {
        "float_6324.tif": (tiff_claiming(6324, 6324), "decode budget"),
        "pages_20000.tif": (tiff_pages(20_000), "frames counted"),
        "flood.pt": (torch_archive_with_pickle(pickle_opcode_flood(4_000_000)), "pickle size"),
        "empty_tensors.safetensors": (safetensors_of_empty_tensors(100_000), "header size"),
    }
