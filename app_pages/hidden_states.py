"""Hidden states: type a sequence and watch h_t = tanh(W_xh x_t + W_hh h_(t−1) + b) evolve, step by step."""
import numpy as np
import streamlit as st

from core import plots
from core.data.sequences import TAGGING_RULES
from core.data.text import UNKNOWN
from core.i18n import N_, _
from core.probes import recurrent
from ui import sequences
from ui.charts import chart
from ui.links import linked
from ui.sequences import score_metric, sequence_model_picker, text_input, traced
from ui.widgets import table
from ui.flow import end_page
from ui.generation import generation_part

ORDERS = {"variance": N_("variance"), "index": N_("index"), "correlation": N_("correlation")}
PROJECTIONS = {"2-D": N_("2-D"), "3-D": N_("3-D")}

st.title(_("Hidden states"))
st.caption(_(
    "A recurrent network reads one symbol at a time. Its hidden state h_t is all it remembers: each step mixes "
    "the new input with the previous state through the same weights, h_t = tanh(W_xh·x_t + W_hh·h_(t−1) + b)."
))
lesson = st.container()

left, right = st.columns([1, 2], gap="large")
with left:
    spec = sequence_model_picker("hs_model")
    own = sequences.sequence_model(spec.name)[1].source == "own"
    st.caption(
        _("Your character model: it predicts the next character of the text it was trained on.") if own else
        _(spec.summary) if spec.summary else
        _("Trained to predict the next character of Python source code (CPython's standard library).")
        if spec.predicts_next else _(TAGGING_RULES[spec.task].trained_to)
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
        score_metric(st, _("Bits per character on this text"), score, ".2f",
                     help=_("Bits: −log2 of the probability the model gave the character that came next, averaged "
                            "over the text. Lower means the model found the text predictable."))
        if score.value is not None:
            lesson.markdown((
                _("**The model finds this text predictable: {bits:.2f} bits per character, against {uniform:.1f} "
                  "for guessing uniformly among its {symbols} symbols.** All it knows of the text so far is carried "
                  "in h_t below.") if score.value < uniform / 2 else
                _("**The model finds this text hard to predict: {bits:.2f} bits per character, against "
                  "{uniform:.1f} for guessing uniformly among its {symbols} symbols.** All it knows of the text so "
                  "far is carried in h_t below.")
            ).format(bits=score.value, uniform=uniform, symbols=len(spec.vocab) - 1))
    else:
        tagging = TAGGING_RULES[spec.task]
        truth = tagging.rule(text[:steps])
        truth = np.clip(truth, 0, len(spec.outputs) - 1)
        score = recurrent.mean_score(recurrent.step_correct(run, truth, encoded.known))
        score_metric(st, _("Steps the model gets right"), score, ".1%",
                     help=_("Compared with the rule computed directly from your text."))
        if score.value is not None:
            common = recurrent.commonest_answer_share(truth, encoded.known)
            lesson.markdown(
                _("**The model tracks {follows} with nothing but h_t: it is right at {right:.0%} of the steps, where "
                  "always giving this text's most common answer would be right at {common:.0%}.**")
                .format(follows=_(tagging.follows), right=score.value, common=common)
            )
    st.metric(_("Steps × hidden units"), f"{steps} × {units}",
              help=_("Each step reads one character; each hidden unit is one number of the state h_t."))

st.subheader(_("h_t over time"))
signals = recurrent.rule_signals(text[:steps], spec.task)
c1, c2 = st.columns([1, 1])
linked("hs_order", "variance", ORDERS)
order_by = c1.radio(_("Order the units"), list(ORDERS), horizontal=True, key="hs_order",
                    format_func=lambda o: _(ORDERS[o]),
                    help=_("variance: the units that swing most over this text on top; correlation: the units that "
                           "rise and fall most with the chosen signal on top (Pearson r, from +1 to −1)."))
if st.session_state.get("hs_signal") not in (None, *signals):  # a model whose rules differ: its first rule
    del st.session_state["hs_signal"]
linked("hs_signal", next(iter(signals)), signals)
signal_name = c2.selectbox(_("Correlation with"), list(signals), key="hs_signal", format_func=_,
                           disabled=order_by != "correlation")
order = recurrent.unit_order(h, order_by, signals[signal_name])
chart(st, plots.state_heatmap, h, chars, order,
      title=_("{model}: {units} units × {steps} steps (red +, blue −)").format(model=_(spec.title), units=units,
                                                                               steps=steps),
      label="h_t", key="hs_heat")

st.subheader(_("What the model outputs at each step"))
if spec.predicts_next:
    st.caption(_("Each character coloured by how surprised the model was to see it (−log2 of the probability it gave "
                 "that character one step earlier). Dark red = surprising; blank = not scored ({unknown} or the "
                 "first).").format(unknown=UNKNOWN))
    surprise = np.concatenate([[np.nan], surprise])
    chart(st, plots.text_heatmap, chars, surprise, colorscale="Reds", reversescale=False, zmid=None, zrange=(0, 8),
          label=_("bits"), key="hs_surprise")
    worst = recurrent.most_surprising(surprise)
    if worst:
        st.caption(_("Most surprising: {characters}").format(characters=_(", ").join(
            _("“{char}” at step {t} ({bits:.1f} bits)").format(char=chars[t], t=t, bits=surprise[t]) for t in worst)))
else:
    predicted = run.probs.argmax(1).astype(float)
    chart(st, plots.text_heatmap, chars, predicted, colorscale="Viridis", reversescale=False, zmid=None,
          zrange=(0, len(spec.outputs) - 1), label=_(tagging.output),
          key="hs_pred")

st.subheader(_("One update, with its numbers"))
c1, c2 = st.columns([3, 1])
linked("hs_step", min(steps - 1, 10), range(steps))
if st.session_state["hs_step"] >= steps:  # a shorter text than the step chosen: its last step
    st.session_state["hs_step"] = steps - 1
t = c1.slider(_("Step t"), 0, steps - 1, key="hs_step")
linked("hs_unit", int(order[0]), range(units))
if st.session_state["hs_unit"] >= units:  # a smaller model than the unit chosen: its most active unit
    st.session_state["hs_unit"] = int(order[0])
unit = int(c2.number_input(_("Unit"), 0, units - 1, key="hs_unit"))
net = sequences.sequence_model(spec.name)[0]
terms = recurrent.step_terms(net, encoded.ids, run, t, unit)
st.markdown((_("Step **{t}** reads **“{char}”** after “{previous}”; unit **{unit}**:") if t > 0 else
             _("Step **{t}** reads **“{char}”** after the start (h_(−1) = 0); unit **{unit}**:"))
            .format(t=t, char=chars[t], previous=chars[t - 1] if t > 0 else "", unit=unit))
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
table(st, [{_("term"): _(term.symbol), _("value"): round(term.value, 4), _("what it is"): term.meaning}
           for term in terms])
if spec.predicts_next:
    top = recurrent.top_k(run.probs[t:t + 1], spec.outputs, 5)[0]
    expected = _(", ").join(f"“{'↵' if s == chr(10) else s}” {p:.1%}" for s, p in top)
    st.caption((_("After step {t} the model expects: {expected}; the text continues with “{next}”") if t + 1 < steps
                else _("After step {t} the model expects: {expected}"))
               .format(t=t, expected=expected, next=chars[t + 1] if t + 1 < steps else ""))

st.subheader(_("The path of h_t"))
st.caption(_("h_t has one coordinate per unit, too many to draw. Its principal components (PC1, PC2, PC3) are the "
             "directions along which h_t varies most over this text; each axis gives the share of h_t's variance "
             "along its direction (“PC1: 14% of the variance”), so their sum says how much of the path the picture "
             "shows."))
linked("hs_dims", "2-D", PROJECTIONS)
dims = st.radio(_("Projection"), list(PROJECTIONS), horizontal=True, key="hs_dims", format_func=lambda d: _(PROJECTIONS[d]))
points, explained = sequences.sequence_pca(spec.name, text, 3 if dims == "3-D" else 2)
chart(st, plots.trajectory, points, chars, explained, _("h_t projected on its principal components, coloured by time"),
      key="hs_pca")

generation_part(spec, "hs")
