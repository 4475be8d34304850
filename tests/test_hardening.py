"""What a stranger could make the server do (issue 27), each refused cheaply with a sentence: costly decodes,
hostile weights, weights that load but cannot work, occlusion and training steps over budget, markup in names,
tracebacks and server paths, uploads piled up in one session, and downloads a visitor could trigger."""
from __future__ import annotations

import io
import re
import time
import tomllib
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save

from core import markup, plots
from core.builder import LENET_LIKE, LayerSpec
from core.data import own
from core.data.images import MAX_BYTES, ImageInputError, decode_image
from core.own_weights import (MAX_WEIGHTS_BYTES, WeightsInputError, fit_char_model, fit_image_model,
                              read_state_dict)
from core.models.catalogue import get_spec
from core.probes.saliency import SaliencyError, check_occlusion_budget
from core.training.engine import RunConfig, RunConfigError, validate
from core.training.limits import TRAINING_LAB
from core.training.tasks import TASKS
from tests import hostile

ROOT = Path(__file__).resolve().parent.parent


# --- decoding: memory by bit depth, pages, zips of many large pictures ------------------------------------------

def test_a_float_picture_under_the_pixel_cap_is_refused_by_its_decode_cost() -> None:
    data, _ = hostile.worst_requests()["float_6324.tif"]  # 134 bytes claiming 40 megapixels of float32
    started = time.perf_counter()
    with pytest.raises(ImageInputError, match="MB to decode"):
        decode_image(data)
    assert time.perf_counter() - started < 0.5


def test_a_tiff_of_twenty_thousand_pages_is_read_in_constant_time() -> None:
    data, _ = hostile.worst_requests()["pages_20000.tif"]
    started = time.perf_counter()
    picture = decode_image(data)
    assert time.perf_counter() - started < 0.5
    assert picture.pixels.shape == (1, 1, 3)
    assert any("more than 8 frames" in note for note in picture.notes)


def test_a_zip_stops_decoding_at_its_pixel_budget(monkeypatch) -> None:
    monkeypatch.setattr(own, "MAX_ZIP_PIXELS", 3 * 1000 * 1000)
    png = hostile.one_bit_png(1000)
    data = hostile.zip_of({f"{c}/{i}.png": png for c in "ab" for i in range(6)})
    with pytest.raises(own.DataInputError, match="not read"):
        own.images_from_zip(data)


def test_decode_is_lean_for_high_bit_depths() -> None:
    import tracemalloc

    pixels = np.linspace(-1, 3, 1000 * 1000, dtype=np.float32).reshape(1000, 1000)
    buf = io.BytesIO()
    from PIL import Image
    Image.fromarray(pixels).save(buf, "TIFF")
    tracemalloc.start()
    decode_image(buf.getvalue())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20 * 1000 * 1000  # numpy's share: a float32 copy and 8-bit ones (13 MB), not float64 copies (40+ MB)


# --- hostile weights: cheap checks first -------------------------------------------------------------------------

def test_a_pickle_opcode_flood_is_refused_before_it_is_read() -> None:
    data, _ = hostile.worst_requests()["flood.pt"]
    started = time.perf_counter()
    with pytest.raises(WeightsInputError, match="pickle is 4,000,004 bytes"):
        read_state_dict(data, "flood.pt")
    assert time.perf_counter() - started < 0.5


def test_a_safetensors_file_of_many_empty_tensors_is_refused_by_its_header() -> None:
    with pytest.raises(WeightsInputError, match="header is"):
        read_state_dict(hostile.worst_requests()["empty_tensors.safetensors"][0], "empty.safetensors")
    with pytest.raises(WeightsInputError, match="entries"):
        read_state_dict(hostile.safetensors_of_empty_tensors(6_000), "empty.safetensors")


def test_a_bare_or_legacy_pickle_is_refused_unread() -> None:
    with pytest.raises(WeightsInputError, match="older than PyTorch 1.6"):
        read_state_dict(hostile.pickle_opcode_flood(1000), "old.pt")


# --- weights that load but cannot work ----------------------------------------------------------------------------

