"""The part of the guard no query skips: it reads log tables, in the window, and nothing else.

The window rewrite (`workbench.engines.window`) calls `check_reads` on every query an engine runs
— guarded, `--unsafe`, detection rules, reports — because a read the rewrite cannot bound is a read
of the whole lake or of any file DuckDB can open: a quoted name such as `"/tmp/x.csv"` or
`"lake/cloudtrail/*/*/*/*.parquet"` is a file path or glob to DuckDB, not an unknown table.

Names resolve by scope, as Trino and DuckDB resolve them: a CTE name counts only inside the query
that owns its WITH (and in the CTEs defined after it), never in a sibling subquery or join.
Anything that resolves neither to a catalog table nor to a CTE in scope is refused.
"""

from __future__ import annotations

import re

from sqlglot import exp

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

# Functions that reach outside the log tables: files, the network, settings, engine internals, or
# the clock (sleep holds a worker for as long as it is asked to). Names are checked lower-cased;
# the list covers both engines (DuckDB runs locally).
FORBIDDEN_FUNCTION = re.compile(
    r"^(read_\w*|write_\w*|glob|getenv|current_setting|set_config|query|query_table|sniff_csv|"
    r"duckdb_\w*|pragma_\w*|parquet_\w*|sqlite_\w*|postgres_\w*|mysql_\w*|iceberg_\w*|delta_\w*|"
    r"http\w*|load\w*|install\w*|system\w*|sleep\w*|pg_\w*|txid_\w*|make_\w*file|table|"
    r"sequence_from_file|json_execute_serialized_sql|checkpoint|force_checkpoint|export_\w*|copy\w*|"
    r"which_secret|enable_\w*|disable_\w*|current_database|current_schema\w*|version|"
    r"arrow_scan\w*|pandas_scan|python_map_function|from_substrait\w*|get_substrait\w*)$"
)
SYSTEM_SCHEMAS = frozenset({"information_schema", "system", "pg_catalog", "sys", "duckdb", "temp", "main"})

# CTE names are plain words: a name with a slash, dot or wildcard is a file path or glob to DuckDB
# the moment it is read outside the CTE's scope.
PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Refusal(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def kind_of(node: exp.Expression) -> str:
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    return node.key.upper()


def function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.this)
    return node.sql_name()


def _with_of(query: exp.Expression) -> exp.With | None:
    for value in query.args.values():
        if isinstance(value, exp.With):
            return value
    return None


def cte_in_scope(table: exp.Table) -> exp.CTE | None:
    """The CTE an unqualified reference reads, by Trino's (and DuckDB's) scoping: a WITH's CTEs are
    visible in the query that owns it and in the CTEs after them (and in their own body under
    WITH RECURSIVE); not in a sibling subquery, join or set operand outside that query."""
    if table.args.get("db") is not None or table.args.get("catalog") is not None:
        return None  # a qualified name is never a CTE
    name = table.name.lower()

    def named(ctes: list[exp.Expression]) -> exp.CTE | None:
        # The last of two CTEs of one name would win; Trino refuses the duplicate anyway.
        return next((c for c in reversed(ctes) if isinstance(c, exp.CTE) and c.alias_or_name.lower() == name), None)

    child: exp.Expression | None = table
    parent = table.parent
    while child is not None and parent is not None:
        if isinstance(parent, exp.With):
            # Inside a CTE body: only earlier CTEs are visible (and itself, if WITH RECURSIVE).
            ctes = list(parent.expressions)
            index = next(i for i, cte in enumerate(ctes) if cte is child)
            visible = ctes[: index + 1] if parent.args.get("recursive") else ctes[:index]
            if found := named(visible):
                return found
            # Skip the owning query: its WITH has been accounted for.
            child = parent.parent
            parent = child.parent if child is not None else None
            continue
        with_ = _with_of(parent)
        if with_ is not None and (found := named(list(with_.expressions))):
            return found
        child, parent = parent, parent.parent
    return None


def is_log_reference(table: exp.Table) -> bool:
    """Whether the reference reads a catalog log table (not a CTE of that name)."""
    if table.name.lower() not in TABLES:
        return False
    return cte_in_scope(table) is None


def unknown_table(name: str) -> str:
    guess = closest(name, list(TABLES))
    hint = f" — did you mean '{guess}'?" if guess else ""
    return f"unknown table '{name}'{hint} (known: {', '.join(TABLES)})"


def check_statement(tree: exp.Expression) -> None:
    """One read-only query: no write, session or lock anywhere in the tree."""
    root = tree.unnest() if isinstance(tree, exp.Subquery) else tree
    if isinstance(root, SESSION_NODES + WRITE_NODES) or not isinstance(root, exp.Select | exp.SetOperation):
        raise Refusal("not_select", f"only a read-only SELECT may run, this is {kind_of(root)}")
    for node in tree.walk():
        if isinstance(node, WRITE_NODES):
            raise Refusal("write", f"{kind_of(node)} inside the query: only reads are allowed")
        if isinstance(node, SESSION_NODES):
            raise Refusal("not_select", f"{kind_of(node)} inside the query: only reads are allowed")
        if isinstance(node, exp.Into):
            raise Refusal("write", "SELECT … INTO writes a table: only reads are allowed")
        if isinstance(node, exp.Lock):
            raise Refusal("write", "SELECT … FOR UPDATE/SHARE takes locks: only reads are allowed")


def check_function(node: exp.Func) -> None:
    name = function_name(node).lower()
    if FORBIDDEN_FUNCTION.match(name) or isinstance(node, exp.ReadCSV | exp.ReadParquet):
        raise Refusal("function", f"function {name}() reaches outside the log tables and is not allowed")


def resolve_table(table: exp.Table) -> str | None:
    """The log table a reference reads, None for a CTE in scope; refuses anything else."""
    if not isinstance(table.this, exp.Identifier):
        inner = table.this
        name = function_name(inner) if isinstance(inner, exp.Func) else inner.sql()
        raise Refusal("table_function", f"FROM {name}(…) is a table function: read a log table instead")
    name, db, catalog = table.name.lower(), table.db.lower(), table.catalog.lower()
    qualifiers = {q for q in (db, catalog) if q}
    if qualifiers & SYSTEM_SCHEMAS or name in SYSTEM_SCHEMAS:
        schema = next(iter(qualifiers & SYSTEM_SCHEMAS), name)
        raise Refusal("system_table", f"{schema} tables describe the engine, not the logs: they are not allowed")
    if cte_in_scope(table) is not None:
        return None
    if name in TABLES:
        return name
    raise Refusal("unknown_table", unknown_table(table.name))


def check_cte_names(tree: exp.Expression) -> None:
    for cte in tree.find_all(exp.CTE):
        name = cte.alias_or_name
        if not PLAIN_NAME.match(name):
            raise Refusal("cte_name", f"CTE name {name!r} is not a plain name (letters, digits, _ ): a quoted "
                                      "name with a path, dot or wildcard reads a file once out of scope — rename it")


def check_reads(tree: exp.Expression) -> frozenset[str]:
    """Refuse anything but a read-only query whose every table reference is a catalog log table or
    a CTE in scope, calling no function that reaches outside them; return the log tables read."""
    check_statement(tree)
    check_cte_names(tree)
    tables: set[str] = set()
    for table in tree.find_all(exp.Table):
        if (name := resolve_table(table)) is not None:
            tables.add(name)
    for node in tree.find_all(exp.Func):
        check_function(node)
    return frozenset(tables)
