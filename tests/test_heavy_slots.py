"""The heavy-work slots: bounded across threads, re-entrant within one (nested cache misses never deadlock)."""
import threading
import time

from ui.scheduling import HeavySlots


class Inside:
    """Counts the threads inside it, and the most there were at once."""

    def __init__(self) -> None:
        self.now = self.most = 0
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.now -= 1


def test_slots_bound_concurrency_and_nest_without_deadlock() -> None:
    slots = HeavySlots(2)
    inside = Inside()

    def work() -> None:
        with slots:
            with slots, inside:  # a nested cache miss in the same thread
                time.sleep(0.05)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert not any(t.is_alive() for t in threads)
    assert inside.most == 2


def test_a_released_slot_goes_to_the_longest_waiter() -> None:
    """A trainer that takes the slot step by step must not starve a session that asked in between."""
    slots = HeavySlots(1)
    log: list[str] = []
    asked = threading.Event()

    def trainer() -> None:
        for step in range(200):
            with slots:
                log.append("step")
                if step == 10:
                    asked.wait(timeout=10)  # the other session is queued before this step ends
                time.sleep(0.001)

    def session() -> None:
        with slots:
            log.append("grad-cam")

    training = threading.Thread(target=trainer)
    training.start()
    while len(log) < 11:
        time.sleep(0.001)
    waiting = threading.Thread(target=session)
    waiting.start()
    while not slots._waiters:  # queued behind the trainer's current step
        time.sleep(0.001)
    asked.set()
    training.join(timeout=20)
    waiting.join(timeout=20)
    assert log.index("grad-cam") == 11  # right after the step it was queued behind


def test_interactive_work_goes_before_queued_training_steps() -> None:
    """Training steps queued earlier still wait: a released slot goes to the interactive request first."""
    slots = HeavySlots(1)
    order: list[str] = []
    holding, release = threading.Event(), threading.Event()

    def holder() -> None:
        with slots:
            holding.set()
            release.wait(timeout=10)

    def step(name: str) -> None:
        with slots.background():
            order.append(name)

    def click() -> None:
        with slots:
            order.append("grad-cam")

    first = threading.Thread(target=holder)
    first.start()
    holding.wait(timeout=10)
    threads = [threading.Thread(target=step, args=(f"step {i}",)) for i in range(3)]
    for t in threads:
        t.start()
    while len(slots._later) < 3:
        time.sleep(0.001)
    late = threading.Thread(target=click)
    late.start()
    while not slots._waiters:
        time.sleep(0.001)
    release.set()
    for t in [first, late, *threads]:
        t.join(timeout=10)
    assert order[0] == "grad-cam"
    assert sorted(order[1:]) == ["step 0", "step 1", "step 2"]
    assert slots._free == 1


def test_a_training_step_takes_a_free_slot_and_nests() -> None:
    slots = HeavySlots(1)
    with slots.background():
        with slots:  # a cache miss inside a training step keeps the slot it has
            assert slots._free == 0
    assert slots._free == 1


def test_training_never_takes_the_last_slot() -> None:
    """With two slots, trainers hold one between them; a click finds the other free at once."""
    slots = HeavySlots(2)
    inside = Inside()
    stop = threading.Event()

    def trainer() -> None:
        while not stop.is_set():
            with slots.background(), inside:
                time.sleep(0.002)

    threads = [threading.Thread(target=trainer) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.1)
    for _ in range(20):
        with slots:
            time.sleep(0.001)
        time.sleep(0.002)
    stop.set()
    for t in threads:
        t.join(timeout=10)
    assert inside.most == 1
    assert slots.waited() == 0.0  # the click never queued
    assert slots._free == 2 and slots._training == 0


def test_one_slot_still_trains() -> None:
    slots = HeavySlots(1)
    done: list[int] = []

    def train() -> None:
        for step in range(3):
            with slots.background():
                done.append(step)

    t = threading.Thread(target=train)
    t.start()
    t.join(timeout=10)
    assert done == [0, 1, 2] and slots._free == 1 and slots._training == 0
