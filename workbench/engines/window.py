"""The window rewrite: every log-table reference becomes a scan bounded by the time window.

Query authors write `FROM cloudtrail`; the engine turns it into
`FROM (SELECT * FROM cloudtrail WHERE <partitions> AND <event-time bounds>) AS cloudtrail`, so no
query can forget its partition filter and both engines prune the same files. The subquery keeps
the reference's alias (or the table name), so column references such as `c.eventname` or
`cloudtrail.eventname` keep working. A CTE whose name shadows a log table is not a log table.
Before rewriting, every query passes `workbench.sqlguard.boundary.check_reads` (whatever face sent
it, `--unsafe` or not): a table reference that is neither a log table nor a CTE in scope, a
function that reads files, or a statement that writes, would escape the window, so it never runs.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from workbench.catalog import TABLES, Table, TimeFormat
from workbench.engines.base import EngineError
from workbench.engines.dialect import READ_DIALECT, write_dialect_for
from workbench.sqlcache import persisted
from workbench.sqlguard.boundary import Refusal, check_reads, is_log_reference
from workbench.timewindow import Window, iso_z

MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class BoundQuery:
    """A query ready to run: the SQL in the engine's dialect and the log tables it reads."""

    sql: str
    tables: frozenset[str]
    window: Window | None


def bound_to_window(sql: str, window: Window | None, write_dialect: str) -> str:
    """Athena SQL → the same query in `write_dialect`, every log-table scan bounded by `window`."""
    return bind(sql, window, write_dialect).sql


@lru_cache(maxsize=1024)
def bind(sql: str, window: Window | None, write_dialect: str) -> BoundQuery:
    """Parse, bound and generate; cached because detection runs the same rules window after window.

    The parse and rewrite happen once per query and dialect (`_template`): each log-table scan's
    bounds are left as a marker, and a new window only splices in its bounds' text, which is
    exactly what generating the whole tree with that window would write.
    """
    text, tables = _template(sql, write_dialect, window is not None)
    if window is not None:
        for table in tables:
            text = text.replace(_marker(table), _bounds_sql(table, window, write_dialect))
    return BoundQuery(sql=text, tables=tables, window=window)


def read_from(sql: str, table: str, rows_sql: str, write_dialect: str) -> str:
    """The query in `write_dialect`, every read of log table `table` reading `rows_sql` (a SELECT
    of the table's rows, already bounded) instead: the window rewrite's bounded scan, with
    another source. A shared scan's members read their rows this way, with no view to create."""
    text, tables = _template(sql, write_dialect, True)
    scan = _bounded_scan_sql(table, write_dialect)
    references = text.count(_marker(table))
    if table not in tables or text.count(scan) != references:
        raise EngineError(f"cannot point the query's reads of {table} at other rows")
    return text.replace(scan, rows_sql)


@lru_cache(maxsize=16)
def _bounded_scan_sql(table: str, write_dialect: str) -> str:
    """The text `_template` writes for a bounded read of `table` (before its bounds go in)."""
    return _bounded_scan(exp.to_table(table), exp.column(exp.to_identifier(_marker(table)))).this.sql(
        dialect=write_dialect_for(write_dialect))


def bounds_sql(table: str, window: Window, write_dialect: str) -> str:
    """The condition the window rewrite bounds a read of `table` by (partitions and event time)."""
    return _bounds_sql(table, window, write_dialect)


@persisted
def _template(sql: str, write_dialect: str, bounded: bool) -> tuple[str, frozenset[str]]:
    tree = parse_athena(sql)
    try:
        # Every query, guarded or not: a read the rewrite cannot bound is never run.
        check_reads(tree)
    except Refusal as refusal:
        raise EngineError(f"{refusal.message} (every query reads only log tables, bounded by the window)") from None
    target = write_dialect_for(write_dialect)
    tables: set[str] = set()
    for table in list(tree.find_all(exp.Table)):
        catalog_table = log_table_of(table)
        if catalog_table is None:
            continue
        tables.add(catalog_table.name)
        _strip_column_qualifiers(tree, table, keep_db=target.KEEPS_TABLE_QUALIFIERS and not bounded)
        if not target.KEEPS_TABLE_QUALIFIERS:
            table.set("db", None)
            table.set("catalog", None)
        if bounded:
            table.replace(_bounded_scan(table, exp.column(exp.to_identifier(_marker(catalog_table.name)))))
    text = tree.sql(dialect=target)
    if bounded and any(text.count(_marker(t)) != sum(1 for _ in _log_refs(tree, t)) for t in tables):
        raise EngineError(f"the query names {_marker('<table>')!r}, a name reserved for the window rewrite; rename it")
    return text, frozenset(tables)


def _marker(table: str) -> str:
    return f"__mantissa_window_{table}__"


def _log_refs(tree: exp.Expression, table: str) -> list[exp.Expression]:
    return [c for c in tree.find_all(exp.Column) if c.name == _marker(table)]


