"""Hidden states: type a sequence and watch h_t = tanh(W_xh x_t + W_hh h_(t−1) + b) evolve, step by step."""
import numpy as np
import streamlit as st

from core import plots
from core.data.sequences import TAGGING_RULES
from core.data.text import UNKNOWN
from core.probes import recurrent
from ui import sequences
from ui.charts import chart
from ui.sequences import score_metric, sequence_model_picker, text_input, traced
from ui.widgets import table
from ui.flow import end_page
from ui.generation import generation_part
from core.i18n import _

st.title("Hidden states")
st.caption(
    "A recurrent network reads one symbol at a time. Its hidden state h_t is all it remembers: each step mixes "
    "the new input with the previous state through the same weights, h_t = tanh(W_xh·x_t + W_hh·h_(t−1) + b)."
)
lesson = st.container()

left, right = st.columns([1, 2], gap="large")
with left:
    spec = sequence_model_picker("hs_model")
    own = sequences.sequence_model(spec.name)[1].source == "own"
    st.caption(
        "Your character model: it predicts the next character of the text it was trained on." if own else
        _(spec.summary) if spec.summary else
        "Trained to predict the next character of Python source code (CPython's standard library)."
        if spec.predicts_next else TAGGING_RULES[spec.task].trained_to
    )
with right:
    text = text_input(spec.task, "hs")
    result = traced(spec, text)
if result is None:
    end_page()
encoded, run = result
chars = encoded.shown
h = run.trace["h"]
steps, units = h.shape

with left:
    if spec.predicts_next:
        surprise = recurrent.surprisal_bits(run, encoded.known)
        score = recurrent.mean_score(surprise)
        uniform = np.log2(len(spec.vocab) - 1)
        score_metric(st, "Bits per character on this text", score, ".2f",
                     help="Bits: −log2 of the probability the model gave the character that came next, averaged over "
                          "the text. Lower means the model found the text predictable.")
        if score.value is not None:
            lesson.markdown(
                f"**The model finds this text {'predictable' if score.value < uniform / 2 else 'hard to predict'}: "
                f"{score.value:.2f} bits per character, against {uniform:.1f} for guessing uniformly among its "
                f"{len(spec.vocab) - 1} symbols.** All it knows of the text so far is carried in h_t below."
            )
    else:
        tagging = TAGGING_RULES[spec.task]
        truth = tagging.rule(text[:steps])
        truth = np.clip(truth, 0, len(spec.outputs) - 1)
        score = recurrent.mean_score(recurrent.step_correct(run, truth, encoded.known))
        score_metric(st, "Steps the model gets right", score, ".1%",
                     help="Compared with the rule computed directly from your text.")
        if score.value is not None:
            common = recurrent.commonest_answer_share(truth, encoded.known)
            lesson.markdown(
                f"**The model tracks {tagging.follows} with nothing but h_t: it is right at {score.value:.0%} of the steps, "
                f"where always giving this text's most common answer would be right at {common:.0%}.**"
            )
    st.metric("Steps × hidden units", f"{steps} × {units}",
              help="Each step reads one character; each hidden unit is one number of the state h_t.")

st.subheader("h_t over time")
signals = recurrent.rule_signals(text[:steps], spec.task)
c1, c2 = st.columns([1, 1])
order_by = c1.radio("Order the units", ["variance", "index", "correlation"], horizontal=True, key="hs_order",
                    help="variance: the units that swing most over this text on top; correlation: the units that rise "
                         "and fall most with the chosen signal on top (Pearson r, from +1 to −1).")
signal_name = c2.selectbox("Correlation with", list(signals), key="hs_signal", disabled=order_by != "correlation",
                           format_func=_)
order = recurrent.unit_order(h, order_by, signals[signal_name])
chart(st, plots.state_heatmap, h, chars, order, title=f"{spec.title}: {units} units × {steps} steps (red +, blue −)",
      label="h_t", key="hs_heat")

