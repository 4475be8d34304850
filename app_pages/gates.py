"""Gates: the LSTM's input, forget and output gates and its cell; the GRU's update and reset gates, step by step."""
import numpy as np
import streamlit as st

from core import plots
from core.probes import recurrent
from ui.charts import chart
from ui.sequences import sequence_model_picker, text_input, traced
from ui.widgets import table
from ui.flow import end_page
from core.i18n import _

GATED = ["char_lstm", "char_gru", "poem_lstm", "poem_gru", "brackets_lstm", "quotes_lstm"]
MEANING = {
    "i": "input gate: how much of the candidate is written into the cell",
    "f": "forget gate: how much of the old cell is kept (1 = keep everything)",
    "g": "candidate: the new value proposed for the cell",
    "o": "output gate: how much of the cell is shown as h_t",
    "c": "cell state c_t: the LSTM's long-term memory, changed only by ⊙ (multiplication unit by unit) and +",
    "h": "hidden state h_t: what the next layer (and the next step) sees",
    "r": "reset gate: how much of the old state enters the candidate",
    "z": "update gate: how much of the old state is kept (1 = keep everything)",
    "n": "candidate: the new state proposed at this step",
}

st.title("Gates")
st.caption(
    "LSTM and GRU add gates: numbers between 0 and 1, computed from the input and the previous state, that "
    "multiply what flows through. A forget gate near 1 lets the cell carry information across many steps — "
    "that is how gated networks keep long dependencies that a plain RNN loses."
)
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

st.subheader("Every gate over time")
tabs = st.tabs([f"{n}_t" for n in names])
for tab, name in zip(tabs, names):
    with tab:
        st.caption(MEANING[name])
        values = run.trace[name]
        sigmoid = name in ("i", "f", "o", "r", "z")
        chart(st, plots.state_heatmap, values, chars, title=f"{name}_t: units × steps", zmid=None if sigmoid else 0.0,
              colorscale="Viridis" if sigmoid else "RdBu", reversescale=not sigmoid,
              zrange=(0.0, 1.0) if sigmoid else None, label=f"{name}_t", key=f"gt_heat_{name}")

if spec.cell == "lstm":
    st.subheader("Cell c_t beside hidden state h_t")
    st.caption("h_t = o_t ⊙ tanh(c_t) stays in (−1, 1); the cell is not squashed and can grow to count or hold a value.")
    c1, c2 = st.columns(2)
    chart(c1, plots.state_heatmap, run.trace["c"], chars, title="c_t", label="c_t", width_px=450, key="gt_c")
    chart(c2, plots.state_heatmap, run.trace["h"], chars, title="h_t", label="h_t", width_px=450, key="gt_h")

st.subheader("How the gates are distributed")
sat = recurrent.saturation(run.trace)
saturated = recurrent.saturated_share(sat)
keep = "f" if "f" in sat else "z"
lesson.markdown(
    f"**On this text {saturated:.0%} of all gate values are saturated (below 0.1 or above 0.9): the gates act "
    f"mostly as switches. The {'forget' if keep == 'f' else 'update'} gate {keep}_t is wide open (> 0.9), keeping "
    f"the old memory, at {sat[keep][1]:.0%} of its values.**"
)
c1, c2 = st.columns([2, 1])
chart(c1, plots.gate_histograms, {g: run.trace[g] for g in sat}, "Values of every gate, all steps and units",
      key="gt_hist")
table(c2, [{"gate": f"{g}_t", "closed (< 0.1)": f"{lo:.1%}", "open (> 0.9)": f"{hi:.1%}"} for g, (lo, hi) in sat.items()])
c2.caption("A saturated gate acts as a switch: 0 blocks, 1 passes. A forget gate that is mostly open is how "
           "information survives many steps.")

@st.fragment
def pattern_search() -> None:
    """Rule or span → the best-matching units → one of them over the text; reruns alone when its widgets move."""
    st.subheader("Find the units that follow a pattern")
    st.caption("As in LSTMVis (a tool for reading LSTM states, Strobelt et al. 2018): choose a rule, or mark a span of "
               "your text, and see which units (of any gate or state) rise and fall with it. The correlation r runs "
               "from +1 (the unit rises exactly with the pattern) through 0 (unrelated) to −1 (it falls with it).")
    signals = recurrent.rule_signals(text[:run.steps], spec.task)
    c1, c2 = st.columns([1, 2])
    mode = c1.radio("Pattern", ["A rule", "A span I mark"], key="gt_mode")
    if mode == "A rule":
        rule = c2.selectbox("Rule", list(signals), key="gt_rule", format_func=_)
        signal = signals[rule]
        label = rule
    else:
        start, stop = c2.slider("Characters [from, to)", 0, run.steps, (0, min(run.steps, 10)), key="gt_span")
        signal = recurrent.span_signal(run.steps, start, stop)
        label = f"span {start}–{stop}: “{''.join(chars[start:stop])}”"
    if np.std(signal) == 0:
        st.info(f"“{label}” is constant on this text, so nothing can correlate with it; pick another rule or span.")
        return
    matches = recurrent.best_units(run.trace, signal, k=10)
    table(st, [{"state or gate": f"{m.field}_t", "unit": m.unit, "correlation r": round(m.r, 3)} for m in matches])
    pick = st.selectbox("Show over the text", range(len(matches)), key="gt_pick",
                        format_func=lambda i: f"{matches[i].field}_t unit {matches[i].unit} (r = {matches[i].r:+.2f})")
    m = matches[pick]
    chart(st, plots.text_heatmap, chars, run.trace[m.field][:, m.unit], label=f"{m.field}[{m.unit}]",
          title=f"{m.field}_t unit {m.unit} over your text; pattern: {label}", key="gt_unit_text")


pattern_search()
