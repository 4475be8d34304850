"""Write the sample pictures in assets/samples/ (run once; needs scikit-image, which the app does not).

    pip install scikit-image && python scripts/make_samples.py

Photos come from scikit-image's bundled data (public domain or CC0, see assets/samples/SOURCES.md);
digits are held-out scans from scikit-learn's digits, drawn large; shapes come from core.data.shapes, the
textured shapes of the eras task at their own 32×32 (the pixels the models read, untouched by resizing).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.data.digits import load_digits_split  # noqa: E402
from core.data.samples import SAMPLES_DIR  # noqa: E402
from core.data.shapes import SHAPE_CLASSES, TEXTURED_SHAPES, TEXTURES, draw_shape, draw_textured  # noqa: E402

ERA_SAMPLES = (("triangle", "checks"), ("circle", "horizontal stripes"), ("square", "diagonal stripes"))


def main() -> None:
    from skimage import data

    SAMPLES_DIR.mkdir(parents=True, exist_ok=True)
    for name in ("astronaut", "chelsea", "coffee", "rocket"):
        Image.fromarray(getattr(data, name)()).convert("RGB").save(SAMPLES_DIR / f"{name}.jpg", quality=90)

    test = load_digits_split("test")
    for digit, ink in ((3, "light"), (7, "light"), (5, "dark")):
        scan = test.images[np.flatnonzero(test.labels == digit)[0]]
        big = np.kron(scan, np.ones((16, 16)))
        pad = np.pad(big, 24)
        if ink == "dark":  # dark ink on white paper, as a user's own drawing would be
            pad = 1.0 - pad
        Image.fromarray((pad * 255).round().astype(np.uint8)).save(SAMPLES_DIR / f"digit_{digit}.png")

    rng = np.random.default_rng(2024)
    for name in ("star", "ring", "triangle"):
        pixels, _ = draw_shape(rng, SHAPE_CLASSES.index(name))
        Image.fromarray(pixels).resize((256, 256), Image.Resampling.NEAREST).save(SAMPLES_DIR / f"shape_{name}.png")

    rng = np.random.default_rng(2026)
    for shape, kind in ERA_SAMPLES:
        pixels = draw_textured(rng, TEXTURED_SHAPES.index(shape), TEXTURES.index(kind))
        Image.fromarray(pixels).save(SAMPLES_DIR / f"textured_{shape}_{kind.split()[0]}.png")
    print(f"wrote {len(list(SAMPLES_DIR.iterdir()))} files to {SAMPLES_DIR}")


if __name__ == "__main__":
    main()
