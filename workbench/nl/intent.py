"""The typed intent between an English question and its SQL, and its compiler (sqlglot trees).

Every piece of a question the offline translator understood lands in exactly one field here:
a filter (tied to the words it came from), a measure, a grouping or time bucket, an order, a
limit, a time window. The compiler builds the SELECT as a sqlglot expression tree — values go
in as literals, never spliced into text — so what the intent says is what the SQL does, and
`%ask --explain` can show the intent next to the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

import sqlglot
from sqlglot import exp

from workbench.timewindow import Window

DIALECT = "athena"


@lru_cache(maxsize=512)
def _parsed(expression: str) -> exp.Expression:
    # Parsed as a projection: a bare `start` alone would read as START TRANSACTION.
    return sqlglot.parse_one(f"SELECT {expression}", read=DIALECT).expressions[0]


def col(expression: str) -> exp.Expression:
    """A column or expression from the translator's own vocabulary (never from the question)."""
    return _parsed(expression).copy()


def literal(value: str | int | float) -> exp.Expression:
    if isinstance(value, bool):  # pragma: no cover - no boolean columns are compared
        raise TypeError("booleans are not literals here")
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(value)


def eq(column: str, value: str | int | float) -> exp.Expression:
    return exp.EQ(this=col(column), expression=literal(value))


def one_of(column: str, values: tuple[str, ...] | list[str]) -> exp.Expression:
    if len(values) == 1:
        return eq(column, values[0])
    return exp.In(this=col(column), expressions=[literal(v) for v in values])


def like(column: str, pattern: str) -> exp.Expression:
    return exp.Like(this=col(column), expression=literal(pattern))


def compare(column: str, op: str, value: int | float) -> exp.Expression:
    kinds = {">": exp.GT, ">=": exp.GTE, "<": exp.LT, "<=": exp.LTE, "=": exp.EQ}
    return kinds[op](this=col(column), expression=literal(value))


def is_null(column: str, negate: bool = False) -> exp.Expression:
    check = exp.Is(this=col(column), expression=exp.Null())
    return exp.Not(this=check) if negate else check


def contains(column: str, value: str) -> exp.Expression:
    """`strpos(column, 'value') > 0`: the value anywhere in a JSON document or string."""
    return exp.GT(this=exp.Anonymous(this="strpos", expressions=[col(column), literal(value)]),
                  expression=literal(0))


def negate(condition: exp.Expression) -> exp.Expression:
    """NOT of a condition that reads a NULL as 'not that value': `NOT coalesce(c, FALSE)`.

    A plain NOT drops every row where the condition is NULL ("by anyone not bob" would lose the role
    sessions, whose user name is NULL), so the answer would leave out rows the question asked for.
    """
    return exp.Not(this=exp.Coalesce(this=condition, expressions=[exp.false()]))


def any_of(*conditions: exp.Expression) -> exp.Expression:
    return exp.Paren(this=exp.or_(*conditions)) if len(conditions) > 1 else conditions[0]


@dataclass(frozen=True)
class Filter:
    condition: exp.Expression
    words: str  # the words of the question it came from
    description: str
    entities: tuple[str, ...] = ()  # the named values (IPs, users, ports…) it accounts for


@dataclass(frozen=True)
class Dimension:
    expression: str  # from the vocabulary
    alias: str
    description: str
    words: str = ""


@dataclass(frozen=True)
class Measure:
    func: str  # count | sum | min | max | avg | count_distinct
    alias: str
    description: str
    column: str | None = None
    words: str = ""


@dataclass(frozen=True)
class Order:
    expression: str  # a column expression or an output alias
    descending: bool = False


