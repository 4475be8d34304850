"""The sample pictures shipped in assets/samples/ (provenance and licences in SOURCES.md there)."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from core.data.images import DecodedImage, decode_image

SAMPLES_DIR = Path(__file__).resolve().parent.parent.parent / "assets" / "samples"


@dataclass(frozen=True)
class Sample:
    """A bundled picture: file name, a title for pickers, and the input kind it suits best."""

    file: str
    title: str
    kind: str  # its world: "digit", "shapes", "eras" or "imagenet", as a model spec names the world it knows


SAMPLES: tuple[Sample, ...] = (
    Sample("digit_3.png", "Digit 3 (held-out scan)", "digit"),
    Sample("digit_7.png", "Digit 7 (held-out scan)", "digit"),
    Sample("digit_5.png", "Digit 5 (dark ink on white)", "digit"),
    Sample("shape_star.png", "Shape: star", "shapes"),
    Sample("shape_ring.png", "Shape: ring", "shapes"),
    Sample("shape_triangle.png", "Shape: triangle", "shapes"),
    Sample("textured_triangle_checks.png", "Textured shape: triangle, checks", "eras"),
    Sample("textured_circle_horizontal.png", "Textured shape: circle, horizontal stripes", "eras"),
    Sample("textured_square_diagonal.png", "Textured shape: square, diagonal stripes", "eras"),
    Sample("chelsea.jpg", "Photo: Chelsea the cat", "imagenet"),
    Sample("coffee.jpg", "Photo: coffee cup", "imagenet"),
    Sample("astronaut.jpg", "Photo: astronaut Eileen Collins", "imagenet"),
    Sample("rocket.jpg", "Photo: Falcon 9 launch", "imagenet"),
)


def samples_for(kind: str) -> list[Sample]:
    """All samples, the ones made for `kind` first."""
    return sorted(SAMPLES, key=lambda s: s.kind != kind)


def load_sample(sample: Sample) -> DecodedImage:
    """Decode a bundled sample through the same path as an upload."""
    return decode_image((SAMPLES_DIR / sample.file).read_bytes())


@functools.lru_cache(maxsize=1)
def _by_digest() -> dict[str, Sample]:
    return {load_sample(sample).digest: sample for sample in SAMPLES}


def sample_with_digest(digest: str) -> Sample | None:
    """The bundled sample whose decoded picture has `digest` (an upload of the same file counts), else None."""
    return _by_digest().get(digest)
