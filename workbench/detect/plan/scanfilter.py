"""The shared scan's WHERE: one filter that keeps every row some member query could need.

It is the OR of the members' lifted predicates, arranged so a row costs little to reject:

- a *coarse pre-test* in front, `eventname IN (…every name a member asks for…) OR <the cheapest
  condition of each member that names none>`: one hash probe per row, and the OR below runs only
  on the few rows it lets through (measured on 10M CloudTrail events: the scan 2.2 s → 1.7 s);
- the OR itself factored on the column most members compare to a literal (`eventsource = '…'`):
  a row is tested against each source once rather than once per rule;
- in the tags, each member's conditions short-circuited cheap-first (`short_circuit`).

Each step only adds conditions that the members' own predicates imply, so the rows kept are
exactly those some member's predicate keeps.
"""

from __future__ import annotations

from sqlglot import exp

_COSTLY = (exp.RegexpLike, exp.JSONExtract, exp.JSONExtractScalar, exp.ArrayContains, exp.Anonymous, exp.Lower,
           exp.Upper)
_MIDDLING = (exp.Like, exp.ILike, exp.Coalesce, exp.Case, exp.StrPosition, exp.Dot)


def conjuncts(condition: exp.Expression) -> list[exp.Expression]:
    while isinstance(condition, exp.Paren):
        condition = condition.this
    if isinstance(condition, exp.And):
        return conjuncts(condition.this) + conjuncts(condition.expression)
    return [condition]


def cost(condition: exp.Expression) -> int:
    """A rough rank of what a condition costs per row: comparisons of plain columns, then struct
    fields, then string matching, then JSON, regex and other functions."""
    if condition.find(*_COSTLY):
        return 3
    if condition.find(*_MIDDLING):
        return 2
    return 1 if any(len(c.parts) > 1 for c in condition.find_all(exp.Column)) else 0


def cheap_first(predicate: exp.Expression) -> list[exp.Expression]:
    return sorted(conjuncts(predicate), key=cost)


def short_circuit(parts: list[exp.Expression]) -> exp.Expression:
    """`a AND b AND c` as `CASE WHEN a THEN CASE WHEN b THEN c ELSE false END ELSE false END`: the
    same rows are true (NULL and false both drop a row), and later tests skip rows already out."""
    condition = parts[-1].copy()
    for part in reversed(parts[:-1]):
        condition = exp.Case(ifs=[exp.If(this=part.copy(), true=condition)], default=exp.false())
    return condition


def scan_filter(predicates: list[exp.Expression]) -> exp.Expression:
    """The coarse pre-test (when there is one) AND the factored OR of the predicates."""
    split = [cheap_first(p) for p in predicates]
    factored = _any_of(split)
    coarse = _coarse(split)
    return factored if coarse is None else exp.and_(exp.paren(coarse, copy=False), exp.paren(factored, copy=False))


def pre_test(predicates: list[exp.Expression]) -> exp.Expression | None:
    """The coarse pre-test alone (see `scan_filter`), or None when there is none."""
    return _coarse([cheap_first(p) for p in predicates])


def _coarse(split: list[list[exp.Expression]]) -> exp.Expression | None:
    """A cheap condition every member's predicate implies: the values members ask of the column
    with the most distinct literal values asked of it (CloudTrail's `eventname`, finer than
    `eventsource`), merged into one IN list, OR'ed with the cheapest plain-column condition of each
    member that asks nothing of that column. None when some member has no plain-column condition
    or no column is asked by at least half the members (the pre-test would only cost)."""
    values: dict[str, set] = {}
    askers: dict[str, int] = {}
    for parts in split:
        for column, asked in filter(None, map(_literal_values, parts)):
            values.setdefault(column, set()).update(asked)
        for column in {lv[0] for lv in filter(None, map(_literal_values, parts))}:
            askers[column] = askers.get(column, 0) + 1
    common = [c for c, n in askers.items() if 2 * n >= len(split)]
    if not common:
        return None
    column = max(sorted(common), key=lambda c: len(values[c]))
    wanted: set = set()
    others: dict[str, exp.Expression] = {}
    for parts in split:
        mine = [v for v in (_implied_values(p, column) for p in parts) if v is not None]
        if mine:
            wanted.update(min(mine, key=len))
            continue
        picked = _narrowest(parts, column)
        if picked is None:
            return None
        others.setdefault(picked.sql(), picked)
    test = exp.In(this=exp.column(column), expressions=[_literal(v) for v in sorted(wanted, key=repr)])
    return exp.or_(test, *(exp.paren(o.copy(), copy=False) for o in others.values()), copy=False)


def _narrowest(parts: list[exp.Expression], column: str) -> exp.Expression | None:
    """A cheap condition implied by a member that asks nothing of the pre-test's column: its first
    equality with literals (a plain column or a struct field), AND-ed with what its conditions imply
    of plain columns (`_implied_tests`). The equality alone can let most rows through (CloudTrail's
    `useridentity.type = 'AssumedRole'` holds for over half the events); a condition such as
    `(eventsource = 'iam…' AND regexp_like(eventname, …)) OR (… AND eventname = 'ListBuckets')`
    implies `eventsource = 'iam…' OR eventname IN ('ListBuckets', …)`, which few rows pass."""
    picked = next((p for p in parts if cost(p) <= 1 and _literal_values(p, paths=True)), None)
    implied = [(d, p) for d, p in ((_implied_tests(p, column), p) for p in parts) if d and p is not picked]
    tests = [picked.copy()] if picked is not None else []
    if implied:
        best, _ = min(implied, key=lambda pair: _breadth(pair[0], column))
        tests.append(exp.paren(_tests_sql(best), copy=False))
    if not tests:
        return None
    return tests[0] if len(tests) == 1 else exp.and_(*tests, copy=False)


