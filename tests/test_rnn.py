"""Our RNN / LSTM / GRU equal torch.nn's, their traced gates reproduce the states through the equations, and the
fused trace the pages use equals these step-by-step cells."""
import pytest
import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from core.data.text import encode
from core.models.rnn import CELLS, GRU, LSTM, RNN, TORCH_CELLS, fused_trace, linear_recurrence, trace_fields
from core.models.sequence import SEQUENCE_MODELS
from core.weights import load_sequence_model

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


# The fused trace (what the pages run) against the step-by-step cells (the equations, read as written).

def fused_pair(kind: str, nonlinearity: str = "tanh", hidden: int = H):
    """Our step cell and a torch.nn module with the same random weights."""
    torch.manual_seed(0)
    ours = RNN(I, hidden, nonlinearity) if kind == "rnn" else CELLS[kind](I, hidden)
    extra = {"nonlinearity": nonlinearity} if kind == "rnn" else {}
    ref = TORCH_CELLS[kind](I, hidden, batch_first=True, **extra)
    ref.load_state_dict(ours.state_dict())
    return ours, ref


def assert_traces_equal(reference: object, fused: object, tol: float = 1e-5) -> None:
    """Every field within `tol`, relative above 1: the trained char LSTM's cell state reaches |c| = 30, where
    float32 numbers lie 2·10⁻⁶ apart and the step loop itself is 1.3·10⁻⁵ off the float64 answer."""
    assert type(fused) is type(reference) and trace_fields(fused) == trace_fields(reference)
    for name in trace_fields(reference):
        expected, got = getattr(reference, name), getattr(fused, name)
        assert got.shape == expected.shape, name
        assert torch.allclose(got, expected, atol=tol, rtol=tol), (name, float((got - expected).abs().max()))


@pytest.mark.parametrize("kind, nonlinearity", [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")])
@pytest.mark.parametrize("steps", [1, 2, 300])
@pytest.mark.parametrize("dtype, tol", [(torch.float32, 1e-5), (torch.float64, 1e-12)])
def test_fused_trace_equals_the_step_cells(kind: str, nonlinearity: str, steps: int, dtype: torch.dtype,
                                           tol: float) -> None:
    ours, ref = fused_pair(kind, nonlinearity, hidden=32)
    ours, ref = ours.to(dtype), ref.to(dtype)
    x = torch.randn(B, steps, I, dtype=dtype)
    with torch.no_grad():
        expected_out, expected = ours(x)
        out, trace = fused_trace(ref, x)
    assert torch.allclose(out, expected_out, atol=tol, rtol=0)
    assert_traces_equal(expected, trace, tol)


@pytest.mark.parametrize("name", list(SEQUENCE_MODELS))
def test_bundled_models_trace_as_their_step_cells(name: str) -> None:
    model, status = load_sequence_model(name)
    assert status.source == "bundled"  # the safetensors loaded, with their keys, into the fused module
    spec = SEQUENCE_MODELS[name]
    cell = CELLS[spec.cell](model.rnn.input_size, model.rnn.hidden_size)
    cell.load_state_dict(model.rnn.state_dict())
    symbols = "".join(spec.vocab[:-1])  # every symbol but the unknown one (the last)
    tokens = torch.tensor(encode((symbols * 40)[:300], spec.vocab).ids)[None]  # (1, 300)
    with torch.no_grad():
        logits, trace = model(tokens)
        expected_out, expected = cell(model.inputs(tokens))
    assert torch.allclose(logits, model.head(expected_out), atol=1e-4, rtol=0)
    assert_traces_equal(expected, trace)


@pytest.mark.parametrize("steps", [1, 2, 3, 4, 5, 36, 37, 48, 49, 50])  # chunks full, one short, one over
def test_linear_recurrence_is_the_loop(steps: int) -> None:
    a, b = torch.rand(2, steps, 4, dtype=torch.float64), torch.randn(2, steps, 4, dtype=torch.float64)
    x, expected = torch.zeros(2, 4, dtype=torch.float64), []
    for t in range(steps):
        x = a[:, t] * x + b[:, t]
        expected.append(x)
    assert torch.allclose(linear_recurrence(a, b), torch.stack(expected, 1), atol=1e-12)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_gradients_through_the_fused_trace_equal_the_step_cells(kind: str) -> None:
    ours, ref = fused_pair(kind)
    x = torch.randn(B, T, I)
    weights = torch.randn(H)
    grads = []
    for trace_of in (lambda v: ours(v)[1], lambda v: fused_trace(ref, v)[1]):
        v = x.clone().requires_grad_()
        trace = trace_of(v)
        loss = sum((getattr(trace, name) @ weights).sum() for name in trace_fields(trace))
        grads.append(torch.autograd.grad(loss, v)[0])
    assert torch.allclose(grads[0], grads[1], atol=1e-4, rtol=0)


class _TorchCalls(TorchFunctionMode):
    """Counts the torch functions called inside it (each a dispatch from Python)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.calls += 1
        return func(*args, **(kwargs or {}))


@pytest.mark.parametrize("name", ["char_rnn", "char_lstm", "char_gru"])
def test_the_pages_trace_without_a_loop_over_steps(name: str) -> None:
    """A Python loop dispatches a few operations per step (15,000 for a 1,000-step LSTM): the cost the fused
    trace removes. For 16 times the steps the LSTM's cell-state recurrence makes √16 = 4 times the operations
    (about 2√T), the step loop 16 times."""
    model, _ = load_sequence_model(name)
    calls = []
    for steps in (64, 1024):
        with torch.no_grad(), _TorchCalls() as counter:
            model(torch.zeros(1, steps, dtype=torch.long))
        calls.append(counter.calls)
    assert calls[1] < 4 * calls[0], calls


def test_fused_trace_refuses_what_it_does_not_trace() -> None:
    for module in (nn.LSTM(I, H, num_layers=2, batch_first=True), nn.GRU(I, H, bidirectional=True, batch_first=True),
                   nn.RNN(I, H), nn.LSTM(I, H, proj_size=4, batch_first=True)):
        with pytest.raises(ValueError, match="one-layer"):
            fused_trace(module, torch.randn(B, T, I))
