"""The SQL of a shared scan: one read of a log table for many queries (see `workbench.detect.plan.shareable`
for which queries can share one, and why their answers stay the same).

Two statements, both compiled once per pack and kept with the compiled SQL:
- the scan: the union of the members' columns and one boolean tag per member ("this row is a
  candidate for it"), over the rows the coarse pre-test keeps (or, with none, the rows some
  member's predicate keeps), bounded by the window as the window rewrite bounds any query;
- the shared table around it: the rows with a tag, struct columns cut down to the field paths
  the members read, and the members' tags, with a flag per member window narrower than the
  scan's, packed as bits into a few integer columns (`flag_column`): a table column costs DuckDB
  about 0.6 ms to fill per 40,000 rows whatever it holds, so 47 boolean columns cost 25 ms of a
  1M-event scan, one BIGINT under 1 ms.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from workbench.catalog import TABLES
from workbench.detect.plan.scanfilter import cheap_first, pre_test, scan_filter, short_circuit
from workbench.detect.plan.shareable import Shareable, analyse
from workbench.engines.dialect import write_dialect_for
from workbench.engines.window import partition_predicate, time_predicate
from workbench.sqlcache import persisted
from workbench.timewindow import Window


def shared_scan_sql(table: str, members: list[Shareable], window: Window | None, dialect: str = "duckdb",
                    queries: Sequence[str] | None = None) -> str:
    """One read of `table` serving all `members`: their columns, the rows any of them needs.

    The scan is bounded exactly as the window rewrite bounds any query (`FROM (SELECT * FROM t
    WHERE <partitions> AND <time>) AS t`), built from the lifted trees and generated once in the
    engine's dialect rather than written as Athena text and parsed again: with dozens of rules
    the OR of their predicates is the biggest statement of the run. The statement without its
    window is kept per member list, so the next window of the same pack costs a string splice;
    given the members' `queries` (whose analyses they are), it is also kept across processes.
    """
    template = (_scan_template_of(table, tuple(queries), window is not None, dialect) if queries is not None
                else _scan_template(table, tuple(members), window is not None, dialect))
    if window is None:
        return template
    bounds = exp.and_(partition_predicate(window), time_predicate(TABLES[table], window), copy=False)
    return template.replace(_BOUNDS_MARKER, bounds.sql(dialect=write_dialect_for(dialect)), 1)


@persisted
def _scan_template_of(table: str, queries: tuple[str, ...], bounded: bool, dialect: str) -> str:
    return _scan_template(table, tuple(analyse(q) for q in queries), bounded, dialect)  # type: ignore[misc]


_BOUNDS_MARKER = "__mantissa_scan_bounds__"
_templates: dict[tuple, tuple[tuple[Shareable, ...], str]] = {}


def _scan_template(table: str, members: tuple[Shareable, ...], bounded: bool, dialect: str) -> str:
    # Keyed by identity: `analyse` hands out the same (cached) plan for the same rule SQL.
    key = (table, tuple(id(m) for m in members), bounded, dialect)
    cached = _templates.get(key)
    if cached is not None and all(a is b for a, b in zip(cached[0], members, strict=True)):
        return cached[1]
    columns = sorted(set().union(*(m.columns for m in members)))
    # Each row is tagged with the members it is a candidate for, so each query reads its own rows.
    # A tag tests its cheap conditions first and the rest only where they hold (CASE short-cuts;
    # AND in a projection does not), so a JSON or regex test runs on a handful of rows, not all.
    tags = [exp.alias_(short_circuit(cheap_first(m.predicate)), match_column(k), quoted=True)
            for k, m in enumerate(members)]
    source: exp.Expression = exp.to_table(table)
    if bounded:
        marker = exp.column(exp.to_identifier(_BOUNDS_MARKER))
        source = exp.Subquery(this=exp.select(exp.Star()).from_(source, copy=False).where(marker, copy=False),
                              alias=exp.TableAlias(this=exp.to_identifier(table)))
    select = exp.select(*(exp.column(c, quoted=True) for c in columns), *tags).from_(source, copy=False)
    # Behind a pre-test the rows are kept by their tags (`shared_table_sql` drops untagged ones):
    # filtering by the members' predicates as well evaluated each candidate's twice, JSON and
    # regular expressions included.
    predicates = [m.predicate for m in members]
    sql = select.where(pre_test(predicates) or scan_filter(predicates), copy=False).sql(dialect=write_dialect_for(dialect))
    if len(_templates) > 64:  # noqa: PLR2004 - a handful of packs per process; never grow unbounded
        _templates.clear()
    _templates[key] = (members, sql)
    return sql


def match_column(index: int) -> str:
    """The shared table's column saying whether a row is a candidate for member `index`."""
    return f"_match_{index}"


FLAGS_PER_COLUMN = 62
"""Flags packed into one BIGINT column of the shared table (bits 0-61: never the sign bit)."""


