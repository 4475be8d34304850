"""Recurrent probes, text encoding, generated tasks and the bundled recurrent models."""
import math
from dataclasses import replace

import numpy as np
import pytest
import torch

from core.data.sequences import bracket_depths, inside_quotes, make_brackets, make_quotes
from core.data.text import MAX_CHARS, UNKNOWN, VOCAB, TextInputError, encode
from core.models.sequence import SEQUENCE_MODELS, get_sequence_spec
from core.probes import recurrent
from core.training.engine import evaluate
from core.training.tasks import CharTask, TaggingTask
from core.weights import WEIGHTS_DIR, load_sequence_model, read_metadata


def test_encoding_hostile_text() -> None:
    with pytest.raises(TextInputError, match="empty"):
        encode("")
    enc = encode("a😀b\x00\u05e9")  # emoji, NUL, right-to-left script
    assert enc.unknown == 3 and enc.shown == ("a", UNKNOWN, "b", UNKNOWN, UNKNOWN)
    assert any("3 of 5 characters" in n for n in enc.notes)
    long = encode("x" * (MAX_CHARS * 500))  # 1 MB
    assert len(long.ids) == MAX_CHARS and long.truncated_from == MAX_CHARS * 500
    assert "only the first" in long.notes[0]
    assert encode("a\r\nb\tc").shown == ("a", "↵", "b", " ", " ", " ", " ", "c")
    assert all(0 <= i < len(VOCAB) for i in enc.ids)


def test_task_rules() -> None:
    assert list(bracket_depths("(a(b))")) == [1, 1, 2, 2, 1, 0]
    assert list(bracket_depths("))(")) == [0, 0, 1]
    assert list(inside_quotes('a"bc"d')) == [0, 1, 1, 1, 0, 0]
    batch = make_brackets(20, 50, seed=0)
    vocab = get_sequence_spec("brackets_lstm").vocab
    for ids, targets in zip(batch.ids, batch.targets):
        assert np.array_equal(bracket_depths("".join(vocab[i] for i in ids)), targets)
    q = make_quotes(20, 50, seed=0)
    qv = get_sequence_spec("quotes_lstm").vocab
    for ids, targets in zip(q.ids, q.targets):
        assert np.array_equal(inside_quotes("".join(qv[i] for i in ids)), targets)


@pytest.mark.parametrize("name", ["brackets_lstm", "quotes_lstm"])
def test_task_models_hold_on_sequences_longer_than_training(name: str) -> None:
    model, status = load_sequence_model(name)
    assert status.source == "bundled"
    model.traced = False  # the same weights through our cells, batched; trace not needed here
    kind = name.split("_")[0]
    task = TaggingTask(kind, kind, kind, kind=kind)  # held out: 500 sequences of length 200
    assert task.data().x_val.shape == (500, 200)
    _, acc = evaluate(model, task)
    model.traced = True
    assert acc >= 0.98, acc


def test_character_models_beat_the_unigram_baseline_and_keep_their_record() -> None:
    task = CharTask("char", "text", "text", val_windows=None)  # every held-out window of 256 characters
    data = task.data()
    train_ids, test_x, test_y = data.x_train, data.x_val, data.y_val
    counts = np.bincount(train_ids.numpy(), minlength=len(VOCAB)) + 1
    unigram = -np.log(counts / counts.sum())[test_y.numpy()].mean()
    results = {}
    for cell in ("rnn", "lstm", "gru"):
        spec = get_sequence_spec(f"char_{cell}")
        model = spec.build(traced=False)
        model.load_state_dict(load_sequence_model(spec.name)[0].state_dict())
        loss, _ = evaluate(model, task, replace(data, x_val=test_x[:40], y_val=test_y[:40]))
        recorded = float(read_metadata(WEIGHTS_DIR / spec.bundled_file)["test_loss_nats"])
        full, _ = evaluate(model, task, data)
        assert abs(full - recorded) < 1e-3  # the figure in docs/benchmarks.md is what the file gives
        results[cell] = loss
    assert all(v < 0.65 * unigram for v in results.values()), (results, unigram)
    assert results["lstm"] < results["rnn"] and results["gru"] < results["rnn"]


def test_traced_and_fused_models_agree() -> None:
    spec = get_sequence_spec("char_gru")
    traced, _ = load_sequence_model(spec.name)
    fused = spec.build(traced=False)
    fused.load_state_dict(traced.state_dict())
    ids = torch.from_numpy(encode("def f(x):\n    return x\n").ids)[None]
    assert torch.allclose(traced(ids)[0], fused(ids)[0], atol=1e-4)


