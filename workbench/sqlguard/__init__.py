"""The guard every generated query (and every `%%athena` cell unless `--unsafe`) passes before it runs.

    guarded = guard(sql, window, row_limit=1000, max_limit=100_000, engine=engine, scan_budget=10 * 2**30)
    engine.run(guarded.sql, window)

Refused: anything but exactly one read-only SELECT over the catalog's log tables (DDL, DML, UNLOAD,
CTAS, INSERT, MSCK, CALL, EXECUTE, PREPARE, information_schema and system tables, table functions,
functions that read files or settings, a name that is neither a log table nor a CTE in scope, a
second statement hidden behind a comment, look-alike or invisible characters), and shapes that
compute without bound (WITH RECURSIVE, a cross join of log tables, huge sequence()/repeat(),
sleep) or read too long a window (`guard.max_window`). Accepted queries come back with comments
stripped, a LIMIT (added when absent, capped by config) and the log tables they read; the
engine's window rewrite then bounds every scan. Locally the scan budget is the bytes of the
Parquet files the window selects; on Athena it is the workgroup's per-query cutoff, which Athena
enforces itself.

Two layers stay in force when a person skips the guard (`--unsafe`): `boundary.check_reads`,
which the window rewrite runs on every query any engine runs (read-only, log tables or CTEs in
scope, no file or network function), with `check_window`; and, on the local engine, DuckDB's own
sandbox (`workbench.engines.sandbox`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

# One byte format for the engine's status line and the guard's budget messages.
from workbench.engines.base import _human_bytes as human_bytes
from workbench.sqlguard.text import unicode_problem
from workbench.sqlguard.tree import Refusal, check_tree, enforce_limit, parse_one_statement
from workbench.timewindow import Window, parse_duration

if TYPE_CHECKING:
    from workbench.config import Settings

__all__ = ["GuardError", "GuardedQuery", "check_window", "guard", "guard_for", "human_bytes"]


class GuardError(ValueError):
    """The guard refused a query; `code` names the rule, the message says why and what to do."""

    def __init__(self, code: str, message: str, sql: str = "") -> None:
        super().__init__(message)
        self.code, self.reason, self.sql = code, message, sql

    def __str__(self) -> str:
        return f"guard refused the query: {self.reason}"


@dataclass(frozen=True)
class GuardedQuery:
    sql: str  # Athena SQL as it will run: comments stripped, LIMIT enforced
    original: str
    tables: frozenset[str]
    limit: int
    window: Window
    notes: tuple[str, ...] = ()
    scan_bytes: int | None = None  # local engine: bytes of Parquet the window selects


def guard(
    sql: str,
    window: Window | None,
    *,
    row_limit: int = 10_000,
    max_limit: int = 100_000,
    database: str = "mantissa",
    engine: Any = None,
    scan_budget: int | None = None,
    max_window: str | timedelta | None = None,
) -> GuardedQuery:
    """Check `sql`; return the query to run or raise GuardError with the reason."""
    try:
        if problem := unicode_problem(sql):
            raise Refusal("unicode", problem)
        tree = parse_one_statement(sql)
        tables = check_tree(tree, database)
        if window is None:
            raise Refusal("window", "no time window: give --window 24h or --start/--end, or set one with "
                                    "%wb window 24h")
        _check_window(window, max_window)
        tree, limit, note = enforce_limit(tree, row_limit, max_limit)
        text = tree.sql(dialect="athena", pretty=True, comments=False)
        scan = _check_budget(engine, tables, window, scan_budget)
    except Refusal as refusal:
        raise GuardError(refusal.code, refusal.message, sql) from None
    _check_rewrite(text, window, engine, sql)
    notes = tuple(n for n in (note, _scan_note(scan, window)) if n)
    return GuardedQuery(sql=text, original=sql, tables=tables, limit=limit, window=window,
                        notes=notes, scan_bytes=scan)


def guard_for(sql: str, window: Window | None, settings: Settings, engine: Any = None,
              row_limit: int | None = None) -> GuardedQuery:
    """`guard` with the limits and budget from settings (`guard:` and `row_limit`)."""
    return guard(
        sql, window,
        row_limit=row_limit or settings.row_limit,
        max_limit=settings.guard.max_limit,
        database=settings.athena.database,
        engine=engine,
        scan_budget=settings.guard.scan_budget_bytes,
        max_window=settings.guard.max_window,
    )


def check_window(window: Window, settings: Settings) -> None:
    """The window limit alone, for queries that skip the guard (`--unsafe`): never skipped."""
    try:
        _check_window(window, settings.guard.max_window)
    except Refusal as refusal:
        raise GuardError(refusal.code, refusal.message) from None


def _check_window(window: Window, max_window: str | timedelta | None) -> None:
    if max_window is None:
        return
    try:
        longest = parse_duration(max_window)
    except ValueError as exc:
        raise Refusal("window", f"guard.max_window: {exc}") from None
    if window.duration > longest:
        days = window.duration / timedelta(days=1)
        raise Refusal("window", f"the window {window} spans {days:,.1f} days, longer than guard.max_window "
                                f"({max_window}): narrow the window or raise guard.max_window")


def _check_budget(engine: Any, tables: frozenset[str], window: Window, budget: int | None) -> int | None:
    measure = getattr(engine, "bytes_scanned", None)
    if measure is None or not callable(measure):
        return None  # Athena: the workgroup's BytesScannedCutoffPerQuery stops the query itself
    scanned = int(measure(tables, window))
    if budget is not None and scanned > budget:
        raise Refusal(
            "budget",
            f"the window {window} selects {human_bytes(scanned)} of Parquet in {', '.join(sorted(tables))}, "
            f"over the scan budget of {human_bytes(budget)} (guard.scan_budget_bytes): narrow the window "
            "or raise the budget",
        )
    return scanned


def _scan_note(scan: int | None, window: Window) -> str | None:
    return None if scan is None else f"scan {human_bytes(scan)} within {window}"


def _check_rewrite(text: str, window: Window, engine: Any, original: str) -> None:
    """The engine's window rewrite must accept the query: that is what bounds every scan."""
    from workbench.engines import EngineError
    from workbench.engines.window import bind

    dialect = getattr(engine, "dialect", "athena")
    try:
        bind(text, window, dialect)
    except EngineError as exc:
        raise GuardError("window", f"the window rewrite cannot bound this query: {exc}", original) from None
