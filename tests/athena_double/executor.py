"""One Athena statement → DuckDB work over local copies of S3 objects → an Athena-shaped outcome.

SELECT (and WITH / UNION) is read as Athena SQL by sqlglot; each table it names is replaced by a
temporary DuckDB view over the objects that survive pruning (see `readers` for the billing
model); views from `CREATE VIEW` are inlined; the tree is written as DuckDB by `DoubleDuckDB`.
DDL, CTAS and INSERT live in `writes`. Failures carry Athena's error text.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from tests.athena_double.catalog import Catalog, CatalogError, TableDef
from tests.athena_double.plan import TablePlan, referenced_columns
from tests.athena_double.readers import scan
from tests.athena_double.s3store import S3Store
from tests.athena_double.semantics import DoubleDuckDB
from tests.athena_double.types import athena_type_of, varchar_value
from workbench.engines.dialect import MantissaAthena

_VIEW_COUNTER = itertools.count()
_MISSING_COLUMN = re.compile(r'Referenced column "?([^"\s]+)"? not found', re.IGNORECASE)
_MISSING_FUNCTION = re.compile(r"Function with name (\S+?) does not exist", re.IGNORECASE)


class QueryFailed(Exception):
    """The statement FAILED; `reason` is Athena's StateChangeReason, `error_type` its category."""

    def __init__(self, reason: str, category: int = 2) -> None:
        super().__init__(reason)
        self.reason = reason
        self.category = category  # AthenaError.ErrorCategory: 1 system, 2 user, 3 other


@dataclass
class Outcome:
    statement_type: str  # DDL | DML | UTILITY
    substatement_type: str
    columns: list[tuple[str, str, int, int]] = field(default_factory=list)  # name, type, precision, scale
    rows: list[list[str | None]] = field(default_factory=list)
    bytes_scanned: int = 0
    header: bool = True  # SELECT results repeat the column labels as their first row


def position(sql: str, node: exp.Expression | None) -> str:
    """`line L:C` of a node in the statement text, as Athena's messages start (1:1 if unknown)."""
    meta = getattr(node, "meta", None) or {}
    start = meta.get("start")
    if start is None:
        return "line 1:1"
    line = sql.count("\n", 0, start) + 1
    column = start - (sql.rfind("\n", 0, start) + 1) + 1
    return f"line {line}:{column}"


def parse(sql: str) -> exp.Expression:
    try:
        statements = [s for s in sqlglot.parse(sql, read=MantissaAthena) if s is not None]
    except sqlglot.errors.ParseError as exc:
        error = exc.errors[0] if exc.errors else {}
        where = f"line {error.get('line', 1)}:{error.get('col', 1)}"
        raise QueryFailed(f"SYNTAX_ERROR: {where}: {error.get('description', str(exc))}") from None
    if len(statements) != 1:
        raise QueryFailed("SYNTAX_ERROR: line 1:1: Only one sql statement is allowed. Got: "
                          f"{len(statements)}")
    return statements[0]


def bind_parameters(tree: exp.Expression, parameters: list[str]) -> exp.Expression:
    """ExecutionParameters replace the `?` placeholders in order, each an Athena SQL literal."""
    placeholders = [p for p in tree.find_all(exp.Placeholder, bfs=False) if p.this is None]  # text order
    if len(placeholders) != len(parameters):
        raise QueryFailed(f"INVALID_PARAMETER_USAGE: line 1:1: Incorrect number of parameters: expected "
                          f"{len(placeholders)} but found {len(parameters)}")
    for placeholder, value in zip(placeholders, parameters, strict=True):
        placeholder.replace(sqlglot.parse_one(value, read=MantissaAthena))
    return tree