def _implied_tests(condition: exp.Expression, column: str) -> dict[str, frozenset] | None:
    """Values of plain columns one of which a row must hold for `condition` to hold (a disjunction:
    column -> values), or None when the condition says nothing cheap about plain columns. An AND
    keeps its narrowest part's; an OR needs every branch to say (and unites them)."""
    while isinstance(condition, exp.Paren):
        condition = condition.this
    if isinstance(condition, exp.Or):
        left, right = _implied_tests(condition.this, column), _implied_tests(condition.expression, column)
        if left is None or right is None:
            return None
        return {c: left.get(c, frozenset()) | right.get(c, frozenset()) for c in {*left, *right}}
    if isinstance(condition, exp.And):
        found = [d for d in (_implied_tests(c, column) for c in conjuncts(condition)) if d]
        return min(found, key=lambda d: _breadth(d, column)) if found else None
    asked = _literal_values(condition)
    return {asked[0]: asked[1]} if asked else None


def _breadth(tests: dict[str, frozenset], column: str) -> tuple[int, int]:
    """How much a disjunction of column tests lets through, roughly: the pre-test's column (the
    finest) first, then fewer columns, then fewer values."""
    return (0 if set(tests) == {column} else len(tests), sum(len(v) for v in tests.values()))


def _tests_sql(tests: dict[str, frozenset]) -> exp.Expression:
    terms = [exp.In(this=exp.column(c), expressions=[_literal(v) for v in sorted(values, key=repr)])
             for c, values in sorted(tests.items())]
    return terms[0] if len(terms) == 1 else exp.or_(*terms, copy=False)


def _literal(value: tuple[bool, str]) -> exp.Literal:
    is_string, text = value
    return exp.Literal.string(text) if is_string else exp.Literal.number(text)


def _implied_values(condition: exp.Expression, column: str) -> frozenset | None:
    """The values of `column` a row must have for `condition` to hold, when the condition says:
    an equality or IN list on it, an OR whose every branch says, an AND of which one part says."""
    while isinstance(condition, exp.Paren):
        condition = condition.this
    if isinstance(condition, exp.Or):
        left, right = _implied_values(condition.this, column), _implied_values(condition.expression, column)
        return None if left is None or right is None else left | right
    if isinstance(condition, exp.And):
        found = [v for v in (_implied_values(c, column) for c in conjuncts(condition)) if v is not None]
        return min(found, key=len) if found else None
    asked = _literal_values(condition)
    return asked[1] if asked and asked[0] == column else None


def _literal_values(condition: exp.Expression, paths: bool = False) -> tuple[str, frozenset] | None:
    """(column, values) for `column = literal` or `column IN (literals)` over a plain column (or,
    with `paths`, a struct field such as `useridentity.type`)."""
    if isinstance(condition, exp.EQ):
        column, items = condition.this, [condition.expression]
    elif isinstance(condition, exp.In) and not condition.args.get("query") and not condition.args.get("unnest"):
        column, items = condition.this, condition.expressions
    else:
        return None
    if isinstance(column, exp.Dot) and paths:
        return (column.sql().lower(), frozenset()) if all(isinstance(i, exp.Literal) for i in items) else None
    if not isinstance(column, exp.Column) or not items or (len(column.parts) != 1 and not paths):
        return None
    if not all(isinstance(i, exp.Literal) for i in items):
        return None
    return column.name.lower(), frozenset((i.is_string, i.this) for i in items)


def _any_of(split: list[list[exp.Expression]]) -> exp.Expression:
    """The OR of the members' conditions, factored on the column most of them compare to a
    literal: a row is tested against each value once, and against a member's other conditions
    only when its value matches."""
    counts: dict[str, int] = {}
    for parts in split:
        for name in {_eq_literal(c)[0] for c in parts if _eq_literal(c)}:  # type: ignore[index]
            counts[name] = counts.get(name, 0) + 1
    if not counts or max(counts.values()) < 2:  # noqa: PLR2004 - nothing shared, nothing to factor
        return exp.or_(*(exp.paren(exp.and_(*c), copy=False) for c in split), copy=False)
    column = max(sorted(counts), key=lambda name: counts[name])
    by_value: dict[str, list[exp.Expression | None]] = {}
    others: list[exp.Expression] = []
    for parts in split:
        keyed = next((c for c in parts if (_eq_literal(c) or ("",))[0] == column), None)
        if keyed is None:
            others.append(exp.paren(exp.and_(*parts), copy=False))
            continue
        rest = [c for c in parts if c is not keyed]
        by_value.setdefault(_eq_literal(keyed)[1], []).append(exp.and_(*rest) if rest else None)  # type: ignore[index]
    terms = []
    for value, rests in by_value.items():
        test = exp.EQ(this=exp.column(column), expression=exp.Literal.string(value))
        if any(r is None for r in rests):  # one member wants every row of this value
            terms.append(exp.paren(test, copy=False))
        else:
            terms.append(exp.paren(exp.and_(test, exp.paren(exp.or_(*(exp.paren(r, copy=False) for r in rests))))))
    return exp.or_(*terms, *others, copy=False)


def _eq_literal(condition: exp.Expression) -> tuple[str, str] | None:
    """(column, value) for `column = 'value'` over a plain column, else None."""
    if (isinstance(condition, exp.EQ) and isinstance(condition.this, exp.Column) and len(condition.this.parts) == 1
            and isinstance(condition.expression, exp.Literal) and condition.expression.is_string):
        return condition.this.name.lower(), condition.expression.this
    return None
