"""Page tests with streamlit's AppTest: every page runs on samples and uploads without an exception."""
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.data.samples import samples_for
from tests.hostile import corpus
from ui import own_models

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120  # importing torch and building models takes far longer than AppTest's 3 s default


def run_page(path: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def top1(at: AppTest) -> str:
    chart = next(c for c in at.get("plotly_chart") if "Top-5" in c.proto.spec)
    bars = json.loads(chart.proto.spec)["data"][0]
    return bars["y"][-1]


def test_home_links_every_page() -> None:
    at = run_page("app.py")
    assert any("CNN & RNN Explorer" in t.value for t in at.title)
    assert any("Device" in m.value for m in at.sidebar.markdown)


@pytest.mark.parametrize(("model", "sample", "expected"), [
    ("lenet5", "digit_3.png", "3"),
    ("lenet5", "digit_5.png", "5"),
    ("small_vgg", "shape_star.png", "star"),
    ("small_vgg", "shape_ring.png", "ring"),
])
def test_feature_maps_predicts_bundled_samples(model: str, sample: str, expected: str) -> None:
    at = run_page("app_pages/feature_maps.py")
    at.selectbox(key="fm_model").set_value(model).run()
    kind = "digit" if model == "lenet5" else "shapes"
    index = [s.file for s in samples_for(kind)].index(sample)
    at.selectbox(key="fm_sample").select_index(index).run()
    assert not at.exception
    assert top1(at) == expected
    assert len(at.get("plotly_chart")) >= 5  # input, top-5, grid, channel, overlay (+ kernels)


def test_feature_maps_every_control_reruns_cleanly() -> None:
    at = run_page("app_pages/feature_maps.py")
    at.selectbox(key="fm_model").set_value("small_vgg").run()
    layer_box = at.selectbox(key="fm_layer")
    layer_box.set_value(layer_box.options[-1]).run()
    at.radio(key="fm_mode").set_value("Top-k by mean activation").run()
    at.slider(key="fm_k").set_value(4).run()
    at.toggle(key="fm_scale").set_value(False).run()
    at.slider(key="fm_alpha").set_value(0.2).run()
    assert not at.exception, [e.value for e in at.exception]


def test_feature_maps_on_an_imagenet_architecture_without_weights(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    at = run_page("app_pages/feature_maps.py")
    at.selectbox(key="fm_model").set_value("resnet18").run()
    assert not at.exception
    assert any("randomly initialised" in w.value for w in at.warning)
    assert any(b.label.startswith("Download ResNet-18 weights") for b in at.button)
    assert len(at.get("plotly_chart")) >= 5


def test_upload_bad_then_good_file() -> None:
    files = corpus()
    at = run_page("app_pages/feature_maps.py")
    at.radio(key="fm_source").set_value("Upload").run()
    at.file_uploader(key="fm_upload").set_value(("notes.png", files["notes.txt"][0], "image/png")).run()
    assert not at.exception
    assert any("not an image" in e.value for e in at.error)
    at.file_uploader(key="fm_upload").set_value(("cmyk.jpg", files["cmyk.jpg"][0], "image/jpeg")).run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) >= 5
    at.file_uploader(key="fm_upload").set_value(("bomb.png", files["bomb.png"][0], "image/png")).run()
    assert any("megapixels" in e.value for e in at.error)
    assert any("previous picture" in c.value for c in at.caption)
    assert len(at.get("plotly_chart")) >= 5  # the last good picture stays on screen


def test_saliency_every_method_and_a_bad_layer() -> None:
    at = run_page("app_pages/saliency.py")
    assert not at.error
    for method in ("Guided Grad-CAM", "Integrated gradients", "Gradient saliency", "Occlusion", "Grad-CAM"):
        at.radio(key="sal_method").set_value(method).run()
        assert not at.exception and not at.error, (method, [e.value for e in at.error])
        assert len(at.get("plotly_chart")) == 4  # input, top-5, map, overlay
    at.selectbox(key="sal_target").select_index(3).run()
    assert not at.exception and not at.error
    assert len(at.get("download_button")) == 2


def test_saliency_explains_any_class_of_an_imagenet_model(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    at = run_page("app_pages/saliency.py")
    at.selectbox(key="sal_model").set_value("resnet18").run()
    box = at.selectbox(key="sal_target")
    assert len(box.options) == 1000
    box.select_index(500).run()
    assert not at.exception and not at.error
    assert any("Grad-CAM map" in c.proto.spec for c in at.get("plotly_chart"))


def test_compare_lays_out_each_model_and_the_zoo() -> None:
    at = run_page("app_pages/compare.py")
    assert not at.error
    assert len(at.get("metric")) == 5 * 8  # the five era models, eight measurements each
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 12
    at.multiselect(key="cmp_models").set_value(["lenet5"]).run()
    assert any("at least two" in i.value for i in at.info)


def test_compare_measures_the_zoos_latency_on_request_then_for_everyone() -> None:
    """Sizes at once (counted without weights); latency, seconds of work, only when asked, then kept."""
    from ui import models

    models.zoo_costs.clear()
    at = run_page("app_pages/compare.py")
    zoo = at.dataframe[-1].value
    assert zoo["latency on cpu (ms)"].isna().all() and (zoo["parameters (M)"] > 0).all()
    assert not any("Cost of one forward pass" in c.proto.spec for c in at.get("plotly_chart"))
    at.button(key="cmp_zoo_go").click().run()
    assert not at.exception
    assert (at.dataframe[-1].value["latency on cpu (ms)"] > 0).all()
    assert any("Cost of one forward pass" in c.proto.spec for c in at.get("plotly_chart"))
    again = run_page("app_pages/compare.py")  # another session: measured already, no button
    assert not any(b.key == "cmp_zoo_go" for b in again.button)
    assert (again.dataframe[-1].value["latency on cpu (ms)"] > 0).all()


def traced_charts(at: AppTest) -> list:
    """The Hidden states page's figures of the typed text (the writing part below draws its own, keyed hs_gen_…)."""
    return [c for c in at.get("plotly_chart") if not (getattr(c, "key", None) or "").startswith("hs_gen")]


@pytest.mark.parametrize("model", ["char_lstm", "char_rnn", "char_gru", "brackets_lstm", "quotes_lstm"])
def test_hidden_states_page(model: str) -> None:
    at = run_page("app_pages/hidden_states.py")
    at.selectbox(key="hs_model").set_value(model).run()
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    assert len(traced_charts(at)) == 3  # states, outputs, trajectory (then the writing part's own)
    at.radio(key="hs_order").set_value("correlation").run()
    at.slider(key="hs_step").set_value(0).run()
    at.radio(key="hs_dims").set_value("3-D").run()
    assert not at.exception
    assert len(at.get("latex")) in (1, 2)  # the LSTM writes c_t and h_t on two lines


def test_hidden_states_hostile_text() -> None:
    at = run_page("app_pages/hidden_states.py")
    area = at.text_area[0]
    area.set_value("").run()
    assert not at.exception and any("empty" in i.value for i in at.info)
    at.text_area[0].set_value("日本語 😀 \x00 שלום" * 300).run()
    assert not at.exception
    notes = " ".join(c.value for c in at.caption)
    assert "only the first" in notes and "shown as ⍰" in notes
    assert len(traced_charts(at)) == 3


def test_gates_page_rules_and_spans() -> None:
    at = run_page("app_pages/gates.py")
    assert len(at.get("plotly_chart")) == 6 + 2 + 1 + 1  # gates, c and h, histograms, unit over text
    at.radio(key="gt_mode").set_value("A span I mark").run()
    assert not at.exception
    at.selectbox(key="gt_model").set_value("char_gru").run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 4 + 1 + 1


def test_rnn_compare_page() -> None:
    at = run_page("app_pages/rnn_compare.py")
    assert len(at.get("metric")) == 6
    assert len(at.get("plotly_chart")) == 4


def test_convolution_lab_every_part() -> None:
    at = run_page("app_pages/convolution.py")
    assert len(at.get("plotly_chart")) == 5 and len(at.latex) == 1
    at.slider(key="cl_position").set_value(7).run()
    assert "output[1, 2]" in " ".join(m.value for m in at.markdown)
    for part, charts in (("Pooling", 2), ("Weight sharing", 1), ("Receptive field", 3), ("Translation", 4)):
        at.segmented_control(key="cl_part").set_value(part).run()
        assert not at.exception and not at.error, (part, [e.value for e in at.error])
        assert len(at.get("plotly_chart")) >= charts, part


def test_convolution_lab_bad_settings_keep_the_last_result() -> None:
    at = run_page("app_pages/convolution.py")
    at.number_input(key="cl_stride").set_value(0).run()
    assert any("at least 1" in e.value for e in at.error)
    assert any("last valid result" in c.value for c in at.caption)
    assert len(at.get("plotly_chart")) == 5
    at.number_input(key="cl_stride").set_value(1).run()
    at.number_input(key="cl_dilation").set_value(4).run()
    assert any("spans 9" in e.value for e in at.error)
    at.number_input(key="cl_dilation").set_value(1).run()
    at.selectbox(key="cl_preset").set_value("custom").run()
    assert not at.error


def test_gradient_lab_parts_and_a_live_clipping_run() -> None:
    at = run_page("app_pages/gradients.py")
    assert len(at.get("plotly_chart")) == 2 and not at.error
    at.slider(key="gl_scale").set_value(1.5).run()
    at.radio(key="gl_phi").set_value("identity").run()
    at.slider(key="gl_T").set_value(500).run()
    assert not at.exception  # ρ = 1.5 over 500 steps overflows: said in words, not plotted
    at.segmented_control(key="gl_part").set_value("Over depth").run()
    assert not at.exception and len(at.get("plotly_chart")) == 2  # norms, and the bundled training curves
    at.segmented_control(key="gl_part").set_value("Clipping").run()
    at.slider(key="gl_clip_steps").set_value(50).run()
    at.button(key="gl_clip_go").click().run()
    assert not at.exception and len(at.get("plotly_chart")) == 2
    at.segmented_control(key="gl_part").set_value("Long lag").run()
    assert not at.exception and len(at.get("plotly_chart")) == 1  # the bundled curves
    at.slider(key="gl_lag_steps").set_value(50).run()
    at.multiselect(key="gl_lag_cells").set_value(["gru"]).run()
    at.button(key="gl_lag_go").click().run()
    assert not at.exception
    pair = at.session_state["gl_lag_runs"][2]  # the runs train in the background; the page polls them
    if any(b.key == "gl_lag_stop" for b in at.button):
        at.button(key="gl_lag_stop").click().run()
    pair.join(120)
    at.run()
    assert not pair.running and len(at.get("plotly_chart")) == 2  # what was trained stays on screen


def chart_titles(at: AppTest) -> str:
    """Every plotly chart's title on the page, decoded from the JSON the browser would get."""
    return " | ".join(json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "") for c in at.get("plotly_chart"))


def test_sequence_compare_mnist1d_and_parallelism() -> None:
    at = run_page("app_pages/sequence_compare.py")
    assert len(at.get("metric")) == 7  # every model's prediction for the chosen test sequence
    table = at.dataframe[0].value
    assert len(table) == 7 and set(table["model"]) >= {"1-D CNN", "GRU", "Logistic regression"}
    titles = chart_titles(at)
    assert "gradient × input" in titles and "attention" in titles
    at.slider(key="sc_index").set_value(10).run()
    assert not at.exception
    at.segmented_control(key="sc_part").set_value("Parallelism").run()
    assert not at.exception and len(at.get("plotly_chart")) == 2  # latency and memory against length
    at.selectbox(key="sc_longest").set_value(1024).run()
    at.button(key="sc_measure").click().run()
    assert not at.exception and any("measured now on this server" in c.value for c in at.caption)
    steps = at.dataframe[0].value
    assert steps.loc[steps["layer"] == "LSTM", "T = 1024"].iloc[0].startswith("1,024 steps")


def test_sequence_compare_retrain_is_bounded_and_kept_in_the_session() -> None:
    at = run_page("app_pages/sequence_compare.py")
    at.selectbox(key="sc_retrain_model").set_value("logistic").run()
    at.slider(key="sc_retrain_epochs").set_value(5).run()
    at.button(key="sc_retrain_go").click().run()
    assert not at.exception
    (retrain,) = at.session_state["sc_retrains"]  # it trains in the background; the page polls it
    retrain.join(120)
    at.run()
    runs = next(d.value for d in at.dataframe if "seed" in d.value.columns).to_dict("records")
    assert len(runs) == 1 and runs[0]["epochs"] == 5 and 10 < runs[0]["test accuracy %"] < 60
    assert retrain.runs[0].limits.max_seconds == 60  # bounded


@pytest.mark.parametrize("text, message", [
    ("", "the input is empty"),
    ("héllo 42", "Only the letters a–z"),
    ("a" * 40, "At most 24 letters"),
])
def test_attention_page_refuses_bad_words(text: str, message: str) -> None:
    at = run_page("app_pages/attention.py")
    at.text_input(key="at_text").input(text).run()
    assert not at.exception and message in at.info[0].value


def test_attention_page_reverses_and_shows_where_it_looked() -> None:
    at = run_page("app_pages/attention.py")
    at.text_input(key="at_text").input("explorer").run()
    assert not at.exception
    answers = {m.label: m.value for m in at.get("metric")}
    assert any("attention" in label for label in answers) and "rerolpxe" in answers.values()
    titles = chart_titles(at)
    assert "Attention weights" in titles and "cross-attention" in titles and "by input length" in titles


def train_in_lab(at: AppTest, task: str, epochs: int = 2) -> None:
    """Open the training lab in `at`, train both runs of `task` for `epochs` and wait for the results."""
    at.switch_page("app_pages/training_lab.py").run()
    at.selectbox(key="tl_task").set_value(task).run()
    train_both(at, task, epochs)


def train_both(at: AppTest, task: str, epochs: int) -> None:
    """On the lab page already showing `task`: set both runs' epochs, train, wait, and show the results."""
    for run in "AB":
        at.number_input(key=f"tl_{run}_{task}_epochs").set_value(epochs)
    at.run()
    at.button(key="tl_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    pair = at.session_state["tl_pair"]
    pair.join(120)
    assert not pair.running
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_training_lab_trains_two_runs_and_hands_them_to_the_cnn_pages() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    train_in_lab(at, "digits")
    table = at.dataframe[0].value
    assert list(table["run"]) == ["run A", "run B"] and set(table["ended"]) == {"done"}
    assert all(float(a.rstrip("%")) > 50 for a in table["held-out accuracy"])  # 2 epochs of LeNet on digits
    settings = [c.value for c in at.caption if c.value.startswith("adam lr")]
    assert len(settings) == 2 and "batch norm" in settings[1] and "batch norm" not in settings[0]
    assert "Loss (batch" in " ".join(c.proto.spec for c in at.get("plotly_chart"))
    assert "held-out confusion" in chart_titles(at)
    assert len(at.get("download_button")) == 4
    assert "lab run A" in at.success[0].value
    own = list(at.session_state["own_models"])
    assert len(own) == 2
    at.switch_page("app_pages/feature_maps.py").run()
    picker = at.selectbox(key="fm_model")
    assert "★ Yours: LeNet-5, lab run B" in picker.options
    picker.set_value(own[1]).run()
    assert not at.exception
    assert any("Trained by you in the training lab" in c.value for c in at.sidebar.caption)
    assert top1(at) in "0123456789"
    at.switch_page("app_pages/saliency.py").run()
    at.selectbox(key="sal_model").set_value(own[0]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Grad-CAM map" in chart_titles(at)
    other = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)  # another browser session
    other.run()
    other.switch_page("app_pages/feature_maps.py").run()
    assert not any("★" in o for o in other.selectbox(key="fm_model").options)


def test_training_lab_char_model_appears_on_the_recurrent_pages() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    train_in_lab(at, "char", epochs=1)
    assert "commonest mistakes" in " ".join(c.value for c in at.caption)
    _, lstm = list(at.session_state["own_models"])
    at.switch_page("app_pages/hidden_states.py").run()
    at.selectbox(key="hs_model").set_value(lstm).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Bits per character" in m.label for m in at.metric)
    at.switch_page("app_pages/gates.py").run()
    picker = at.selectbox(key="gt_model")
    assert "★ Yours: LSTM character model, lab run B" in picker.options
    assert not any("RNN character model" in o for o in picker.options)  # a vanilla RNN has no gates
    picker.set_value(lstm).run()
    assert not at.exception, [e.value for e in at.exception]


def test_training_lab_refuses_a_run_over_the_step_cap() -> None:
    at = run_page("app_pages/training_lab.py")
    at.selectbox(key="tl_task").set_value("shapes").run()
    at.select_slider(key="tl_A_shapes_batch").set_value(8)
    at.number_input(key="tl_A_shapes_epochs").set_value(20).run()
    assert any("at most 3000" in e.value for e in at.error)
    assert at.button(key="tl_go").disabled


def resnet18_three_classes() -> bytes:
    import torch
    import torchvision
    from safetensors.torch import save

    torch.manual_seed(0)
    net = torchvision.models.resnet18(num_classes=3)
    return save({k: v.contiguous() for k, v in net.state_dict().items()})


def test_your_models_resnet18_with_own_classes_reaches_feature_maps_and_saliency() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/your_models.py").run()
    at.file_uploader(key="ym_weights").set_value(("pets.safetensors", resnet18_three_classes(), "application/octet-stream"))
    at.file_uploader(key="ym_names").set_value(("pets.txt", b"cat\ndog\nrabbit\n", "text/plain"))
    at.text_input(key="ym_label").set_value("pets")
    at.run()
    at.button(key="ym_load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "ResNet-18: pets" in at.success[0].value and "3 classes" in at.success[0].value
    assert at.dataframe[0].value["outputs"][0] == 3
    own = list(at.session_state["own_models"])[0]
    at.switch_page("app_pages/feature_maps.py").run()
    at.selectbox(key="fm_model").set_value(own).run()
    assert not at.exception, [e.value for e in at.exception]
    bars = json.loads(next(c for c in at.get("plotly_chart") if "Top-5" in c.proto.spec).proto.spec)["data"][0]
    assert sorted(bars["y"]) == ["cat", "dog", "rabbit"]
    assert at.selectbox(key="fm_layer").value.startswith("layer4")  # opens on the suggested layer
    at.switch_page("app_pages/saliency.py").run()
    at.selectbox(key="sal_model").set_value(own).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="sal_layer").value == "layer4"
    assert any("Suggested: layer4" in c.value for c in at.caption)
    notes = at.dataframe[-1].value
    assert set(notes["Grad-CAM"]) == {"✓", "✓ suggested", "✗"}
    assert "vector" in notes[notes["layer"] == "fc"]["why"].iloc[0]


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("evil.pt", "pickle", "Refused: the file holds Python objects"),
    ("lenet.safetensors", "lenet", "do not fit ResNet-18"),
    ("cut.safetensors", "cut", "not a readable safetensors"),
])
def test_your_models_refuses_bad_weights_with_a_reason(name: str, data: str, reason: str) -> None:
    import io

    import torch
    from safetensors.torch import save

    if data == "pickle":
        buf = io.BytesIO()
        torch.save({"w": torch.zeros(1), "f": print}, buf)  # a function reference: not weights
        payload = buf.getvalue()
    elif data == "lenet":
        from core.models.catalogue import get_spec

        payload = save(get_spec("lenet5").build().state_dict())
    else:
        payload = resnet18_three_classes()[:5000]
    at = run_page("app_pages/your_models.py")
    at.file_uploader(key="ym_weights").set_value((name, payload, "application/octet-stream")).run()
    at.button(key="ym_load").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert reason in at.error[0].value and name in at.error[0].value
    assert "own_models" not in at.session_state or not at.session_state["own_models"]