class Executor:
    def __init__(self, catalog: Catalog, store: S3Store) -> None:
        self.catalog = catalog
        self.store = store

    # -- naming ------------------------------------------------------------------------------------

    def _names(self, node: exp.Table, database: str) -> tuple[str, str]:
        return (node.db or database).lower(), node.name.lower()

    def resolve(self, node: exp.Table, database: str, sql: str) -> TableDef:
        db, name = self._names(node, database)
        table = self.catalog.table(db, name)
        if table is None:
            catalog = (node.catalog or "awsdatacatalog").lower()
            raise QueryFailed(f"TABLE_NOT_FOUND: {position(sql, node.this)}: Table '{catalog}.{db}.{name}' "
                              "does not exist")
        return table

    def _expand_views(self, tree: exp.Expression, database: str) -> exp.Expression:
        for _ in range(20):  # views of views; deeper nesting is a cycle
            expanded = False
            ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
            for node in list(tree.find_all(exp.Table)):
                if not node.db and node.name.lower() in ctes:
                    continue
                view = self.catalog.view(*self._names(node, database))
                if view is None:
                    continue
                body = parse(view.sql)
                for inner in body.find_all(exp.Table):
                    if not inner.db:
                        inner.set("db", exp.to_identifier(view.database))
                node.replace(exp.Subquery(this=body, alias=exp.TableAlias(
                    this=exp.to_identifier(node.alias or node.name))))
                expanded = True
            if not expanded:
                return tree
        raise QueryFailed("VIEW_IS_RECURSIVE: line 1:1: View is recursive")

    # -- SELECT ------------------------------------------------------------------------------------

    def select(self, sql: str, tree: exp.Expression, database: str,
               connection: duckdb.DuckDBPyConnection) -> tuple[duckdb.DuckDBPyRelation | Any, int, list[str]]:
        """Bind every table to a view over its pruned files; returns (DuckDB SQL, bytes, views)."""
        tree = self._expand_views(tree, database)
        referenced = referenced_columns(tree)
        ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
        views, billed = [], 0
        for node in list(tree.find_all(exp.Table)):
            if (not node.db and node.name.lower() in ctes) or not node.name:
                continue
            table = self.resolve(node, database, sql)
            plan = TablePlan(table, node, connection)
            found = scan(table, self.store, plan.partition_filter(), referenced, plan.bounds())
            billed += found.bytes_scanned
            view = f"__athena_t{next(_VIEW_COUNTER)}"
            connection.execute(f'CREATE OR REPLACE TEMP VIEW "{view}" AS {found.sql}')
            views.append(view)
            alias = node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(node.name))
            node.replace(exp.Table(this=exp.to_identifier(view), alias=alias))
        return tree.sql(dialect=DoubleDuckDB), billed, views

    def run_select(self, sql: str, tree: exp.Expression, database: str,
                   connection: duckdb.DuckDBPyConnection) -> Outcome:
        duck_sql, billed, views = self.select(sql, tree, database, connection)
        try:
            result = self.duck(connection, duck_sql, sql, tree)
            description = result.description or []
            columns = [(d[0], *athena_type_of(d[1])) for d in description]
            rows = [[varchar_value(v) for v in row] for row in result.fetchall()]
        finally:
            drop_views(connection, views)
        return Outcome("DML", "SELECT", columns, rows, billed)

    def duck(self, connection: duckdb.DuckDBPyConnection, duck_sql: str, sql: str,
             tree: exp.Expression, arrow: bool = False) -> Any:
        """Run DuckDB SQL (to an Arrow table if `arrow`); its errors become Athena's messages,
        positioned in the original text."""
        try:
            return connection.sql(duck_sql).to_arrow_table() if arrow else connection.execute(duck_sql)
        except duckdb.InterruptException:
            raise
        except duckdb.Error as exc:
            raise QueryFailed(athena_message(exc, sql, tree)) from None


def drop_views(connection: duckdb.DuckDBPyConnection, views: list[str]) -> None:
    for view in views:
        try:
            connection.execute(f'DROP VIEW IF EXISTS "{view}"')
        except duckdb.Error:
            pass  # an interrupted connection; the next statement replaces the name anyway


def athena_message(exc: duckdb.Error, sql: str, tree: exp.Expression) -> str:
    text = str(exc).split("\n")[0]
    missing = _MISSING_COLUMN.search(text)
    if missing:
        name = missing.group(1).split(".")[-1].lower()
        node = next((c for c in tree.find_all(exp.Column) if c.name.lower() == name), None)
        where = position(sql, node.this if node is not None else None)
        return (f"COLUMN_NOT_FOUND: {where}: Column '{name}' cannot be resolved or requester is not "
                "authorized to access requested resources")
    function = _MISSING_FUNCTION.search(text)
    if function:
        name = function.group(1).lower()
        node = next((f for f in tree.find_all(exp.Func) if f.sql_name().lower() == name), None)
        return f"FUNCTION_NOT_FOUND: {position(sql, node)}: Function '{name}' not registered"
    if isinstance(exc, duckdb.InvalidInputException) and text.startswith("Invalid Input Error: "):
        detail = text.removeprefix("Invalid Input Error: ")
        return detail if re.match(r"^[A-Z_]+: ", detail) else f"INVALID_FUNCTION_ARGUMENT: {detail}"
    if isinstance(exc, duckdb.ConversionException):
        return f"INVALID_CAST_ARGUMENT: {text.removeprefix('Conversion Error: ')}"
    return f"GENERIC_INTERNAL_ERROR: {text}"


def catalog_failure(exc: CatalogError) -> QueryFailed:
    return QueryFailed(str(exc))
