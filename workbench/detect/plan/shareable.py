"""Shared scans: many queries over one log table, one read of the columns they need.

Detection runs dozens of rules over the same window, and each rule's query would re-read the same
Parquet columns. A batch instead reads the table once — only the union of the columns its queries
name, only the rows that satisfy at least one query's WHERE — into a small in-memory table, then
runs each query unchanged but for where it reads: its own rows of that table. This module decides
which queries can share a scan and what the scan reads; `workbench.detect.plan.sharedscan` writes its
SQL, and the local engine executes it.

A query can share a scan ("simple") when:
- it reads one log table, through one or more references (a self-join, a subquery reading the
  table again; any CTE or subquery around them is fine);
- each reference is the FROM, an inner join or the right side of a LEFT [OUTER] JOIN of its
  SELECT, and that SELECT has no RIGHT, FULL, semi or anti join (a RIGHT or FULL join would turn a
  row filtered out of the sources before it into a NULL-extended one; a semi or anti join keeps
  rows for what they do not match);
- it has no `*` other than `count(*)` (the shared table holds only the columns the batch names);
- each reference has at least one condition that can be lifted: for the FROM or an inner join, a
  conjunct of its SELECT's WHERE (or of the SELECTs wrapping it, see `wrapping`); for the right
  side of a LEFT JOIN, a conjunct of that join's own ON, never of the WHERE (which also sees the
  rows the join NULL-extends: `WHERE f.eventid IS NULL` keeps exactly those). A lifted condition
  names only the log table's columns (by the reference's own qualifier, when another source is
  joined), and has no subquery, aggregate, window or non-deterministic call.

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

Why the results are the same: each reference reads all of its query's tagged rows, the rows
passing any of its references' lifted predicates, so it reads every row passing its own. A
reference's lifted predicate is a conjunction of conditions each of its rows must pass to reach
the answer, so the rows it no longer reads change nothing:
- the FROM or an inner join lifts conjuncts of its SELECT's WHERE naming only it. With no RIGHT or
  FULL join in that SELECT it is never NULL-extended (in `a LEFT JOIN b ON … JOIN c ON c.k = b.k`
  only b is; a and c keep their own rows), so every joined row built from a row that fails such a
  conjunct carries that row's values and fails the WHERE too, whatever the other sources brought:
  it is dropped before grouping, windowing or projecting.
- the right side of a LEFT JOIN lifts conjuncts of that join's ON naming only it. A row failing
  one matches no row of the left side, so each left row's matches, and whether it is
  NULL-extended for want of any, are the same without that row. Its WHERE conditions are never
  lifted: they also test the NULL-extended rows, which exist exactly when no row matched, so
  dropping a row that fails `WHERE f.x IS NULL` (or `coalesce(f.x, 'y') = 'y'`) could turn a
  matched left row into a NULL-extended one that passes. Nor are the ON conditions of a later join
  that name it: they decide that join's matches, not which of its rows exist.
The shared table keeps the partition keys and the time column, so the query's window bounds still
apply, and it is filled in scan order, so un-ordered queries list rows in the same order as over
the files.

A query with no WHERE (or nothing liftable) would make the scan's filter TRUE and copy the whole
window into memory; it runs on its own instead (its own scan costs the same and copies nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

import pyarrow as pa
from sqlglot import exp

from workbench.catalog import TABLES, arrow_schema
from workbench.detect.plan.scanfilter import conjuncts
from workbench.detect.plan.wrapping import wrapping_conditions
from workbench.engines.base import EngineError
from workbench.engines.window import log_table_of, parse_athena
from workbench.sqlcache import persisted
from workbench.timewindow import Window

# Functions whose value may differ between the shared scan and the query's own evaluation.
_VOLATILE = (exp.Rand, exp.CurrentTimestamp, exp.CurrentDate, exp.CurrentTime, exp.Uuid)
_VOLATILE_NAMES = frozenset({"random", "rand", "uuid", "gen_random_uuid", "now", "localtimestamp",
                             "localtime", "current_timestamp", "current_date", "current_time"})
_NULL_EXTENDING_LEFT = frozenset({"RIGHT", "FULL"})  # join sides that NULL-extend the sources before them
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
    """The conditions that every row `ref` contributes must pass, over the table's own columns;
    or why there are none.

    `ref` must be the FROM or a join of its SELECT, and that SELECT's outer joins must all be LEFT
    (a RIGHT or FULL join NULL-extends the sources to its left, so a row filtered out there would
    come back as a NULL-extended row; a semi or anti join keeps rows for what it does not match).
    A reference that is the FROM or an inner join lifts its SELECT's WHERE conjuncts (and the
    conditions wrapping the SELECT); one that is the right side of a LEFT JOIN lifts only its own
    ON conjuncts: its WHERE conditions also see the rows the join NULL-extends (`f.x IS NULL` is
    the anti-join pattern). When it joins another table or subquery, only conditions naming `ref`
    by its qualifier are lifted (a bare column could be the other source's)."""
    parent = ref.parent
    select = parent.parent if isinstance(parent, exp.From | exp.Join) else None
    if not isinstance(select, exp.Select):
        return f"{table} is not read by a SELECT's FROM or JOIN (a set operation or function argument)"
    other_names: set[str] = set()
    qualified_only = False
    for join in select.args.get("joins") or []:
        side, kind = (join.side or "").upper(), (join.kind or "").upper()
        if side in _NULL_EXTENDING_LEFT:
            return (f"is in a SELECT with a {side} join (it NULL-extends the sources before it: a row filtered "
                    "out of them would come back NULL-extended)")
        if kind not in _INNER_KINDS and not (side == "LEFT" and kind == "OUTER"):
            return f"is in a SELECT with a semi or anti join ({' '.join(filter(None, (side, kind)))} JOIN)"
        source = join.this
        if isinstance(source, exp.Unnest):
            alias = source.args.get("alias")
            if alias is not None:
                other_names.add(alias.name.lower())
                other_names.update(c.name.lower() for c in alias.columns)
        else:
            qualified_only = True
    qualifiers = _qualifiers(ref)
    if isinstance(parent, exp.Join) and (parent.side or "").upper() == "LEFT":
        # The null-supplied side: only its own ON conditions decide which of its rows join.
        on = parent.args.get("on")
        tested = conjuncts(on) if on is not None else []
        lifted = [c for c in (_lift(conj, qualifiers, known, other_names, True) for conj in tested) if c]
        if not lifted:
            return ("is the right side of a LEFT JOIN whose ON has no condition naming only its own columns "
                    "(its WHERE conditions see the NULL-extended rows, so none is lifted); "
                    "a shared scan would copy every row")
        return exp.and_(*lifted, copy=False)
    where = select.args.get("where")
    # Conditions the SELECTs around it put on values this one names count too (see wrapping).
    tested = [*(conjuncts(where.this) if where is not None else []), *wrapping_conditions(select)]
    if not tested:
        return "has no WHERE: a shared scan would copy every row of the window"
    lifted = [c for c in (_lift(conj, qualifiers, known, other_names, qualified_only) for conj in tested) if c]
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
