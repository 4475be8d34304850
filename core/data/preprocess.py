"""Turn an RGB picture into exactly what an image model eats, and keep a copy a person can look at."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from core.data.digits import scans_to_lenet


@dataclass(frozen=True)
class Preprocessing:
    """An image model's input recipe: `recipe` ("digit", "shapes" or "imagenet") says how a picture is cut to
    `input_size` (C, H, W); `mean` and `std` (one per channel) normalise it; `resize_size` is the shorter
    side before the centre crop (ImageNet models)."""

    recipe: str
    input_size: tuple[int, int, int]
    mean: tuple[float, ...]
    std: tuple[float, ...]
    resize_size: int | None = None


@dataclass(frozen=True)
class ModelInput:
    """`tensor` (1, C, H, W) normalised for the model; `display` (H, W, 3) uint8, the same picture unnormalised."""

    tensor: torch.Tensor
    display: np.ndarray


def _centre_square(img: Image.Image) -> Image.Image:
    w, h = img.size
    side = min(w, h)
    left, top = (w - side) // 2, (h - side) // 2
    return img.crop((left, top, left + side, top + side))


def picture_to_scan(pixels: np.ndarray) -> np.ndarray:
    """Any picture of a digit → an (8, 8) scan in [0, 1] like scikit-learn's: bright ink, tight box.

    Dark ink on a light page is inverted; the ink's bounding box is padded to a square and averaged
    down to 8×8, as the UCI scans were made (32×32 bitmaps counted in 4×4 blocks).
    """
    gray = np.asarray(Image.fromarray(pixels).convert("L"), dtype=np.float32) / 255.0
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    background = float(np.median(border))
    if background > 0.5:
        gray, background = 1.0 - gray, 1.0 - background
    gray = np.clip(gray - background, 0.0, None)
    peak = float(gray.max())
    if peak <= 1e-6:
        return np.zeros((8, 8), dtype=np.float32)
    gray = gray / peak
    ys, xs = np.nonzero(gray > 0.3)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    ink = gray[y0:y1, x0:x1]
    side = max(ink.shape)
    square = np.zeros((side, side), dtype=np.float32)
    oy, ox = (side - ink.shape[0]) // 2, (side - ink.shape[1]) // 2
    square[oy:oy + ink.shape[0], ox:ox + ink.shape[1]] = ink
    scan = Image.fromarray(square, mode="F").resize((8, 8), Image.Resampling.BOX)
    scan_arr = np.asarray(scan, dtype=np.float32)
    return np.clip(scan_arr / max(float(scan_arr.max()), 1e-6), 0.0, 1.0)


def normalise(x: torch.Tensor, pre: Preprocessing) -> torch.Tensor:
    """(N, C, H, W) in [0, 1] → the model's normalisation."""
    mean = torch.tensor(pre.mean, dtype=x.dtype).view(1, -1, 1, 1)
    std = torch.tensor(pre.std, dtype=x.dtype).view(1, -1, 1, 1)
    return (x - mean) / std


def prepare_image(pixels: np.ndarray, pre: Preprocessing) -> ModelInput:
    """(H, W, 3) uint8 picture → the model's input, by the recipe its training data used."""
    if pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.dtype != np.uint8:
        raise ValueError(f"expected an (H, W, 3) uint8 picture, got {pixels.shape} {pixels.dtype}")
    img = Image.fromarray(pixels)
    if pre.recipe == "digit":
        scan = torch.from_numpy(picture_to_scan(pixels))
        x = scans_to_lenet(scan)  # (1, 1, 32, 32)
        gray = (x[0, 0].numpy() * 255).round().astype(np.uint8)
        return ModelInput(normalise(x, pre), np.repeat(gray[..., None], 3, axis=2))
    _, height, width = pre.input_size
    if pre.recipe in ("shapes", "eras"):
        img = _centre_square(img).resize((width, height), Image.Resampling.BILINEAR)
    elif pre.recipe == "imagenet":
        short = pre.resize_size or height
        w, h = img.size
        scale = short / min(w, h)
        img = img.resize((max(width, round(w * scale)), max(height, round(h * scale))), Image.Resampling.BILINEAR)
        w, h = img.size
        left, top = (w - width) // 2, (h - height) // 2
        img = img.crop((left, top, left + width, top + height))
    else:
        raise ValueError(f"unknown input kind {pre.recipe!r}")
    display = np.asarray(img, dtype=np.uint8).copy()
    x = torch.from_numpy(display).permute(2, 0, 1).unsqueeze(0).float() / 255.0
    return ModelInput(normalise(x, pre), display)


def to_display(x: torch.Tensor, pre: Preprocessing) -> np.ndarray:
    """A normalised model input (1, C, H, W) back to a picture (H, W, 3) uint8."""
    mean = torch.tensor(pre.mean).view(-1, 1, 1)
    std = torch.tensor(pre.std).view(-1, 1, 1)
    pixels = ((x[0].detach().float().cpu() * std + mean).clamp(0, 1) * 255).round().byte()
    if pixels.shape[0] == 1:
        pixels = pixels.repeat(3, 1, 1)
    return pixels.permute(1, 2, 0).numpy()


def gray_thumbnail(pixels: np.ndarray, side: int) -> np.ndarray:
    """The picture in gray, values in [0, 1], shrunk (keeping its aspect) to fit a side × side box."""
    img = Image.fromarray(pixels).convert("L")
    img.thumbnail((side, side), Image.Resampling.BOX)
    return np.asarray(img, dtype=np.float64) / 255.0
