"""The threshold census as one scan of its table, for engines that do not share scans.

`workbench.detect.plan.census` asks, per threshold rule, "could it have a burst in this window?".
Its DuckDB form reads the table once through a materialised CTE; Athena (Trino) inlines CTEs and
reads the table once per mention, and its UNION ALL form reads it once per rule, each billed.

This form reads the table once for every member, in one statement with no CTE and no UNION:

1. each candidate row of any member carries, per member, its index (NULL when it is not a
   candidate) and its key as one string (`concat_ws` of the rule's cheap keys; a NULL key reads
   as a marker and keys may collide: both only merge groups, and merged groups only count more);
2. `CROSS JOIN UNNEST` of the indices turns a row into one row per member it is a candidate for,
   with that member's key and bucket (`floor(time / its window)`);
3. cells (member, key, bucket) are counted by GROUP BY; `lead()` over each group's cells tells
   whether a cell and the next bucket hold the rule's count together (the prefilter's own
   question; a cell alone that holds it, or a cell of rows with no time, is hot too);
4. one row per member with a candidate: its hot cells and its candidate rows.

The answers are those of the DuckDB census: hot exactly when the prefilter could keep a row.
"""

from __future__ import annotations

from sqlglot import exp

from workbench.detect.plan.census import CELLS_COLUMN, ROWS_COLUMN, RULE_COLUMN, Member, _moment
from workbench.detect.plan.scanfilter import cheap_first, scan_filter, short_circuit
from workbench.engines.dialect import write_dialect_for

_ATHENA = write_dialect_for("athena")
_NULL_KEY = "\u2400"  # stands for a NULL key value (a real value equal to it only merges groups)


def one_scan_census_sql(members: list[Member]) -> str:
    """Athena SQL of the census over `members` (all over one table): one row per member that has
    a candidate — its index in `members`, its hot cells and its candidate rows."""
    if not members or len({m.table for m in members}) != 1:
        raise ValueError("one_scan_census_sql: give the census members of one table (at least one)")
    tagged = tagged_sql(members, [m.seconds for m in members])
    cells = f'SELECT "_m", "_k", "_b", count(*) AS "_n" FROM ({tagged}) AS "_tagged" GROUP BY "_m", "_k", "_b"'
    over = 'OVER (PARTITION BY "_m", "_k" ORDER BY "_b")'
    together = f'"_n" + CASE WHEN lead("_b") {over} = "_b" + 1 THEN lead("_n") {over} ELSE 0 END'
    hot = (f'CASE WHEN "_b" IS NULL OR {together} >= {per_member([str(m.count) for m in members])} '
           f'THEN 1 ELSE 0 END')
    pairs = f'SELECT "_m", "_n", {hot} AS "_hot" FROM ({cells}) AS "_cells"'
    return (f'SELECT "_m" AS "{RULE_COLUMN}", sum("_hot") AS "{CELLS_COLUMN}", sum("_n") AS "{ROWS_COLUMN}" '
            f'FROM ({pairs}) AS "_pairs" GROUP BY "_m"')


def tagged_sql(members: list[Member], lengths: list[int]) -> str:
    """One row per (candidate row, member it is a candidate for): the member's index `_m`, its key
    as one string `_k`, and `_b` = floor(time / lengths[member]) (NULL for a row with no time)."""
    table = members[0].table
    projection: list[exp.Expression] = [exp.alias_(_moment(table), "_t", quoted=True)]
    key_columns: dict[str, str] = {}  # key SQL -> the column holding it (rules with the same keys share)
    key_of: list[str] = []
    for index, member in enumerate(members):
        tag = short_circuit(cheap_first(member.predicate))
        projection.append(exp.alias_(exp.Case(ifs=[exp.If(this=tag, true=exp.Literal.number(index))]),
                                     f"_i{index}", quoted=True))
        key = _key_string(member)
        column = key_columns.setdefault(key.sql(dialect=_ATHENA), f"_k{index}")
        if column == f"_k{index}":
            projection.append(exp.alias_(key, column, quoted=True))
        key_of.append(column)
    rows = (exp.select(*projection).from_(table)
            .where(scan_filter([m.predicate for m in members])).sql(dialect=_ATHENA))
    indices = ", ".join(f'"_i{i}"' for i in range(len(members)))
    return (f'SELECT "_m", {per_member([q(c) for c in key_of])} AS "_k", '
            f'floor("_t" / {per_member([str(n) for n in lengths])}) AS "_b" '
            f'FROM ({rows}) AS "_rows" CROSS JOIN UNNEST(ARRAY[{indices}]) AS "_u"("_m") '
            f'WHERE "_m" IS NOT NULL')


def per_member(values: list[str]) -> str:
    """A CASE over the member index `_m` choosing values[_m]."""
    whens = " ".join(f"WHEN {i} THEN {v}" for i, v in enumerate(values))
    return f'CASE "_m" {whens} END'


def _key_string(member: Member) -> exp.Expression:
    """The member's keys as one string (a constant when it groups by nothing)."""
    if not member.keys:
        return exp.Literal.string("")
    parts = [exp.Coalesce(this=exp.Cast(this=k.copy(), to=exp.DataType.build("VARCHAR")),
                          expressions=[exp.Literal.string(_NULL_KEY)]) for k in member.keys]
    return parts[0] if len(parts) == 1 else exp.ConcatWs(expressions=[exp.Literal.string("\u241f"), *parts])


def q(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql(dialect=_ATHENA)