st.subheader("What the model outputs at each step")
if spec.predicts_next:
    st.caption("Each character coloured by how surprised the model was to see it (−log2 of the probability it gave "
               f"that character one step earlier). Dark red = surprising; blank = not scored ({UNKNOWN} or the first).")
    surprise = np.concatenate([[np.nan], surprise])
    chart(st, plots.text_heatmap, chars, surprise, colorscale="Reds", reversescale=False, zmid=None, zrange=(0, 8),
          label="bits", key="hs_surprise")
    worst = recurrent.most_surprising(surprise)
    if worst:
        st.caption("Most surprising: " + ", ".join(f"“{chars[t]}” at step {t} ({surprise[t]:.1f} bits)"
                                                    for t in worst))
else:
    predicted = run.probs.argmax(1).astype(float)
    chart(st, plots.text_heatmap, chars, predicted, colorscale="Viridis", reversescale=False, zmid=None,
          zrange=(0, len(spec.outputs) - 1), label=tagging.output,
          key="hs_pred")

st.subheader("One update, with its numbers")
c1, c2 = st.columns([3, 1])
t = c1.slider("Step t", 0, steps - 1, min(steps - 1, 10), key="hs_step")
unit = int(c2.number_input("Unit", 0, units - 1, int(order[0]), key="hs_unit"))
net, _ = sequences.sequence_model(spec.name)
terms = recurrent.step_terms(net, encoded.ids, run, t, unit)
prev = f"“{chars[t - 1]}”" if t > 0 else "the start (h_(−1) = 0)"
st.markdown(f"Step **{t}** reads **“{chars[t]}”** after {prev}; unit **{unit}**:")
if spec.cell == "rnn":
    xi, hi, pre, ht = (term.value for term in terms)
    st.latex(rf"h_{{{t}}}[{unit}] = \tanh(\underbrace{{{xi:.3f}}}_{{W_{{xh}}x_t+b_{{ih}}}} + "
             rf"\underbrace{{{hi:.3f}}}_{{W_{{hh}}h_{{t-1}}+b_{{hh}}}}) = \tanh({pre:.3f}) = {ht:.3f}")
elif spec.cell == "lstm":
    v = {term.symbol: term.value for term in terms}
    st.latex(rf"c_{{{t}}} = f_t\,c_{{t-1}} + i_t\,g_t = {v['f_t']:.3f}\times({v['c_(t−1)']:.3f}) + {v['i_t']:.3f}\times({v['g_t']:.3f})"
             rf" = {v['c_t']:.3f}")
    st.latex(rf"h_{{{t}}} = o_t\tanh(c_t) = {v['o_t']:.3f}\times\tanh({v['c_t']:.3f}) = {v['h_t']:.3f}")
else:
    v = {term.symbol: term.value for term in terms}
    st.latex(rf"h_{{{t}}} = (1-z)\,n + z\,h_{{t-1}} = (1-{v['z_t']:.3f})\times{v['n_t']:.3f} + {v['z_t']:.3f}\times{v['h_(t−1)']:.3f}"
             rf" = {v['h_t']:.3f}")
table(st, [{"term": term.symbol, "value": round(term.value, 4), "what it is": term.meaning} for term in terms])
if spec.predicts_next:
    top = recurrent.top_k(run.probs[t:t + 1], spec.outputs, 5)[0]
    following = f"; the text continues with “{chars[t + 1]}”" if t + 1 < steps else ""
    st.caption(f"After step {t} the model expects: " + ", ".join(f"“{'↵' if s == chr(10) else s}” {p:.1%}" for s, p in top)
               + following)

st.subheader("The path of h_t")
st.caption("h_t has one coordinate per unit, too many to draw. Its principal components (PC1, PC2, PC3) are the "
           "directions along which h_t varies most over this text; each axis gives the share of h_t's variance "
           "along its direction (“PC1: 14% of the variance”), so their sum says how much of the path the picture shows.")
dims = st.radio("Projection", ["2-D", "3-D"], horizontal=True, key="hs_dims")
points, explained = sequences.sequence_pca(spec.name, text, 3 if dims == "3-D" else 2)
chart(st, plots.trajectory, points, chars, explained, "h_t projected on its principal components, coloured by time",
      key="hs_pca")

generation_part(spec, "hs")