@lru_cache(maxsize=256)
def _bounds_sql(table: str, window: Window, write_dialect: str) -> str:
    condition = exp.and_(partition_predicate(window), time_predicate(TABLES[table], window))
    return condition.sql(dialect=write_dialect_for(write_dialect))


def parse_athena(sql: str) -> exp.Expression:
    """One Athena statement as a tree; syntax errors become one readable line."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=READ_DIALECT) if s is not None]
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        where = f" at line {first.get('line')}, column {first.get('col')}" if first else ""
        detail = first.get("description") or str(exc).splitlines()[0]
        raise EngineError(f"cannot parse the SQL as Athena SQL{where}: {detail}") from None
    if not statements:
        raise EngineError("no SQL statement given")
    if len(statements) > 1:
        raise EngineError(f"give one SQL statement at a time (got {len(statements)})")
    return statements[0]


def log_table_of(table: exp.Table) -> Table | None:
    """The catalog table this reference reads, or None (another table, or a CTE of that name)."""
    catalog_table = TABLES.get(table.name.lower())
    if catalog_table is None:
        return None
    return catalog_table if is_log_reference(table) else None


def _strip_column_qualifiers(tree: exp.Expression, table: exp.Table, keep_db: bool) -> None:
    """`mantissa.cloudtrail.eventname` → `cloudtrail.eventname` once the reference is a subquery
    (or a view with no database), so the column still resolves."""
    if keep_db or table.args.get("db") is None or table.alias:
        return
    for column in tree.find_all(exp.Column):
        if column.table.lower() == table.name.lower() and column.args.get("db") is not None:
            column.set("db", None)
            column.set("catalog", None)


def _bounded_scan(table: exp.Table, condition: exp.Expression) -> exp.Subquery:
    source = table.copy()
    source.set("alias", None)
    alias = table.args.get("alias")
    alias = alias.copy() if alias is not None else exp.TableAlias(this=exp.to_identifier(table.name))
    select = exp.select(exp.Star()).from_(source).where(condition)
    return exp.Subquery(this=select, alias=alias)


def _eq(column: str, value: str) -> exp.Expression:
    return exp.EQ(this=exp.column(column), expression=exp.Literal.string(value))


def _in_or_eq(column: str, values: list[str]) -> exp.Expression:
    if len(values) == 1:
        return _eq(column, values[0])
    return exp.In(this=exp.column(column), expressions=[exp.Literal.string(v) for v in values])


def _month_days(year: int, month: int) -> int:
    following = date(year + 1, 1, 1) if month == MONTHS_PER_YEAR else date(year, month + 1, 1)
    return (following - date(year, month, 1)).days


def partition_predicate(window: Window) -> exp.Expression:
    """year/month/day predicates naming exactly the days the window touches.

    Days are listed per month; a fully covered month collapses to `month`, a fully covered year to
    `year`, so a 90-day window stays a short predicate Athena can still prune with.
    """
    by_month: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for day in window.days():
        by_month[day.year][day.month].append(day.day)

    dated_terms: list[tuple[int, int, exp.Expression]] = []  # (year, first month, term) to sort by
    for year, months in sorted(by_month.items()):
        full_months = sorted(m for m, days in months.items() if len(days) == _month_days(year, m))
        if len(full_months) == MONTHS_PER_YEAR:
            dated_terms.append((year, 0, _eq("year", f"{year:04d}")))
            continue
        if full_months:
            term = exp.and_(_eq("year", f"{year:04d}"), _in_or_eq("month", [f"{m:02d}" for m in full_months]))
            dated_terms.append((year, full_months[0], term))
        for month, days in months.items():
            if month not in full_months:
                term = exp.and_(_eq("year", f"{year:04d}"), _eq("month", f"{month:02d}"),
                                _in_or_eq("day", [f"{d:02d}" for d in days]))
                dated_terms.append((year, month, term))
    terms = [term for _, _, term in sorted(dated_terms, key=lambda t: (t[0], t[1]))]
    if len(terms) == 1:
        return exp.paren(terms[0], copy=False)
    return exp.paren(exp.or_(*(exp.paren(t, copy=False) for t in terms)), copy=False)


def time_predicate(table: Table, window: Window) -> exp.Expression:
    """The half-open event-time bound [start, end), in the form the table stores time."""
    column = exp.column(exp.to_identifier(table.time_column, quoted=False))
    if table.time_format is TimeFormat.EPOCH_SECONDS:
        low: exp.Expression = exp.Literal.number(math.floor(window.start.timestamp()))
        high: exp.Expression = exp.Literal.number(math.ceil(window.end.timestamp()))
    else:
        # ISO 8601 strings order like the times they name. The bounds drop the trailing 'Z' so that
        # a value with fractional seconds ('…:00.123Z', as GuardDuty writes) sorts after its whole
        # second ('…:00'), where against '…:00Z' it would sort before it ('.' < 'Z').
        low = exp.Literal.string(iso_z(window.start).rstrip("Z"))
        high = exp.Literal.string(iso_z(window.end).rstrip("Z"))
    return exp.and_(exp.GTE(this=column, expression=low), exp.LT(this=column.copy(), expression=high))
