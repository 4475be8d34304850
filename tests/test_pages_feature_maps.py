"""Feature maps states its lesson with live numbers and keeps a signed map's sign."""
import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def chart_spec(at: AppTest, title_start: str) -> dict:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return next(s for s in specs if (s["layout"].get("title") or {}).get("text", "").startswith(title_start))


def test_default_state_says_the_lesson_and_keeps_the_sign() -> None:
    at = AppTest.from_file(str(ROOT / "app_pages/feature_maps.py"), default_timeout=180).run()
    assert not at.exception
    lesson = next(m.value for m in at.markdown if "one per kernel" in m.value)
    assert "c1 turns the 1×32×32 input into 6 maps of 28×28" in lesson
    heat = chart_spec(at, "c1, channel 0:")["data"][0]
    assert heat["zmid"] == 0 and heat["colorscale"]  # c1 is a convolution before its ReLU: values below 0
    assert any("negative values" in c.value for c in at.caption)
    at.selectbox(key="fm_layer").set_value("act3").run()
    assert any("act3 turns" in m.value for m in at.markdown)
