"""The engine interface: run Athena SQL over the log tables, return a frame and its stats.

As in papermill's engines, the public `run()` owns timing, the window rewrite and the stats; a
subclass implements one hook, `_execute()`. Dialect differences between engines are class
constants with a docstring each, never `if engine == ...` branches.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd

from workbench.cost import BYTES_PER_TB as BYTES_PER_TB  # re-exported: reports and tests read it here
from workbench.cost import query_cost_usd
from workbench.registry import Registry
from workbench.timewindow import Window

if TYPE_CHECKING:
    from workbench.config import Settings
    from workbench.detect.plan.statements import Statement
    from workbench.engines.window import BoundQuery


def empty_frame(columns: Sequence[str]) -> pd.DataFrame:
    """A frame of these columns and no rows, for a query answered without running. A copy of one
    kept per column list: pandas builds one in ~0.2 ms, a copy takes ~0.015 ms, and each run of a
    long-lived scheduler or kernel answers dozens of rules this way (a new process builds each once)."""
    return _empty_template(tuple(columns)).copy()


@functools.lru_cache(maxsize=256)
def _empty_template(columns: tuple[str, ...]) -> pd.DataFrame:
    # The same frame as DataFrame(columns=...) (object columns, RangeIndex), built in half the time.
    return pd.DataFrame(np.empty((0, len(columns)), dtype=object), columns=list(columns))


class EngineError(RuntimeError):
    """The engine refused or failed the query; the message says why and what to try."""


class QueryTimeout(EngineError):
    """The query ran past its deadline and was stopped (callers such as the API answer it apart)."""


@dataclass
class Execution:
    """What an engine's hook returns: the rows plus what only the engine knows."""

    frame: pd.DataFrame
    query_id: str
    bytes_scanned: int = 0


@dataclass
class Result:
    frame: pd.DataFrame
    engine: str
    sql: str  # the Athena SQL as written by the person or rule
    executed_sql: str  # what the engine actually ran (window-bounded, in its own dialect)
    query_id: str
    elapsed_s: float
    bytes_scanned: int
    cost_usd: float
    window: Window | None = None
    extra: dict = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return len(self.frame)

    def status_line(self) -> str:
        return (
            f"{self.engine}: {self.rows:,} rows in {self.elapsed_s:.2f}s, "
            f"{_human_bytes(self.bytes_scanned)} scanned, ~${self.cost_usd:.6f}, query id {self.query_id}"
        )

    def stats(self) -> dict:
        return {
            "engine": self.engine,
            "rows": self.rows,
            "elapsed_s": round(self.elapsed_s, 4),
            "bytes_scanned": self.bytes_scanned,
            "cost_usd": self.cost_usd,
            "query_id": self.query_id,
            "window": str(self.window) if self.window else None,
        }


def _human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


