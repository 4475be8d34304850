"""Sequence-length scaling: step counts by construction, the tensor-memory counter, and the measurements."""
import math

import pytest
import torch

from core.probes import scaling


@pytest.mark.parametrize("length", [16, 256])
def test_sequential_steps_by_construction(length: int) -> None:
    assert scaling.sequential_steps("lstm", length) == length
    assert scaling.sequential_steps("gru", length) == length
    assert scaling.sequential_steps("conv1d", length) == scaling.CONV_LAYERS
    conv = scaling.build("conv1d")
    assert sum(isinstance(m, torch.nn.Conv1d) for m in conv.modules()) == scaling.CONV_LAYERS
    assert scaling.sequential_steps("attention", length) == 1


def test_every_kind_keeps_the_shape() -> None:
    x = torch.randn(2, 33, 64)
    for kind in scaling.KINDS:
        assert scaling.build(kind)(x).shape == (2, 33, 64)
    with pytest.raises(ValueError, match="unknown layer kind"):
        scaling.build("mamba")


def test_peak_memory_counts_live_tensors_once() -> None:
    with scaling.PeakTensorMemory() as counter:
        a = torch.ones(1000)          # 4,000 bytes
        b = a.view(10, 100)           # a view: no new storage
        c = a * 2                     # 4,000 more
        del c
        d = torch.zeros(500)          # 2,000: after c was freed, peak stays 8,000
    assert counter.peak == 8000
    assert b.shape == (10, 100) and d.numel() == 500


def test_measure_and_the_memory_cap() -> None:
    point = scaling.measure("gru", 32, batch=2, repeats=1)
    assert point.seconds is not None and point.seconds > 0 and point.steps == 32 and point.peak_bytes > 0
    skipped = scaling.measure("attention", 1 << 16, batch=8, memory_cap=1 << 30)
    assert skipped.seconds is None and skipped.peak_bytes == 2 * scaling.attention_bytes(8, 1 << 16)
    assert math.isclose(scaling.attention_bytes(1, 100), 4 * 100 * 100 * 4)


def test_explicit_attention_is_the_fused_layer_written_out() -> None:
    """Same weights, same output: only where the T × T weights live differs."""
    torch.manual_seed(0)
    fused, explicit = scaling.build("attention"), scaling.build("attention_explicit")
    explicit.load_state_dict(fused.state_dict())
    x = torch.randn(2, 37, 64)
    with torch.inference_mode():
        torch.testing.assert_close(explicit(x), fused(x), rtol=1e-5, atol=1e-5)
    assert scaling.sequential_steps("attention_explicit", 37) == 1


def test_explicit_attention_holds_its_weights_and_the_fused_kernel_does_not() -> None:
    weights = scaling.attention_bytes(1, 256)  # 4 heads × 256² × 4 bytes = 1 MiB
    explicit = scaling.measure("attention_explicit", 256, repeats=0)
    fused = scaling.measure("attention", 256, repeats=0)
    lstm = scaling.measure("lstm", 256, repeats=0)
    assert explicit.seconds is None and explicit.peak_bytes >= weights  # sized, not timed
    assert fused.peak_bytes < weights / 8 and fused.peak_bytes < 2 * lstm.peak_bytes


@pytest.mark.slow
def test_the_parallelism_page_shows_and_says_what_explicit_attention_holds() -> None:
    """The memory chart used to draw self-attention on the LSTM's line (the fused kernel stores no T × T weights),
    teaching the opposite of the T² point: now both attentions are drawn and the sentence gives the live sizes."""
    import json
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app_pages/sequence_compare.py"), default_timeout=300)
    at.run()
    at.segmented_control(key="sc_part").set_value("Parallelism").run()
    assert not at.exception
    said = " ".join(m.value for m in at.markdown)
    assert "At T = 4,096, explicit attention needed 512.0 MiB" in said and "the LSTM 1.0 MiB" in said  # bundled run
    memory = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert {t["name"] for t in memory["data"]} >= {"LSTM", "fused attention", "explicit attention",
                                                    "explicit attention's T × T weights (computed)"}
    at.selectbox(key="sc_longest").set_value(1024).run()
    at.button(key="sc_measure").click().run()
    said = " ".join(m.value for m in at.markdown)
    assert "At T = 1,024, explicit attention needed 32.0 MiB" in said and "the LSTM 0.3 MiB" in said  # measured now
