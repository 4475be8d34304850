"""Attention: an encoder–decoder reverses what you type; see where each output step looked."""
import numpy as np
import streamlit as st

from core import plots
from core.models.seq2seq import MAX_LEN, SEQ2SEQ_MODELS, Seq2SeqInputError
from ui import loaders
from ui.charts import chart
from ui.flow import end_page

st.title("Attention")
st.caption(
    "An encoder reads the input; a decoder writes the output one symbol at a time. Without attention, "
    "everything the decoder knows about the input must pass through one fixed vector. With attention, "
    "at every output step the decoder scores every encoder state, turns the scores into weights that sum "
    "to 1, and reads their weighted mix: it can look back at the part of the input it needs now."
)

results = loaders.bundled_curves("reverse_by_length.json")
if results is None:
    st.warning("The bundled models are missing (assets/curves/reverse_by_length.json); "
               "run `python -m core.train_attention`.")
    end_page()

st.markdown(f"The task: **write the input backwards**. Each model was trained on random strings of 1–{MAX_LEN} "
            "letters, so the right answer is always known. To reverse, the first output letter needs the *last* "
            "input letter: the information has to travel the whole length of the sequence.")
text = st.text_input(f"Letters a–z (up to {MAX_LEN})", "attention", max_chars=200, key="at_text")
try:
    outputs = {name: loaders.reverse(name, text) for name in SEQ2SEQ_MODELS if name in results["models"]}
except Seq2SeqInputError as err:
    st.info(str(err))
    end_page()
word = text.strip().lower()
expected = word[::-1]
END = "end"  # the end-of-sequence token, named in words (plotly would read "</s>" as an HTML tag)


def shown(tokens: list[str]) -> list[str]:
    return [END if t == "</s>" else t for t in tokens]


cols = st.columns(len(outputs))
for col, (name, (out, _, _, _)) in zip(cols, outputs.items()):
    col.metric(SEQ2SEQ_MODELS[name][0].split(" (")[0], out or "∅",
               "right" if out == expected else f"wrong (expected {expected})",
               delta_color="normal" if out == expected else "inverse")

if "gru_attention" in outputs:
    _, tokens, weights, _ = outputs["gru_attention"]
    st.subheader("Where the GRU decoder looked (Bahdanau attention)")
    in_labels = list(word) + [END]
    c1, c2 = st.columns([3, 2])
    chart(c1, plots.attention_map, weights, shown(tokens), in_labels,
          title="Attention weights: each output step (row) over the input steps (columns)", key="at_map")
    c2.markdown("Each row sums to 1: it is how the decoder split its attention over the input while writing "
                "that letter. For reversal the bright cells run along the anti-diagonal: to write the k-th letter "
                "from the end, the decoder looks at that letter. Hover a cell for its weight.")
    if "gru_plain" in outputs:
        c2.markdown("The model without attention has no such map: it saw only the encoder's final summary "
                    "vector, the same at every step.")

st.subheader("Exact-match accuracy against input length")
curves = {results["models"][n]["title"].split(" (")[0]: (
    np.array([int(k) for k in results["models"][n]["by_length"]]), np.array(list(results["models"][n]["by_length"].values())))
    for n in SEQ2SEQ_MODELS if n in results["models"]}
chart(st, plots.accuracy_by_length, curves, title="Whole output right, by input length", key="at_by_length")
st.caption(f"Evaluation: {results['evaluation']}. Training: {results['training']}.")
st.dataframe([{"model": r["title"], "parameters": f"{r['params']:,}", "exact match, all lengths": f"{r['exact_match']:.1%}",
               "training s": f"{r['train_seconds']:.0f}"} for r in results["models"].values()],
             hide_index=True, width="stretch")
st.caption("Bahdanau, Cho & Bengio (2014) found the same: without attention, translation quality falls as "
           "sentences get longer, because one vector has to hold the whole input; with attention it holds up.")

if "transformer" in outputs:
    _, tokens, cross, encoder = outputs["transformer"]
    st.subheader("The same task in a Transformer: several heads at once")
    st.markdown("A Transformer drops recurrence: every position attends to every other in one step, through "
                "several *heads* that can each look for something different.")
    in_labels = list(word) + [END]
    chart(st, plots.attention_heads, cross, shown(tokens), in_labels, [f"head {h + 1}" for h in range(cross.shape[0])],
          title="Decoder → encoder (cross-attention): each output step over the input",
          query_title="output step (decoder)", key_title="input step (encoder)", key="at_cross")
    chart(st, plots.attention_heads, encoder, in_labels, in_labels, [f"head {h + 1}" for h in range(encoder.shape[0])],
          title="Encoder self-attention: each input position over the input",
          query_title="input step (attending)", key_title="input step (attended to)", key="at_self")
