"""Shared scans: many queries over one log table, one read of the columns they need.

Detection runs dozens of rules over the same window, and each rule's query would re-read the same
Parquet columns. A batch instead reads the table once — only the union of the columns its queries
name, only the rows that satisfy at least one query's WHERE — into a small temporary table, then
runs each query, unchanged, against that table. This module decides which queries can share a
scan and what the scan reads; the local engine executes the plan.

A query can share a scan ("simple") when:
- it reads one log table, through one or more references (a self-join, a subquery reading the
  table again; any CTE or subquery around them is fine);
- each reference is the FROM or an inner join of its SELECT, and that SELECT has no outer, semi or
  anti join (an outer join would turn a filtered-out row into a NULL-extended one);
- it has no `*` other than `count(*)` (the shared table holds only the columns the batch names);
- the WHERE of each reference's SELECT has at least one conjunct that can be lifted: it names only
  the log table's columns (by the reference's own qualifier, when another source is joined), has
  no subquery, aggregate, window or non-deterministic call.

A query reading the table more than once (a threshold rule's prefilter reads its rows twice, a
rule joining CreateUser to AttachUserPolicy reads two kinds of event) is a candidate for the rows
any of its references keeps: the OR of their lifted conditions.

Every shared row carries one boolean per query, "is a candidate for it" (the scan tags rows for
all rules in one pass), and each query reads only its own candidates: a rule over a frequent event
does not make every other rule wade through its rows.

A struct column (CloudTrail's `useridentity`) that every query in the batch reads only through
field paths (`useridentity.arn`, `useridentity.sessioncontext.sessionissuer.arn`) is copied as
nested structs of just those paths: Parquet stores each leaf as its own column, and reading the
whole identity (session context, web-identity map and all) would cost more than the rest of the
scan (measured at 1M events: 0.36 s → 0.29 s for cutting the session context down). A query
that names a struct itself (`useridentity.sessioncontext IS NULL`) gets that struct whole.

Why the results are the same: a reference's lifted predicate is a conjunction of some of its
SELECT's own WHERE conjuncts, so every row that SELECT keeps satisfies it and is in the shared
table; rows that fail it are dropped by that WHERE anyway, before grouping, windowing or joining
(inner joins only, so a dropped row never shows up NULL-extended). The shared table keeps the
partition keys and the time column, so the query's window bounds still apply, and it is filled in
scan order, so un-ordered queries list rows in the same order as over the files.

A query with no WHERE (or nothing liftable) would make the scan's filter TRUE and copy the whole
window into memory; it runs on its own instead (its own scan costs the same and copies nothing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import pyarrow as pa
from sqlglot import exp

from workbench.catalog import TABLES, arrow_schema
from workbench.engines.base import EngineError
from workbench.engines.dialect import write_dialect_for
from workbench.engines.scanfilter import cheap_first, conjuncts, scan_filter, short_circuit
from workbench.engines.window import log_table_of, parse_athena, partition_predicate, time_predicate
from workbench.sqlcache import persisted
from workbench.timewindow import Window

# Functions whose value may differ between the shared scan and the query's own evaluation.
_VOLATILE = (exp.Rand, exp.CurrentTimestamp, exp.CurrentDate, exp.CurrentTime, exp.Uuid)
_VOLATILE_NAMES = frozenset({"random", "rand", "uuid", "gen_random_uuid", "now", "localtimestamp",
                             "localtime", "current_timestamp", "current_date", "current_time"})
_OUTER_SIDES = frozenset({"LEFT", "RIGHT", "FULL"})
_INNER_KINDS = frozenset({"", "INNER", "CROSS"})


@dataclass(frozen=True)
class Shareable:
    """A query that can read from a shared scan of `table`."""

    table: str
    columns: frozenset[str]  # catalog columns the query may name (a superset is harmless)
    predicate: exp.Expression  # Athena SQL over the table's unqualified columns; implied by the WHERE
    fields: Mapping[str, frozenset[tuple[str, ...]] | None] = field(default_factory=dict)
    """Struct column → the field paths the query reads (`("sessioncontext", "sessionissuer",
    "arn")`; a path ending at a struct reads it whole); None: it reads the column whole."""
    windowed: bool = False
    """The query computes window functions (a threshold prefilter): an engine may prefer to run it
    on its own, streaming its rows through the window rather than copying them all first."""
    columns_out: tuple[str, ...] | None = None
    """The query's output columns when it returns no rows for no input rows (no global aggregate,
    no set operation, every SELECT reads a table): an engine that knows the query has no candidate
    rows may answer it with an empty frame of these columns without running it."""


@dataclass(frozen=True)
class Solo:
    """A query that runs on its own, and why (for the run record and for tests)."""

    reason: str


@persisted
def analyse(sql: str) -> Shareable | Solo:
    """Whether `sql` can read from a shared scan, and what it needs from it (cached: a scheduler
    analyses the same rules run after run; callers must not mutate the answer's trees)."""
    try:
        tree = parse_athena(sql)
    except EngineError as exc:
        return Solo(f"does not parse ({exc}); it runs alone to report its own error")
    refs = [t for t in tree.find_all(exp.Table) if log_table_of(t) is not None]
    tables = {log_table_of(t).name for t in refs}  # type: ignore[union-attr]
    if len(tables) != 1:
        return Solo(f"reads {len(tables)} log tables ({', '.join(sorted(tables)) or 'none'})")
    table = tables.pop()
    if any(not isinstance(star.parent, exp.Count) for star in tree.find_all(exp.Star)):
        return Solo("selects * (the shared scan holds only the columns queries name)")
    known = {c.lower() for c in TABLES[table].all_column_names}
    predicates: dict[str, exp.Expression] = {}
    for number, ref in enumerate(refs, start=1):
        lifted = _lifted_for(ref, table, known)
        if isinstance(lifted, str):
            return Solo(lifted if len(refs) == 1 else f"reference {number} of {len(refs)} to {table}: {lifted}")
        predicates.setdefault(lifted.sql(dialect="athena"), lifted)
    qualifiers = set().union(*(_qualifiers(ref) for ref in refs))
    named = {i.name.lower() for i in tree.find_all(exp.Identifier)} & known
    needed = named | set(TABLES[table].partition_keys) | {TABLES[table].time_column}
    # Each reference reads only rows passing its own conditions; the shared rows are any of those.
    predicate = (next(iter(predicates.values())) if len(predicates) == 1
                 else exp.or_(*(exp.paren(p, copy=False) for p in predicates.values()), copy=False))
    return Shareable(table=table, columns=frozenset(needed), predicate=predicate,
                     fields=_struct_fields_read(tree, table, qualifiers, needed),
                     windowed=tree.find(exp.Window) is not None, columns_out=_empty_for_no_rows(tree))


def _lifted_for(ref: exp.Table, table: str, known: set[str]) -> exp.Expression | str:
    """The WHERE conditions that every row `ref` contributes must pass, over the table's own
    columns; or why there are none.

    `ref` must be the FROM or an inner join of its SELECT, and that SELECT may not have an outer
    join: an outer join turns a row filtered out on one side into a NULL-extended row. When it
    joins another table or subquery, only conditions naming `ref` by its qualifier are lifted (a
    bare column could be the other source's)."""
    parent = ref.parent
    select = parent.parent if isinstance(parent, exp.From | exp.Join) else None
    if not isinstance(select, exp.Select):
        return f"{table} is not read by a SELECT's FROM or JOIN (a set operation or function argument)"
    other_names: set[str] = set()
    qualified_only = False
    for join in select.args.get("joins") or []:
        if (join.side or "").upper() in _OUTER_SIDES or (join.kind or "").upper() not in _INNER_KINDS:
            return "is in a SELECT with an outer, semi or anti join"
        source = join.this
        if isinstance(source, exp.Unnest):
            alias = source.args.get("alias")
            if alias is not None:
                other_names.add(alias.name.lower())
                other_names.update(c.name.lower() for c in alias.columns)
        else:
            qualified_only = True
    where = select.args.get("where")
    if where is None:
        return "has no WHERE: a shared scan would copy every row of the window"
    qualifiers = _qualifiers(ref)
    lifted = [c for c in (_lift(conj, qualifiers, known, other_names, qualified_only)
                          for conj in conjuncts(where.this)) if c]
    if not lifted:
        return "no WHERE condition names only the table's own columns; a shared scan would copy every row"
    return exp.and_(*lifted, copy=False)


def lift_expression(sql: str, expression: exp.Expression) -> exp.Expression | None:
    """`expression` (from `sql`'s own tree) over its log table's unqualified columns, or None when
    it names anything else (another source, a subquery, an aggregate, a volatile call)."""
    refs = [t for t in parse_athena(sql).find_all(exp.Table) if log_table_of(t) is not None]
    if len(refs) != 1:
        return None
    known = {c.lower() for c in TABLES[log_table_of(refs[0]).name].all_column_names}  # type: ignore[union-attr]
    return _lift(expression, _qualifiers(refs[0]), known, set())


def _empty_for_no_rows(tree: exp.Expression) -> tuple[str, ...] | None:
    """The output column names, if the query yields no rows when its log table yields none."""
    if not isinstance(tree, exp.Select) or not _yields_nothing(tree, _ctes(tree)):
        return None
    names = [p.alias_or_name for p in tree.expressions]
    if not all(names) or any(isinstance(p, exp.Star) for p in tree.expressions):
        return None
    return tuple(names)


def _ctes(tree: exp.Expression) -> dict[str, exp.Expression]:
    return {cte.alias_or_name.lower(): cte.this for cte in tree.find_all(exp.CTE)}


def _yields_nothing(node: exp.Expression, ctes: dict[str, exp.Expression]) -> bool:
    """Whether `node` yields no rows when every read of a log table yields none (False when
    unsure: the engine then runs the query rather than assume its answer)."""
    if isinstance(node, exp.Subquery | exp.Paren):
        return _yields_nothing(node.this, ctes)
    if isinstance(node, exp.Table):
        if log_table_of(node) is not None:
            return True
        body = ctes.get(node.name.lower())
        return body is not None and not node.args.get("db") and _yields_nothing(body, ctes)
    if isinstance(node, exp.Union):
        return _yields_nothing(node.left, ctes) and _yields_nothing(node.right, ctes)
    if isinstance(node, exp.Intersect):
        return _yields_nothing(node.left, ctes) or _yields_nothing(node.right, ctes)
    if isinstance(node, exp.Except):
        return _yields_nothing(node.left, ctes)
    if not isinstance(node, exp.Select):
        return False  # VALUES, UNNEST, a table function: rows of their own
    source = node.args.get("from_") or node.args.get("from")
    if source is None:
        return False  # a SELECT of constants yields a row of its own
    group = node.args.get("group")
    if group is not None and group.find(exp.Cube, exp.Rollup, exp.GroupingSets):
        return False  # a grand-total grouping yields a row even over nothing
    aggregates = [a for p in node.expressions for a in p.find_all(exp.AggFunc) if not a.find_ancestor(exp.Window)]
    if aggregates and group is None:
        return False  # a global aggregate yields one row even over nothing
    nothing = _yields_nothing(source.this, ctes)
    for join in node.args.get("joins") or []:
        side, kind = (join.side or "").upper(), (join.kind or "").upper()
        other = _yields_nothing(join.this, ctes)
        if side == "RIGHT":
            nothing = other
        elif side == "FULL":
            nothing = nothing and other
        elif side != "LEFT" and kind not in ("SEMI", "ANTI"):
            nothing = nothing or other  # inner or cross: nothing on either side is nothing
    return nothing


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
    sql = select.where(scan_filter([m.predicate for m in members]), copy=False).sql(dialect=write_dialect_for(dialect))
    if len(_templates) > 64:  # noqa: PLR2004 - a handful of packs per process; never grow unbounded
        _templates.clear()
    _templates[key] = (members, sql)
    return sql


def match_column(index: int) -> str:
    """The shared table's column saying whether a row is a candidate for member `index`."""
    return f"_match_{index}"


def within_column(index: int) -> str:
    """The shared table's column saying whether a row is inside the `index`-th member window."""
    return f"_within_{index}"


def shared_table_sql(scan_sql: str, members: list[Shareable], within: Sequence[str] = (),
                     queries: Sequence[str] | None = None) -> str:
    """DuckDB SQL for the shared table: the bound scan's rows, each struct column cut down to the
    field paths the members read (DuckDB then reads only those fields' Parquet columns).

    `within`: DuckDB conditions over the table's columns (the bounds of members' own windows,
    narrower than the scan's), each kept as a boolean column (`within_column`), so a member reads
    its window's rows through one column instead of re-applying its bounds. Given the members'
    `queries` (whose analyses they are), the projection is kept across processes."""
    projection = (_projection_of(tuple(queries)) if queries is not None else _projection(tuple(members)))
    columns = ", ".join([projection, *(f'({condition}) AS "{within_column(j)}"' for j, condition in enumerate(within))])
    return f'SELECT {columns} FROM ({scan_sql}) AS "s"'


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
    projection += [exp.column(exp.to_identifier(match_column(k), quoted=True), table=source.copy())
                   for k in range(len(members))]
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


def overlapping(windows: list[tuple[int, Window | None]]) -> list[tuple[Window | None, list[int]]]:
    """Members grouped so each group's windows overlap, with the window one scan of them reads.

    Detection windows all end at the run's end and start a threshold window apart, so they form
    one group; windows with a gap between them are scanned apart rather than reading the gap.
    Unbounded queries (no window) form their own group.
    """
    groups: list[tuple[Window | None, list[int]]] = []
    unbounded = [index for index, window in windows if window is None]
    if unbounded:
        groups.append((None, unbounded))
    bounded = sorted(((w, i) for i, w in windows if w is not None), key=lambda pair: (pair[0].start, pair[1]))
    for window, index in bounded:
        if groups and groups[-1][0] is not None and window.start <= groups[-1][0].end:  # type: ignore[union-attr]
            hull, members = groups[-1]
            groups[-1] = (Window(hull.start, max(hull.end, window.end)), [*members, index])  # type: ignore[union-attr]
        else:
            groups.append((window, [index]))
    return groups


def split_evenly(total: int | float, parts: int) -> list:
    """`total` shared across `parts` members so the shares add up exactly (integers stay integers)."""
    if parts <= 0:
        return []
    if isinstance(total, int):
        base, extra = divmod(total, parts)
        return [base + (1 if i < extra else 0) for i in range(parts)]
    return [total / parts] * parts


# -- helpers ------------------------------------------------------------------------------------------


def _qualifiers(ref: exp.Table) -> set[tuple[str, ...]]:
    """The qualifier prefixes that name the log-table reference (`c`, or `cloudtrail`,
    `mantissa.cloudtrail`, `awsdatacatalog.mantissa.cloudtrail` when it has no alias)."""
    if ref.alias:
        return {(ref.alias.lower(),)}
    parts = [p.name.lower() for p in (ref.args.get("catalog"), ref.args.get("db"), ref.this) if p is not None]
    return {tuple(parts[i:]) for i in range(len(parts))}


@cache
def _structs(table: str) -> dict[str, pa.StructType]:
    """The table's struct columns and their types."""
    schema = arrow_schema(TABLES[table])
    return {f.name.lower(): f.type for f in schema if pa.types.is_struct(f.type)}


def _field_path(struct: pa.StructType, names: list[str]) -> tuple[str, ...] | None:
    """The longest prefix of `names` that walks `struct`'s nested struct fields (reading stops at
    a field that is not a struct: it is read whole), or None when the first name is no field."""
    path: list[str] = []
    current: pa.DataType = struct
    for name in names:
        if not pa.types.is_struct(current):
            break
        match = next((current.field(i) for i in range(current.num_fields) if current.field(i).name.lower() == name),
                     None)
        if match is None:
            return tuple(path) or None
        path.append(match.name.lower())
        current = match.type
    return tuple(path)


def _struct_fields_read(tree: exp.Expression, table: str, qualifiers: set[tuple[str, ...]],
                        needed: set[str]) -> dict[str, frozenset[tuple[str, ...]] | None]:
    """For each struct column the query names, the field paths it reads (`sessioncontext.
    sessionissuer.arn` as a tuple; a path ending at a struct reads that struct whole), or None
    if it reads the column whole."""
    structs = _structs(table)
    reads: dict[str, set[tuple[str, ...]] | None] = {}
    for column in tree.find_all(exp.Column):
        parts = [p.name.lower() for p in column.parts]
        node: exp.Expression = column
        while isinstance(node.parent, exp.Dot) and node.parent.this is node:  # `a.b.c.d`: the Dots above
            node = node.parent
            parts.append(node.expression.name.lower())  # type: ignore[attr-defined]
        rest = _strip_qualifier(parts, qualifiers) or parts
        if not rest or rest[0] not in structs:
            continue
        path = _field_path(structs[rest[0]], rest[1:]) if len(rest) > 1 else None
        if path is None or reads.get(rest[0], set()) is None:
            reads[rest[0]] = None  # the bare struct (or a field it lacks: let the query say so)
        else:
            reads.setdefault(rest[0], set()).add(path)  # type: ignore[union-attr]
    # A struct named some other way (an identifier outside a column path) is read whole.
    out: dict[str, frozenset[tuple[str, ...]] | None] = {name: None for name in needed if name in structs}
    out.update({name: None if paths is None else frozenset(paths) for name, paths in reads.items()})
    return out


def _lift(conjunct: exp.Expression, qualifiers: set[tuple[str, ...]], known: set[str],
          other_names: set[str], qualified_only: bool = False) -> exp.Expression | None:
    """The conjunct over the table's unqualified columns, or None when it cannot be lifted (or
    need not be: a condition every row passes only costs the scan its columns)."""
    if conjunct.find(exp.Subquery, exp.Select, exp.AggFunc, exp.Window, exp.Placeholder, *_VOLATILE):
        return None
    if _excludes_nothing(conjunct):
        return None
    if any(f.name.lower() in _VOLATILE_NAMES for f in conjunct.find_all(exp.Anonymous)):
        return None
    lifted = conjunct.copy()
    for column in list(lifted.find_all(exp.Column)):
        parts = [p.name.lower() for p in column.parts]
        rest = _strip_qualifier(parts, qualifiers)
        if rest is None:  # unqualified: it must not be a name another source brings in
            if qualified_only or parts[0] in other_names:
                return None
            rest = parts
        if not rest or rest[0] not in known or isinstance(column.this, exp.Star):
            return None
        if len(rest) < len(parts):
            column.replace(_column_from(column.parts[len(parts) - len(rest):]))
    return lifted


def _excludes_nothing(conjunct: exp.Expression) -> bool:
    """`NOT contains(<empty allowlist>, coalesce(..., '<literal>'))`: an allowlist with no entries
    (see `workbench.rules.allowlists`), tested on a value that is never NULL, keeps every row."""
    if not isinstance(conjunct, exp.Not) or not isinstance(conjunct.this, exp.ArrayContains):
        return False
    array, value = conjunct.this.this, conjunct.this.expression
    while isinstance(array, exp.Cast | exp.Paren):
        array = array.this
    if not isinstance(array, exp.Array) or array.expressions:
        return False
    return isinstance(value, exp.Coalesce) and isinstance((value.expressions or [value.this])[-1], exp.Literal)


def _strip_qualifier(parts: list[str], qualifiers: set[tuple[str, ...]]) -> list[str] | None:
    """The column path without its table qualifier, or None when it has none."""
    for prefix in sorted(qualifiers, key=len, reverse=True):
        if len(parts) > len(prefix) and tuple(parts[: len(prefix)]) == prefix:
            return parts[len(prefix):]
    return None


def _column_from(parts: list[exp.Identifier]) -> exp.Expression:
    """A column path (`useridentity.sessioncontext.attributes`) as sqlglot would parse it."""
    identifiers = [p.copy() for p in parts]
    if len(identifiers) == 1:
        return exp.Column(this=identifiers[0])
    if len(identifiers) == 2:  # noqa: PLR2004 - `a.b`: column b of "table" a, read as struct access
        return exp.Column(this=identifiers[1], table=identifiers[0])
    column: exp.Expression = exp.Column(this=identifiers[1], table=identifiers[0])
    for identifier in identifiers[2:]:
        column = exp.Dot(this=column, expression=identifier)
    return column
