"""A picture outside a model's world is named: by the sample's own world, or measured for an upload."""
import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from core.data.preprocess import prepare_image
from core.data.samples import SAMPLES, SAMPLES_DIR, load_sample, sample_with_digest, samples_for
from core.models import get_spec
from core.probes import activations, domain
from core.training.tasks import digits_tensors
from core.weights import load_model

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 180


def sample(file: str):
    return next(s for s in SAMPLES if s.file == file)


@pytest.fixture(scope="module")
def lenet():
    model, status = load_model("lenet5")
    assert status.source == "bundled"
    return model


@pytest.fixture(scope="module")
def digits_reference(lenet):
    return domain.digits_reference(lenet, get_spec("lenet5"))


def top1(model, spec, file: str) -> tuple[str, float]:
    probs = activations.predict(model, prepare_image(load_sample(sample(file)).pixels, spec.preprocessing).tensor).numpy()
    return spec.classes[int(probs.argmax())], float(probs.max())


def test_the_cat_through_lenet_gets_the_sentence_and_a_digit_does_not(lenet) -> None:
    spec = get_spec("lenet5")
    label, prob = top1(lenet, spec, "chelsea.jpg")
    note = domain.outside_world_note(spec, sample("chelsea.jpg"), label, prob)
    assert note is not None and "LeNet-5 only knows handwritten digits 0–9" in note
    assert "outside its world" in note and f"“{label}, {prob:.0%}” means nothing" in note
    label, prob = top1(lenet, spec, "digit_3.png")
    assert label == "3" and domain.outside_world_note(spec, sample("digit_3.png"), label, prob) is None


def test_every_model_knows_its_world_and_own_classes_have_none() -> None:
    assert [get_spec(n).world for n in ("lenet5", "small_vgg", "resnet18")] == ["digit", "shapes", "imagenet"]
    mine = replace(get_spec("small_vgg"), name="own_x", classes=("cat", "dog"))
    assert mine.world is None  # trained on someone's own pictures: no world to hold a sample against
    assert domain.outside_world_note(mine, sample("chelsea.jpg"), "cat", 0.9) is None
    assert domain.outside_world_note(get_spec("resnet18"), sample("digit_7.png"), "hook", 0.3) is not None


def test_a_bundled_sample_is_known_by_its_picture() -> None:
    for s in SAMPLES:
        assert sample_with_digest(load_sample(s).digest) == s
    assert sample_with_digest("not a digest") is None


def test_photos_and_shapes_through_lenet_are_measured_as_unlike_its_digits(lenet, digits_reference) -> None:
    spec = get_spec("lenet5")
    for s in SAMPLES:
        measured = domain.familiarity(digits_reference, lenet, prepare_image(load_sample(s).pixels, spec.preprocessing).tensor)
        assert measured.unlike == (s.kind != "digit"), (s.file, measured)


def test_held_out_digits_are_not_flagged(lenet) -> None:
    """Threshold from one half of the test split; the other half, never seen by it, is flagged about 1 in 100."""
    spec = get_spec("lenet5")
    train, _ = digits_tensors("train", spec)
    test, _ = digits_tensors("test", spec)
    calibrate, check = test[::2], test[1::2]
    reference = domain.build_reference(lenet, None, train, calibrate, "training digits", "held-out digits", "")
    flagged = sum(domain.familiarity(reference, lenet, check[i:i + 1]).unlike for i in range(len(check)))
    assert flagged / len(check) <= 0.03, flagged


def test_the_shapes_model_flags_photos_and_digits_but_not_held_out_shapes() -> None:
    from core.training.tasks import shapes_tensors

    model, _ = load_model("small_vgg")
    spec = get_spec("small_vgg")
    reference = domain.shapes_reference(model, spec, n_train=600, n_held_out=200)
    for s in SAMPLES:
        measured = domain.familiarity(reference, model, prepare_image(load_sample(s).pixels, spec.preprocessing).tensor)
        assert measured.unlike == (s.kind != "shapes"), (s.file, measured)
    unseen, _ = shapes_tensors(200, 3, spec)  # seed 3: neither training (1) nor the threshold's pictures (2)
    distances = domain.neighbour_distance(domain.picture_vectors(model, "avgpool", unseen), reference.vectors)
    assert float((distances > reference.threshold).float().mean()) <= 0.04


def png(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def warnings_of(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def test_feature_maps_page_names_the_cat_and_measures_an_uploaded_photo() -> None:
    at = AppTest.from_file(str(ROOT / "app_pages" / "feature_maps.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception and not any("world" in w or "unlike" in w for w in warnings_of(at))  # digit 3: its own
    index = [s.file for s in samples_for("digit")].index("chelsea.jpg")
    at.selectbox(key="fm_sample").select_index(index).run()
    assert any("LeNet-5 only knows handwritten digits 0–9" in w and "outside its world" in w for w in warnings_of(at))
    photo = np.ascontiguousarray(load_sample(sample("chelsea.jpg")).pixels[:, ::-1])  # not byte-equal to the sample
    at.radio(key="fm_source").set_value("Upload").run()
    at.file_uploader(key="fm_upload").set_value(("my_cat.png", png(photo), "image/png")).run()
    assert not at.exception
    assert any("looks unlike anything LeNet-5 was trained on" in w for w in warnings_of(at)), warnings_of(at)
    digit = np.asarray(Image.open(SAMPLES_DIR / "digit_7.png").convert("RGB"))
    shifted = np.ascontiguousarray(np.roll(digit, 1, axis=1))  # a held-out scan, one pixel over: an upload
    at.file_uploader(key="fm_upload").set_value(("my_digit.png", png(shifted), "image/png")).run()
    assert not at.exception and not any("unlike" in w for w in warnings_of(at)), warnings_of(at)


def test_the_translation_part_opens_on_each_model_reading_its_own_world() -> None:
    at = AppTest.from_file(str(ROOT / "app_pages" / "convolution.py"), default_timeout=TIMEOUT)
    at.run()
    at.segmented_control(key="cl_part").set_value("Translation").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="cl_tr_models").value == ["lenet5", "small_vgg"]
    captions = " ".join(c.value for c in at.caption)
    assert "unshifted: **3**" in captions and "unshifted: **star**" in captions  # a digit for LeNet, a shape for VGG
    assert not any("outside its world" in w for w in warnings_of(at))
    at.radio(key="cl_tr_mode").set_value("one").run()  # one picture for all: the star, foreign to LeNet-5
    assert any("LeNet-5 only knows handwritten digits 0–9" in w for w in warnings_of(at)), warnings_of(at)