def flag_column(group: int) -> str:
    """The shared table's `group`-th column of packed flags (see `flag_test`)."""
    return f"_flags_{group}"


def flag_columns(flags: int) -> list[str]:
    """The packed columns holding `flags` flags."""
    return [flag_column(g) for g in range(-(-flags // FLAGS_PER_COLUMN))]


def flag_test(flag: int) -> str:
    """DuckDB condition over the shared table: is flag `flag` set? Flags 0..members-1 are the
    members' tags (`match_column`), the next ones the member windows (`within`)."""
    group, bit = divmod(flag, FLAGS_PER_COLUMN)
    return f'("{flag_column(group)}" & {1 << bit}) <> 0'


def shared_table_sql(scan_sql: str, members: list[Shareable], within: Sequence[str] = (),
                     queries: Sequence[str] | None = None) -> str:
    """DuckDB SQL for the shared table: the bound scan's rows, each struct column cut down to the
    field paths the members read (DuckDB then reads only those fields' Parquet columns).

    Each member's tag is a flag (`flag_test(k)` for member k). `within`: DuckDB conditions over
    the table's columns (the bounds of members' own windows, narrower than the scan's), each kept
    as flag `len(members) + j`, so a member reads its window's rows through one test instead of
    re-applying its bounds. Given the members' `queries` (whose analyses they are), the
    projection is kept across processes."""
    projection = (_projection_of(tuple(queries)) if queries is not None else _projection(tuple(members)))
    source = exp.to_identifier("s", quoted=True).sql("duckdb")
    flags = [f'{source}."{match_column(k)}"' for k in range(len(members))] + [f"({c})" for c in within]
    packed, tagged = [], []
    for group, name in enumerate(flag_columns(len(flags))):
        bits = flags[group * FLAGS_PER_COLUMN:(group + 1) * FLAGS_PER_COLUMN]
        # CASE, not a cast: a tag or bound that is NULL (a NULL compared) must read as unset.
        terms = " | ".join(f"CASE WHEN {flag} THEN {1 << bit} ELSE 0 END" for bit, flag in enumerate(bits))
        packed.append(f'CAST({terms} AS BIGINT) AS "{name}"')
        tags = min(len(members) - group * FLAGS_PER_COLUMN, len(bits))
        if tags > 0:
            tagged.append(f'("{name}" & {(1 << tags) - 1}) <> 0')
    rows = f'SELECT {", ".join([projection, *packed])} FROM ({scan_sql}) AS {source}'
    return f'SELECT * FROM ({rows}) AS "_flagged" WHERE {" OR ".join(tagged)}'


@persisted
def _projection_of(queries: tuple[str, ...]) -> str:
    return _projection(tuple(analyse(q) for q in queries))  # type: ignore[misc]


def _projection(members: tuple[Shareable, ...]) -> str:
    wanted: dict[str, set[tuple[str, ...]] | None] = {}
    for member in members:
        for column, paths in member.fields.items():
            if paths is None or wanted.get(column, set()) is None:
                wanted[column] = None
            else:
                wanted.setdefault(column, set()).update(paths)  # type: ignore[union-attr]
    source = exp.to_identifier("s", quoted=True)
    projection: list[exp.Expression] = []
    for column in sorted(set().union(*(m.columns for m in members))):
        name = exp.to_identifier(column, quoted=True)
        paths = wanted.get(column)
        if not paths:
            projection.append(exp.column(name, table=source.copy()))
            continue
        projection.append(exp.alias_(_cut_struct([source.copy(), name.copy()], _path_tree(paths)), name.copy()))
    # The scan is already DuckDB SQL; it is wrapped as it is, never re-parsed.
    return ", ".join(p.sql(dialect="duckdb") for p in projection)


def _path_tree(paths: set[tuple[str, ...]]) -> dict:
    """Field paths as a tree: name → subtree, or None where the field is read whole (a path that
    is a prefix of another reads its whole subtree)."""
    tree: dict = {}
    for path in sorted(paths, key=len):
        node = tree
        for name in path[:-1]:
            if name in node and node[name] is None:
                break  # a shorter path reads it whole already
            node = node.setdefault(name, {})
        else:
            node[path[-1]] = None
    return tree


def _cut_struct(prefix: list[exp.Identifier], tree: dict) -> exp.Expression:
    """A struct of just the tree's fields under `prefix` (`"s"."useridentity"`)."""
    fields = []
    for name, sub in sorted(tree.items()):
        path = [*prefix, exp.to_identifier(name, quoted=True)]
        value = exp.Dot.build([p.copy() for p in path]) if sub is None else _cut_struct(path, sub)
        fields.append(exp.PropertyEQ(this=exp.to_identifier(name, quoted=True), expression=value))
    return exp.Struct(expressions=fields)