def test_step_terms_reassemble_the_state() -> None:
    for name in ("char_rnn", "char_lstm", "char_gru"):
        model, _ = load_sequence_model(name)
        enc = encode("x = (1, 'a')")
        run = recurrent.run_sequence(model, enc.ids)
        terms = {t.symbol: t.value for t in recurrent.step_terms(model, enc.ids, run, 5, 7)}
        if name == "char_rnn":
            assert math.isclose(math.tanh(terms["W_xh·x_t + b_ih"] + terms["W_hh·h_(t−1) + b_hh"]), terms["h_t"], abs_tol=1e-5)
        elif name == "char_lstm":
            c = terms["f_t"] * terms["c_(t−1)"] + terms["i_t"] * terms["g_t"]
            assert math.isclose(c, terms["c_t"], abs_tol=1e-5)
            assert math.isclose(terms["o_t"] * math.tanh(c), terms["h_t"], abs_tol=1e-5)
        else:
            h = (1 - terms["z_t"]) * terms["n_t"] + terms["z_t"] * terms["h_(t−1)"]
            assert math.isclose(h, terms["h_t"], abs_tol=1e-5)


def test_a_unit_tracks_quotes_in_the_quotes_model() -> None:
    model, _ = load_sequence_model("quotes_lstm")
    text = 'ab "abc a" c "a b c a b" ab "c"'
    run = recurrent.run_sequence(model, encode(text, get_sequence_spec("quotes_lstm").vocab).ids)
    best = recurrent.best_units(run.trace, inside_quotes(text).astype(float), k=1)[0]
    assert abs(best.r) > 0.75  # one unit alone carries most of the one-bit memory


def test_probe_helpers() -> None:
    states = np.array([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
    assert list(recurrent.correlations(states, np.array([0.0, 1.0, 2.0]))) == [pytest.approx(1.0), 0.0]
    assert list(recurrent.unit_order(states, "variance")) == [0, 1]
    points, explained = recurrent.pca(np.random.default_rng(0).normal(size=(30, 5)), 2)
    assert points.shape == (30, 2) and 0 < explained.sum() <= 1


@pytest.mark.parametrize("shape", [(200, 16), (6, 40), (1, 8)])
def test_pca_matches_the_svd_of_the_centred_states(shape: tuple[int, int]) -> None:
    """Principal components from the scatter matrix: the same projections (up to sign) and variance
    fractions as an SVD of the centred trace, short traces (fewer steps than units) included."""
    states = np.random.default_rng(1).normal(size=shape) * np.linspace(3, 0.1, shape[1])
    points, explained = recurrent.pca(states, 3)
    centred = states - states.mean(axis=0)
    u, s, vt = np.linalg.svd(centred, full_matrices=False)
    k = min(3, *shape)
    assert points.shape == (shape[0], k)
    reference = centred @ vt[:k].T
    total = (s ** 2).sum()
    if total > 0:
        assert np.allclose(explained, s[:k] ** 2 / total, atol=1e-9)
        for j in range(k):
            if s[j] > 1e-9 * s[0]:
                assert np.allclose(np.abs(points[:, j]), np.abs(reference[:, j]), atol=1e-8)
    else:
        assert np.allclose(points, 0.0)
    signals = recurrent.rule_signals('f("a")\n  x')
    assert list(signals["inside quotes"][:6]) == [0, 0, 1, 1, 1, 0]
    assert list(signals["bracket depth"][:6]) == [0, 1, 1, 1, 1, 0]
    assert signals["indentation"][-1] == 2
    assert list(recurrent.span_signal(5, 1, 3)) == [0, 1, 1, 0, 0]


def test_every_bundled_sequence_model_loads() -> None:
    for name in SEQUENCE_MODELS:
        _, status = load_sequence_model(name)
        assert status.source == "bundled", name


def test_commonest_answer_share_counts_only_scorable_steps() -> None:
    truth = np.array([0, 1, 1, 2, 1, 0, 0, 0])
    known = np.array([True, True, True, True, True, False, False, False])
    assert recurrent.commonest_answer_share(truth, known) == pytest.approx(3 / 5)  # three 1s of five known steps


def test_most_surprising_skips_unscored_steps_and_keeps_text_order() -> None:
    bits = np.array([np.nan, 2.0, 7.5, np.nan, 0.5, 6.0, 1.0])
    assert recurrent.most_surprising(bits, 3) == [1, 2, 5]
    assert recurrent.most_surprising(np.array([np.nan, np.nan]), 5) == []


def test_saturated_share_weighs_each_gate_the_same() -> None:
    assert recurrent.saturated_share({"i": (0.2, 0.3), "f": (0.0, 0.9), "o": (0.1, 0.1)}) == pytest.approx(1.6 / 3)
