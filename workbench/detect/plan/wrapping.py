"""Conditions of the SELECTs that wrap a table read, rewritten over the read's own columns.

A rule often names a value in a subquery and tests it outside:

    SELECT … FROM (SELECT …, coalesce(json_extract_scalar(requestparameters, '$.instanceType'), …)
                          AS instance_type
                   FROM cloudtrail WHERE eventname = 'RunInstances')
    WHERE regexp_like(instance_type, '^(p[0-9]|g[0-9]…)')

Only the inner WHERE names the table's columns, so a shared scan (`workbench.detect.plan.shareable`)
would copy every RunInstances event for this rule, though only the unusual instance types reach
its answer. `wrapping_conditions` substitutes each outer condition's names by their definitions,
so it can be lifted like an inner one (measured over 1M events: the shared table 42,500 rows →
23,000 — the unusual-instance and role-trust rules had copied every RunInstances and CreateRole
event — and a run 20-30 ms shorter).

Valid because the SELECTs in between pass rows through one for one: a table row reaches the
answer only if it passes every condition on the way. The walk stops at a SELECT that groups,
deduplicates, limits, or computes a window or aggregate (its rows, or a value in them, depend
on other rows: filtering its input first would change them), and at one that joins (a name could
be the other source's).
"""

from __future__ import annotations

from sqlglot import exp

from workbench.detect.plan.scanfilter import conjuncts

_ROWS_NOT_ONE_FOR_ONE = ("group", "having", "distinct", "limit", "qualify", "with", "order")


def wrapping_conditions(select: exp.Select) -> list[exp.Expression]:
    """The WHERE conditions of the SELECTs wrapping `select` (each its only source), over the
    sources of `select` itself; conditions naming anything else are left out."""
    found: list[exp.Expression] = []
    node = select
    defined: dict[str, exp.Expression | None] | None = None  # output name → its definition below
    while not any(node.args.get(arg) for arg in _ROWS_NOT_ONE_FOR_ONE):
        if any(p.find(exp.AggFunc, exp.Window) for p in node.expressions):
            break
        outputs: dict[str, exp.Expression | None] = {}
        for projection in node.expressions:
            name = projection.alias_or_name.lower()
            if isinstance(projection, exp.Star) or not name:
                return found  # names it passes through are not known
            body = projection.this if isinstance(projection, exp.Alias) else projection
            outputs[name] = body if defined is None else _substitute(body, defined, None)
        defined = outputs
        subquery = node.parent
        outer = subquery.parent.parent if isinstance(subquery, exp.Subquery) and isinstance(
            subquery.parent, exp.From) else None
        if not isinstance(outer, exp.Select) or outer.args.get("joins"):
            break
        where = outer.args.get("where")
        if where is not None:
            alias = subquery.alias_or_name.lower() or None
            found += [c for c in (_substitute(c, defined, alias) for c in conjuncts(where.this)) if c is not None]
        node = outer
    return found


def _substitute(expression: exp.Expression, defined: dict[str, exp.Expression | None],
                alias: str | None) -> exp.Expression | None:
    """`expression` with every column naming an output of the SELECT below (bare, or qualified by
    its alias) replaced by that output's definition; None when it names anything else."""
    rewritten = expression.copy()
    for column in list(rewritten.find_all(exp.Column)):
        parts = [p.name.lower() for p in column.parts]
        if alias is not None and len(parts) == 2 and parts[0] == alias:
            parts = parts[1:]
        body = defined.get(parts[0]) if len(parts) == 1 else None
        if body is None:
            return None
        value = body.copy() if isinstance(body, exp.Column | exp.Literal | exp.Func) else exp.paren(body.copy())
        if column is rewritten:
            return value
        column.replace(value)
    return rewritten
