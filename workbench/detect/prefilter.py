"""Threshold prefilter: the engine returns only the rows a sliding-window burst could use.

A threshold rule's query matches every candidate event (every GetObject, every List* call), and
most of them never reach the threshold: fetching them all and sliding a window over them in Python
costs more than the scan. `prefiltered(rule)` wraps the query so the engine drops rows no burst
can use, and leaves the exact burst logic to `workbench.detect.matching` (still the source of
truth for membership, trigger times and ids). Built as a sqlglot tree and written as Athena SQL,
so it runs on Athena as on the local engine.

Why the Python matcher gives the same answer on the reduced rows. In one `group_by` group, with
rows in time order, the matcher calls a row "hot" when its trailing `window` holds `count` rows (or
`count` distinct values); a burst is a run of consecutive hot rows, and its members are the rows in
the trailing windows of its hot rows. In SQL, `n` = rows of the group in [t - window, t] (peers
included, so n is at least the matcher's count, and a row count bounds a distinct count), and:

- a row is kept when some row with n >= count lies in [t, t + window]: this keeps every hot row
  and every row of every hot row's trailing window, so each kept hot row sees the same window;
  a kept row that was not hot sees a subset of its window and stays below the threshold;
- runs do not merge: the row just before a hot row lies in its trailing window (a count of two
  or more needs an earlier row there), so the cold row that ends one run before the next is kept;
- rows with no time are kept (the matcher decides what they mean).

Groups that never come near the threshold vanish entirely, which is most of them.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from sqlglot import exp

from workbench.catalog import TABLES, TimeFormat
from workbench.engines.base import EngineError
from workbench.engines.dialect import write_dialect_for
from workbench.engines.window import parse_athena
from workbench.rules import Rule

_N, _NEAR = "_mantissa_n", "_mantissa_near"
_ATHENA = write_dialect_for("athena")


def prefiltered(rule: Rule) -> str:
    """The query the engine should run for `rule`: its own query, or for a threshold rule that
    query wrapped to return only rows a burst could use (the query as is when it cannot be)."""
    th = rule.threshold
    if th is None or th.count <= 1:
        return rule.query  # every row is a burst of one: nothing to drop
    return _wrap(rule.query, rule.table or "cloudtrail", th.count, th.window, tuple(th.group_by),
                 th.distinct) or rule.query


@lru_cache(maxsize=512)
def _wrap(sql: str, table: str, count: int, window: timedelta, group_by: tuple[str, ...],
          distinct: str | None) -> str | None:
    """Athena SQL of the wrapped query, or None when the query's shape does not allow it."""
    seconds = window.total_seconds()
    if table not in TABLES or seconds <= 0 or seconds != int(seconds):
        return None
    try:
        tree = parse_athena(sql)
    except EngineError:
        return None  # it fails on its own, with its own message
    outputs = _output_names(tree)
    time_column = TABLES[table].time_column
    needed = {time_column, *group_by, *([distinct] if distinct else [])}
    if outputs is None or not needed <= set(outputs) or {_N, _NEAR} & set(outputs):
        return None

    def col(name: str) -> exp.Column:
        return exp.column(exp.to_identifier(name, quoted=True))

    def over(func: exp.Expression, frame: exp.WindowSpec | None = None) -> exp.Window:
        return exp.Window(this=func, partition_by=[col(g) for g in group_by],
                          order=exp.Order(expressions=[exp.Ordered(this=_moment(table, col(time_column)))]),
                          spec=frame)

    def frame(start: exp.Expression | str, start_side: str | None, end: exp.Expression | str,
              end_side: str | None) -> exp.WindowSpec:
        return exp.WindowSpec(kind="RANGE", start=start, start_side=start_side, end=end, end_side=end_side)

    span = exp.Interval(this=exp.Literal.string(str(int(seconds))), unit=exp.var("SECOND"))
    hot = exp.GTE(this=col(_N), expression=exp.Literal.number(count))
    flag = exp.Case(ifs=[exp.If(this=hot, true=exp.Literal.number(1))], default=exp.Literal.number(0))
    plain = [col(name) for name in outputs]

    level1 = exp.select(*plain, exp.alias_(over(exp.Count(this=exp.Star()),
                                                frame(span, "PRECEDING", "CURRENT ROW", None)), _N, quoted=True))
    level1 = level1.from_(exp.Subquery(this=tree, alias=exp.TableAlias(this=exp.to_identifier("_rule"))))
    level2 = exp.select(*[col(n) for n in outputs],
                        exp.alias_(over(exp.Max(this=flag), frame("CURRENT ROW", None, span, "FOLLOWING")),
                                   _NEAR, quoted=True))
    level2 = level2.from_(exp.Subquery(this=level1, alias=exp.TableAlias(this=exp.to_identifier("_counted"))))
    keep = exp.or_(exp.EQ(this=col(_NEAR), expression=exp.Literal.number(1)),
                   exp.Is(this=col(time_column), expression=exp.Null()))
    outer = exp.select(*[col(n) for n in outputs]).from_(
        exp.Subquery(this=level2, alias=exp.TableAlias(this=exp.to_identifier("_near")))).where(keep)
    return outer.sql(dialect=_ATHENA)


def _moment(table: str, column: exp.Expression) -> exp.Expression:
    """The event time as a timestamp, so a RANGE frame can be `window` long."""
    if TABLES[table].time_format is TimeFormat.EPOCH_SECONDS:
        return exp.Anonymous(this="from_unixtime", expressions=[column])
    return exp.Anonymous(this="from_iso8601_timestamp", expressions=[column])


def _output_names(tree: exp.Expression) -> list[str] | None:
    """The query's output column names, when every one is known and unique (no `*`)."""
    if not isinstance(tree, exp.Select):
        return None
    names: list[str] = []
    for projection in tree.expressions:
        if isinstance(projection, exp.Star) or (isinstance(projection, exp.Column) and projection.is_star):
            return None
        name = projection.alias_or_name
        if not name or not isinstance(projection, exp.Alias | exp.Column):
            return None
        names.append(name)
    lowered = [n.lower() for n in names]
    return names if len(set(lowered)) == len(lowered) else None
