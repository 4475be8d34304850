"""`shared`: what st.cache_resource does for our loaders, at a dict lookup's cost.

Every rerun of a page asks its loaders again for the model, the picture, the prediction and the maps it
already has. st.cache_resource answers each such hit in ≈ 0.12–0.2 ms: it hashes the arguments with its
own hasher, inspects the function's signature, and sets up the replay of elements a cached function
might draw. A feature-maps rerun made eight such calls, 1.1 of its 7.7 ms. Our loaders take plain
arguments (names, digests, numbers) and draw nothing, so the key is the tuple of those arguments and a hit
is a dict lookup under a lock.

What it keeps from st.cache_resource: one value per key, shared by every session and handed out as it is
(the loaders make their arrays read-only); arguments whose names start with "_" are not part of the key;
a value is computed once even when several sessions ask for it at the same moment (the others wait for
it); an exception is not stored; at most `max_entries` values, the least recently used dropped first.
"""
from __future__ import annotations

import collections
import functools
import inspect
import threading
import weakref
from typing import TYPE_CHECKING, Callable, Generic, Hashable, ParamSpec, TypeVar

if TYPE_CHECKING:
    import numpy as np

P = ParamSpec("P")
R = TypeVar("R")
_ALL: weakref.WeakSet[SharedCache] = weakref.WeakSet()


class SharedCache(Generic[P, R]):
    """`fn` with its results kept per key (see the module's docstring); `clear()` forgets them all."""

    def __init__(self, fn: Callable[P, R], max_entries: int | None) -> None:
        self.fn = fn
        self.max_entries = max_entries
        self._signature = inspect.signature(fn)
        names = list(self._signature.parameters)
        self._keep = tuple(not name.startswith("_") for name in names)
        self._keyed = [name for name in names if not name.startswith("_")]
        self._values: collections.OrderedDict[tuple, R] = collections.OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[tuple, threading.Lock] = {}
        functools.update_wrapper(self, fn)
        _ALL.add(self)

    def _key(self, args: tuple, kwargs: dict) -> tuple:
        if not kwargs and len(args) == len(self._keep):
            return tuple(arg for arg, keep in zip(args, self._keep) if keep)
        bound = self._signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return tuple(bound.arguments[name] for name in self._keyed)

    def _stored(self, key: tuple) -> tuple[bool, R | None]:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return True, self._values[key]
        return False, None

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        key = self._key(args, kwargs)
        found, value = self._stored(key)
        if found:
            return value  # type: ignore[return-value]
        with self._lock:
            flight = self._computing.setdefault(key, threading.Lock())
        try:
            with flight:  # a second session asking for the same key waits here, then finds the value
                found, value = self._stored(key)
                if found:
                    return value  # type: ignore[return-value]
                value = self.fn(*args, **kwargs)
                with self._lock:
                    self._values[key] = value
                    while self.max_entries is not None and len(self._values) > self.max_entries:
                        self._values.popitem(last=False)
                return value
        finally:
            with self._lock:
                if self._computing.get(key) is flight and not flight.locked():
                    del self._computing[key]

    def has(self, *args: P.args, **kwargs: P.kwargs) -> bool:
        """Whether a call with these arguments would be answered from the cache (a page skips its spinner then)."""
        with self._lock:
            return self._key(args, kwargs) in self._values

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._values


def shared(max_entries: int | None = None) -> Callable[[Callable[P, R]], SharedCache[P, R]]:
    """Decorator: keep `fn`'s results shared across sessions, at most `max_entries` of them."""
    def decorate(fn: Callable[P, R]) -> SharedCache[P, R]:
        return SharedCache(fn, max_entries)
    return decorate


def clear_all() -> None:
    """Forget every `shared` value (as st.cache_resource.clear() does for its own): benchmarks start cold."""
    for cache in list(_ALL):
        cache.clear()


def frozen(array: np.ndarray) -> np.ndarray:
    """`array`, made read-only: results below are shared by every session without a copy, so none may change them."""
    array.setflags(write=False)
    return array
