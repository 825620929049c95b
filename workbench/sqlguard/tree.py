"""Tree-level checks: one read-only SELECT over catalog tables, and the LIMIT it runs under.

Each check walks the sqlglot tree, so a DELETE inside a CTE or a table function in a subquery is
found wherever it sits, however the text was formatted or commented.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from workbench.catalog import TABLES
from workbench.sqlguard.boundary import Refusal, check_reads, kind_of
from workbench.sqlguard.limits import check_limits

__all__ = ["Refusal", "check_tree", "enforce_limit", "parse_one_statement"]


@contextmanager
def _quiet_sqlglot() -> Iterator[None]:
    # sqlglot logs a warning when it falls back to a generic Command; the guard reports it instead.
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _count_statements(sql: str) -> int:
    """Statements by the tokenizer's semicolons: a second statement is refused even when it would
    not parse (`SELECT …; MSCK REPAIR TABLE …`). Comments are not tokens, so one hidden behind
    a comment line counts too."""
    from sqlglot.dialects.athena import Athena
    from sqlglot.tokens import TokenType

    count, pending = 0, False
    for token in Athena().tokenize(sql):
        if token.token_type == TokenType.SEMICOLON:
            count, pending = count + pending, False
        else:
            pending = True
    return count + pending


def parse_one_statement(sql: str) -> exp.Expression:
    try:
        counted = _count_statements(sql)
    except (ParseError, TokenError):
        counted = 1  # let the parser report the error with line and column
    if counted > 1:
        raise Refusal("statements", f"exactly one statement is allowed, got {counted}: remove everything after "
                                    "the first semicolon")
    try:
        with _quiet_sqlglot():
            statements = [s for s in sqlglot.parse(sql, read="athena") if s is not None]
    except (ParseError, TokenError) as exc:
        errors = getattr(exc, "errors", None) or [{}]
        first = errors[0]
        where = f" at line {first.get('line')}, column {first.get('col')}" if first.get("line") else ""
        detail = first.get("description") or str(exc).splitlines()[0]
        # sqlglot's class paths are not the reader's business: `… missing for <class '…query.Where'>`
        # reads `… missing in Where` (the clause's name, which the magics word as a fix).
        detail = re.sub(r" for <class '[\w.]*?(\w+)'>", r" in \1", detail)
        raise Refusal("parse", f"not valid Athena SQL{where}: {detail}") from None
    if not statements:
        raise Refusal("empty", "no SQL statement given")
    if len(statements) > 1:
        kinds = ", ".join(kind_of(s) for s in statements)
        raise Refusal("statements", f"exactly one statement is allowed, got {len(statements)} ({kinds})")
    return statements[0]


def check_tree(tree: exp.Expression, database: str) -> frozenset[str]:
    """Refuse anything but a read-only query over catalog tables, within the guard's cost limits;
    return the log tables it reads."""
    tables = check_reads(tree)
    for node in tree.find_all(exp.Select):
        if not node.expressions:
            raise Refusal("parse", "a SELECT without columns: name the columns to return, or *")
    for table in tree.find_all(exp.Table):
        _check_database(table, database)
    if not tables:
        raise Refusal("no_table", f"the query reads no log table: query one of {', '.join(TABLES)}")
    check_limits(tree)
    return tables


def _check_database(table: exp.Table, database: str) -> None:
    db, catalog = table.db.lower(), table.catalog.lower()
    if db and db != database.lower():
        raise Refusal("unknown_table", f"unknown database '{table.db}': log tables live in '{database}'")
    if catalog and catalog != "awsdatacatalog":
        raise Refusal("unknown_table", f"unknown catalog '{table.catalog}': use awsdatacatalog or none")


def enforce_limit(tree: exp.Expression, default: int, cap: int) -> tuple[exp.Expression, int, str | None]:
    """Give the outermost query a LIMIT: `default` when absent, never more than `cap`."""
    root = tree.unnest() if isinstance(tree, exp.Subquery) else tree
    current = root.args.get("limit")
    # Athena's FETCH FIRST n ROWS ONLY lands in the same slot as LIMIT.
    fetch = current if isinstance(current, exp.Fetch) else root.args.get("fetch")
    if isinstance(current, exp.Fetch):
        current = None
    asked: int | None = None
    written = "LIMIT"
    if fetch is not None:
        count = fetch.args.get("count")
        asked = int(count.name) if isinstance(count, exp.Literal) and count.is_int else None
        written = "FETCH FIRST"
        if root.args.get("fetch") is fetch:
            root.set("fetch", None)
    elif isinstance(current, exp.Limit):
        value = current.expression
        asked = int(value.name) if isinstance(value, exp.Literal) and value.is_int else None
        written = f"LIMIT {value.sql()}" if asked is None else "LIMIT"
    if asked is None and current is None and fetch is None:
        limit, note = min(default, cap), f"LIMIT {min(default, cap):,} added"
    elif asked is None:
        limit, note = cap, f"{written} replaced by LIMIT {cap:,} (the guard's cap)"
    elif asked > cap:
        limit, note = cap, f"LIMIT {asked:,} capped at {cap:,} (guard.max_limit)"
    else:
        limit, note = asked, None
    root.set("limit", exp.Limit(expression=exp.Literal.number(limit)))
    return tree, limit, note
