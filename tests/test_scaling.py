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
