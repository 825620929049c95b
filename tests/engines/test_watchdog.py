"""The statement watchdog: one thread fires each deadline that passes before its block ends."""

from __future__ import annotations

import threading
import time

from workbench.engines.watchdog import Watchdog


def test_a_deadline_that_passes_inside_its_block_fires_once() -> None:
    watchdog, fired = Watchdog(), []
    started = time.monotonic()
    with watchdog.deadline(0.05, lambda: fired.append(time.monotonic())):
        time.sleep(0.3)
    time.sleep(0.1)
    assert len(fired) == 1 and 0.04 <= fired[0] - started < 0.3  # noqa: PLR2004


def test_a_block_that_ends_in_time_is_never_interrupted() -> None:
    watchdog, fired = Watchdog(), []
    with watchdog.deadline(0.1, lambda: fired.append("late")):
        pass
    time.sleep(0.25)
    assert fired == []


def test_overlapping_deadlines_fire_each_at_its_own_time_on_one_thread() -> None:
    watchdog, fired = Watchdog(), []
    threads_before = threading.active_count()

    def block(name: str, seconds: float, hold: float) -> None:
        with watchdog.deadline(seconds, lambda: fired.append((name, threading.current_thread().name))):
            time.sleep(hold)

    workers = [threading.Thread(target=block, args=args) for args in
               [("slow", 0.05, 0.3), ("quick", 0.5, 0.01), ("slower", 0.15, 0.3)]]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    time.sleep(0.05)
    assert [name for name, _ in fired] == ["slow", "slower"]
    assert {thread for _, thread in fired} == {"mantissa-watchdog"}
    for _ in range(50):  # many statements, no thread each
        with watchdog.deadline(10, lambda: fired.append(("never", ""))):
            pass
    assert threading.active_count() <= threads_before + 1


def test_a_callback_that_raises_does_not_stop_the_watch() -> None:
    watchdog, fired = Watchdog(), []

    def broken() -> None:
        raise RuntimeError("the connection is gone")

    with watchdog.deadline(0.02, broken):
        time.sleep(0.1)
    with watchdog.deadline(0.02, lambda: fired.append("next")):
        time.sleep(0.1)
    time.sleep(0.05)
    assert fired == ["next"]
