"""The recurrent pages' model picker, text input with examples, and the runs: models, traces, projections."""
from __future__ import annotations

import types

import numpy as np
import streamlit as st
from torch import nn

from core.data.poems import POEM_EXAMPLES
from core.data.text import MAX_CHARS, EncodedText, TextInputError, encode
from core.i18n import N_, _
from core.models.catalogue import ModelSpec, model_names
from core.probes import recurrent
from core.probes.recurrent import SequenceRun, StepScore
from core.weights import WeightsStatus
from ui import charts, own_models
from ui.links import linked
from ui.models import model, spec_of, weights_key
from ui.scheduling import heavy_slot
from ui.shared_cache import frozen, shared
from ui.widgets import working

# Example names are message ids (shown through `_`); the texts are data a model reads and stay as they are.
EXAMPLES = {
    "charlm": {
        N_("A Python function"): 'def greet(name, times=1):\n    """Say hello (politely)."""\n    if not name:\n'
                             '        return "nobody [here]"\n    return ", ".join(["Hello " + name] * times)\n',
        N_("Nested brackets"): "result = max(len(x) for x in (a, [b, c], {'k': (1, 2)}))\n",
        N_("A comment and a string"): "# Split the line on commas, keeping quoted fields whole.\nrow = 'a, \"b, c\", d'.split(',')\n",
        N_("English prose"): "Recurrent networks read one character at a time and carry what they remember in a hidden state.",
    },
    "poems": POEM_EXAMPLES,
    "brackets": {
        N_("Deep nesting"): "(a(b(a(b(a b)a)b)a)b)(a)",
        N_("Long flat run"): "(" + "ab " * 20 + ")" + "((((ab))))",
        N_("Unbalanced"): "))(((a)b(",
    },
    "quotes": {
        N_("Short quotes"): 'ab "abc" c "a b" ab',
        N_("One long quote"): 'a "' + "abc " * 25 + '" b',
        N_("No quotes"): "abc " * 10,
    },
}


def sequence_model_picker(key: str, names: list[str] | None = None, default: str = "char_lstm",
                          cells: tuple[str, ...] = ("rnn", "lstm", "gru")) -> ModelSpec:
    """A select box over the bundled recurrent models, then this session's own ones with a cell in `cells` (★);
    the choice lives in the URL."""
    own = [n for n in own_models.session_names("sequence") if spec_of(n, "sequence").cell in cells]
    names = (names or model_names("sequence")) + own
    if st.session_state.get(key) not in (None, *names):
        del st.session_state[key]
    linked(key, default if default in names else names[0], names)
    name = st.selectbox(_("Model"), names, key=key, format_func=lambda n: (
        _("★ Yours: {title}") if n in own else "{title}").format(title=_(spec_of(n, "sequence").title)))
    return spec_of(name, "sequence")


def text_input(task: str, key: str) -> str:
    """Pick an example or type; returns the text (may be empty). The example and the text (its first MAX_CHARS
    characters) live in the URL; picking an example puts its text in the box."""
    examples = EXAMPLES[task]
    names = list(examples)
    example_key, text_key = f"{key}_example_{task}", f"{key}_text_{task}"
    linked(example_key, names[0], names)
    choice = st.selectbox(_("Example"), names, key=example_key, format_func=_, on_change=_use_example,
                          args=(examples, example_key, text_key))
    linked(text_key, examples[choice], max_chars=MAX_CHARS)
    return st.text_area(_("Sequence (up to {n:,} characters)").format(n=MAX_CHARS), height=140, key=text_key)


def _use_example(examples: dict[str, str], example_key: str, text_key: str) -> None:
    """Put the example just picked into the text box (a callback: it runs before the page does)."""
    st.session_state[text_key] = examples[st.session_state[example_key]]


def traced(spec: ModelSpec, text: str, notes: bool = True) -> tuple[EncodedText, SequenceRun] | None:
    """Run `text` through `spec`'s model; shows errors and (with `notes`) what was done to the text in the page,
    returns None when there is nothing to show."""
    status = sequence_model(spec.name)[1]
    if not status.is_trained:
        st.warning(status.message)
    elif status.source == "own":
        st.caption(f"★ {status.message}")
    try:
        with working(_("Running {model} …").format(model=_(spec.title)), sequence_run.has(spec.name, text)):
            encoded, run = sequence_run(spec.name, text)
    except TextInputError as err:
        st.info(str(err))
        return None
    for note in encoded.notes if notes else ():
        st.caption(note)
    return encoded, run


def score_metric(container: object, label: str, score: StepScore, fmt: str, help: str | None = None) -> None:
    """`score` as a metric, or "—" and the reason when no step of the text could be scored."""
    container.metric(label, format(score.value, fmt) if score.value is not None else "—", help=help)
    if score.value is None:
        container.caption(_("No score: a single character has no next character to predict.") if not score.steps else
                          _("No score: every step reads or must predict a character outside this model's vocabulary."))


def sequence_model(name: str) -> tuple[nn.Module, WeightsStatus]:
    """A recurrent model with traced cells on the app's device: bundled (shared) or this session's own."""
    return model(name, weights_key(name, "sequence"), "sequence")


@shared(64)
def sequence_run(name: str, text: str) -> tuple[EncodedText, recurrent.SequenceRun]:
    """`text` encoded for model `name` and traced through it (raises core.data.text.TextInputError).

    Shared and read-only, like the per-picture results: as st.cache_data a 1,000-character LSTM trace (six
    1,000 × 128 arrays) was pickled when stored and unpickled again on every rerun of the page.
    """
    spec = spec_of(name, "sequence")
    encoded = encode(text, spec.vocab)
    net = sequence_model(name)[0]
    with heavy_slot():
        run = recurrent.run_sequence(net, encoded.ids)
    frozen(encoded.ids)
    trace = types.MappingProxyType({field: charts.name_array(frozen(values), "sequence_run", name, text, field)
                                    for field, values in run.trace.items()})
    return encoded, recurrent.SequenceRun(ids=frozen(run.ids), probs=frozen(run.probs), trace=trace)


@shared(64)
def sequence_pca(name: str, text: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The hidden states of `sequence_run(name, text)` on their first `k` principal components, and the variance
    each explains: made once per text, not on every move of the page's step slider."""
    run = sequence_run(name, text)[1]
    points, explained = recurrent.pca(run.trace["h"], k)
    return frozen(points), frozen(explained)
