"""The device choice: CUDA, then MPS, then CPU; EXPLORER_DEVICE overrides when that device exists."""
import torch

from core.device import choose_device


def test_cpu_can_always_be_forced() -> None:
    choice = choose_device("cpu")
    assert choice.device == torch.device("cpu") and "EXPLORER_DEVICE" in choice.reason


def test_unknown_preference_falls_back_with_a_reason() -> None:
    choice = choose_device("tpu")
    assert choice.kind == "cpu" and "not one of" in choice.reason


def test_unavailable_preference_falls_back(monkeypatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    choice = choose_device("cuda")
    assert choice.kind in ("cpu", "mps") and "none is available" in choice.reason


def test_environment_variable_is_read(monkeypatch) -> None:
    monkeypatch.setenv("EXPLORER_DEVICE", "cpu")
    assert choose_device().kind == "cpu"


def test_default_prefers_cuda(monkeypatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda i=0: "Test GPU")
    choice = choose_device("")
    assert choice.kind == "cuda" and "Test GPU" in choice.reason


def test_models_land_on_the_gpu_when_there_is_one() -> None:
    """On a CUDA machine nothing may silently stay on the CPU: the app's choice is CUDA, and a bundled
    model loaded for that choice has every parameter there. Here without CUDA, the choice must be the CPU
    (EXPLORER_REQUIRE_CUDA=1, set by bench/gpu.sh, turns a missing GPU into a failure)."""
    import os

    from core.weights import load_model

    if os.environ.get("EXPLORER_REQUIRE_CUDA") == "1":
        assert torch.cuda.is_available(), "EXPLORER_REQUIRE_CUDA=1 but torch sees no CUDA device"
    choice = choose_device("")
    expected = "cuda" if torch.cuda.is_available() else ("mps" if choice.kind == "mps" else "cpu")
    assert choice.kind == expected
    net, _ = load_model("lenet5", choice.device)
    assert {p.device.type for p in net.parameters()} == {expected}


def test_threads_share_the_cores_among_jobs_that_run_at_once(monkeypatch) -> None:
    from core.device import THREADS_ENV, threads_per_job

    monkeypatch.delenv(THREADS_ENV, raising=False)
    assert threads_per_job(2, cores=2) == 1  # two slots on two cores: one thread each, no oversubscription
    assert threads_per_job(2, cores=16) == 8
    assert threads_per_job(1, cores=2) == 2
    assert threads_per_job(4, cores=2) == 1  # never zero
    monkeypatch.setenv(THREADS_ENV, "3")
    assert threads_per_job(2, cores=2) == 3
