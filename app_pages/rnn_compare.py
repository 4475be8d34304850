"""RNN vs LSTM vs GRU: the same typed text through three character models of the same size, side by side."""
import numpy as np
import streamlit as st

from core import plots
from core.i18n import _
from core.models.catalogue import get_spec
from core.probes import recurrent
from core.probes.costs import parameter_count
from ui import sequences
from ui.charts import chart
from ui.sequences import score_metric, text_input, traced
from ui.flow import end_page
from ui.links import linked
from core.i18n import N_, _

TRAINED_ON = {"charlm": ["char_rnn", "char_lstm", "char_gru"], "poems": ["poem_rnn", "poem_lstm", "poem_gru"]}
CORPUS_LABELS = {"charlm": N_("Python source"), "poems": N_("Tang poems (唐诗三百首)")}

st.title(_("RNN vs LSTM vs GRU"))
st.caption(_(
    "Three character models with 128 hidden units each, trained the same way on the same text: Python source, or "
    "the Tang poems. "
    "Type text and compare how well each predicts it, and what their hidden states look like."
))
lesson = st.container()
linked("rc_corpus", "charlm", TRAINED_ON)
corpus = st.radio(_("Trained on"), list(TRAINED_ON), key="rc_corpus", horizontal=True,
                  format_func=lambda c: _(CORPUS_LABELS[c]))
MODELS = TRAINED_ON[corpus]
text = text_input(corpus, "rc")
runs = {}
for name in MODELS:
    result = traced(get_spec(name, "sequence"), text, notes=name == MODELS[0])
    if result is None:
        end_page()
    runs[name] = result

encoded = runs[MODELS[0]][0]
chars = encoded.shown
label = {name: _(get_spec(name, "sequence").label) for name in MODELS}
bits = {name: recurrent.surprisal_bits(run, encoded.known) for name, (_, run) in runs.items()}
scores = {name: recurrent.mean_score(b) for name, b in bits.items()}
scored = sorted((s.value, name) for name, s in scores.items() if s.value is not None)
if scored:
    (best, winner), rest = scored[0], scored[1:]
    uniform = np.log2(len(get_spec(winner, "sequence").vocab) - 1)
    others = [_("{bits:.2f} for the {model}").format(bits=v, model=label[n]) for v, n in rest]
    against = _("{first} and {last}").format(first=_(", ").join(others[:-1]), last=others[-1]) if len(others) > 1 \
        else "".join(others)
    lesson.markdown(
        _("**On this text the {model} predicts best: {bits:.2f} bits per character, against {others} ({uniform:.1f} "
          "for guessing uniformly). Fewer bits means the next character surprised the model less.**")
        .format(model=label[winner], bits=best, others=against, uniform=uniform)
    )
cols = st.columns(3)
for col, name in zip(cols, MODELS):
    net, status = sequences.sequence_model(name)
    with col:
        st.subheader(label[name])
        score_metric(st, _("Bits per character on this text"), scores[name], ".2f",
                     help=_("Bits: −log2 of the probability the model gave the character that came next, averaged "
                            "over the text. Lower is better."))
        st.caption(status.message)
        st.metric(_("Parameters"), f"{parameter_count(net):,}", help=_("Weights and biases the model learned."))
if len(chars) > 1 and any(s.value is not None for s in scores.values()):
    window = max(1, min(20, len(chars) // 5))
    smooth = {label[n]: recurrent.moving_mean(b, window) for n, b in bits.items()}
    chart(st, plots.line_chart, smooth, _("character"), _("bits (moving mean of {window})").format(window=window),
          _("Surprise along the text: lower is better"), key="rc_bits")
cols = st.columns(3)
for col, name in zip(cols, MODELS):
    with col:
        chart(st, plots.state_heatmap, runs[name][1].trace["h"], chars,
              recurrent.unit_order(runs[name][1].trace["h"], "variance"),
              title=_("{model}: h_t, units by variance").format(model=label[name]), label="h_t", width_px=300, key=f"rc_heat_{name}")
