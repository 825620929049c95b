"""What a SELECT needs from each table it names: its partitions kept, row-group bounds, columns.

The WHERE of the SELECT that directly reads a table gives (a) conjuncts over partition keys only,
evaluated in DuckDB against the candidate partitions, as Athena prunes partitions, and (b)
`column <op> constant` bounds that prune Parquet row groups by their min/max statistics.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
from sqlglot import exp

from tests.athena_double.catalog import TableDef
from tests.athena_double.readers import OPS, Bound
from tests.athena_double.semantics import DoubleDuckDB
from tests.athena_double.types import hive_to_duckdb

_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "="}
_OP_OF = {exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<=", exp.EQ: "="}


def _conjuncts(select: exp.Select | None) -> list[exp.Expression]:
    where = select.args.get("where") if select is not None else None
    return [] if where is None else _flat(where.this)


def _flat(node: exp.Expression) -> list[exp.Expression]:
    """The AND's conjuncts, through parentheses: the window rewrite writes `(partitions) AND
    (time bounds)`, and Trino prunes through them as through a flat AND."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.And):
        return _flat(node.left) + _flat(node.right)
    return [node]


def _belongs(column: exp.Column, names: set[str], aliases: set[str]) -> bool:
    return column.name.lower() in names and (not column.table or column.table.lower() in aliases)


def _unqualified(node: exp.Expression) -> exp.Expression:
    node = node.copy()
    for column in node.find_all(exp.Column):
        column.set("table", None)
        column.set("db", None)
    return node


def referenced_columns(tree: exp.Expression) -> set[str] | None:
    """Lower-case names a query may read, or None when a `*` reads every column."""
    names: set[str] = set()
    for star in tree.find_all(exp.Star):
        if not isinstance(star.parent, exp.Count):
            return None
    for column in tree.find_all(exp.Column):
        names.update(part.name.lower() for part in column.parts if isinstance(part, exp.Identifier))
    for dot in tree.find_all(exp.Dot):
        names.update(i.name.lower() for i in dot.find_all(exp.Identifier))
    return names


class TablePlan:
    def __init__(self, table: TableDef, node: exp.Table, connection: duckdb.DuckDBPyConnection) -> None:
        self.table = table
        self.connection = connection
        self.aliases = {(node.alias or node.name).lower(), node.name.lower()}
        self.conjuncts = _conjuncts(node.find_ancestor(exp.Select))

    def partition_filter(self) -> Callable[[list[tuple[str, ...]]], set[tuple[str, ...]]]:
        keys = {k for k, _ in self.table.partition_keys}
        usable = [c for c in self.conjuncts
                  if (cols := list(c.find_all(exp.Column))) and all(_belongs(x, keys, self.aliases) for x in cols)
                  and not any(isinstance(n, exp.Subquery | exp.Select) for n in c.find_all(exp.Subquery, exp.Select))]

        def keep(candidates: list[tuple[str, ...]]) -> set[tuple[str, ...]]:
            if not usable or not candidates:
                return set(candidates)
            names = [k for k, _ in self.table.partition_keys]
            rows = ", ".join("(" + ", ".join([str(i)] + ["'" + v.replace("'", "''") + "'" for v in values]) + ")"
                             for i, values in enumerate(candidates))
            casts = ", ".join(f'CAST(p."{k}" AS {hive_to_duckdb(t)}) AS "{k}"' for k, t in self.table.partition_keys)
            where = " AND ".join(_unqualified(c).sql(dialect=DoubleDuckDB) for c in usable)
            quoted = ", ".join(f'"{k}"' for k in names)
            sql = (f"SELECT __i FROM (SELECT p.__i, {casts} FROM (VALUES {rows}) AS p(__i, {quoted})) "
                   f"WHERE {where}")
            try:
                kept = {row[0] for row in self.connection.execute(sql).fetchall()}
            except duckdb.Error:
                return set(candidates)  # a predicate the double cannot evaluate alone: read everything
            return {candidates[i] for i in kept}

        return keep

    def bounds(self) -> list[Bound]:
        names = {n for n, _ in self.table.columns}
        out: list[Bound] = []
        for conjunct in self.conjuncts:
            pairs: list[tuple[exp.Expression, str, exp.Expression]] = []
            if type(conjunct) in _OP_OF:
                pairs.append((conjunct.this, _OP_OF[type(conjunct)], conjunct.expression))
            elif isinstance(conjunct, exp.Between):
                pairs += [(conjunct.this, ">=", conjunct.args["low"]), (conjunct.this, "<=", conjunct.args["high"])]
            for left, op, right in pairs:
                if isinstance(right, exp.Column) and not isinstance(left, exp.Column):
                    left, right, op = right, left, _FLIP[op]
                if not (isinstance(left, exp.Column) and _belongs(left, names, self.aliases)):
                    continue
                if right.find(exp.Column) is not None or op not in OPS:
                    continue
                try:
                    value = self.connection.execute(f"SELECT {right.sql(dialect=DoubleDuckDB)}").fetchone()[0]
                except duckdb.Error:
                    continue
                if value is not None:
                    out.append(Bound(left.name.lower(), op, value))
        return out