def test_training_lab_on_your_own_pictures_then_feature_maps() -> None:
    from tests.test_own_data import shapes_zip

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/training_lab.py").run()
    at.selectbox(key="tl_task").set_value("own_images").run()
    assert any("Upload your data" in i.value for i in at.info)
    at.file_uploader(key="tl_upload_own_images").set_value(("mine.zip", shapes_zip(), "application/zip")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("24 pictures in 3 classes" in m.value for m in at.markdown)
    train_both(at, "own_images", 2)
    assert "held-out confusion" in chart_titles(at)
    own = list(at.session_state["own_models"])
    at.switch_page("app_pages/feature_maps.py").run()
    at.selectbox(key="fm_model").set_value(own[0]).run()
    assert not at.exception, [e.value for e in at.exception]
    bars = json.loads(next(c for c in at.get("plotly_chart") if "Top-5" in c.proto.spec).proto.spec)["data"][0]
    assert sorted(bars["y"]) == ["circle", "square", "triangle"]


def test_training_lab_on_your_series_compares_lstm_and_cnn() -> None:
    import numpy as np

    at = run_page("app_pages/training_lab.py")
    at.selectbox(key="tl_task").set_value("own_series").run()
    values = np.sin(np.arange(600) * 0.2) + 0.05 * np.random.default_rng(0).normal(size=600)
    at.file_uploader(key="tl_upload_own_series").set_value(("wave.csv", ("y\n" + "\n".join(map(str, values))).encode(),
                                                            "text/csv")).run()
    train_both(at, "own_series", 2)
    assert "one-step prediction" in chart_titles(at)
    assert "held-out R²" in at.dataframe[0].value.columns
    assert "1-D CNN" in " ".join(c.value for c in at.caption) or "CNN" in " ".join(c.value for c in at.caption)


@pytest.mark.parametrize(("choice", "name", "payload", "reason"), [
    ("own_images", "bomb.zip", "bomb", "zip bomb"),
    ("own_text", "latin1.txt", "naïve café ".encode("latin-1") * 400, "not UTF-8"),
    ("own_series", "bad.csv", b"1\n2\nthree\n" + b"4\n" * 200, "Line 3 is not a number"),
])
def test_training_lab_refuses_hostile_data_with_a_reason(choice: str, name: str, payload, reason: str) -> None:
    from tests.test_own_data import zip_bomb

    at = run_page("app_pages/training_lab.py")
    at.selectbox(key="tl_task").set_value(choice).run()
    at.file_uploader(key=f"tl_upload_{choice}").set_value((name, zip_bomb() if payload == "bomb" else payload,
                                                          "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert reason in at.error[0].value and name in at.error[0].value


def test_training_lab_on_pasted_text_then_hidden_states() -> None:
    from core.data.text import load_corpus

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/training_lab.py").run()
    at.selectbox(key="tl_task").set_value("own_text").run()
    at.text_area(key="tl_paste").set_value(load_corpus()[:30_000]).run()
    assert any("30,000 characters" in m.value for m in at.markdown)
    train_both(at, "own_text", 1)
    _, lstm = list(at.session_state["own_models"])
    at.switch_page("app_pages/hidden_states.py").run()
    at.selectbox(key="hs_model").set_value(lstm).run()
    assert not at.exception, [e.value for e in at.exception]


def test_build_a_cnn_see_its_plan_break_it_then_train_it_in_the_lab() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/your_models.py").run()
    plan = at.dataframe[-1].value
    assert list(plan["output"])[-1] == "10" and "conv 5×5, 8 channels" in plan["layer"][0]
    assert any("parameters," in c.value and "FLOPs per" in c.value for c in at.main.caption)
    at.radio(key="ym_for").set_value("shapes").run()
    assert list(at.dataframe[-1].value["output"])[:1] == ["8×64×64"]
    at.button(key="ym_use_cnn").click().run()
    assert "Use the network you built" in at.success[0].value
    at.switch_page("app_pages/training_lab.py").run()
    at.checkbox(key="tl_B_digits_built").check()
    train_both(at, "digits", 2)
    run_b = at.session_state["tl_pair"].runs[1]
    assert run_b.config.layers and run_b.epochs[-1].val_accuracy > 0.6
    titles = [own.spec.title for own in at.session_state["own_models"].values()]
    assert "CNN you built, lab run B" in titles
    own = list(at.session_state["own_models"])[1]
    at.switch_page("app_pages/saliency.py").run()
    at.selectbox(key="sal_model").set_value(own).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="sal_layer").value.startswith("conv4") or "relu5" in at.selectbox(key="sal_layer").value


def test_the_rnn_builder_counts_parameters() -> None:
    at = run_page("app_pages/your_models.py")
    at.radio(key="ym_kind").set_value("RNN").run()
    at.select_slider(key="ym_hidden").set_value(64).run()
    plan = at.dataframe[-1].value
    assert "LSTM, hidden size 64" in plan["layer"][1]
    assert int(plan["parameters"][1]) == 4 * 64 * (32 + 64 + 2)


def test_a_broken_layer_list_is_explained_in_the_page() -> None:
    from core.builder import LayerSpec

    at = AppTest.from_file(str(ROOT / "app_pages/your_models.py"), default_timeout=TIMEOUT)
    at.session_state[own_models.BUILT_CNN_KEY] = (LayerSpec("conv", 8, 3), LayerSpec("relu"), LayerSpec("linear", 10))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Layer 3 (linear, 10 features) needs a vector" in at.error[0].value
    assert len(at.dataframe[-1].value) == 2  # the layers before the break, with their shapes
    assert all(b.key != "ym_use_cnn" for b in at.button)  # nothing broken goes to the lab


def test_your_model_is_in_compare_and_the_convolution_lab() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/your_models.py").run()
    at.selectbox(key="ym_arch").set_value("resnet18").run()
    at.file_uploader(key="ym_weights").set_value(("pets.safetensors", resnet18_three_classes(), "application/octet-stream"))
    at.file_uploader(key="ym_names").set_value(("pets.txt", b"cat\ndog\nrabbit\n", "text/plain")).run()
    at.button(key="ym_load").click().run()
    own = list(at.session_state["own_models"])[0]
    at.switch_page("app_pages/compare.py").run()
    at.multiselect(key="cmp_models").set_value(["small_vgg", own]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "★ Yours: ResNet-18: pets.safetensors" in [s.value for s in at.subheader] or any(
        "pets.safetensors" in s.value for s in at.subheader)
    assert any(m.label == "Parameters" and m.value == "11.18 M" for m in at.metric)
    at.switch_page("app_pages/convolution.py").run()
    at.segmented_control(key="cl_part").set_value("Receptive field").run()
    at.selectbox(key="cl_rf_model").set_value(own).run()
    assert not at.exception, [e.value for e in at.exception]


def test_server_time_shows_its_parts_in_the_form_the_load_bench_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    from bench.load import SERVER_TIME

    monkeypatch.setenv("EXPLORER_SHOW_SERVER_TIME", "1")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/saliency.py").run()
    assert not at.exception, [e.value for e in at.exception]
    found = [SERVER_TIME.search(c.value) for c in at.sidebar.caption]
    wall, queued, cpu, core = map(float, next(f for f in found if f).groups())
    assert wall > 0 and cpu > 0
    assert queued + cpu + core <= wall + 0.002  # the parts are parts of the run's wall time
