"""One ingest into a lake at a time: an exclusive `fcntl.flock` on `<lake>/_ingest.lock`.

The manifest check ("was this object ingested?") and the write that makes the answer yes are far
apart: the object is parsed, staged and published in between. Two ingests of one folder at once
both passed the check and both wrote every row. The lock makes check-and-write one step per lake:
a second ingest waits (saying so, naming the holder's pid), then finds the objects in the
manifest and skips them. The kernel drops the lock when its holder exits, however it exits, so a
killed ingest never leaves the lake locked.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = "_ingest.lock"
log = logging.getLogger(__name__)


@contextmanager
def ingest_lock(lake: Path) -> Iterator[None]:
    """Hold the lake's ingest lock for the block, waiting for another holder first."""
    path = Path(lake) / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            log.warning("waiting for another ingest into %s (pid %s) to finish; it holds %s", lake, holder, path)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock
