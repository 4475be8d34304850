"""The recurrent pages' model picker, text input with examples, and the runs: models, traces, projections."""
from __future__ import annotations

import types

import numpy as np
import streamlit as st
from torch import nn

from core.data.poems import POEM_EXAMPLES
from core.data.text import MAX_CHARS, EncodedText, TextInputError, encode
from core.models.catalogue import ModelSpec, model_names
from core.probes import recurrent
from core.probes.recurrent import SequenceRun, StepScore
from core.weights import WeightsStatus
from ui import charts, own_models
from ui.models import model, spec_of, weights_key
from ui.scheduling import heavy_slot
from ui.shared_cache import frozen, shared
from ui.widgets import working

EXAMPLES = {
    "charlm": {
        "A Python function": 'def greet(name, times=1):\n    """Say hello (politely)."""\n    if not name:\n'
                             '        return "nobody [here]"\n    return ", ".join(["Hello " + name] * times)\n',
        "Nested brackets": "result = max(len(x) for x in (a, [b, c], {'k': (1, 2)}))\n",
        "A comment and a string": "# Split the line on commas, keeping quoted fields whole.\nrow = 'a, \"b, c\", d'.split(',')\n",
        "English prose": "Recurrent networks read one character at a time and carry what they remember in a hidden state.",
    },
    "poems": POEM_EXAMPLES,
    "brackets": {
        "Deep nesting": "(a(b(a(b(a b)a)b)a)b)(a)",
        "Long flat run": "(" + "ab " * 20 + ")" + "((((ab))))",
        "Unbalanced": "))(((a)b(",
    },
    "quotes": {
        "Short quotes": 'ab "abc" c "a b" ab',
        "One long quote": 'a "' + "abc " * 25 + '" b',
        "No quotes": "abc " * 10,
    },
}


def sequence_model_picker(key: str, names: list[str] | None = None, default: str = "char_lstm",
                          cells: tuple[str, ...] = ("rnn", "lstm", "gru")) -> ModelSpec:
    """A select box over the bundled recurrent models, then this session's own ones with a cell in `cells` (★)."""
    own = [n for n in own_models.session_names("sequence") if spec_of(n, "sequence").cell in cells]
    names = (names or model_names("sequence")) + own
    if st.session_state.get(key) not in (None, *names):
        del st.session_state[key]
    name = st.selectbox("Model", names, index=names.index(default) if default in names else 0, key=key,
                        format_func=lambda n: ("★ Yours: " if n in own else "") + spec_of(n, "sequence").title)
    return spec_of(name, "sequence")


def text_input(task: str, key: str) -> str:
    """Pick an example or type; returns the text (may be empty)."""
    examples = EXAMPLES[task]
    choice = st.selectbox("Example", list(examples), key=f"{key}_example_{task}")
    return st.text_area(
        f"Sequence (up to {MAX_CHARS:,} characters)", examples[choice], height=140,
        key=f"{key}_text_{task}_{choice}",
    )


def traced(spec: ModelSpec, text: str, notes: bool = True) -> tuple[EncodedText, SequenceRun] | None:
    """Run `text` through `spec`'s model; shows errors and (with `notes`) what was done to the text in the page,
    returns None when there is nothing to show."""
    _, status = sequence_model(spec.name)
    if not status.is_trained:
        st.warning(status.message)
    elif status.source == "own":
        st.caption(f"★ {status.message}")
    try:
        with working(f"Running {spec.title} …", sequence_run.has(spec.name, text)):
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
        container.caption("No score: a single character has no next character to predict." if not score.steps else
                          "No score: every step reads or must predict a character outside this model's vocabulary.")


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
    net, _ = sequence_model(name)
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
    _, run = sequence_run(name, text)
    points, explained = recurrent.pca(run.trace["h"], k)
    return frozen(points), frozen(explained)
