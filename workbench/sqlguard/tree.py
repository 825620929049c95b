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
from workbench.registry import closest

# Statement kinds that change data, schema, sessions or permissions. sqlglot parses the statements
# it does not model (MSCK, UNLOAD, CALL, EXECUTE, PREPARE, VACUUM, SHOW …) as a generic Command.
WRITE_NODES: tuple[type[exp.Expression], ...] = tuple(
    getattr(exp, name) for name in (
        "Insert", "Update", "Delete", "Merge", "Create", "Drop", "Alter", "TruncateTable", "Copy",
        "LoadData", "Analyze", "Refresh", "Grant", "Revoke", "Cache", "Uncache", "Attach", "Detach",
        "Install", "Export", "Kill",
    ) if hasattr(exp, name)
)
SESSION_NODES: tuple[type[exp.Expression], ...] = tuple(
    getattr(exp, name) for name in (
        "Command", "Set", "Use", "Transaction", "Commit", "Rollback", "Describe", "Pragma", "Show",
        "Summarize",
    ) if hasattr(exp, name)
)

# Functions that reach outside the log tables: files, the network, settings, engine internals.
# Names are checked after lower-casing; the list covers both engines (DuckDB runs locally).
_FORBIDDEN_FUNCTION = re.compile(
    r"^(read_\w*|write_\w*|glob|getenv|current_setting|set_config|query|query_table|sniff_csv|"
    r"duckdb_\w*|pragma_\w*|parquet_\w*|sqlite_\w*|postgres_\w*|mysql_\w*|iceberg_\w*|delta_\w*|"
    r"http\w*|load\w*|install\w*|system\w*|sleep|pg_\w*|txid_\w*|make_\w*file|table|"
    r"sequence_from_file|json_execute_serialized_sql|checkpoint|force_checkpoint|export_\w*|copy\w*)$"
)
SYSTEM_SCHEMAS = frozenset({"information_schema", "system", "pg_catalog", "sys", "duckdb", "temp", "main"})


class Refusal(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


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
        raise Refusal("parse", f"not valid Athena SQL{where}: {detail}") from None
    if not statements:
        raise Refusal("empty", "no SQL statement given")
    if len(statements) > 1:
        kinds = ", ".join(_kind(s) for s in statements)
        raise Refusal("statements", f"exactly one statement is allowed, got {len(statements)} ({kinds})")
    return statements[0]


def _kind(node: exp.Expression) -> str:
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    return node.key.upper()


def check_tree(tree: exp.Expression, database: str) -> frozenset[str]:
    """Refuse anything but a read-only query over catalog tables; return the log tables it reads."""
    root = tree.unnest() if isinstance(tree, exp.Subquery) else tree
    if isinstance(root, SESSION_NODES) or isinstance(root, WRITE_NODES):
        raise Refusal("not_select", f"only a read-only SELECT may run, this is {_kind(root)}")
    if not isinstance(root, exp.Select | exp.SetOperation):
        raise Refusal("not_select", f"only a read-only SELECT may run, this is {_kind(root)}")
    for node in tree.walk():
        if isinstance(node, WRITE_NODES):
            raise Refusal("write", f"{_kind(node)} inside the query: only reads are allowed")
        if isinstance(node, SESSION_NODES):
            raise Refusal("not_select", f"{_kind(node)} inside the query: only reads are allowed")
        if isinstance(node, exp.Into):
            raise Refusal("write", "SELECT … INTO writes a table: only reads are allowed")
        if isinstance(node, exp.Lock):
            raise Refusal("write", "SELECT … FOR UPDATE/SHARE takes locks: only reads are allowed")
        if isinstance(node, exp.Select) and not node.expressions:
            raise Refusal("parse", "a SELECT without columns: name the columns to return, or *")
    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    tables: set[str] = set()
    for table in tree.find_all(exp.Table):
        tables.update(_check_table(table, cte_names, database))
    for node in tree.find_all(exp.Func):
        _check_function(node)
    if not tables:
        raise Refusal("no_table", f"the query reads no log table: query one of {', '.join(TABLES)}")
    return frozenset(tables)


def _function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.this)
    return node.sql_name()


def _check_function(node: exp.Func) -> None:
    name = _function_name(node).lower()
    if _FORBIDDEN_FUNCTION.match(name) or isinstance(node, exp.ReadCSV | exp.ReadParquet):
        raise Refusal("function", f"function {name}() reaches outside the log tables and is not allowed")


def _check_table(table: exp.Table, cte_names: set[str], database: str) -> set[str]:
    if not isinstance(table.this, exp.Identifier):
        inner = table.this
        name = _function_name(inner) if isinstance(inner, exp.Func) else inner.sql()
        raise Refusal("table_function", f"FROM {name}(…) is a table function: read a log table instead")
    name, db, catalog = table.name.lower(), table.db.lower(), table.catalog.lower()
    qualifiers = {q for q in (db, catalog) if q}
    if qualifiers & SYSTEM_SCHEMAS or name in SYSTEM_SCHEMAS:
        schema = next(iter(qualifiers & SYSTEM_SCHEMAS), name)
        raise Refusal("system_table", f"{schema} tables describe the engine, not the logs: they are not allowed")
    if db and db not in {database.lower()}:
        raise Refusal("unknown_table", f"unknown database '{table.db}': log tables live in '{database}'")
    if catalog and catalog != "awsdatacatalog":
        raise Refusal("unknown_table", f"unknown catalog '{table.catalog}': use awsdatacatalog or none")
    if name in TABLES:
        return {name} if _is_log_reference(table) else set()
    if not db and name in cte_names:
        return set()
    guess = closest(name, list(TABLES))
    hint = f" — did you mean '{guess}'?" if guess else ""
    raise Refusal("unknown_table", f"unknown table '{table.name}'{hint} (known: {', '.join(TABLES)})")


def _is_log_reference(table: exp.Table) -> bool:
    from workbench.engines.window import log_table_of

    return log_table_of(table) is not None


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
