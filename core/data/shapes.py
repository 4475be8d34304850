"""Synthetic shapes: a generated dataset whose object and its bounding box are known exactly.

Each 64×64 RGB picture holds one shape (circle, square, triangle, star, cross, ring) of random
colour, size, position and rotation, on a noisy gradient cluttered with lines and dots. Because
we draw the object ourselves we know its box, which later lets tests check where saliency points.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from core.i18n import N_

SHAPE_CLASSES: tuple[str, ...] = (N_("circle"), N_("square"), N_("triangle"), N_("star"), N_("cross"), N_("ring"))
"""Class names (the models' output labels; pages show them through `_`)."""
IMAGE_SIZE = 64


@dataclass(frozen=True)
class ShapesBatch:
    """Pictures (N, 64, 64, 3) uint8, labels (N,) int64 and boxes (N, 4) as x0, y0, x1, y1 (exclusive)."""

    images: np.ndarray
    labels: np.ndarray
    boxes: np.ndarray


def _regular_polygon(cx: float, cy: float, radii: list[float], theta: float) -> list[tuple[float, float]]:
    n = len(radii)
    return [
        (cx + r * math.cos(theta + 2 * math.pi * k / n), cy + r * math.sin(theta + 2 * math.pi * k / n))
        for k, r in enumerate(radii)
    ]


def _cross(cx: float, cy: float, r: float, theta: float) -> list[tuple[float, float]]:
    w = 0.34 * r
    outline = [(w, r), (w, w), (r, w), (r, -w), (w, -w), (w, -r),
               (-w, -r), (-w, -w), (-r, -w), (-r, w), (-w, w), (-w, r)]
    c, s = math.cos(theta), math.sin(theta)
    return [(cx + x * c - y * s, cy + x * s + y * c) for x, y in outline]


def _shape_mask(label: int, cx: float, cy: float, r: float, theta: float, size: int) -> Image.Image:
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    name = SHAPE_CLASSES[label]
    if name == "circle":
        rr = 0.85 * r
        draw.ellipse((cx - rr, cy - rr, cx + rr, cy + rr), fill=255)
    elif name == "ring":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
        ri = 0.55 * r
        draw.ellipse((cx - ri, cy - ri, cx + ri, cy + ri), fill=0)
    elif name == "square":
        draw.polygon(_regular_polygon(cx, cy, [r * 0.95] * 4, theta), fill=255)
    elif name == "triangle":
        draw.polygon(_regular_polygon(cx, cy, [r] * 3, theta), fill=255)
    elif name == "star":
        draw.polygon(_regular_polygon(cx, cy, [r, 0.45 * r] * 5, theta), fill=255)
    elif name == "cross":
        draw.polygon(_cross(cx, cy, r, theta), fill=255)
    return mask


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    a, b = rng.uniform(0, 255, size=(2, 3))
    direction = rng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:size, 0:size] / (size - 1)
    t = (math.cos(direction) * xx + math.sin(direction) * yy)
    t = (t - t.min()) / max(t.max() - t.min(), 1e-6)
    img = a[None, None, :] * (1 - t[..., None]) + b[None, None, :] * t[..., None]
    return img


def _clutter(rng: np.random.Generator, canvas: Image.Image) -> None:
    draw = ImageDraw.Draw(canvas)
    size = canvas.size[0]
    for _ in range(int(rng.integers(2, 7))):
        x0, y0, x1, y1 = rng.uniform(0, size, size=4)
        draw.line((x0, y0, x1, y1), fill=tuple(int(v) for v in rng.integers(0, 256, 3)), width=1)
    for _ in range(int(rng.integers(4, 14))):
        x, y = rng.uniform(0, size, size=2)
        rad = rng.uniform(0.5, 1.8)
        draw.ellipse((x - rad, y - rad, x + rad, y + rad), fill=tuple(int(v) for v in rng.integers(0, 256, 3)))


def _place(rng: np.random.Generator, size: int, r: float, taken: list[np.ndarray]) -> tuple[float, float]:
    """A centre for a shape of radius `r` whose disc overlaps none of the boxes already `taken`."""
    for _ in range(200):
        cx, cy = rng.uniform(r + 1, size - r - 1, size=2)
        if all(cx + r < b[0] - 1 or cx - r > b[2] + 1 or cy + r < b[1] - 1 or cy - r > b[3] + 1 for b in taken):
            return float(cx), float(cy)
    raise ValueError("no room left for another shape")


def draw_scene(
    rng: np.random.Generator, labels: list[int], size: int = IMAGE_SIZE, scale: tuple[float, float] = (0.15, 0.32)
) -> tuple[np.ndarray, np.ndarray]:
    """A cluttered picture holding one shape per entry of `labels`, none overlapping.

    Returns the picture (H, W, 3) uint8 and the boxes (len(labels), 4) as x0, y0, x1, y1 (exclusive).
    """
    bg = _background(rng, size)
    canvas = Image.fromarray(np.clip(bg, 0, 255).astype(np.uint8), mode="RGB")
    _clutter(rng, canvas)
    boxes: list[np.ndarray] = []
    for label in labels:
        r = rng.uniform(*scale) * size
        cx, cy = _place(rng, size, r, boxes)
        mask = _shape_mask(label, cx, cy, r, rng.uniform(0, 2 * math.pi), size)
        local = bg[int(cy), int(cx)]
        for _ in range(20):
            colour = rng.integers(0, 256, 3)
            if np.abs(colour - local).sum() > 180:
                break
        canvas.paste(Image.new("RGB", canvas.size, tuple(int(v) for v in colour)), (0, 0), mask)
        ys, xs = np.nonzero(np.asarray(mask) > 0)
        boxes.append(np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=np.int64))
    pixels = np.asarray(canvas, dtype=np.float64)
    pixels = pixels + rng.normal(0, rng.uniform(4, 18), size=pixels.shape)
    return np.clip(pixels, 0, 255).astype(np.uint8), np.stack(boxes)


