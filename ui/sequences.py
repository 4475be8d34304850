"""Widgets shared by the recurrent pages: model picker, text input with examples, the run itself."""
from __future__ import annotations

import streamlit as st

from core.data.text import MAX_CHARS, EncodedText, TextInputError
from core.models.catalogue import ModelSpec, model_names
from core.probes.recurrent import SequenceRun, StepScore
from ui import loaders, own_models
from ui.widgets import working

EXAMPLES = {
    "charlm": {
        "A Python function": 'def greet(name, times=1):\n    """Say hello (politely)."""\n    if not name:\n'
                             '        return "nobody [here]"\n    return ", ".join(["Hello " + name] * times)\n',
        "Nested brackets": "result = max(len(x) for x in (a, [b, c], {'k': (1, 2)}))\n",
        "A comment and a string": "# Split the line on commas, keeping quoted fields whole.\nrow = 'a, \"b, c\", d'.split(',')\n",
        "English prose": "Recurrent networks read one character at a time and carry what they remember in a hidden state.",
    },
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
    own = [n for n in own_models.session_names("sequence") if loaders.spec_of(n, "sequence").cell in cells]
    names = (names or model_names("sequence")) + own
    if st.session_state.get(key) not in (None, *names):
        del st.session_state[key]
    name = st.selectbox("Model", names, index=names.index(default) if default in names else 0, key=key,
                        format_func=lambda n: ("★ Yours: " if n in own else "") + loaders.spec_of(n, "sequence").title)
    return loaders.spec_of(name, "sequence")


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
    _, status = loaders.sequence_model(spec.name)
    if not status.is_trained:
        st.warning(status.message)
    elif status.source == "own":
        st.caption(f"★ {status.message}")
    try:
        with working(f"Running {spec.title} …", loaders.sequence_run.has(spec.name, text)):
            encoded, run = loaders.sequence_run(spec.name, text)
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
