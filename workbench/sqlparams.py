"""Bind `:name` placeholders in Athena SQL to properly quoted literals, never spliced text.

Values become sqlglot literal nodes, so a string holding `' OR 1=1 --` stays one string literal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlglot
from sqlglot import exp

from workbench.timewindow import iso_z


class ParameterError(ValueError):
    """A placeholder without a value, or a value that cannot be a SQL literal."""


def placeholders(sql: str) -> list[str]:
    tree = sqlglot.parse_one(sql, read="athena")
    seen: list[str] = []
    for node in tree.find_all(exp.Placeholder):
        if node.name and node.name not in seen:
            seen.append(node.name)
    return seen


def literal(value: Any) -> exp.Expression:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, datetime):
        # CloudTrail stores eventtime as an ISO string; comparing like with like keeps pruning simple.
        return exp.Literal.string(iso_z(value))
    if isinstance(value, date):
        return exp.Literal.string(value.isoformat())
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, Sequence | set | frozenset):
        return exp.Array(expressions=[literal(v) for v in value])
    raise ParameterError(f"cannot use a {type(value).__name__} as a SQL value: {value!r}")


def bind_parameters(sql: str, values: Mapping[str, Any], dialect: str = "athena") -> str:
    """Replace each `:name` with the literal of `values[name]`; a list inside IN (...) expands."""
    tree = sqlglot.parse_one(sql, read="athena")
    missing = sorted({p.name for p in tree.find_all(exp.Placeholder) if p.name not in values})
    if missing:
        raise ParameterError(f"no value for placeholder(s) {', '.join(':' + m for m in missing)}")

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.In):
            items: list[exp.Expression] = []
            for item in node.expressions:
                value = values.get(item.name) if isinstance(item, exp.Placeholder) else None
                if isinstance(item, exp.Placeholder) and isinstance(value, list | tuple | set | frozenset):
                    items.extend(literal(v) for v in value)
                else:
                    items.append(item)
            node.set("expressions", items)
            return node
        if isinstance(node, exp.Placeholder) and node.name:
            return literal(values[node.name])
        return node

    return tree.transform(replace).sql(dialect=dialect, pretty=True)
