"""Gates: the LSTM's input, forget and output gates and its cell; the GRU's update and reset gates, step by step."""
import numpy as np
import streamlit as st

from core import plots
from core.i18n import N_, _
from core.probes import recurrent
from ui.charts import chart
from ui.links import linked
from ui.sequences import sequence_model_picker, text_input, traced
from ui.widgets import table
from ui.flow import end_page
from ui.language import in_session_language

GATED = ["char_lstm", "char_gru", "poem_lstm", "poem_gru", "brackets_lstm", "quotes_lstm"]
MEANING = {
    "i": N_("input gate: how much of the candidate is written into the cell"),
    "f": N_("forget gate: how much of the old cell is kept (1 = keep everything)"),
    "g": N_("candidate: the new value proposed for the cell"),
    "o": N_("output gate: how much of the cell is shown as h_t"),
    "c": N_("cell state c_t: the LSTM's long-term memory, changed only by ⊙ (multiplication unit by unit) and +"),
    "h": N_("hidden state h_t: what the next layer (and the next step) sees"),
    "r": N_("reset gate: how much of the old state enters the candidate"),
    "z": N_("update gate: how much of the old state is kept (1 = keep everything)"),
    "n": N_("candidate: the new state proposed at this step"),
}
MODES = {"A rule": N_("A rule"), "A span I mark": N_("A span I mark")}

st.title(_("Gates"))
st.caption(_(
    "LSTM and GRU add gates: numbers between 0 and 1, computed from the input and the previous state, that "
    "multiply what flows through. A forget gate near 1 lets the cell carry information across many steps — "
    "that is how gated networks keep long dependencies that a plain RNN loses."
))
lesson = st.container()

left, right = st.columns([1, 2], gap="large")
with left:
    spec = sequence_model_picker("gt_model", GATED, cells=("lstm", "gru"))
with right:
    text = text_input(spec.task, "gt")
    result = traced(spec, text)
if result is None:
    end_page()
encoded, run = result
chars = encoded.shown
names = ["i", "f", "g", "o", "c", "h"] if spec.cell == "lstm" else ["r", "z", "n", "h"]

st.subheader(_("Every gate over time"))
tabs = st.tabs([f"{n}_t" for n in names])
for tab, name in zip(tabs, names):
    with tab:
        st.caption(_(MEANING[name]))
        values = run.trace[name]
        sigmoid = name in ("i", "f", "o", "r", "z")
        chart(st, plots.state_heatmap, values, chars, title=_("{gate}_t: units × steps").format(gate=name),
              zmid=None if sigmoid else 0.0, colorscale="Viridis" if sigmoid else "RdBu", reversescale=not sigmoid,
              zrange=(0.0, 1.0) if sigmoid else None, label=f"{name}_t", key=f"gt_heat_{name}")

if spec.cell == "lstm":
    st.subheader(_("Cell c_t beside hidden state h_t"))
    st.caption(_("h_t = o_t ⊙ tanh(c_t) stays in (−1, 1); the cell is not squashed and can grow to count or hold a "
                 "value."))
    c1, c2 = st.columns(2)
    chart(c1, plots.state_heatmap, run.trace["c"], chars, title="c_t", label="c_t", width_px=450, key="gt_c")
    chart(c2, plots.state_heatmap, run.trace["h"], chars, title="h_t", label="h_t", width_px=450, key="gt_h")

st.subheader(_("How the gates are distributed"))
sat = recurrent.saturation(run.trace)
saturated = recurrent.saturated_share(sat)
keep = "f" if "f" in sat else "z"
lesson.markdown((
    _("**On this text {saturated:.0%} of all gate values are saturated (below 0.1 or above 0.9): the gates act "
      "mostly as switches. The forget gate f_t is wide open (> 0.9), keeping the old memory, at {open:.0%} of its "
      "values.**") if keep == "f" else
    _("**On this text {saturated:.0%} of all gate values are saturated (below 0.1 or above 0.9): the gates act "
      "mostly as switches. The update gate z_t is wide open (> 0.9), keeping the old memory, at {open:.0%} of its "
      "values.**")
).format(saturated=saturated, open=sat[keep][1]))
c1, c2 = st.columns([2, 1])
chart(c1, plots.gate_histograms, {g: run.trace[g] for g in sat}, _("Values of every gate, all steps and units"),
      key="gt_hist")