def test_a_character_model_with_a_zero_by_zero_hidden_weight_is_refused() -> None:
    state = {"rnn.weight_hh_l0": torch.zeros(0, 0), "embed.weight": torch.zeros(98, 8)}
    with pytest.raises(WeightsInputError, match="hidden size of at least 1"):
        fit_char_model("rnn", state, 98)


def test_an_output_layer_of_zero_classes_is_refused() -> None:
    state = {k: v for k, v in get_spec("lenet5").build().state_dict().items()}
    head = [k for k in state if k.endswith(".weight") and state[k].ndim == 2][-1]
    state[head] = state[head][:0]
    state[head.replace("weight", "bias")] = state[head.replace("weight", "bias")][:0]
    with pytest.raises(WeightsInputError, match="at least one class"):
        fit_image_model(get_spec("lenet5"), state)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_weights_with_nan_or_inf_are_refused(bad: float) -> None:
    state = {k: v.clone() for k, v in get_spec("lenet5").build().state_dict().items()}
    first = next(iter(state))
    state[first].view(-1)[0] = bad
    with pytest.raises(WeightsInputError, match="NaN or infinite"):
        read_state_dict(save(state), "broken.safetensors")


# --- budgets of one request ---------------------------------------------------------------------------------------

def test_vgg16_occlusion_at_the_smallest_window_is_refused_with_the_stride_that_fits() -> None:
    vgg_flops = 30_940_528_640  # core.probes.costs.size_without_weights: a multiply-add counts 2
    with pytest.raises(SaliencyError, match=r"49,730 forward passes.*window of at least \d+ pixels"):
        check_occlusion_budget(224, 224, 2, 1, vgg_flops)
    with pytest.raises(SaliencyError, match=r"38,810 forward passes.*stride of at least 13 "):
        check_occlusion_budget(224, 224, 28, 1, vgg_flops)
    check_occlusion_budget(224, 224, 56, 28, vgg_flops)
    check_occlusion_budget(224, 224, 28, 14, vgg_flops)  # the page's default for VGG-16 stays allowed


def test_a_built_network_over_the_step_budget_is_refused_before_its_first_step() -> None:
    big = tuple([LayerSpec("conv", 256, 3, 1, 1), LayerSpec("relu")] * 7 + [LayerSpec("maxpool", kernel=8, stride=8)])
    with pytest.raises(RunConfigError, match="GFLOPs"):
        validate(RunConfig(task="shapes", layers=big, batch_size=32, epochs=1), TASKS["shapes"], limits=TRAINING_LAB)
    validate(RunConfig(task="shapes", layers=LENET_LIKE, batch_size=512, epochs=1), TASKS["shapes"],
             limits=TRAINING_LAB)


def test_a_session_holds_at_most_its_upload_cap() -> None:
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    from ui import uploads

    original = MemoryUploadedFileManager.add_file
    try:
        uploads.hold_at_most(100)
        manager = MemoryUploadedFileManager("/upload")
        for i in range(5):  # five forged uploads of 60 bytes
            manager.add_file("s1", UploadedFileRec(f"f{i}", "x.png", "image/png", b"x" * 60))
        manager.add_file("s2", UploadedFileRec("g", "y.png", "image/png", b"y" * 60))
        assert list(manager.file_storage["s1"]) == ["f4"]  # the newest stays
        assert list(manager.file_storage["s2"]) == ["g"]  # other sessions untouched
    finally:
        MemoryUploadedFileManager.add_file = original


# --- nothing typed becomes markup ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", hostile.MARKUP_NAMES)
def test_names_are_escaped_for_markdown(name: str) -> None:
    escaped = markup.escape_markdown(name)
    unescaped_left = re.sub(r"\\.", "", escaped)  # what Markdown could still read as syntax
    assert not set(unescaped_left) & set("<>[]$*_`#~@\\") and "://" not in unescaped_left
    assert re.sub(r"\\(.)", r"\1", escaped) == name  # shown as typed


def test_class_names_cannot_make_links_in_the_top5_chart() -> None:
    names = list(hostile.MARKUP_NAMES)
    fig = plots.top_k_bar(names, np.linspace(0.1, 0.6, len(names)), len(names))
    labels = list(fig.data[0].y)
    assert not any("<" in label for label in labels)
    assert "&lt;a href=&quot;//host/x&quot;&gt;x&lt;/a&gt;" in labels


