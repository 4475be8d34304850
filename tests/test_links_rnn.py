"""The recurrent pages (Hidden states, Gates, RNN vs LSTM vs GRU, Gradient lab) in two languages, and links that
reopen the same view: a URL's choices show up in the widgets, garbled ones fall back silently, the page keeps the
URL current, and switching language keeps every control's value."""
from __future__ import annotations

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core import i18n, plots
from core.data.text import MAX_CHARS, VOCAB, encode
from core.i18n import _
from core.palette import colour_of
from tests.in_language import page_app, reading
from ui.charts import figure
from ui.links import decode, encode as encode_value

HIDDEN, GATES, COMPARE, GRADIENTS = ("app_pages/hidden_states.py", "app_pages/gates.py", "app_pages/rnn_compare.py",
                                     "app_pages/gradients.py")
KINDS = ("selectbox", "radio", "slider", "select_slider", "number_input", "text_area", "segmented_control",
         "multiselect", "toggle")
CJK = re.compile(r"[\u4e00-\u9fff]")


def opened(path: str, **query: str) -> AppTest:
    at = page_app(path, **query).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def values(at: AppTest) -> dict[str, object]:
    """Every keyed control's value (the language switch left out)."""
    return {w.key: w.value for kind in KINDS for w in getattr(at, kind) if w.key and w.key != "lang"}


def url(at: AppTest) -> dict[str, str]:
    return {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()}


def assert_url_holds(at: AppTest, link: dict[str, str]) -> None:
    """The page's URL names each (non-default) choice of `link`, so reopening it gives this view."""
    now = url(at)
    assert {k: now.get(k) for k in link} == link, now


def assert_quiet(at: AppTest) -> None:
    assert not at.exception and not at.error and not at.warning, ([e.value for e in at.error],
                                                                  [w.value for w in at.warning])


# --- links: a URL's choices appear in the widgets, and the page keeps the URL to what it shows ---------------------

HIDDEN_LINK = {"hs_model": "char_gru", "hs_example_charlm": "Nested brackets", "hs_text_charlm": "x = [1, (2, 3)]\n",
               "hs_order": "correlation", "hs_signal": "bracket depth", "hs_step": "4", "hs_unit": "7",
               "hs_dims": "3-D"}


def test_a_hidden_states_link_opens_its_view_and_the_url_follows() -> None:
    at = opened(HIDDEN, **HIDDEN_LINK)
    shown = values(at)
    assert shown["hs_model"] == "char_gru" and shown["hs_example_charlm"] == "Nested brackets"
    assert shown["hs_text_charlm"] == "x = [1, (2, 3)]\n"  # the typed text, not the example's
    assert (shown["hs_order"], shown["hs_signal"], shown["hs_step"], shown["hs_unit"], shown["hs_dims"]) == \
        ("correlation", "bracket depth", 4, 7, "3-D")
    assert any("Step **4** reads **“[”**" in m.value for m in at.markdown)
    assert_url_holds(at, HIDDEN_LINK)


def test_hidden_states_choices_made_by_hand_reopen_in_a_fresh_session() -> None:
    at = opened(HIDDEN)
    at.selectbox(key="hs_model").set_value("char_rnn").run()
    at.selectbox(key="hs_example_charlm").set_value("A comment and a string").run()
    example = at.text_area(key="hs_text_charlm").value
    assert example.startswith("# Split the line")  # picking an example puts its text in the box
    at.text_area(key="hs_text_charlm").set_value(example + "x" * 2 * MAX_CHARS).run()
    at.slider(key="hs_step").set_value(2).run()
    at.radio(key="hs_dims").set_value("3-D").run()
    assert not at.exception
    link = url(at)
    assert link["hs_text_charlm"] == (example + "x" * 2 * MAX_CHARS)[:MAX_CHARS]  # what the model reads, no more
    again = opened(HIDDEN, **link)
    assert {k: v for k, v in values(again).items() if k != "hs_text_charlm"} == \
        {k: v for k, v in values(at).items() if k != "hs_text_charlm"}
    assert again.text_area(key="hs_text_charlm").value == link["hs_text_charlm"]


