"""Every hostile upload gets one ImageInputError with a sentence, or decodes to the right RGB picture."""
import numpy as np
import pytest

from core.data.images import DecodedImage, ImageInputError, decode_image
from tests.hostile import corpus

CORPUS = corpus()


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_corpus(name: str) -> None:
    data, expected = CORPUS[name]
    if expected == "error":
        with pytest.raises(ImageInputError) as err:
            decode_image(data)
        message = str(err.value)
        assert message.endswith(".") and "Traceback" not in message and len(message) < 300
    else:
        picture = decode_image(data)
        assert isinstance(picture, DecodedImage)
        assert picture.pixels.shape == (*expected, 3)
        assert picture.pixels.dtype == np.uint8


def test_messages_name_the_problem() -> None:
    assert "empty" in str(pytest.raises(ImageInputError, decode_image, b"").value)
    assert "truncated" in str(pytest.raises(ImageInputError, decode_image, CORPUS["truncated.jpg"][0]).value)
    assert "megapixels" in str(pytest.raises(ImageInputError, decode_image, CORPUS["bomb.png"][0]).value)
    assert "SVG" in str(pytest.raises(ImageInputError, decode_image, CORPUS["drawing.svg"][0]).value)
    assert "20000×10" in str(pytest.raises(ImageInputError, decode_image, CORPUS["strip.png"][0]).value)


def test_size_limit_is_checked_before_decoding() -> None:
    with pytest.raises(ImageInputError, match="limit is"):
        decode_image(CORPUS["photo.bmp"][0], max_bytes=100)


def test_transparency_goes_on_white_and_is_noted() -> None:
    picture = decode_image(CORPUS["palette_transparent.png"][0])
    assert tuple(picture.pixels[1, 1]) == (255, 255, 255)  # palette index 0 is transparent
    assert tuple(picture.pixels[0, 0]) == (0, 255, 0)
    assert any("Transparent" in n for n in picture.notes)


def test_exif_orientation_is_applied() -> None:
    picture = decode_image(CORPUS["exif_rotated.jpg"][0])
    assert picture.pixels.shape[:2] == (40, 20)
    assert any("EXIF" in n for n in picture.notes)


def test_first_frame_of_animation_is_used_and_noted() -> None:
    picture = decode_image(CORPUS["animated.gif"][0])
    assert any("4 frames" in n for n in picture.notes)
    assert len(np.unique(picture.pixels.reshape(-1, 3), axis=0)) == 1


def test_high_bit_depth_uses_the_full_8_bit_range() -> None:
    for name in ("gray16.png", "float.tif"):
        picture = decode_image(CORPUS[name][0])
        assert picture.pixels.min() == 0 and picture.pixels.max() == 255
        assert np.array_equal(picture.pixels[..., 0], picture.pixels[..., 2])


def test_cmyk_becomes_rgb() -> None:
    picture = decode_image(CORPUS["cmyk.jpg"][0])
    r, g, b = picture.pixels[10, 15].astype(int)
    assert r > 200 and g < 60 and b < 60  # C=0, M=Y=255 is red


def test_digest_depends_on_content_only() -> None:
    a = decode_image(CORPUS["photo.bmp"][0])
    b = decode_image(CORPUS["photo.webp"][0])
    assert a.digest == decode_image(CORPUS["photo.bmp"][0]).digest
    assert a.digest != b.digest