@dataclass
class Intent:
    table: str
    filters: list[Filter] = field(default_factory=list)
    columns: list[Dimension] = field(default_factory=list)  # what a listing or DISTINCT returns
    distinct: bool = False
    group_by: list[Dimension] = field(default_factory=list)
    bucket: Dimension | None = None  # "per hour", "by day": a grouping over time
    measures: list[Measure] = field(default_factory=list)
    order: list[Order] = field(default_factory=list)
    having: list[tuple[str, int | str, str]] = field(default_factory=list)  # (op, value, words) on the first measure
    limit: int | None = None
    limit_words: str = ""
    groups_counted: str = ""  # "how many source ips have fewer than 3 flows": the words; the groups are counted
    window: Window | None = None
    window_words: str = ""

    def add(self, item: Filter) -> None:
        key = item.condition.sql(DIALECT)
        if all(f.condition.sql(DIALECT) != key for f in self.filters):
            self.filters.append(item)

    @property
    def groups(self) -> list[Dimension]:
        return [*([self.bucket] if self.bucket else []), *self.group_by]

    def entities(self) -> set[str]:
        return {e for f in self.filters for e in f.entities}

    def lines(self) -> list[str]:
        """The intent in plain words, one piece per line, for `%ask --explain`."""
        out = [f"table: {self.table}"]
        for item in self.filters:
            out.append(f"filter: {item.description} — {item.condition.sql(DIALECT)}  ← \"{item.words}\"")
        for dim in self.columns:
            out.append(f"{'distinct' if self.distinct else 'column'}: {dim.description}"
                       + (f"  ← \"{dim.words}\"" if dim.words else ""))
        if self.bucket:
            out.append(f"time bucket: {self.bucket.description}  ← \"{self.bucket.words}\"")
        for dim in self.group_by:
            out.append(f"group by: {dim.description}" + (f"  ← \"{dim.words}\"" if dim.words else ""))
        for measure in self.measures:
            out.append(f"measure: {measure.description}" + (f"  ← \"{measure.words}\"" if measure.words else ""))
        for op, value, words in self.having:
            out.append(f"having: {self.measures[0].alias} {op} {value}  ← \"{words}\"")
        if self.order:
            out.append("order: " + ", ".join(o.expression + (" descending" if o.descending else "")
                                             for o in self.order))
        if self.limit is not None:
            out.append(f"limit: {self.limit}  ← \"{self.limit_words}\"")
        if self.groups_counted:
            out.append(f"count of the groups  ← \"{self.groups_counted}\"")
        out.append(f"window: {self.window}  ← \"{self.window_words}\"" if self.window
                   else "window: the session window")
        return out


def _measure(measure: Measure) -> exp.Expression:
    column = col(measure.column) if measure.column else exp.Star()
    if measure.func == "count":
        return exp.Count(this=column)
    if measure.func == "count_distinct":
        return exp.Count(this=exp.Distinct(expressions=[column]))
    return {"sum": exp.Sum, "min": exp.Min, "max": exp.Max, "avg": exp.Avg}[measure.func](this=column)


def _aliased(expression: exp.Expression, alias: str) -> exp.Expression:
    if isinstance(expression, exp.Column) and expression.name == alias and not expression.table:
        return expression
    return exp.alias_(expression, alias)


def build(intent: Intent) -> exp.Select:
    """The intent as one SELECT tree over its table."""
    if intent.groups_counted:
        # "how many users made more than 100 calls": the groups that pass the condition, counted; their order and
        # any cut would change nothing in the count
        inner = build(replace(intent, groups_counted="", order=[], limit=None))
        return exp.select(exp.alias_(exp.Count(this=exp.Star()), "matching")).from_(inner.subquery("passing"))
    select = exp.Select().from_(exp.to_table(intent.table))
    groups = intent.groups
    projections = [_aliased(col(d.expression), d.alias) for d in (groups or intent.columns)]
    projections += [_aliased(_measure(m), m.alias) for m in intent.measures]
    select = select.select(*projections, copy=False)
    if intent.distinct and not groups and not intent.measures:
        select.set("distinct", exp.Distinct())
    if intent.filters:
        select = select.where(exp.and_(*(f.condition.copy() for f in intent.filters)), copy=False)
    if groups:
        select = select.group_by(*(col(d.expression) for d in groups), copy=False)
    kinds = {">": exp.GT, ">=": exp.GTE, "<": exp.LT, "<=": exp.LTE, "=": exp.EQ}
    for op, value, _ in intent.having:
        select = select.having(kinds[op](this=_measure(intent.measures[0]), expression=literal(value)), copy=False)
    if intent.order:
        select = select.order_by(*(exp.Ordered(this=col(o.expression), desc=o.descending) for o in intent.order),
                                 copy=False)
    if intent.limit is not None:
        select = select.limit(intent.limit, copy=False)
    return select


def compile_intent(intent: Intent) -> str:
    return build(intent).sql(DIALECT, pretty=True)