def test_a_gates_link_opens_its_view() -> None:
    link = {"gt_model": "char_gru", "gt_example_charlm": "English prose", "gt_mode": "A span I mark",
            "gt_span": "3~12", "gt_pick": "2"}
    at = opened(GATES, **link)
    shown = values(at)
    assert shown["gt_model"] == "char_gru" and shown["gt_example_charlm"] == "English prose"
    assert shown["gt_text_charlm"].startswith("Recurrent networks read")  # the example's text
    assert (shown["gt_mode"], shown["gt_span"], shown["gt_pick"]) == ("A span I mark", (3, 12), 2)
    assert_url_holds(at, link)


def test_an_rnn_compare_link_restores_the_typed_text() -> None:
    link = {"rc_example_charlm": "English prose", "rc_text_charlm": "for i in range(3):\n    print(i)\n"}
    at = opened(COMPARE, **link)
    shown = values(at)
    assert {key: shown.get(key) for key in link} == link
    assert_url_holds(at, link)


GRADIENT_LINK = {"gl_T": "100", "gl_hidden": "32", "gl_kind": "gaussian", "gl_scale": "1.1",
                 "gl_phi": "relu", "gl_in": "0.5", "gl_fb": "2.0", "gl_ub": "1.5"}


def test_a_gradient_lab_link_opens_its_view() -> None:
    at = opened(GRADIENTS, **GRADIENT_LINK)
    shown = values(at)
    assert (shown["gl_part"], shown["gl_T"], shown["gl_hidden"], shown["gl_kind"], shown["gl_phi"]) == \
        ("Over time", 100, 32, "gaussian", "relu")
    assert (shown["gl_scale"], shown["gl_in"], shown["gl_fb"], shown["gl_ub"]) == (1.1, 0.5, 2.0, 1.5)
    assert any(m.value.startswith("**Untrained, 99 steps back") for m in at.markdown)
    assert_url_holds(at, GRADIENT_LINK)


def test_a_gradient_lab_part_chosen_by_hand_reopens_with_its_choices() -> None:
    at = opened(GRADIENTS)
    at.segmented_control(key="gl_part").set_value("Over depth").run()
    at.multiselect(key="gl_depths").set_value([20]).run()
    assert not at.exception
    link = url(at)
    assert link["gl_part"] == "Over depth" and link["gl_depths"] == "20" and "gl_T" not in link  # the part's own
    again = opened(GRADIENTS, **link)
    assert values(again) == values(at)


# --- garbled or stale links: the defaults, and not a word about it ------------------------------------------------

@pytest.mark.parametrize(("path", "garbled", "defaults"), [
    (HIDDEN, {"hs_model": "no_such_model", "hs_example_charlm": "???", "hs_order": "sideways", "hs_signal": "moon",
              "hs_step": "ten", "hs_unit": "-3", "hs_dims": "4-D"},
     {"hs_model": "char_lstm", "hs_example_charlm": "A Python function", "hs_order": "variance", "hs_step": 10,
      "hs_dims": "2-D"}),
    (GATES, {"gt_model": "char_rnn", "gt_example_charlm": "", "gt_mode": "A span I mark", "gt_span": "9~2",
             "gt_pick": "99"},
     {"gt_model": "char_lstm", "gt_example_charlm": "A Python function", "gt_span": (0, 10), "gt_pick": 0}),
    (COMPARE, {"rc_example_charlm": "Deep nesting"}, {"rc_example_charlm": "A Python function"}),
    (GRADIENTS, {"gl_part": "Sideways", "gl_T": "1e9", "gl_hidden": "7", "gl_kind": "uniform", "gl_scale": "nan",
                 "gl_phi": "sin", "gl_in": "x", "gl_fb": "inf", "gl_ub": "1~2"},
     {"gl_part": "Over time", "gl_T": 200, "gl_hidden": 64, "gl_kind": "orthogonal", "gl_scale": 0.9, "gl_phi": "tanh",
      "gl_in": 1.0, "gl_fb": 1.0, "gl_ub": 2.0}),
], ids=["hidden_states", "gates", "rnn_compare", "gradients"])
def test_garbled_parameters_fall_back_silently(path: str, garbled: dict[str, str], defaults: dict[str, object]) -> None:
    at = opened(path, **garbled)
    assert_quiet(at)
    shown = values(at)
    assert {k: shown[k] for k in defaults} == defaults
    assert all(url(at).get(k, encode_value(v)) == encode_value(v) for k, v in defaults.items())  # no stale value


