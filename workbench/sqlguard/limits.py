"""Cost and complexity limits: shapes that read little but compute without bound.

The window bounds what a query reads; these bound what it makes of it. A recursive CTE can loop
until the engine runs out of memory, a cross join of two log tables squares the window's rows,
and `sequence(1, 1e12)` or `repeat('x', 1e12)` builds a value bigger than any lake. `--unsafe`
skips these checks (they refuse some honest queries); the sandbox's memory limit and
`query_timeout` still stop what they would have caught.
"""

from __future__ import annotations

from sqlglot import exp

from workbench.sqlguard.boundary import Refusal, cte_in_scope, function_name, is_log_reference
from workbench.timewindow import parse_time

MAX_GENERATED = 100_000
"""Elements one sequence()/range() may make, characters one repeat()/lpad()/rpad() may build."""

# Anonymous (unmodelled) generators: name → index of the argument that sizes the result.
_SIZED_BY = {"array_repeat": 1, "repeat": 1, "lpad": 1, "rpad": 1, "combinations": 1}
_RANGES = frozenset({"range", "generate_series", "sequence"})
_INTERVAL_UNIT = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}


def check_limits(tree: exp.Expression) -> None:
    for with_ in tree.find_all(exp.With):
        if with_.args.get("recursive"):
            raise Refusal("recursive", "WITH RECURSIVE can run without bound: write the query without recursion "
                                       "(or run it with --unsafe, still under the sandbox and query_timeout)")
    for join in tree.find_all(exp.Join):
        _check_join(join)
    for node in tree.find_all(exp.Func):
        _check_generator(node)


# -- joins --------------------------------------------------------------------------------------


def _has_condition(join: exp.Join) -> bool:
    """A join condition that names a column; `ON TRUE` or `ON 1 = 1` is a cross join spelled out."""
    if join.args.get("using"):
        return True
    on = join.args.get("on")
    return on is not None and on.find(exp.Column) is not None


def _check_join(join: exp.Join) -> None:
    if _has_condition(join) or isinstance(join.this, exp.Unnest | exp.Lateral):
        return
    select = join.parent
    if not isinstance(select, exp.Select):
        return
    index = next(i for i, j in enumerate(select.args.get("joins") or []) if j is join)
    before = [*_from_source(select), *(j.this for j in select.args["joins"][:index])]
    right = _log_rows(join.this, set())
    left = next((name for name in (_log_rows(source, set()) for source in before) if name), None)
    if right and left:
        raise Refusal("cross_join", f"a join of {left} and {right} without a column condition pairs every row of "
                                    "one with every row of the other: join them ON a column condition, or "
                                    "aggregate one side to a single row first")


def _from_source(select: exp.Select) -> list[exp.Expression]:
    # sqlglot names the slot `from_` since 27 and `from` before it.
    clause = select.args.get("from_") or select.args.get("from")
    return [clause.this] if clause is not None else []


def _log_rows(source: exp.Expression, seen: set[int]) -> str | None:
    """The log table whose rows `source` yields many of (not through a one-row aggregate), or None."""
    if id(source) in seen:
        return None
    seen.add(id(source))
    if isinstance(source, exp.Table):
        if is_log_reference(source):
            return source.name.lower()
        cte = cte_in_scope(source)
        return _log_rows(cte.this, seen) if cte is not None else None
    if isinstance(source, exp.Subquery | exp.Paren):
        return _log_rows(source.this, seen)
    if isinstance(source, exp.SetOperation):
        return _log_rows(source.left, seen) or _log_rows(source.right, seen)
    if isinstance(source, exp.Select):
        if source.args.get("group") is None and source.expressions and all(
                p.find(exp.AggFunc) is not None and p.find(exp.Window) is None for p in source.expressions):
            return None  # an aggregate without GROUP BY is one row
        sources = [*_from_source(source), *(j.this for j in source.args.get("joins") or [])]
        return next((name for name in (_log_rows(s, seen) for s in sources) if name), None)
    return None


# -- generators ---------------------------------------------------------------------------------


def _int(node: exp.Expression | None) -> int | None:
    if isinstance(node, exp.Neg):
        inner = _int(node.this)
        return None if inner is None else -inner
    if isinstance(node, exp.Paren):
        return _int(node.this)
    if isinstance(node, exp.Literal) and node.is_int:
        return int(node.name)
    return None


def _too_big(name: str, what: str) -> Refusal:
    return Refusal("generator", f"{name}() {what}: at most {MAX_GENERATED:,} are allowed — give constant "
                                "bounds within that (or run it with --unsafe)")


def _check_size(name: str, size: exp.Expression | None) -> None:
    value = _int(size)
    if value is None:
        raise _too_big(name, "has a size that is not a constant whole number")
    if value > MAX_GENERATED:
        raise _too_big(name, f"would build {value:,} elements or characters")


def _moment(node: exp.Expression | None) -> float | None:
    """Seconds since the epoch of a date/timestamp literal (`DATE '…'`, `CAST('…' AS …)`)."""
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal) and node.this.is_string:
        try:
            return parse_time(node.this.name).timestamp()
        except (ValueError, OverflowError):
            return None
    return None


def _step_seconds(step: exp.Expression | None) -> float | None:
    if step is None:
        return 86400.0  # Trino's default step between dates is one day
    if isinstance(step, exp.Interval):
        # INTERVAL '1' DAY: Athena writes the amount as a string.
        text = step.this.name.strip() if isinstance(step.this, exp.Literal) else ""
        amount = int(text) if text.isdigit() else None
        unit = _INTERVAL_UNIT.get(step.unit.name.lower().rstrip("s")) if step.unit else None
        if amount and unit:
            return float(amount * unit)
    return None


def _series_length(start: exp.Expression | None, end: exp.Expression | None, step: exp.Expression | None) -> int | None:
    low, high = _int(start), _int(end)
    if low is not None and high is not None:
        stride = _int(step) if step is not None else 1
        return None if not stride else abs(high - low) // abs(stride) + 1
    first, last, seconds = _moment(start), _moment(end), _step_seconds(step)
    if first is not None and last is not None and seconds:
        return int(abs(last - first) // seconds) + 1
    return None


def _check_generator(node: exp.Func) -> None:
    name = function_name(node).lower()
    if isinstance(node, exp.GenerateSeries):
        length = _series_length(node.args.get("start"), node.args.get("end"), node.args.get("step"))
        if length is None:
            raise _too_big("sequence", "has bounds that are not constant numbers, dates or timestamps")
        if length > MAX_GENERATED:
            raise _too_big("sequence", f"would build {length:,} elements")
    elif isinstance(node, exp.Repeat):
        _check_size(name, node.args.get("times"))
    elif isinstance(node, exp.Pad):
        _check_size("lpad" if node.args.get("is_left") else "rpad", node.args.get("expression"))
    elif isinstance(node, exp.Anonymous):
        args = node.expressions
        if name in _SIZED_BY:
            _check_size(name, args[_SIZED_BY[name]] if len(args) > _SIZED_BY[name] else None)
        elif name in _RANGES:
            start, end = (args[0], args[1]) if len(args) >= 2 else (exp.Literal.number(0), args[0] if args else None)
            length = _series_length(start, end, args[2] if len(args) > 2 else None)
            if length is None or length > MAX_GENERATED:
                raise _too_big(name, "has bounds that are not constant" if length is None
                               else f"would build {length:,} elements")

