"""Draw the app's page icon, assets/icon.png: a small network of three layers (made here, so no browser
fetches an icon from a third party). Run: python scripts/make_icon.py"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

SIZE, SCALE = 64, 4  # drawn at 4× and shrunk, for smooth edges
RED, INK = (255, 75, 75), (49, 51, 63)


def draw() -> Image.Image:
    big = SIZE * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    layers = [[0.5], [0.25, 0.5, 0.75], [0.35, 0.65]]
    points = [[(big * (0.18 + 0.32 * i), big * y) for y in ys] for i, ys in enumerate(layers)]
    for left, right in zip(points, points[1:]):
        for a in left:
            for b in right:
                pen.line([a, b], fill=INK, width=big // 40)
    radius = big // 11
    for layer in points:
        for x, y in layer:
            pen.ellipse([x - radius, y - radius, x + radius, y + radius], fill=RED, outline=INK, width=big // 60)
    return image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


if __name__ == "__main__":
    path = Path(__file__).resolve().parent.parent / "assets" / "icon.png"
    draw().save(path, optimize=True)
    print(f"wrote {path}")