def test_url_lists_and_long_texts() -> None:
    assert decode("8~56", [20, 56]) == [8, 56] and decode("56", [20, 56]) == [56] and decode("", [20]) == []
    with pytest.raises(ValueError):
        decode("8~x", [20, 56])
    assert decode("2~7", (0, 10)) == (2, 7)
    with pytest.raises(ValueError):
        decode("2", (0, 10))  # a range keeps its two ends


# --- the pages in Chinese, and back to English with every control as it was ----------------------------------------

@pytest.mark.parametrize(("path", "choose"), [
    (HIDDEN, lambda at: at.radio(key="hs_order").set_value("index")),
    (GATES, lambda at: at.radio(key="gt_mode").set_value("A span I mark")),
    (COMPARE, lambda at: at.selectbox(key="rc_example_charlm").set_value("English prose")),
    (GRADIENTS, lambda at: at.slider(key="gl_T").set_value(100)),
], ids=["hidden_states", "gates", "rnn_compare", "gradients"])
def test_the_page_in_chinese_then_english_keeps_every_value(path: str, choose) -> None:
    english = {HIDDEN: "Hidden states", GATES: "Gates", COMPARE: "RNN vs LSTM vs GRU", GRADIENTS: "Gradient lab"}[path]
    with reading("zh"):
        at = opened(path, lang="zh")
        choose(at).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.title[0].value == _(english) and CJK.search(at.title[0].value)
        assert all(CJK.search(s.value) or re.search(r"\b(RNN|LSTM|GRU)$", s.value) for s in at.subheader)  # or a model
        assert any(CJK.search(c.value) for c in at.caption) and any(CJK.search(m.value) for m in at.markdown)
        labels = [w.label for kind in KINDS for w in getattr(at, kind) if w.key and w.key != "lang"]
        assert labels and all(CJK.search(label) or re.fullmatch(r"[ρTσ ()]+", label) for label in labels), labels
        chinese = values(at)
        at.radio(key="lang").set_value("en").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == english
    assert values(at) == chinese
    assert not any(CJK.search(c.value) for c in at.caption)


# --- what is shared across sessions speaks the reader's language ---------------------------------------------------

def test_a_shared_figure_and_a_shared_encoding_speak_the_readers_language() -> None:
    states = np.linspace(-1, 1, 24, dtype=np.float32).reshape(6, 4)
    encoded = encode("ab循环", VOCAB)  # one object, as ui.sequences shares it between sessions
    english = figure(plots.state_heatmap, states, tuple("abcdef"))
    i18n.set_language("zh")
    try:
        chinese = figure(plots.state_heatmap, states, tuple("abcdef"))
        note = encoded.notes[0]
    finally:
        i18n.set_language("en")
    assert english.layout.xaxis.title.text == "time step (character)"
    assert chinese.layout.xaxis.title.text == "时间步（字符）" and chinese.layout.yaxis.title.text == "单元"
    assert note.startswith("4 个字符中有 2 个不在模型的词表") and "换行和可打印 ASCII" in note
    assert encoded.notes[0].startswith("2 of 4 characters are outside the model's vocabulary (newline and printable")


def test_the_gradient_labs_chinese_labels_keep_their_colours() -> None:
    english = ["no clipping", "clipped at 1.0", "plain-20", "residual-56"]
    i18n.set_language("zh")
    try:
        chinese = [_("no clipping"), _("clipped at {threshold}").format(threshold=1.0),
                   _("plain-{depth}").format(depth=20), _("residual-{depth}").format(depth=56)]
    finally:
        i18n.set_language("en")
    assert all(CJK.search(label) for label in chinese)
    assert [colour_of(label) for label in chinese] == [colour_of(label) for label in english]
    assert len(set(map(colour_of, english))) == 4
    assert colour_of("普通RNN") == colour_of("vanilla RNN") and colour_of("字符模型：LSTM") == colour_of("LSTM")
