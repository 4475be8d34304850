"""ui.shared_cache: one value per key for every caller, computed once even when asked for at the same moment."""
import threading
import time

import pytest

from ui.shared_cache import shared


def test_a_value_is_kept_per_key_without_the_underscore_arguments() -> None:
    calls = []

    @shared(max_entries=2)
    def double(name: str, _tensor: object, k: int = 1) -> tuple[str, int]:
        calls.append((name, k))
        return name, 2 * k

    first = double("a", object(), 3)
    assert double("a", object(), k=3) is first  # another tensor, the same key; keyword or not
    assert calls == [("a", 3)]
    double("b", None)
    double("c", None)  # three keys, room for two: "a" (least recently used) goes
    assert double("b", None) == ("b", 2) and calls == [("a", 3), ("b", 1), ("c", 1)]
    double("a", None, 3)
    assert calls[-1] == ("a", 3)
    double.clear()
    double("b", None)
    assert calls[-1] == ("b", 1) and len(double) == 1


def test_an_exception_is_not_kept() -> None:
    attempts = []

    @shared()
    def flaky(x: int) -> int:
        attempts.append(x)
        if len(attempts) == 1:
            raise ValueError("first time")
        return x

    with pytest.raises(ValueError):
        flaky(1)
    assert flaky(1) == 1 and attempts == [1, 1]


def test_sessions_asking_at_once_wait_for_one_computation() -> None:
    """Eight threads want the same model at the same moment: it is loaded once and all get that one."""
    started = []

    @shared()
    def load(name: str) -> object:
        started.append(name)
        time.sleep(0.2)
        return object()

    got = []
    threads = [threading.Thread(target=lambda: got.append(load("resnet18"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert started == ["resnet18"] and len(got) == 8 and all(g is got[0] for g in got)


def test_clear_all_forgets_every_shared_value() -> None:
    from ui import shared_cache

    @shared()
    def one(x: int) -> list:
        return [x]

    kept = one(1)
    shared_cache.clear_all()
    assert one(1) is not kept and one(1) == kept


def test_has_tells_whether_a_call_would_be_answered_from_the_cache() -> None:
    """Pages skip their spinner when `has` says the result is there; asking does not compute anything."""
    calls = []

    @shared()
    def run(name: str, _x: object) -> str:
        calls.append(name)
        return name

    assert not run.has("lstm", object()) and calls == []
    run("lstm", None)
    assert run.has("lstm", object()) and not run.has("gru", None) and calls == ["lstm"]
