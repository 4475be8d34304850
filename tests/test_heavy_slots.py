"""The heavy-work slots: bounded across threads, re-entrant within one (nested cache misses never deadlock)."""
import threading
import time

from ui.loaders import HeavySlots


def test_slots_bound_concurrency_and_nest_without_deadlock() -> None:
    slots = HeavySlots(2)
    inside, peak, lock = [0], [0], threading.Lock()

    def work() -> None:
        with slots:
            with slots:  # a nested cache miss in the same thread
                with lock:
                    inside[0] += 1
                    peak[0] = max(peak[0], inside[0])
                time.sleep(0.05)
                with lock:
                    inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert not any(t.is_alive() for t in threads)
    assert peak[0] == 2
