"""The Tang-poem models: the corpus and its split, the bundled models against the unigram baseline and their
reported figures, the patterns of verse, generation, text from the other script, and the pages with a poem model."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from core.data import poems
from core.data.poems import (POEM_EXAMPLES, bodies, load_poems, parse_poems, poem_signals, poem_split, poem_vocab,
                             render_poems)
from core.data.text import UNKNOWN, VOCAB, encode
from core.models.catalogue import get_spec
from core.probes.generation import generate, next_distribution
from core.probes.recurrent import rule_signals, run_sequence, surprisal_bits
from core.train import POEM_MODELS, POEM_RESULTS, poem_score
from core.weights import bundled_path, load_model, read_metadata
from scripts.make_poems import clean_tang300
from tests.test_pages import run_page

FORTUNE_FILES = [Path("/usr/share/games/fortunes/tang300"), Path("/tmp/fz/x/usr/share/games/fortunes/tang300")]
RAW = ("\x1b[32m《夜思》\x1b[m\n\x1b[33m作者：李白\x1b[m\n床前明月光，疑是地上霜。\n  \n举头望明月，低头思故乡。 \n%\n"
       "\x1b[32m《相思》\x1b[m\n\x1b[33m作者：王维\x1b[m\n红豆生南国，春来发几枝。\n愿君多采撷，此物最相思。\n%\n")


@pytest.fixture(scope="module")
def models() -> dict[str, torch.nn.Module]:
    return {name: load_model(name, "cpu", "sequence")[0] for name in POEM_MODELS}


def test_extraction_strips_the_colours_and_is_deterministic() -> None:
    text = clean_tang300(RAW)
    assert text == ("《夜思》\n作者：李白\n床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n\n"
                    "《相思》\n作者：王维\n红豆生南国，春来发几枝。\n愿君多采撷，此物最相思。\n")
    assert clean_tang300(RAW) == text and "\x1b" not in text
    assert [p.title for p in parse_poems(text)] == ["夜思", "相思"]


def test_the_bundled_corpus_is_the_extraction_of_the_package() -> None:
    bundled = poems.CORPUS.read_text(encoding="utf-8")
    assert render_poems(parse_poems(bundled)) == bundled  # the format round-trips
    assert len(load_poems()) == 313
    source = next((f for f in FORTUNE_FILES if f.exists()), None)
    if source is None:
        pytest.skip("fortunes-zh is not installed here (apt-get download fortunes-zh)")
    assert clean_tang300(source.read_text(encoding="utf-8")) == bundled


def test_poems_are_held_out_whole_by_a_seeded_split() -> None:
    train, held = poem_split()
    assert (len(train), len(held)) == (282, 31)
    assert not {p.body for p in train} & {p.body for p in held}
    assert poem_split.__wrapped__(0, 0.1) == (train, held)
    assert poem_split.__wrapped__(1, 0.1)[1] != held
    vocab = poem_vocab()
    assert vocab[0] == "\n" and vocab[-1] == UNKNOWN and len(set(vocab)) == len(vocab)
    assert set(vocab[:-1]) <= set(bodies(train))  # learned from the training poems only
    assert encode(bodies(held), vocab, limit=10**9).unknown > 0


def test_the_bundled_models_beat_the_unigram_baseline_by_a_bit_as_reported(models) -> None:
    results = json.loads(POEM_RESULTS.read_text(encoding="utf-8"))
    for name, net in models.items():
        score = poem_score(net)
        reported = results["models"][name]
        assert score.gain >= 1.0, (name, score)
        assert score.model_bits == pytest.approx(reported["bits_per_char"], abs=1e-3)
        assert score.unigram_bits == pytest.approx(reported["unigram_bits_per_char"], abs=1e-3)
        assert score.scored == reported["scored"] and score.unknown == reported["unknown"] > 0
        meta = read_metadata(bundled_path(get_spec(name, "sequence")))
        assert float(meta["test_bits_per_char"]) == pytest.approx(score.model_bits, abs=1e-3)


def test_the_patterns_of_verse_on_a_known_couplet() -> None:
    line = "床前明月光，疑是地上霜。\n"
    signals = rule_signals(line, "poems")
    assert list(signals) == list(poems.POEM_RULES)
    assert signals["position in the line"].tolist() == [1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 0]
    assert signals["characters left in the line"].tolist() == [4, 3, 2, 1, 0, 0, 4, 3, 2, 1, 0, 0, 0]
    assert signals["line-ending punctuation"].tolist() == [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0]
    assert signals["second line of a couplet"].tolist() == [0] * 6 + [1] * 5 + [0, 0]
    assert np.flatnonzero(signals["rhyme position"]).tolist() == [10]  # 霜
    assert np.flatnonzero(signals["newline"]).tolist() == [12]
    seven = poem_signals("风急天高猿啸哀，渚清沙白鸟飞回。")
    assert seven["position in the line"].max() == 7 and np.flatnonzero(seven["rhyme position"]).tolist() == [14]
    assert "bracket depth" in rule_signals(line)  # other models keep their own patterns


def test_generation_is_reproducible_and_temperature_zero_is_the_argmax(models) -> None:
    net, vocab = models["poem_lstm"], poem_vocab()
    prompt = encode("床前", vocab)
    first = generate(net, prompt.ids, 12, 0.8, seed=3, banned=prompt.unk_id)
    assert np.array_equal(first.ids, generate(net, prompt.ids, 12, 0.8, seed=3, banned=prompt.unk_id).ids)
    assert not np.array_equal(first.ids, generate(net, prompt.ids, 12, 0.8, seed=4, banned=prompt.unk_id).ids)
    greedy = generate(net, prompt.ids, 12, 0.0, seed=0, banned=prompt.unk_id)
    probs = greedy.run.probs.copy()
    probs[:, prompt.unk_id] = 0
    assert np.array_equal(greedy.new_ids, probs[1:-1].argmax(1)) and greedy.argmax_share == 1.0
    assert np.array_equal(generate(net, prompt.ids, 12, 1e-3, seed=9, banned=prompt.unk_id).ids, greedy.ids)
    assert np.array_equal(run_sequence(net, greedy.ids).probs, greedy.run.probs)  # the trace is the whole text's
    p = next_distribution(np.array([0.5, 0.3, 0.2]), 1.0, banned=0)
    assert p[0] == 0 and p[1:] == pytest.approx([0.6, 0.4])


def test_text_from_the_other_script_is_shown_counted_and_never_scored(models) -> None:
    english = encode("moon, 明月 light", poem_vocab())
    assert english.unknown == 12 and english.shown[:4] == (UNKNOWN,) * 4 and english.shown[6:8] == ("明", "月")
    bits = surprisal_bits(run_sequence(models["poem_gru"], english.ids), english.known)
    assert np.flatnonzero(np.isfinite(bits)).tolist() == [6]  # 明 → 月, the only step with both ends known
    chinese = encode("床前明月光，\n", VOCAB)
    assert chinese.unknown == 6 and chinese.shown == (UNKNOWN,) * 6 + ("↵",)


def test_hidden_states_reads_a_poem_and_writes_one() -> None:
    at = run_page("app_pages/hidden_states.py")
    at.selectbox(key="hs_model").set_value("poem_lstm").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_area[0].value == next(iter(POEM_EXAMPLES.values()))
    assert "bits per character" in " ".join(m.value for m in at.markdown)
    assert at.text_input(key="hs_prompt_poems").value == "床前"
    written = at.get("code")[-1].value
    assert written.startswith("床前") and len(written) == 2 + 48
    at.slider(key="hs_temperature").set_value(0.0).run()
    assert not at.exception and "100% of the 48 characters" in " ".join(m.value for m in at.markdown)
    at.radio(key="hs_order").set_value("correlation").run()
    at.selectbox(key="hs_signal").set_value("rhyme position").run()
    assert not at.exception


def test_gates_and_compare_read_chinese_with_the_poem_models() -> None:
    at = run_page("app_pages/gates.py")
    at.selectbox(key="gt_model").set_value("poem_gru").run()
    at.selectbox(key="gt_rule").set_value("position in the line").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(r == "position in the line" for r in at.selectbox(key="gt_rule").options)
    at = run_page("app_pages/rnn_compare.py")
    at.radio(key="rc_corpus").set_value("poems").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "predicts best" in " ".join(m.value for m in at.markdown)


def test_a_training_lab_run_on_the_poems_joins_the_pickers_with_the_poems_vocabulary() -> None:
    from core.training.engine import Run, RunConfig, train
    from core.training.tasks import TASKS, PoemTask
    from ui.own_models import adopt_lab_run

    assert isinstance(TASKS["poems"], PoemTask)
    run = train(Run(RunConfig("poems", epochs=1, batch_size=4, hidden=16, embed=8),
                    task=PoemTask("poems", "", "", epoch_steps=2, seq_len=16)))
    own = adopt_lab_run(run, "A", torch.device("cpu"))
    assert own.spec.vocab == poem_vocab() and own.spec.task == "poems" and own.spec.predicts_next
    assert own.net(torch.tensor(encode("床前明月光", poem_vocab()).ids)[None])[0].shape == (1, 5, len(poem_vocab()))
