"""Characters outside a model's vocabulary are named, shown as ⍰, and left out of every score."""
import numpy as np
import pytest

from core.data.sequences import BRACKETS_VOCAB, QUOTES_VOCAB, bracket_depths
from core.data.text import UNKNOWN, VOCAB, encode, vocabulary_description
from core.models.catalogue import get_spec
from core.probes import recurrent
from core.weights import load_model


def _run(name: str, text: str) -> tuple:
    model, _ = load_model(name, kind="sequence")
    encoded = encode(text, get_spec(name, "sequence").vocab)
    return encoded, recurrent.run_sequence(model, encoded.ids)


def test_chinese_text_through_the_vanilla_rnn_has_no_score() -> None:
    encoded, run = _run("char_rnn", "循环神经网络")
    assert encoded.shown == (UNKNOWN,) * 6 and not encoded.known.any()
    bits = recurrent.surprisal_bits(run, encoded.known)
    assert bits.shape == (5,) and np.isnan(bits).all()
    score = recurrent.mean_score(bits)
    assert score.value is None and score.scored == 0 and score.steps == 5


def test_a_mixed_text_is_scored_on_its_known_steps_only() -> None:
    text = "x = 1  # 循环 ok\ny = 2"
    encoded, run = _run("char_lstm", text)
    # By hand: step t (reading text[t], predicting text[t + 1]) counts when both characters are ASCII.
    reference = [-np.log2(run.probs[t, VOCAB.index(text[t + 1])]) for t in range(len(text) - 1)
                 if text[t].isascii() and text[t + 1].isascii()]
    assert len(reference) == len(text) - 1 - 3  # "循" breaks two steps, "环" one more
    score = recurrent.mean_score(recurrent.surprisal_bits(run, encoded.known))
    assert score.scored == len(reference)
    assert score.value == pytest.approx(float(np.mean(reference)), rel=1e-6)
    everything = -np.log2(run.probs[np.arange(len(text) - 1), encoded.ids[1:]]).mean()
    assert abs(everything - score.value) > 0.05  # the unknown steps would have moved it


def test_accuracy_leaves_out_the_steps_that_read_an_unknown_symbol() -> None:
    text = "(a[b]{c})"
    encoded, run = _run("brackets_lstm", text)
    truth = bracket_depths(text)
    correct = recurrent.step_correct(run, truth, encoded.known)
    assert np.isnan(correct[[2, 4, 5, 7]]).all()  # [ ] { c
    known = [t for t, ch in enumerate(text) if ch in "()ab "]
    expected = np.mean([run.probs[t].argmax() == truth[t] for t in known])
    assert recurrent.mean_score(correct).value == pytest.approx(expected)


def test_the_note_names_each_models_real_vocabulary() -> None:
    note = encode("[{ cd+", BRACKETS_VOCAB).notes[0]
    assert "5 of 6 characters" in note and "( ) a b and space" in note and "left out of every score" in note
    assert "printable ASCII" not in note
    assert '" a b c and space' in encode("cd", QUOTES_VOCAB).notes[0]
    assert "printable ASCII" in encode("循", VOCAB).notes[0]
    assert vocabulary_description(("a", "\n", " ", UNKNOWN)) == "a, newline and space"


def test_moving_mean_skips_left_out_steps() -> None:
    values = np.array([1.0, np.nan, 3.0, np.nan, np.nan, 5.0])
    assert np.allclose(recurrent.moving_mean(values, 2), [1.0, 3.0, 3.0, np.nan, 5.0], equal_nan=True)