class Engine:
    name: ClassVar[str]
    dialect: ClassVar[str]
    """sqlglot dialect the engine executes; Athena SQL is transpiled to it."""
    GROUP_KEY_HASH: ClassVar[str | None] = None
    """A function, callable from the Athena SQL the engine is given, that hashes any values to one
    integer; grouping by it is cheaper than by strings where a collision is harmless (the
    detection census). None: group by the values themselves (Athena has no such function)."""
    SHARES_SCANS_ITSELF: ClassVar[bool] = False
    """Whether the engine's `run_batch` carries out the pack plan itself (the local engine: one
    shared table per log table in its own DuckDB, members on parallel cursors). Otherwise the
    detection runner runs the plan's statements through `run_plan`
    (`workbench.detect.plan.pack`)."""
    READS_CTE_ONCE: ClassVar[bool] = False
    """Whether a CTE named several times in a statement is computed once. Athena (Trino) inlines
    it, so every mention scans (and bills) again; DuckDB materialises it."""
    BILLS_PER_QUERY_MINIMUM: ClassVar[bool] = False
    """Whether each statement is billed at least a minimum (Athena: rounded up to the MB, 10 MB at
    least). False: the cost figure is the bytes read at the same price, an estimate nobody bills."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def prepare(self, sql: str, window: Window | None = None) -> str:
        """Athena SQL → the window-bounded SQL this engine will execute."""
        return self.bind(sql, window).sql

    def bind(self, sql: str, window: Window | None = None) -> BoundQuery:
        """The window-bounded SQL plus the log tables it reads (cached per sql/window/dialect)."""
        from workbench.engines.window import bind

        return bind(sql, window, write_dialect=self.dialect)

    def run(self, sql: str, window: Window | None = None) -> Result:
        bound = self.bind(sql, window)
        executed = bound.sql
        started = time.perf_counter()
        execution = self._execute(executed, bound)
        elapsed = time.perf_counter() - started
        return self._result(sql, executed, execution, elapsed, window)

    def run_batch(self, queries: Sequence[str], window: Window | None = None, *,
                  windows: Sequence[Window | None] | None = None,
                  candidates: Sequence[int | None] | None = None) -> list[Result | Exception]:
        """Run several queries: each answer is the query's Result or the exception it raised, in the
        order given, so one bad query fails only itself. All read `window`, unless `windows` gives
        each query its own (detection rules with different threshold windows share one batch).
        `candidates`, where known, counts the rows each query's WHERE lets through (the detection
        census counts them for threshold rules): a hint for an engine that shares work.

        This default runs them one by one. An engine that can share work between queries (the local
        engine reads each log table once per batch) overrides it; answers must be the same.
        """
        per_query = batch_windows(queries, window, windows)
        return [self.run_captured(sql, w) for sql, w in zip(queries, per_query, strict=True)]

    def run_plan(self, statements: Sequence[Statement]) -> list[Result | Exception]:
        """Run a detection plan's statements (`workbench.detect.plan.statements`): one answer per
        statement, in order, its Result or the exception it raised. Statements given together never
        depend on one another, so they go to `run_batch` as one batch, each with its own window: an
        engine whose batch runs concurrently under deadlines (Athena) overlaps them; the default
        batch runs them one after another."""
        return self.run_batch([s.sql for s in statements], windows=[s.window for s in statements])

    def run_scope(self) -> contextlib.AbstractContextManager[None]:
        """Everything run inside is one run (a detection window) for engines that account per run
        (Athena's athena.run_scan_budget_bytes); nothing by default."""
        return contextlib.nullcontext()

    def run_captured(self, sql: str, window: Window | None = None) -> Result | Exception:
        """`run()`, with any failure returned instead of raised (for batches)."""
        try:
            return self.run(sql, window)
        except Exception as exc:  # noqa: BLE001 - the caller decides what a failed query means
            return exc

    def _result(self, sql: str, executed: str, execution: Execution, elapsed: float,
                window: Window | None, extra: dict | None = None) -> Result:
        return Result(
            frame=execution.frame,
            engine=self.name,
            sql=sql,
            executed_sql=executed,
            query_id=execution.query_id,
            elapsed_s=elapsed,
            bytes_scanned=execution.bytes_scanned,
            cost_usd=self.cost(execution.bytes_scanned),
            window=window,
            extra=extra or {},
        )

    def cost(self, bytes_scanned: int) -> float:
        return query_cost_usd(bytes_scanned, self.settings.price_per_tb_usd,
                              per_query_minimum=self.BILLS_PER_QUERY_MINIMUM)

    def _execute(self, sql: str, bound: BoundQuery) -> Execution:
        """The one hook: run `sql` (already bounded, in `self.dialect`); `bound` says which log
        tables and window it reads, for engines that account bytes scanned themselves."""
        raise NotImplementedError

    def warm_up(self) -> None:
        """Start whatever connecting costs in the background; the first query waits for it."""

    def close(self) -> None:
        """Release connections; engines are also context managers."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def batch_windows(queries: Sequence[str], window: Window | None,
                  windows: Sequence[Window | None] | None) -> list[Window | None]:
    """Each query's window in a batch: its own from `windows`, else the batch's `window`."""
    if windows is None:
        return [window] * len(queries)
    if len(windows) != len(queries):
        raise ValueError(f"run_batch: {len(queries)} queries but {len(windows)} windows — give one window per query")
    return list(windows)


ENGINES: Registry[type[Engine]] = Registry("engine")


def get_engine(name: str | None = None, settings: Settings | None = None) -> Engine:
    """The configured engine (or `name`), built from settings."""
    from workbench.config import load_settings

    settings = settings or load_settings()
    # Importing the modules registers the built-ins.
    import workbench.engines.athena  # noqa: F401
    import workbench.engines.local  # noqa: F401

    return ENGINES.get(name or settings.engine)(settings)
