"""The sample pictures shipped in assets/samples/ (provenance and licences in SOURCES.md there)."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from core.data.images import DecodedImage, decode_image
from core.i18n import N_

SAMPLES_DIR = Path(__file__).resolve().parent.parent.parent / "assets" / "samples"


@dataclass(frozen=True)
class Sample:
    """A bundled picture: file name, a title for pickers (marked with `N_`, shown through `_`), and the input kind
    it suits best."""

    file: str
    title: str
    kind: str  # its world: "digit", "shapes", "eras" or "imagenet", as a model spec names the world it knows


SAMPLES: tuple[Sample, ...] = (
    Sample("digit_3.png", N_("Digit 3 (held-out scan)"), "digit"),
    Sample("digit_7.png", N_("Digit 7 (held-out scan)"), "digit"),
    Sample("digit_5.png", N_("Digit 5 (dark ink on white)"), "digit"),
    Sample("shape_star.png", N_("Shape: star"), "shapes"),
    Sample("shape_ring.png", N_("Shape: ring"), "shapes"),
    Sample("shape_triangle.png", N_("Shape: triangle"), "shapes"),
    Sample("textured_triangle_checks.png", N_("Textured shape: triangle, checks"), "eras"),
    Sample("textured_circle_horizontal.png", N_("Textured shape: circle, horizontal stripes"), "eras"),
    Sample("textured_square_diagonal.png", N_("Textured shape: square, diagonal stripes"), "eras"),
    Sample("chelsea.jpg", N_("Photo: Chelsea the cat"), "imagenet"),
    Sample("coffee.jpg", N_("Photo: coffee cup"), "imagenet"),
    Sample("astronaut.jpg", N_("Photo: astronaut Eileen Collins"), "imagenet"),
    Sample("rocket.jpg", N_("Photo: Falcon 9 launch"), "imagenet"),
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
