"""Text generation (文本生成) on the recurrent pages: a prompt, a temperature and a seed in; the text the model
writes, with its hidden state and gates over it, out. The sampling is `core.probes.generation.generate`."""
from __future__ import annotations

import types

import streamlit as st

from core import plots
from core.data.text import EncodedText, TextInputError, encode
from core.i18n import _
from core.models.catalogue import ModelSpec
from core.probes.generation import MAX_NEW, Generation, generate
from core.probes.recurrent import SequenceRun
from ui import charts
from ui.links import linked
from ui.models import spec_of
from ui.scheduling import heavy_slot
from ui.sequences import sequence_model
from ui.shared_cache import frozen, shared
from ui.widgets import working

MAX_PROMPT = 40  # characters of prompt
PROMPTS = {"poems": "床前", "charlm": "def "}  # the prompt each kind of model opens on
GATES = {"lstm": ["h", "c", "i", "f", "g", "o"], "gru": ["h", "r", "z", "n"], "rnn": ["h"]}


@shared(32)
def generated(name: str, prompt: str, new: int, temperature: float, seed: int) -> tuple[EncodedText, Generation]:
    """Model `name` writes `new` characters after `prompt` (raises TextInputError for an empty prompt); shared and
    read-only like the traces."""
    spec = spec_of(name, "sequence")
    encoded = encode(prompt, spec.vocab, limit=MAX_PROMPT)
    net, _status = sequence_model(name)
    with heavy_slot():
        out = generate(net, encoded.ids, new, temperature, seed, banned=encoded.unk_id)
    trace = {field: charts.name_array(frozen(values), "generated", name, prompt, new, temperature, seed, field)
             for field, values in out.run.trace.items()}
    run = SequenceRun(ids=frozen(out.run.ids), probs=frozen(out.run.probs), trace=types.MappingProxyType(trace))
    return encoded, Generation(ids=frozen(out.ids), prompt_length=out.prompt_length, run=run)


def generation_part(spec: ModelSpec, key: str) -> None:
    """The page part: controls, the written text coloured by the probability of each character, and h_t and the
    gates over it. Only for models that predict the next character."""
    if not spec.predicts_next:
        return
    st.subheader(_("Let the model write (文本生成)"))
    st.caption(_("Text generation, one of the uses of RNNs: the model reads your prompt, draws the next character "
                 "from what it predicts, reads that one too, and so on. The temperature τ reshapes its prediction: "
                 "τ = 0 always takes the most probable character, τ = 1 draws from the model's own probabilities, "
                 "a larger τ flattens them. The same seed and temperature always write the same text."))
    c1, c2, c3, c4 = st.columns([2, 2, 2, 1])
    prompt_key = f"{key}_prompt_{spec.task}"
    linked(prompt_key, PROMPTS.get(spec.task, "a"), lambda v: 0 < len(v) <= MAX_PROMPT)
    prompt = c1.text_input(_("Prompt"), key=prompt_key, max_chars=MAX_PROMPT)
    linked(f"{key}_new", 48, lambda v: 1 <= v <= MAX_NEW)
    new = c2.slider(_("Characters to write"), 1, MAX_NEW, key=f"{key}_new")
    linked(f"{key}_temperature", 0.8, lambda v: 0.0 <= v <= 2.0 and round(v, 1) == v)
    temperature = c3.slider(_("Temperature τ"), 0.0, 2.0, step=0.1, key=f"{key}_temperature")
    linked(f"{key}_seed", 0, lambda v: 0 <= v <= 9999)
    seed = int(c4.number_input(_("Seed"), 0, 9999, key=f"{key}_seed"))
    try:
        with working(_("Writing …"), generated.has(spec.name, prompt, new, temperature, seed)):
            encoded, gen = generated(spec.name, prompt, new, temperature, seed)
    except TextInputError:
        st.info(_("Type a prompt of at least one character for the model to start from."))
        return
    for note in encoded.notes:
        st.caption(note)
    vocab = spec.vocab
    chars = tuple(encoded.shown) + tuple("↵" if vocab[i] == "\n" else vocab[i] for i in gen.new_ids)
    st.code("".join(encoded.shown).replace("↵", "\n") + "".join(vocab[i] for i in gen.new_ids), language=None)
    st.markdown(_("**At τ = {t:.1f}, {share:.0%} of the {n} characters written were the model's most probable "
                  "choice.** Each one below is coloured by the probability the model gave it one step before: "
                  "the lower τ, the more it keeps to what it finds likely.").format(
                      t=temperature, share=gen.argmax_share, n=len(gen.new_ids)))
    charts.chart(st, plots.text_heatmap, chars, gen.chosen_probs, colorscale="Viridis", reversescale=False, zmid=None,
                 zrange=(0.0, 1.0), label=_("probability"), key=f"{key}_gen_probs")
    fields = GATES[spec.cell]
    for tab, field in zip(st.tabs([f"{f}_t" for f in fields]), fields):
        sigmoid = field in ("i", "f", "o", "r", "z")
        with tab:
            charts.chart(st, plots.state_heatmap, gen.run.trace[field], chars,
                         title=_("{field}_t while the model writes: units × steps").format(field=field),
                         zmid=None if sigmoid else 0.0, colorscale="Viridis" if sigmoid else "RdBu",
                         reversescale=not sigmoid, zrange=(0.0, 1.0) if sigmoid else None, label=f"{field}_t",
                         key=f"{key}_gen_{field}")