table(c2, [{_("gate"): f"{g}_t", _("closed (< 0.1)"): f"{lo:.1%}", _("open (> 0.9)"): f"{hi:.1%}"}
           for g, (lo, hi) in sat.items()])
c2.caption(_("A saturated gate acts as a switch: 0 blocks, 1 passes. A forget gate that is mostly open is how "
             "information survives many steps."))

@st.fragment
@in_session_language
def pattern_search() -> None:
    """Rule or span → the best-matching units → one of them over the text; reruns alone when its widgets move."""
    st.subheader(_("Find the units that follow a pattern"))
    st.caption(_("As in LSTMVis (a tool for reading LSTM states, Strobelt et al. 2018): choose a rule, or mark a span "
                 "of your text, and see which units (of any gate or state) rise and fall with it. The correlation r "
                 "runs from +1 (the unit rises exactly with the pattern) through 0 (unrelated) to −1 (it falls with "
                 "it)."))
    signals = recurrent.rule_signals(text[:run.steps], spec.task)
    c1, c2 = st.columns([1, 2])
    linked("gt_mode", "A rule", MODES)
    mode = c1.radio(_("Pattern"), list(MODES), key="gt_mode", format_func=lambda m: _(MODES[m]))
    if mode == "A rule":
        if st.session_state.get("gt_rule") not in (None, *signals):  # a model whose rules differ: its first rule
            del st.session_state["gt_rule"]
        linked("gt_rule", next(iter(signals)), signals)
        rule = c2.selectbox(_("Rule"), list(signals), key="gt_rule", format_func=_)
        signal = signals[rule]
        label = _(rule)
    else:
        span = st.session_state.get("gt_span")
        if span is not None and span[1] > run.steps:  # a shorter text than the span chosen: cut the span to it
            st.session_state["gt_span"] = (min(span[0], run.steps), run.steps)
        linked("gt_span", (0, min(run.steps, 10)), lambda span: 0 <= span[0] <= span[1] <= run.steps)
        start, stop = c2.slider(_("Characters [from, to)"), 0, run.steps, key="gt_span")
        signal = recurrent.span_signal(run.steps, start, stop)
        label = _("span {start}–{stop}: “{text}”").format(start=start, stop=stop, text="".join(chars[start:stop]))
    if np.std(signal) == 0:
        st.info(_("“{pattern}” is constant on this text, so nothing can correlate with it; pick another rule or span.")
                .format(pattern=label))
        return
    matches = recurrent.best_units(run.trace, signal, k=10)
    table(st, [{_("state or gate"): f"{m.field}_t", _("unit"): m.unit, _("correlation r"): round(m.r, 3)}
               for m in matches])
    linked("gt_pick", 0, range(len(matches)))
    if st.session_state["gt_pick"] >= len(matches):
        st.session_state["gt_pick"] = 0
    pick = st.selectbox(_("Show over the text"), range(len(matches)), key="gt_pick",
                        format_func=lambda i: _("{field}_t unit {unit} (r = {r:+.2f})").format(
                            field=matches[i].field, unit=matches[i].unit, r=matches[i].r))
    m = matches[pick]
    chart(st, plots.text_heatmap, chars, run.trace[m.field][:, m.unit], label=f"{m.field}[{m.unit}]",
          title=_("{field}_t unit {unit} over your text; pattern: {pattern}").format(field=m.field, unit=m.unit,
                                                                                   pattern=label),
          key="gt_unit_text")


pattern_search()
