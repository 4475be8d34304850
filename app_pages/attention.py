"""Attention: an encoder–decoder reverses what you type; see where each output step looked."""
import numpy as np
import streamlit as st

from core import plots
from core.i18n import _
from core.models.catalogue import get_spec, model_names
from core.models.seq2seq import MAX_LEN, Seq2SeqInputError
from ui import beyond, models
from ui.charts import chart
from ui.flow import end_page
from ui.links import linked

MAX_CHARS = 200  # what the box takes (a word longer than MAX_LEN is refused with a reason)

st.title(_("Attention"))
st.caption(_(
    "An encoder reads the input; a decoder writes the output one symbol at a time. Without attention, "
    "everything the decoder knows about the input must pass through one fixed vector. With attention, "
    "at every output step the decoder scores every encoder state, turns the scores into weights that sum "
    "to 1, and reads their weighted mix: it can look back at the part of the input it needs now."
))

results = models.bundled_curves("reverse_by_length.json")
if results is None:
    st.warning(_("The bundled models are missing (assets/curves/reverse_by_length.json); "
                 "run `python -m core.train_attention`."))
    end_page()

st.markdown(_("The task: **write the input backwards**. Each model was trained on random strings of 1–{cap} letters, so "
              "the right answer is always known. To reverse, the first output letter needs the *last* input letter: the "
              "information has to travel the whole length of the sequence.").format(cap=MAX_LEN))
linked("at_text", "attention", lambda typed: len(typed) <= MAX_CHARS)
text = st.text_input(_("Letters a–z (up to {cap})").format(cap=MAX_LEN), max_chars=MAX_CHARS, key="at_text")
try:
    outputs = {name: beyond.reverse(name, text) for name in model_names("seq2seq") if name in results["models"]}
except Seq2SeqInputError as err:
    st.info(str(err))
    end_page()
word = text.strip().lower()
expected = word[::-1]
END = _("end")  # the end-of-sequence token, named in words (plotly would read "</s>" as an HTML tag)


def shown(tokens: list[str]) -> list[str]:
    return [END if t == "</s>" else t for t in tokens]


cols = st.columns(len(outputs))
for col, (name, (out, *_rest)) in zip(cols, outputs.items()):
    col.metric(_(get_spec(name, "seq2seq").label), out or "∅",
               _("right") if out == expected else _("wrong (expected {expected})").format(expected=expected),
               delta_color="normal" if out == expected else "inverse")

if "gru_attention" in outputs:
    _out, tokens, weights, _encoder = outputs["gru_attention"]
    st.subheader(_("Where the GRU decoder looked (Bahdanau attention)"))
    in_labels = list(word) + [END]
    c1, c2 = st.columns([3, 2])
    chart(c1, plots.attention_map, weights, shown(tokens), in_labels,
          title=_("Attention weights: each output step (row) over the input steps (columns)"), key="at_map")
    c2.markdown(_("Each row sums to 1: it is how the decoder split its attention over the input while writing "
                  "that letter. For reversal the bright cells run along the anti-diagonal: to write the k-th letter "
                  "from the end, the decoder looks at that letter. Hover a cell for its weight."))
    if "gru_plain" in outputs:
        c2.markdown(_("The model without attention has no such map: it saw only the encoder's final summary "
                      "vector, the same at every step."))

st.subheader(_("Exact-match accuracy against input length"))
curves = {get_spec(n, "seq2seq").label: (  # the English label names the model's colour; the legend translates it
    np.array([int(k) for k in results["models"][n]["by_length"]]), np.array(list(results["models"][n]["by_length"].values())))
    for n in model_names("seq2seq") if n in results["models"]}
chart(st, plots.accuracy_by_length, curves, title=_("Whole output right, by input length"),
      names={label: _(label) for label in curves}, key="at_by_length")
st.caption(_("Evaluation: {evaluation}. Training: {training}.").format(evaluation=results["evaluation"],
                                                                        training=results["training"]))
st.dataframe([{_("model"): _(get_spec(n, "seq2seq").title), _("parameters"): f"{r['params']:,}",
               _("exact match, all lengths"): f"{r['exact_match']:.1%}", _("training s"): f"{r['train_seconds']:.0f}"}
              for n, r in results["models"].items()], hide_index=True, width="stretch")
st.caption(_("Bahdanau, Cho & Bengio (2014) found the same: without attention, translation quality falls as "
             "sentences get longer, because one vector has to hold the whole input; with attention it holds up."))

if "transformer" in outputs:
    _out, tokens, cross, encoder = outputs["transformer"]
    st.subheader(_("The same task in a Transformer: several heads at once"))
    st.markdown(_("A Transformer drops recurrence: every position attends to every other in one step, through "
                  "several *heads* that can each look for something different."))
    in_labels = list(word) + [END]
    chart(st, plots.attention_heads, cross, shown(tokens), in_labels,
          [_("head {n}").format(n=h + 1) for h in range(cross.shape[0])],
          title=_("Decoder → encoder (cross-attention): each output step over the input"),
          query_title=_("output step (decoder)"), key_title=_("input step (encoder)"), key="at_cross")
    chart(st, plots.attention_heads, encoder, in_labels, in_labels,
          [_("head {n}").format(n=h + 1) for h in range(encoder.shape[0])],
          title=_("Encoder self-attention: each input position over the input"),
          query_title=_("input step (attending)"), key_title=_("input step (attended to)"), key="at_self")
