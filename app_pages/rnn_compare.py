"""RNN vs LSTM vs GRU: the same typed text through three character models of the same size, side by side."""
import numpy as np
import streamlit as st

from core import plots
from core.models.sequence import get_sequence_spec
from core.probes import recurrent
from core.probes.costs import parameter_count
from ui import loaders
from ui.charts import chart
from ui.sequences import text_input, traced

MODELS = ["char_rnn", "char_lstm", "char_gru"]

st.title("RNN vs LSTM vs GRU")
st.caption(
    "Three character models with 128 hidden units each, trained the same way on the same Python source. "
    "Type text and compare how well each predicts it, and what their hidden states look like."
)
text = text_input("charlm", "rc")
runs = {}
for name in MODELS:
    result = traced(get_sequence_spec(name), text)
    if result is None:
        st.stop()
    runs[name] = result

encoded = runs[MODELS[0]][0]
chars = encoded.shown
bits = {get_sequence_spec(n).title.split(": ")[1]: recurrent.surprisal_bits(r) for n, (_, r) in runs.items()}
cols = st.columns(3)
for col, name in zip(cols, MODELS):
    spec = get_sequence_spec(name)
    net, status = loaders.sequence_model(name)
    b = recurrent.surprisal_bits(runs[name][1])
    with col:
        st.subheader(spec.title.split(": ")[1])
        st.metric("Bits per character on this text", f"{b.mean():.2f}" if b.size else "—")
        st.caption(status.message)
        st.metric("Parameters", f"{parameter_count(net):,}")
if len(chars) > 1:
    window = max(1, min(20, len(chars) // 5))
    smooth = {k: np.convolve(v, np.ones(window) / window, mode="valid") for k, v in bits.items()}
    chart(st, plots.line_chart, smooth, "character", f"bits (moving mean of {window})",
          "Surprise along the text: lower is better", key="rc_bits")
cols = st.columns(3)
for col, name in zip(cols, MODELS):
    with col:
        chart(st, plots.state_heatmap, runs[name][1].trace["h"], chars,
              recurrent.unit_order(runs[name][1].trace["h"], "variance"),
              title=f"{get_sequence_spec(name).title.split(': ')[1]}: h_t, units by variance", key=f"rc_heat_{name}")
