"""Page tests of the recurrent pages: unknown symbols out of the scores, the lesson said with its live number."""
import json
import re

from tests.test_pages import run_page

CHINESE = "循环神经网络"


def _markdown(at) -> str:
    return " ".join(m.value for m in at.markdown)


def _captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def test_hidden_states_says_its_lesson_with_the_live_score() -> None:
    at = run_page("app_pages/hidden_states.py")
    bits = next(m.value for m in at.metric if m.label == "Bits per character on this text")
    assert f"{bits} bits per character, against 6.6 for guessing uniformly" in _markdown(at)
    assert "principal components" in _captions(at)


def test_hidden_states_gives_no_score_to_text_outside_the_vocabulary() -> None:
    at = run_page("app_pages/hidden_states.py")
    at.selectbox(key="hs_model").set_value("char_rnn").run()
    at.text_area[0].set_value(CHINESE).run()
    assert not at.exception
    assert next(m.value for m in at.metric if m.label == "Bits per character on this text") == "—"
    captions = _captions(at)
    assert "6 of 6 characters are outside the model's vocabulary" in captions and "No score" in captions
    assert "Most surprising" not in captions and "bits per character, against" not in _markdown(at)


def test_the_bracket_model_names_its_own_symbols() -> None:
    at = run_page("app_pages/hidden_states.py")
    at.selectbox(key="hs_model").set_value("brackets_lstm").run()
    at.text_area[0].set_value("(a[{cd+)b").run()
    assert not at.exception
    captions = _captions(at)
    assert "5 of 9 characters are outside the model's vocabulary (( ) a b and space)" in captions
    assert "printable ASCII" not in captions
    right = next(m.value for m in at.metric if m.label == "Steps the model gets right")
    assert right in ("0.0%", "25.0%", "50.0%", "75.0%", "100.0%")  # four known steps: ( a ) b
    assert re.search(r"right at \d+% of the steps", _markdown(at))


def test_gates_page_counts_the_saturated_gate_values() -> None:
    at = run_page("app_pages/gates.py")
    assert re.search(r"\d+% of all gate values are saturated", _markdown(at))


def _titles(at) -> list[str]:
    return [json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "") for c in at.get("plotly_chart")]


def test_rnn_compare_leaves_unknown_text_unscored() -> None:
    at = run_page("app_pages/rnn_compare.py")
    assert "predicts best" in _markdown(at) and any("Surprise along the text" in t for t in _titles(at))
    at.text_area[0].set_value(CHINESE).run()
    assert not at.exception
    assert [m.value for m in at.metric if m.label.startswith("Bits")] == ["—"] * 3
    assert sum("outside the model's vocabulary" in c.value for c in at.caption) == 1  # said once, not per model
    assert "predicts best" not in _markdown(at)
    assert not any("Surprise along the text" in t for t in _titles(at))
