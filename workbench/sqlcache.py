"""Compiled SQL kept across processes: a scheduled run in a fresh kernel does not parse the pack again.

Detection turns each rule's Athena SQL into the engine's dialect, analyses what a shared scan
needs, wraps threshold rules, and builds the census; with sqlglot that costs more than scanning a
million events, and papermill starts every scheduled run in a new kernel. The functions doing that
work are pure (text in, text or plan out), so their answers are memoised here and, inside
`compiled_sql(settings)`, loaded from and saved to `<state>/cache/` — as Python keeps `.pyc` files.

The file's name carries a digest of sqlglot's and DuckDB's versions and of the package's source,
so an upgrade or a code change starts a new cache rather than reading a stale one. The
file is a pickle: it is read only from the workspace's own state folder, which holds nothing
written by anyone but the workspace's own runs (the same trust as the workspace's rules and
notebooks, which run code anyway). A file that cannot be read is ignored and rewritten.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import tempfile
from collections import namedtuple
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from workbench.config import Settings

F = TypeVar("F", bound=Callable[..., Any])
CacheInfo = namedtuple("CacheInfo", "hits misses currsize")  # as functools.lru_cache reports it

MAX_ENTRIES = 4000
"""Past this many answers (ad-hoc hunts also compile SQL) the store starts over rather than grow."""

_store: dict[tuple, Any] = {}
_state = {"dirty": False, "loaded": None}


def persisted(func: F) -> F:
    """Memoise a pure function of hashable, picklable arguments in the cross-process store."""
    name = f"{func.__module__}.{func.__qualname__}"

    counts = {"hits": 0, "misses": 0}

    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        key = (name, args)
        try:
            value = _store[key]
        except KeyError:
            pass
        else:
            counts["hits"] += 1
            return value
        counts["misses"] += 1
        value = func(*args)
        if len(_store) >= MAX_ENTRIES:
            _store.clear()
        _store[key] = value
        _state["dirty"] = True
        return value

    def cache_clear() -> None:
        for key in [k for k in _store if k[0] == name]:
            del _store[key]

    wrapper.cache_clear = cache_clear  # type: ignore[attr-defined]
    wrapper.cache_info = lambda: CacheInfo(counts["hits"], counts["misses"],  # type: ignore[attr-defined]
                                           sum(1 for k in _store if k[0] == name))
    return wrapper  # type: ignore[return-value]


def known(fact: tuple) -> bool:
    """Whether `fact` was recorded (in this process or a run before it, same code and versions)."""
    return ("fact", fact) in _store


def record(fact: tuple) -> None:
    """Remember `fact` (say, "this query binds on this engine") for later runs."""
    if ("fact", fact) not in _store:
        _store[("fact", fact)] = True
        _state["dirty"] = True


def forget() -> None:
    """Empty the in-memory store (a first run ever, for benchmarks and tests); files stay."""
    _store.clear()
    _state["loaded"] = None


def cache_file(settings: Settings) -> Path:
    return settings.state / "cache" / f"compiled-sql-{_digest()}.pickle"


@functools.cache
def _digest() -> str:
    import sys

    import sqlglot

    digest = hashlib.sha256(sqlglot.__version__.encode())
    with contextlib.suppress(ImportError):  # which functions and types bind is the engine's
        import duckdb

        digest.update(duckdb.__version__.encode())
    # Every module of the package, not only the memoised ones: their answers also depend on the
    # dialect fixes, the catalog and the rule model they call. Size and modification time, not
    # content: hashing the whole package would cost a run more than the cache saves it.
    package = Path(sys.modules["workbench"].__file__).parent  # type: ignore[arg-type]
    for source in sorted(package.rglob("*.py")):
        stat = source.stat()
        digest.update(f"{source.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def compiled_sql(settings: Settings) -> Iterator[None]:
    """Load the workspace's compiled SQL (once per process and file), and save what was added."""
    path = cache_file(settings)
    if _state["loaded"] != path:
        try:
            loaded = pickle.loads(path.read_bytes())
            _store.update(loaded)
        except FileNotFoundError:
            pass
        except Exception:  # noqa: BLE001 - damaged: compile anew and write it again
            _state["dirty"] = True
        _state["loaded"] = path
    try:
        yield
    finally:
        if _state["dirty"]:
            _save(path)


def _save(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".compiled-sql-")
    except OSError:
        return  # a read-only workspace only costs the next run its parse
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(dict(_store), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)  # readers see the old file or the new one, never half of one
        _state["dirty"] = False
    except Exception:  # noqa: BLE001 - an answer that does not pickle, a full disk: skip saving
        with contextlib.suppress(OSError):
            os.unlink(temporary)