def test_folder_names_in_the_zip_summary_are_escaped() -> None:
    from ui.own_data import _pictures

    png = hostile._save(hostile.gradient_rgb(8, 8), "PNG")
    folders = ["![a](https:127.0.0.1:8699)", "plain"]
    data = hostile.zip_of({f"{f}/{i}.png": png for f in folders for i in range(4)})
    summary = _pictures(data)[1]()  # written when shown, in the reader's language
    assert "![a](" not in summary and "!［a］(" in summary  # inert at the source, escaped where shown


@pytest.mark.parametrize("name", hostile.MARKUP_NAMES)
def test_names_a_visitor_chose_are_inert_at_their_source(name: str) -> None:
    from core.own_weights import read_class_names

    (shown,) = read_class_names(name.encode(), 1)
    assert shown == markup.inert(name)
    assert not set(shown) & set("<>[]$`@\\") and "://" not in shown and "www." not in shown.lower()


# --- no tracebacks, no server paths -------------------------------------------------------------------------------

def test_the_shipped_config_shows_no_error_details_and_caps_agree() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    server_cap = config["server"]["maxUploadSize"] * 2**20  # Streamlit's server counts MiB
    for cap in (MAX_BYTES, MAX_WEIGHTS_BYTES, own.MAX_ZIP_BYTES, own.MAX_TEXT_BYTES):
        assert cap % 10**6 == 0 and cap < config["server"]["maxUploadSize"] * 10**6 <= server_cap  # MB everywhere


def test_a_failing_page_shows_a_sentence_with_an_id_and_no_path(caplog) -> None:
    from streamlit.testing.v1 import AppTest

    def script() -> None:
        from ui.flow import run_page

        class Page:
            url_path = "boom"

            def run(self) -> None:
                raise ValueError("/srv/secret/path.py went wrong")

        run_page(Page())

    at = AppTest.from_function(script, default_timeout=60).run()
    assert not at.exception
    text = at.error[0].value
    ident = re.search(r"E-[0-9a-f]{8}", text).group(0)
    assert "/srv/secret" not in text
    logged = [r for r in caplog.records if ident in r.getMessage()]
    assert logged and logged[0].exc_info and "/srv/secret" in logged[0].getMessage()  # the details, in the log only


def test_weights_messages_name_no_absolute_path(tmp_path, monkeypatch) -> None:
    from core import weights

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.delenv(weights.SERVE_ENV, raising=False)
    _, status = weights.load_model("resnet18")
    assert status.source == "random" and str(tmp_path) not in status.message
    assert weights.visitors_may_download()
    monkeypatch.setenv(weights.SERVE_ENV, "1")
    _, status = weights.load_model("resnet18")
    assert not weights.visitors_may_download() and "operator" in status.message


def test_a_training_pair_stops_when_nobody_watches(monkeypatch) -> None:
    from core.training.engine import Run, RunPair

    monkeypatch.setattr(RunPair, "GONE_GRACE_S", 0.0)
    pair = RunPair([Run(RunConfig("digits", epochs=10))], connected=lambda: False).start()
    pair.join(30)
    assert pair.runs[0].status == "stopped" and len(pair.runs[0].steps) <= 2


def test_outside_a_server_the_session_counts_as_connected() -> None:
    from ui.scheduling import session_watch

    assert session_watch()()


@pytest.mark.slow
def test_the_saliency_page_refuses_occlusion_over_budget_before_it_starts(tmp_path, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))  # ResNet-18 on random weights: the cost is the same
    at = AppTest.from_file(str(ROOT / "app_pages" / "saliency.py"), default_timeout=300).run()
    at.selectbox(key="sal_model").set_value("resnet18").run()
    at.radio(key="sal_method").set_value("Occlusion").run()
    at.slider(key="sal_window").set_value(2).run()
    at.slider(key="sal_stride").set_value(1).run()
    assert not at.exception
    assert any("49,730 forward passes" in e.value for e in at.error)
    assert not at.get("progress")  # refused before any work: no progress bar was drawn
