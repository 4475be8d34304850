"""Links that reopen the same view, and the same view in both languages, on the four CNN pages (issue #23).

For each page: (a) a URL with non-default choices opens on exactly those choices, and the URL a page writes
after a few clicks, opened in a fresh session, shows the same controls and the same figures; (b) garbled or
stale parameters fall back to the defaults with no error or warning; (c) `?lang=zh` shows the page in Chinese,
and switching back to English keeps every control's value.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.i18n import set_language

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300
CJK = re.compile(r"[\u4e00-\u9fff]")
FEATURE_MAPS, SALIENCY = "app_pages/feature_maps.py", "app_pages/saliency.py"
CONVOLUTION, COMPARE = "app_pages/convolution.py", "app_pages/compare.py"


def assert_url_keeps(at: AppTest, params: dict[str, str]) -> None:
    """The URL still names every value it opened, but for those equal to their control's default, which a link
    leaves out."""
    kept = {key: value for key, value in at.query_params.items() if key != "lang"}
    assert set(kept) <= set(params) and all(kept[key] == params[key] for key in kept), kept


def open_page(path: str, params: dict[str, str] | None = None) -> AppTest:
    """A fresh session of the page opened at a URL with `params`; it must run cleanly."""
    at = AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT)
    at.query_params.update(params or {})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def value(at: AppTest, key: str) -> object:
    return at.session_state[key]


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "") for c in at.get("plotly_chart")]


def assert_reopens(at: AppTest, path: str) -> None:
    """The URL `at` shows, opened in a fresh session, gives the same controls, captions and figures."""
    params = {k: v for k, v in at.query_params.items()}
    again = open_page(path, params)
    assert dict(again.query_params) == params
    for key in (k for k in params if k in at.session_state):  # a control left behind stays in a page-only URL
        assert value(again, key) == value(at, key), key
    assert chart_titles(again) == chart_titles(at)
    assert [c.value for c in again.caption] == [c.value for c in at.caption]


def assert_quiet(at: AppTest) -> None:
    assert not at.error, [e.value for e in at.error]
    assert not at.warning, [w.value for w in at.warning]


# --- (a) a link opens the view it names, and the URL a page writes reopens it ---------------------------------

def test_feature_maps_opens_the_linked_model_picture_layer_and_channel() -> None:
    params = {"fm_model": "small_vgg", "fm_sample": "shape_ring.png", "fm_layer": "features.1.3",
              "fm_mode": "Top-k by mean activation", "fm_k": "5", "fm_scale": "0", "fm_channel": "7",
              "fm_alpha": "0.25"}
    at = open_page(FEATURE_MAPS, params)
    assert at.selectbox(key="fm_model").value == "small_vgg"
    assert at.selectbox(key="fm_sample").value == "shape_ring.png"
    assert at.selectbox(key="fm_layer").value == "features.1.3"
    assert at.radio(key="fm_mode").value == "Top-k by mean activation"
    assert at.slider(key="fm_k").value == 5 and at.toggle(key="fm_scale").value is False
    assert at.number_input(key="fm_channel").value == 7 and at.slider(key="fm_alpha").value == 0.25
    assert any(t.startswith("features.1.3: 5 of ") for t in chart_titles(at))
    assert any(t.startswith("features.1.3, channel 7:") for t in chart_titles(at))
    assert_url_keeps(at, params)  # the URL keeps what it opened
    assert_reopens(at, FEATURE_MAPS)


def test_feature_maps_clicks_write_a_url_that_reopens_the_view() -> None:
    at = open_page(FEATURE_MAPS)
    at.selectbox(key="fm_sample").set_value("digit_7.png").run()
    at.selectbox(key="fm_layer").set_value("act3").run()
    at.number_input(key="fm_channel").set_value(9).run()
    assert at.query_params["fm_layer"] == "act3" and at.query_params["fm_channel"] == "9"
    assert_reopens(at, FEATURE_MAPS)


def test_saliency_opens_the_linked_class_method_and_settings() -> None:
    params = {"sal_model": "lenet5", "sal_sample": "digit_7.png", "sal_target": "2", "sal_method": "Occlusion",
              "sal_window": "6", "sal_stride": "2", "sal_alpha": "0.3"}
    at = open_page(SALIENCY, params)
    assert at.selectbox(key="sal_model").value == "lenet5" and at.selectbox(key="sal_sample").value == "digit_7.png"
    assert at.selectbox(key="sal_target").value == 2 and at.radio(key="sal_method").value == "Occlusion"
    assert at.slider(key="sal_window").value == 6 and at.slider(key="sal_stride").value == 2
    assert any(t.startswith("Occlusion map for “2”") for t in chart_titles(at))
    assert_reopens(at, SALIENCY)
    at.radio(key="sal_method").set_value("Integrated gradients").run()
    at.slider(key="sal_steps").set_value(8).run()
    at.selectbox(key="sal_baseline").set_value("blur").run()
    assert_reopens(at, SALIENCY)


@pytest.mark.parametrize("params", [
    {"cl_part": "Convolution", "cl_preset": "Laplacian", "cl_stride": "2", "cl_padding": "1", "cl_dilation": "1",
     "cl_position": "3", "cl_input_kind": "Small matrix"},
    {"cl_part": "Pooling", "cl_pool_mode": "avg", "cl_pool_k": "3", "cl_pool_s": "1", "cl_pool_pos": "4",
     "cl_input_kind": "Picture (gray)", "cl_sample": "shape_triangle.png"},
    {"cl_part": "Weight sharing", "cl_ws_cin": "1", "cl_ws_side": "28", "cl_ws_cout": "6", "cl_ws_k": "5",
     "cl_ws_s": "1", "cl_ws_p": "0"},
    {"cl_part": "Receptive field", "cl_rf_model": "lenet5", "cl_rf_layer": "c1"},
    {"cl_part": "Translation", "cl_tr_models": "lenet5~small_vgg~era_vgg", "cl_tr_mode": "one",
     "cl_tr_sample": "shape_star.png", "cl_tr_span": "15", "cl_tr_dx": "-20"},
], ids=lambda p: p["cl_part"])
def test_convolution_lab_opens_each_part_as_linked(params: dict[str, str]) -> None:
    at = open_page(CONVOLUTION, params)
    for key, raw in params.items():
        shown = value(at, key)
        expected = raw.split("~") if isinstance(shown, list) else type(shown)(raw)
        assert shown == expected, key
    assert_url_keeps(at, params)
    assert_reopens(at, CONVOLUTION)


def test_compare_opens_the_linked_models_and_picture() -> None:
    params = {"cmp_models": "lenet5~small_vgg", "cmp_mode": "one", "cmp_sample": "shape_star.png", "cmp_alpha": "0.8"}
    at = open_page(COMPARE, params)
    assert at.multiselect(key="cmp_models").value == ["lenet5", "small_vgg"]
    assert at.radio(key="cmp_mode").value == "one" and at.selectbox(key="cmp_sample").value == "shape_star.png"
    assert at.slider(key="cmp_alpha").value == 0.8
    assert [s.value for s in at.subheader][:2] == ["LeNet-5", "Small VGG (shapes)"]
    assert_reopens(at, COMPARE)


# --- (b) garbled and stale parameters fall back to the defaults, silently -----------------------------------

GARBLED = {
    FEATURE_MAPS: {"fm_model": "resnet9000", "fm_sample": "../../etc/passwd", "fm_layer": "no.such.layer",
                   "fm_mode": "everything", "fm_k": "many", "fm_scale": "maybe", "fm_channel": "-3",
                   "fm_alpha": "nan"},
    SALIENCY: {"sal_model": "", "sal_sample": "chelsea.jpg~x", "sal_target": "99999", "sal_method": "Telepathy",
               "sal_layer": "features.99", "sal_alpha": "2.5"},
    CONVOLUTION: {"cl_part": "Everything", "cl_preset": "sharpen!", "cl_stride": "1.5", "cl_padding": "999",
                  "cl_position": "-1"},
    COMPARE: {"cmp_models": "lenet5~lenet5~nope", "cmp_mode": "all", "cmp_alpha": "inf"},
}


@pytest.mark.parametrize("path", list(GARBLED), ids=lambda p: Path(p).stem)
def test_garbled_parameters_open_the_default_view_without_a_word(path: str) -> None:
    default = open_page(path)
    garbled = open_page(path, GARBLED[path])
    assert_quiet(garbled)
    # every choice on screen at its default, and so in the URL (app.py drops the parameters of controls not drawn)
    assert {key: garbled.query_params[key] for key in default.query_params} == dict(default.query_params)
    assert chart_titles(garbled) == chart_titles(default)


# --- (c) the page in Chinese, and back to English with every control kept ------------------------------------

def page_in_language(path: str) -> None:
    """The page as app.py runs it, with the sidebar's language switch drawn first (AppTest runs this function
    as a script)."""
    import runpy

    from ui.language import choose_language

    choose_language()
    runpy.run_path(path, run_name="__main__")


CHINESE = {  # page: (a non-default link, its title in Chinese)
    FEATURE_MAPS: ({"fm_model": "small_vgg", "fm_layer": "features.1.3", "fm_channel": "3"}, "特征图"),
    SALIENCY: ({"sal_model": "lenet5", "sal_method": "Gradient saliency", "sal_target": "4"}, "显著性"),
    CONVOLUTION: ({"cl_part": "Pooling", "cl_pool_mode": "avg", "cl_pool_k": "3"}, "卷积实验室"),
    COMPARE: ({"cmp_models": "lenet5~small_vgg", "cmp_alpha": "0.7"}, "架构对比"),
}


@pytest.mark.parametrize("path", list(CHINESE), ids=lambda p: Path(p).stem)
def test_the_page_in_chinese_and_back_to_english_keeps_every_control(path: str) -> None:
    params, title = CHINESE[path]
    at = AppTest.from_function(page_in_language, args=(str(ROOT / path),), default_timeout=TIMEOUT)
    at.query_params.update({**params, "lang": "zh"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert_quiet(at)
    assert at.title[0].value == title
    assert at.caption and all(CJK.search(c.value) for c in at.caption[:1])
    chinese = {k: v for k, v in at.query_params.items() if k != "lang"}
    assert params.items() <= chinese.items()
    set_language("zh")  # AppTest formats the options it sends on this thread: in the language they were drawn in
    try:
        at.sidebar.radio(key="lang").set_value("en").run()
    finally:
        set_language("en")
    assert not at.exception, [e.value for e in at.exception]
    assert not CJK.search(at.title[0].value)
    assert at.query_params["lang"] == "en"
    assert {k: v for k, v in at.query_params.items() if k != "lang"} == chinese