def draw_shape(rng: np.random.Generator, label: int, size: int = IMAGE_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """One cluttered picture holding shape `label`; returns (H, W, 3) uint8 and its box x0, y0, x1, y1."""
    pixels, boxes = draw_scene(rng, [label], size)
    return pixels, boxes[0]


def make_shapes(n: int, seed: int, size: int = IMAGE_SIZE) -> ShapesBatch:
    """Generate `n` labelled pictures, classes balanced and shuffled, fully determined by `seed`."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % len(SHAPE_CLASSES)).astype(np.int64)
    images = np.empty((n, size, size, 3), dtype=np.uint8)
    boxes = np.empty((n, 4), dtype=np.int64)
    for i, label in enumerate(labels):
        images[i], boxes[i] = draw_shape(rng, int(label), size)
    return ShapesBatch(images=images, labels=labels, boxes=boxes)


TEXTURED_SHAPES: tuple[str, ...] = ("circle", "square", "triangle")
TEXTURES: tuple[str, ...] = (N_("horizontal stripes"), N_("vertical stripes"), N_("diagonal stripes"), N_("checks"))
TEXTURED_CLASSES: tuple[str, ...] = tuple(f"{s}, {t}" for s in TEXTURED_SHAPES for t in TEXTURES)
TEXTURED_SIZE = 32
TEXTURE_PERIOD = 4  # pixels: two on, two off


def texture(kind: int, size: int, phase: tuple[int, int]) -> np.ndarray:
    """(size, size) 0/1 pattern of `TEXTURES[kind]` with period `TEXTURE_PERIOD`, shifted by `phase` (dy, dx)."""
    yy, xx = np.mgrid[0:size, 0:size]
    yy, xx = yy + phase[0], xx + phase[1]
    half = TEXTURE_PERIOD // 2
    pattern = {0: yy // half % 2, 1: xx // half % 2, 2: (xx + yy) // half % 2,
               3: (xx // half + yy // half) % 2}[kind]
    return pattern.astype(np.float64)


def _distinct_colours(rng: np.random.Generator, apart: float) -> tuple[np.ndarray, np.ndarray]:
    for _ in range(50):
        a, b = rng.integers(0, 256, size=(2, 3))
        if np.abs(a - b).sum() > apart:
            break
    return a.astype(np.float64), b.astype(np.float64)


def draw_textured(rng: np.random.Generator, shape: int, kind: int, size: int = TEXTURED_SIZE) -> np.ndarray:
    """One picture (size, size, 3) uint8: shape `TEXTURED_SHAPES[shape]` filled with texture `TEXTURES[kind]`,
    of random size (a fifth to two fifths of the side), place, turn and colours, on a gradient that carries a
    fainter texture of another kind, with clutter strokes and noise on top."""
    bg = _background(rng, size)
    other = int(rng.choice([k for k in range(len(TEXTURES)) if k != kind]))
    faint = texture(other, size, tuple(rng.integers(0, TEXTURE_PERIOD, 2)))
    bg = bg + rng.uniform(10, 30) * (faint[..., None] - 0.5)
    r = rng.uniform(0.22, 0.42) * size
    cx, cy = rng.uniform(r * 0.8, size - r * 0.8, size=2)
    mask = np.asarray(_shape_mask(SHAPE_CLASSES.index(TEXTURED_SHAPES[shape]), cx, cy, r,
                                  rng.uniform(0, 2 * math.pi), size), dtype=np.float64)[..., None] / 255
    a, b = _distinct_colours(rng, 200)
    fill = texture(kind, size, tuple(rng.integers(0, TEXTURE_PERIOD, 2)))[..., None]
    pixels = bg * (1 - mask) + (a * fill + b * (1 - fill)) * mask
    canvas = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="RGB")
    draw = ImageDraw.Draw(canvas)
    for _ in range(int(rng.integers(1, 4))):
        x0, y0, x1, y1 = rng.uniform(0, size, size=4)
        draw.line((x0, y0, x1, y1), fill=tuple(int(v) for v in rng.integers(0, 256, 3)), width=1)
    pixels = np.asarray(canvas, dtype=np.float64) + rng.normal(0, rng.uniform(4, 14), size=(size, size, 3))
    return np.clip(pixels, 0, 255).astype(np.uint8)


def make_textured_shapes(n: int, seed: int, size: int = TEXTURED_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """`n` pictures (N, size, size, 3) uint8 and labels (N,) int64 into `TEXTURED_CLASSES` (shape × texture),
    classes balanced and shuffled, fully determined by `seed`."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % len(TEXTURED_CLASSES)).astype(np.int64)
    images = np.empty((n, size, size, 3), dtype=np.uint8)
    for i, label in enumerate(labels):
        shape, kind = divmod(int(label), len(TEXTURES))
        images[i] = draw_textured(rng, shape, kind, size)
    return images, labels
