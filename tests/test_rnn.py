"""Our RNN / LSTM / GRU equal torch.nn's, and their traced gates reproduce the states through the equations."""
import pytest
import torch
from torch import nn

from core.models.rnn import GRU, LSTM, RNN, trace_fields

B, T, I, H = 3, 17, 5, 8


def pair(kind: str):
    torch.manual_seed(0)
    ours = {"rnn": RNN, "lstm": LSTM, "gru": GRU}[kind](I, H)
    ref = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind](I, H, batch_first=True)
    ref.load_state_dict(ours.state_dict())
    return ours, ref


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_output_equals_torch(kind: str) -> None:
    ours, ref = pair(kind)
    x = torch.randn(B, T, I)
    out, _ = ours(x)
    expected, _ = ref(x)
    assert out.shape == (B, T, H)
    assert torch.allclose(out, expected, atol=1e-5)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_state_dicts_load_both_ways(kind: str) -> None:
    ours, ref = pair(kind)
    assert {k: v.shape for k, v in ours.state_dict().items()} == {k: v.shape for k, v in ref.state_dict().items()}
    torch.manual_seed(1)
    fresh = type(ours)(I, H)
    fresh.load_state_dict(ref.state_dict())
    x = torch.randn(B, T, I)
    assert torch.allclose(fresh(x)[0], ref(x)[0], atol=1e-5)


def test_initial_state_is_used() -> None:
    ours, ref = pair("lstm")
    x = torch.randn(B, T, I)
    h0, c0 = torch.randn(B, H), torch.randn(B, H)
    expected, _ = ref(x, (h0[None], c0[None]))
    assert torch.allclose(ours(x, (h0, c0))[0], expected, atol=1e-5)
    ours_g, ref_g = pair("gru")
    assert torch.allclose(ours_g(x, h0)[0], ref_g(x, h0[None])[0], atol=1e-5)


def test_relu_rnn_equals_torch() -> None:
    torch.manual_seed(0)
    ours = RNN(I, H, nonlinearity="relu")
    ref = nn.RNN(I, H, nonlinearity="relu", batch_first=True)
    ref.load_state_dict(ours.state_dict())
    x = torch.randn(B, T, I)
    assert torch.allclose(ours(x)[0], ref(x)[0], atol=1e-5)


def test_lstm_trace_reproduces_the_states() -> None:
    ours, _ = pair("lstm")
    _, tr = ours(torch.randn(B, T, I))
    assert trace_fields(tr) == ["i", "f", "g", "o", "c", "h"]
    c_prev = torch.zeros(B, H)
    for t in range(T):
        c = tr.f[:, t] * c_prev + tr.i[:, t] * tr.g[:, t]
        assert torch.allclose(c, tr.c[:, t], atol=1e-6)
        assert torch.allclose(tr.o[:, t] * torch.tanh(c), tr.h[:, t], atol=1e-6)
        c_prev = c
    for gate in (tr.i, tr.f, tr.o):
        assert gate.min() >= 0 and gate.max() <= 1


def test_gru_trace_reproduces_the_states() -> None:
    ours, _ = pair("gru")
    x = torch.randn(B, T, I)
    _, tr = ours(x)
    h_prev = torch.zeros(B, H)
    w_in = ours.weight_ih_l0[2 * H:]
    w_hn = ours.weight_hh_l0[2 * H:]
    for t in range(T):
        n = torch.tanh(x[:, t] @ w_in.T + ours.bias_ih_l0[2 * H:] + tr.r[:, t] * (h_prev @ w_hn.T + ours.bias_hh_l0[2 * H:]))
        assert torch.allclose(n, tr.n[:, t], atol=1e-5)
        h = (1 - tr.z[:, t]) * n + tr.z[:, t] * h_prev
        assert torch.allclose(h, tr.h[:, t], atol=1e-5)
        h_prev = h


def test_rnn_trace_holds_the_pre_activation() -> None:
    ours, _ = pair("rnn")
    x = torch.randn(B, T, I)
    out, tr = ours(x)
    assert torch.allclose(torch.tanh(tr.pre), out, atol=1e-6)
    expected = x[:, 3] @ ours.weight_ih_l0.T + ours.bias_ih_l0 + out[:, 2] @ ours.weight_hh_l0.T + ours.bias_hh_l0
    assert torch.allclose(tr.pre[:, 3], expected, atol=1e-5)


def test_bad_shapes_and_options_are_refused() -> None:
    with pytest.raises(ValueError, match="expected input"):
        RNN(I, H)(torch.randn(B, T, I + 1))
    with pytest.raises(ValueError, match="nonlinearity"):
        RNN(I, H, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="positive"):
        LSTM(0, H)
