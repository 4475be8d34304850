"""Choose the device once: CUDA, then Apple MPS, then the CPU, unless EXPLORER_DEVICE says otherwise."""
from __future__ import annotations

import os
from dataclasses import dataclass

import torch

DEVICE_ENV = "EXPLORER_DEVICE"
THREADS_ENV = "EXPLORER_THREADS"


@dataclass(frozen=True)
class DeviceChoice:
    """The device the app computes on, and one sentence saying why it was chosen."""

    device: torch.device
    reason: str

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
            return DeviceChoice(
                torch.device("cpu"),
                f"{DEVICE_ENV}={preference!r} is not one of cuda, mps, cpu; using the CPU.",
            )
        if available[preference]:
            return DeviceChoice(torch.device(preference), f"set by {DEVICE_ENV}={preference}.")
        fallback = choose_device("")
        return DeviceChoice(
            fallback.device, f"{DEVICE_ENV}={preference} but none is available; {fallback.reason}"
        )
    if available["cuda"]:
        return DeviceChoice(torch.device("cuda"), f"found {torch.cuda.get_device_name(0)}.")
    if available["mps"]:
        return DeviceChoice(torch.device("mps"), "found Apple Metal (MPS).")
    return DeviceChoice(torch.device("cpu"), "no CUDA or MPS device found.")


def configure_threads() -> int:
    """Set torch's intra-op thread count once per process ($EXPLORER_THREADS, default: all cores).

    PyTorch may start a pool per calling thread; fixing the count at start-up keeps a server with
    many sessions from oversubscribing a small CPU.
    """
    wanted = int(os.environ.get(THREADS_ENV, "0") or 0) or (os.cpu_count() or 1)
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)
    return wanted
