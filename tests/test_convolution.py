"""The step-by-step convolution and pooling equal torch's, for every configuration."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from core.probes import convolution as conv


@settings(max_examples=150, deadline=None)
@given(
    h=st.integers(1, 12), w=st.integers(1, 12), kh=st.integers(1, 5), kw=st.integers(1, 5),
    stride=st.integers(1, 4), padding=st.integers(0, 3), dilation=st.integers(1, 3), seed=st.integers(0, 2**16),
)
def test_conv_equals_torch(h, w, kh, kw, stride, padding, dilation, seed) -> None:
    rng = np.random.default_rng(seed)
    x, k = rng.normal(size=(h, w)), rng.normal(size=(kh, kw))
    span_h, span_w = dilation * (kh - 1) + 1, dilation * (kw - 1) + 1
    if span_h > h + 2 * padding or span_w > w + 2 * padding:
        with pytest.raises(conv.ConvolutionError, match="spans"):
            conv.conv2d(x, k, stride, padding, dilation)
        return
    ours = conv.conv2d(x, k, stride, padding, dilation)
    ref = F.conv2d(torch.tensor(x)[None, None], torch.tensor(k)[None, None], stride=stride, padding=padding,
                   dilation=dilation)[0, 0].numpy()
    assert ours.shape == ref.shape
    assert ours.shape == (conv.output_size(h, kh, stride, padding, dilation), conv.output_size(w, kw, stride, padding, dilation))
    assert np.allclose(ours, ref, atol=1e-10)
    i, j = rng.integers(0, ours.shape[0]), rng.integers(0, ours.shape[1])
    step = conv.conv_step(x, k, int(i), int(j), stride, padding, dilation)
    assert step.value == pytest.approx(ref[i, j], abs=1e-10)
    assert np.allclose(step.products, step.patch * k)


@settings(max_examples=80, deadline=None)
@given(h=st.integers(2, 12), w=st.integers(2, 12), k=st.integers(1, 4), stride=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_pooling_equals_torch(h, w, k, stride, seed) -> None:
    if k > min(h, w):
        return
    x = np.random.default_rng(seed).normal(size=(h, w))
    t = torch.tensor(x)[None, None]
    ref, idx = F.max_pool2d(t, k, stride, return_indices=True)
    ours = conv.pool2d(x, k, stride, "max")
    assert np.allclose(ours.output, ref[0, 0].numpy())
    assert np.array_equal(ours.winners, idx[0, 0].numpy())
    assert np.allclose(conv.pool2d(x, k, stride, "avg").output, F.avg_pool2d(t, k, stride)[0, 0].numpy())


def test_bad_configurations_get_sentences() -> None:
    with pytest.raises(conv.ConvolutionError, match="at least 1"):
        conv.output_size(5, 3, stride=0)
    with pytest.raises(conv.ConvolutionError, match="spans 5"):
        conv.conv2d(np.zeros((3, 3)), np.zeros((3, 3)), dilation=2)
    with pytest.raises(conv.ConvolutionError, match="outside"):
        conv.conv_step(np.zeros((5, 5)), np.zeros((3, 3)), 3, 0)
    with pytest.raises(conv.ConvolutionError, match=r"row 2, column 1.*'x'"):
        conv.parse_kernel([[1, 2], ["x", 3]])
    assert conv.parse_kernel([["1", " -2.5"]]).tolist() == [[1.0, -2.5]]


def test_weight_sharing_counts() -> None:
    counts = conv.parameter_counts(3, 32, 32, 16, 3, padding=1)
    assert counts.conv == 16 * 3 * 9 + 16
    assert counts.locally_connected == 32 * 32 * 16 * (27 + 1)
    assert counts.fully_connected == (3 * 32 * 32) * (16 * 32 * 32) + 16 * 32 * 32
    layer = torch.nn.Conv2d(3, 16, 3, padding=1)
    assert counts.conv == sum(p.numel() for p in layer.parameters())


def test_presets_behave() -> None:
    x = np.random.default_rng(0).normal(size=(6, 6))
    assert np.allclose(conv.conv2d(x, conv.KERNEL_PRESETS["identity"], padding=1), x)
    flat = np.ones((5, 5))
    assert np.allclose(conv.conv2d(flat, conv.KERNEL_PRESETS["Sobel x (vertical edges)"]), 0)
    assert conv.conv2d(flat, conv.KERNEL_PRESETS["box blur"])[0, 0] == pytest.approx(1.0)
