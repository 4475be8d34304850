"""String-reversal encoder–decoders: the task's data, attention that sums to 1, and the bundled accuracies."""
import json

import pytest
import torch

from core.models.seq2seq import (EOS, MAX_LEN, PAD, Seq2Seq, Seq2SeqInputError, TinySeq2SeqTransformer, decode_letters,
                                 encode_letters, random_batch)
from core.train_attention import RESULTS, accuracy_by_length
from core.weights import load_model


def test_targets_are_the_reversed_inputs() -> None:
    src, tgt = random_batch(16, torch.Generator().manual_seed(0))
    for s, t in zip(src.tolist(), tgt.tolist()):
        n = s.index(EOS)
        assert t[:n] == s[:n][::-1] and t[n] == EOS and set(s[n + 1:]) <= {PAD}


@pytest.mark.parametrize("text, message", [("", "empty"), ("abc1", "Only the letters"), ("a" * (MAX_LEN + 1), "At most")])
def test_bad_words_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(Seq2SeqInputError, match=message):
        encode_letters(text)


def test_letters_round_trip() -> None:
    assert decode_letters(encode_letters("Hello")) == "hello"


@pytest.mark.parametrize("model", [Seq2Seq(attention=True), TinySeq2SeqTransformer()], ids=["gru", "transformer"])
def test_attention_weights_sum_to_one_over_the_input(model: torch.nn.Module) -> None:
    torch.manual_seed(0)
    src = torch.tensor([encode_letters("reverse")])
    out = model.eval().decode(src, max_steps=5)
    weights = out.attention
    assert weights.shape[-1] == src.shape[1] and weights.shape[-2] == len(out.ids)
    assert torch.allclose(weights.sum(-1), torch.ones(weights.shape[:-1]), atol=1e-5)


def test_teacher_forced_and_greedy_decoding_agree() -> None:
    """The first greedy step equals the first teacher-forced step (same SOS, same encoder)."""
    torch.manual_seed(0)
    model = Seq2Seq(attention=True).eval()
    src, tgt = random_batch(4, torch.Generator().manual_seed(1))
    with torch.no_grad():
        first = model(src, tgt)[:, 0].argmax(1)
    assert torch.equal(model.greedy_batch(src, 1)[:, 0], first)


@pytest.fixture(scope="module")
def results() -> dict:
    return json.loads(RESULTS.read_text())


@pytest.mark.parametrize("name", ["gru_attention", "gru_plain", "transformer"])
def test_bundled_accuracy_matches_the_bundled_curve(name: str, results: dict) -> None:
    lengths = range(4, MAX_LEN + 1, 10)
    measured = accuracy_by_length(load_model(name, kind="seq2seq")[0], lengths)
    for n in lengths:
        assert abs(measured[n] - results["models"][name]["by_length"][str(n)]) <= 0.01, (name, n)


def test_attention_holds_up_on_long_inputs_where_the_plain_model_falls(results: dict) -> None:
    att, plain = (results["models"][n]["by_length"] for n in ("gru_attention", "gru_plain"))
    assert att[str(MAX_LEN)] >= 0.8
    assert plain[str(MAX_LEN)] < att[str(MAX_LEN)] - 0.2
    assert plain["5"] >= 0.9  # short inputs fit through the single vector
