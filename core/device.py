"""Choose the device once: CUDA, then Apple MPS, then the CPU, unless EXPLORER_DEVICE says otherwise."""
from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from core.i18n import N_, _

DEVICE_ENV = "EXPLORER_DEVICE"
THREADS_ENV = "EXPLORER_THREADS"


@dataclass(frozen=True)
class DeviceChoice:
    """The device the app computes on, and one sentence saying why it was chosen (an English message id and its
    values, so the sentence reads in each reader's language although the choice is made once per process)."""

    device: torch.device
    why: str
    values: tuple[tuple[str, object], ...] = ()

    @property
    def reason(self) -> str:
        """Why this device, in the current language."""
        values = {key: value.reason if isinstance(value, DeviceChoice) else value for key, value in self.values}
        return _(self.why).format(**values)

    @property
    def kind(self) -> str:
        return self.device.type


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def choose_device(preference: str | None = None) -> DeviceChoice:
    """Pick cuda / mps / cpu. `preference` (default: $EXPLORER_DEVICE) forces one when it exists."""
    if preference is None:
        preference = os.environ.get(DEVICE_ENV, "")
    preference = preference.strip().lower()
    available = {"cuda": torch.cuda.is_available(), "mps": _mps_available(), "cpu": True}
    if preference:
        if preference not in available:
            return DeviceChoice(torch.device("cpu"), N_("{setting} is not one of cuda, mps, cpu; using the CPU."),
                                (("setting", f"{DEVICE_ENV}={preference!r}"),))
        if available[preference]:
            return DeviceChoice(torch.device(preference), N_("set by {setting}."),
                                (("setting", f"{DEVICE_ENV}={preference}"),))
        fallback = choose_device("")
        return DeviceChoice(fallback.device, N_("{setting} but none is available; {fallback}"),
                            (("setting", f"{DEVICE_ENV}={preference}"), ("fallback", fallback)))
    if available["cuda"]:
        return DeviceChoice(torch.device("cuda"), N_("found {name}."), (("name", torch.cuda.get_device_name(0)),))
    if available["mps"]:
        return DeviceChoice(torch.device("mps"), N_("found Apple Metal (MPS)."))
    return DeviceChoice(torch.device("cpu"), N_("no CUDA or MPS device found."))


def threads_per_job(parallel_jobs: int, cores: int | None = None) -> int:
    """Torch's intra-op threads for each of `parallel_jobs` jobs that may run at once: the cores shared out,
    at least one ($EXPLORER_THREADS overrides).

    Threads × jobs must not exceed the cores. With two jobs of two threads each on two cores, every
    parallel region ends at a barrier that waits for a thread the other job has pushed off its core; a
    Grad-CAM served with a browser on the same machine took ≈ 0.45 s that way against ≈ 0.25 s with
    one thread per job, and under load the gap only grows.
    """
    wanted = int(os.environ.get(THREADS_ENV, "0") or 0)
    if wanted > 0:
        return wanted
    return max(1, (cores if cores is not None else os.cpu_count() or 1) // max(1, parallel_jobs))


def configure_threads(parallel_jobs: int = 1) -> int:
    """Set torch's intra-op thread count once per process to `threads_per_job(parallel_jobs)`.

    PyTorch may start a pool per calling thread; fixing the count at start-up keeps a server with
    many sessions from oversubscribing a small CPU.
    """
    wanted = threads_per_job(parallel_jobs)
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)
    return wanted
