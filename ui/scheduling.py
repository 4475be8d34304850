"""Where model work runs: the heavy-work slots every loader and training step shares, and the one device."""
from __future__ import annotations

import collections
import contextlib
import functools
import os
import threading
import time
from typing import Callable, Iterator, ParamSpec, TypeVar

from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.device import DeviceChoice, choose_device, configure_threads
from ui.shared_cache import shared


HEAVY_SLOTS_ENV = "EXPLORER_HEAVY_SLOTS"
P = ParamSpec("P")
R = TypeVar("R")


class HeavySlots:
    """A few server-wide slots for model work ($EXPLORER_HEAVY_SLOTS, default 2), re-entrant per thread.

    Two queues. Work a learner is waiting to see (a prediction, a Grad-CAM, a trace) enters with `with
    slots:`; training steps enter with `with slots.background():` and get a slot only when no such work
    waits, and never the last free one: training holds at most `slots − 1` slots at once (one when there
    is one), so a click always finds a core that no trainer is using. A training run lasts seconds and
    takes a slot per step; in a class some sessions train while others click, and with one queue a click
    would wait behind every step queued before it. Here training fills the gaps between clicks instead.

    Within a queue the order is first come, first served: a plain semaphore lets the thread that just
    released a slot take it straight back, so one trainer could keep another's steps waiting for its whole
    run. A released slot goes to the longest waiter of the first queue, else of the second.

    Functions here fetch what they need from other caches *before* taking a slot, so no thread
    waits on a cache's per-key lock while holding a slot; re-entrancy is a second guard.
    """

    def __init__(self, slots: int) -> None:
        self.slots = max(1, slots)
        self._free = self.slots
        self._lock = threading.Lock()
        self._waiters: collections.deque[threading.Event] = collections.deque()
        self._later: collections.deque[threading.Event] = collections.deque()
        self._training = 0  # slots held by training steps now
        self._training_cap = max(1, self.slots - 1)
        self._depth = threading.local()
        self._waited = threading.local()

    def __enter__(self) -> "HeavySlots":
        self._acquire(training=False)
        return self

    def __exit__(self, *exc: object) -> None:
        self._release()

    @contextlib.contextmanager
    def background(self) -> Iterator[None]:
        """A slot for a training step: granted only when no interactive work is queued."""
        self._acquire(training=True)
        try:
            yield
        finally:
            self._release(training=True)

    def waited(self) -> float:
        """Seconds this thread has spent queueing for a slot since its last `reset_waited` (for the load
        benchmark, which separates queueing from work)."""
        return getattr(self._waited, "s", 0.0)

    def reset_waited(self) -> None:
        self._waited.s = 0.0

    def _acquire(self, training: bool) -> None:
        depth = getattr(self._depth, "n", 0)
        if depth == 0:
            with self._lock:
                turn = None
                if self._free > 0 and not self._waiters and (
                        not training or (not self._later and self._training < self._training_cap)):
                    self._free -= 1
                    self._training += training
                else:
                    turn = threading.Event()
                    (self._later if training else self._waiters).append(turn)
            if turn is not None:
                queued = time.perf_counter()
                turn.wait()  # set by the release that hands this thread its slot (and counts it)
                self._waited.s = self.waited() + time.perf_counter() - queued
        self._depth.n = depth + 1

    def _release(self, training: bool = False) -> None:
        self._depth.n -= 1
        if self._depth.n == 0:
            with self._lock:
                self._training -= training
                if self._waiters:
                    self._waiters.popleft().set()
                elif self._later and self._training < self._training_cap:
                    self._training += 1
                    self._later.popleft().set()
                else:
                    self._free += 1


_HEAVY = HeavySlots(int(os.environ.get(HEAVY_SLOTS_ENV, "2") or 2))


def heavy(fn: Callable[P, R]) -> Callable[P, R]:
    """Run `fn` in a heavy-work slot. Placed under the cache decorators, so only cache misses wait:
    many sessions at once queue their model work instead of oversubscribing a small CPU."""
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with heavy_slot():
            return fn(*args, **kwargs)
    return wrapper


def heavy_slot() -> HeavySlots:
    """The same slots as a context manager, for model work a page runs itself (reading a model a learner
    brought)."""
    return _HEAVY


def training_slot() -> contextlib.AbstractContextManager[None]:
    """A slot for one training step (or one short training run): behind every queued interactive request."""
    return _HEAVY.background()


def session_watch() -> Callable[[], bool]:
    """A check, callable from any thread, that stays True while the browser of this script run's session is
    connected: long work (occlusion, a training pair) asks it between batches and stops when the tab has gone,
    instead of holding a slot for a visitor who left. True outside a server (scripts, AppTest)."""
    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return lambda: True
    server, session_id = runtime.get_instance(), ctx.session_id
    return lambda: server.is_active_session(session_id)


@shared()
def device_choice() -> DeviceChoice:
    """The one device of this server process (thread count fixed at the same time: the cores shared out
    among the heavy-work slots, so jobs that run side by side never oversubscribe the CPU)."""
    configure_threads(_HEAVY.slots)
    return choose_device()
