"""Deadlines for running statements, kept by one thread for the whole process.

A `threading.Timer` per statement starts and stops an OS thread each time (~0.2 ms), and a
detection run executes dozens of statements, several at once on worker cursors; one thread that
sleeps until the earliest deadline costs a lock and a notify per statement instead.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator


class Watchdog:
    """Calls a statement's `expire` callback if its deadline passes before it is released."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._due: dict[object, tuple[float, Callable[[], None]]] = {}
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def deadline(self, seconds: float, expire: Callable[[], None]) -> Iterator[None]:
        """Within the block, `expire()` is called (on the watchdog's thread) once `seconds` pass."""
        token, at = object(), time.monotonic() + seconds
        with self._changed:
            sooner = all(at < other for other, _ in self._due.values())
            self._due[token] = (at, expire)
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="mantissa-watchdog", daemon=True)
                self._thread.start()
            if sooner:  # otherwise the watch already wakes in time for it
                self._changed.notify()
        try:
            yield
        finally:
            with self._changed:
                self._due.pop(token, None)

    def _watch(self) -> None:
        while True:
            with self._changed:
                while True:
                    now = time.monotonic()
                    expired = [token for token, (at, _) in self._due.items() if at <= now]
                    if expired:
                        break
                    soonest = min((at for at, _ in self._due.values()), default=None)
                    self._changed.wait(None if soonest is None else soonest - now)
                callbacks = [self._due.pop(token)[1] for token in expired]
            for expire in callbacks:  # outside the lock: an interrupt may take a moment
                with contextlib.suppress(Exception):  # a failed interrupt must not end the watch
                    expire()


WATCHDOG = Watchdog()
