"""Data a user brings: class folders in a zip, a text, a CSV series — and the hostile versions of each."""
import io
import zipfile

import numpy as np
import pytest
import torch
from PIL import Image

from core.data import own
from core.data.own import DataInputError, images_from_zip, read_series, read_text
from core.data.shapes import SHAPE_CLASSES, make_shapes
from core.training.engine import Run, RunConfig, RunConfigError, train, validate
from core.training.tasks import SERIES_WINDOW, get_task, images_data, series_data, text_data


def png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG")
    return out.getvalue()


def shapes_zip(per_class: int = 8, classes: int = 3, root: str = "mine/", extra: dict[str, bytes] | None = None) -> bytes:
    """A zip of class folders of generated shapes (the tests make their own data, never download it)."""
    batch = make_shapes(per_class * len(SHAPE_CLASSES) * 2, seed=7)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for c in range(classes):
            picked = np.flatnonzero(batch.labels == c)[:per_class]
            for i in picked:
                zf.writestr(f"{root}{SHAPE_CLASSES[c]}/{i}.png", png(batch.images[i]))
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_class_folders_become_labelled_pictures() -> None:
    folder = images_from_zip(shapes_zip(extra={"mine/circle/notes.txt": b"hello", "__MACOSX/._x.png": b"junk",
                                               "mine/square/broken.png": b"\x89PNG\r\n\x1a\nnope"}))
    assert folder.classes == ("circle", "square", "triangle")
    assert folder.images.shape == (24, 64, 64, 3) and folder.counts() == {"circle": 8, "square": 8, "triangle": 8}
    assert any("notes.txt: not a picture" in s for s in folder.skipped)
    assert any(s.startswith("square/broken.png:") for s in folder.skipped)
    data = images_data(folder.images, folder.labels, folder.classes)
    assert len(data.y_val) == 6 and sorted(data.y_val.tolist()) == [0, 0, 1, 1, 2, 2]  # a fifth of each class


def test_folders_without_a_common_root_work_too() -> None:
    assert images_from_zip(shapes_zip(root="")).classes == ("circle", "square", "triangle")


def zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a/bomb.png", b"\x00" * (50 * 2**20))  # 50 MB of zeros packs into about 50 KB
        zf.writestr("b/x.png", b"\x00")
    return buf.getvalue()


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"),
    (b"PK\x03\x04 definitely not a zip", "not a readable zip"),
    (zip_bomb(), "zip bomb"),
    (shapes_zip(classes=1), "Only one class folder"),
    (shapes_zip(per_class=2), "at least 4 readable pictures"),
])
def test_bad_archives_get_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DataInputError, match=reason):
        images_from_zip(data)


def test_a_flat_zip_is_told_to_use_folders() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("1.png", png(np.zeros((8, 8, 3), np.uint8)))
    with pytest.raises(DataInputError, match="one folder per class"):
        images_from_zip(buf.getvalue())


def test_the_unpacked_budget_holds_against_many_large_members(monkeypatch) -> None:
    monkeypatch.setattr(own, "MAX_UNPACKED_BYTES", 100_000)
    with pytest.raises(DataInputError, match="unpacks to more than"):
        images_from_zip(shapes_zip(per_class=40))


def test_texts() -> None:
    assert read_text(("é" * 2500).encode("utf-8")) == "é" * 2500
    with pytest.raises(DataInputError, match="not UTF-8"):
        read_text("naïve café ".encode("latin-1") * 400)
    with pytest.raises(DataInputError, match="at least 2,000"):
        read_text(b"short")
    with pytest.raises(DataInputError, match="NUL"):
        read_text(b"a\x00" * 2000)
    data = text_data("hello world\n" * 300)
    assert data.x_val.shape == data.y_val.shape and torch.equal(data.x_val[0, 1:], data.y_val[0, :-1])


def test_series() -> None:
    values = np.sin(np.arange(500) * 0.1)
    series = read_series(("value\n" + "\n".join(map(str, values)) + "\n\n").encode())
    assert series.shape == (500,) and np.allclose(series, values, atol=1e-6)
    data = series_data(series)
    assert data.x_train.shape[1:] == (SERIES_WINDOW, 1)
    assert torch.equal(data.x_train[1, :-1, 0], data.x_train[0, 1:, 0])  # sliding windows
    assert torch.equal(data.y_train[0], data.x_train[1, -1, 0])  # the target is the next value
    for text, reason in [("1\n2\nthree\n" + "4\n" * 200, "Line 3 is not a number"), ("1,2\n" * 200, "more than one column"),
                         ("1\n" * 200, "Every value is the same"), ("1\nnan\n" + "2\n" * 200, "finite"),
                         ("1\n2\n", "at least 100")]:
        with pytest.raises(DataInputError, match=reason):
            read_series(text.encode())


def test_own_pictures_train_and_a_series_trains_with_cnn_and_lstm() -> None:
    folder = images_from_zip(shapes_zip())
    data = images_data(folder.images, folder.labels, folder.classes)
    run = train(Run(RunConfig("images", epochs=2, batch_size=8), data=data))
    assert run.status == "done" and run.model.classifier[-1].out_features == 3
    assert run.finish().confusion.shape == (3, 3)
    series = series_data(np.sin(np.arange(1500) * 0.1).astype(np.float32))
    for cell in ("lstm", "cnn"):
        run = train(Run(RunConfig("series", cell=cell, epochs=3, batch_size=32), data=series))
        assert run.epochs[-1].val_accuracy > 0.8, cell  # R² of a clean sine's next value
    with pytest.raises(RunConfigError, match="upload it first"):
        validate(RunConfig("series", cell="cnn"), get_task("series"))
