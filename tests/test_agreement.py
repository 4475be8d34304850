"""Controls and figures agree after every input change: the class, layer and channel a control shows are
the ones the figures beside it were computed for (a figure one click behind teaches the wrong picture)."""
import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.data.samples import SAMPLES_DIR, samples_for

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 180


def chart_titles(at: AppTest) -> list[str]:
    return [(json.loads(c.proto.spec)["layout"].get("title") or {}).get("text", "") for c in at.get("plotly_chart")]


def top1(at: AppTest) -> str:
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "Top-5" in c.proto.spec)
    return spec["data"][0]["y"][-1]


def target_box(at: AppTest):
    return next(s for s in at.selectbox if s.label.startswith("Explain the class"))


def assert_saliency_explains(at: AppTest, label: str) -> None:
    """The class box, the top-1 bar and the map's title all name `label`."""
    assert not at.exception and not at.warning, [e.value for e in [*at.exception, *at.warning]]
    box = target_box(at)
    assert box.options[box.index].startswith(f"{label} — "), box.options[box.index]
    assert top1(at) == label
    assert any(f"for “{label}”" in t for t in chart_titles(at)), chart_titles(at)


def test_saliency_follows_a_new_sample_and_a_new_upload() -> None:
    at = AppTest.from_file(str(ROOT / "app_pages/saliency.py"), default_timeout=TIMEOUT).run()
    at.selectbox(key="sal_model").set_value("lenet5").run()
    digits = [s.file for s in samples_for("digit")]
    at.selectbox(key="sal_sample").select_index(digits.index("digit_7.png")).run()
    assert_saliency_explains(at, "7")
    at.selectbox(key="sal_sample").select_index(digits.index("digit_5.png")).run()
    assert_saliency_explains(at, "5")

    at.radio(key="sal_source").set_value("Upload").run()
    for name, label in (("digit_3.png", "3"), ("digit_7.png", "7")):
        data = (SAMPLES_DIR / name).read_bytes()
        at.file_uploader(key="sal_upload").set_value((name, data, "image/png")).run()
        assert_saliency_explains(at, label)
    # A class the learner picks stays picked while the picture stays the same.
    box = target_box(at)
    box.select_index(2).run()
    chosen = target_box(at).options[2].split(" — ")[0]
    at.radio(key="sal_method").set_value("Occlusion").run()
    assert target_box(at).options[target_box(at).index].startswith(f"{chosen} — ")


def assert_feature_maps_show(at: AppTest, layer: str, channel: int) -> None:
    """The layer box and channel box show `layer` and `channel`, and the grid and the large map were made of them."""
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="fm_layer").value == layer
    channel_box = next(n for n in at.number_input if n.key == "fm_channel")
    assert channel_box.value == channel
    titles = chart_titles(at)
    assert any(t.startswith(f"{layer}: ") for t in titles), titles
    assert any(t.startswith(f"{layer}, channel {channel}:") for t in titles), titles


def test_feature_maps_keep_their_controls_through_an_upload() -> None:
    """Choosing "Upload" keeps the page (and every control below the picker) on screen until a picture
    arrives: a page that stopped there lost its controls in the browser, which drew them anew at their
    defaults while the server kept the learner's layer and channel (the next click jumped to the defaults)."""
    at = AppTest.from_file(str(ROOT / "app_pages/feature_maps.py"), default_timeout=TIMEOUT).run()
    at.selectbox(key="fm_layer").set_value("act3").run()
    next(n for n in at.number_input if n.key == "fm_channel").set_value(5).run()
    assert_feature_maps_show(at, "act3", 5)
    at.radio(key="fm_source").set_value("Upload").run()
    assert_feature_maps_show(at, "act3", 5)
    assert any("keeps the sample" in c.value for c in at.caption)
    at.file_uploader(key="fm_upload").set_value(("digit_7.png", (SAMPLES_DIR / "digit_7.png").read_bytes(),
                                                 "image/png")).run()
    assert_feature_maps_show(at, "act3", 5)
    assert top1(at) == "7"
