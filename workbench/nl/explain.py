"""`%ask --explain`: the last query in plain words, read from its SQL tree, plus what the guard did."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp

if TYPE_CHECKING:
    from workbench.session import Outcome


def describe_sql(sql: str) -> list[str]:
    """A few lines saying what a SELECT reads, keeps, groups, orders and returns."""
    try:
        tree = sqlglot.parse_one(sql, read="athena")
    except sqlglot.errors.ParseError:
        return ["(the SQL could not be parsed for an explanation)"]
    lines: list[str] = []
    tables = sorted({t.name for t in tree.find_all(exp.Table)})
    lines.append(f"Reads {', '.join(tables)}, each scan bounded by the window (partitions and event time).")
    if not isinstance(tree, exp.Select):
        lines.append(f"Combines several SELECTs ({tree.key.upper()}).")
        return lines
    where = tree.args.get("where")
    if where is not None:
        conditions = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
        lines.append("Keeps rows where: " + "; ".join(c.sql("athena") for c in conditions) + ".")
    group = tree.args.get("group")
    if group is not None:
        lines.append("Groups by " + ", ".join(e.sql("athena") for e in group.expressions) + ".")
    if tree.args.get("distinct") is not None:
        lines.append("Returns each distinct value once.")
    lines.append("Returns " + ", ".join(e.sql("athena") for e in tree.expressions) + ".")
    order = tree.args.get("order")
    if order is not None:
        lines.append("Ordered by " + ", ".join(e.sql("athena") for e in order.expressions) + ".")
    limit = tree.args.get("limit")
    if limit is not None:
        lines.append(f"At most {limit.expression.sql('athena')} rows.")
    return lines


def explain_outcome(outcome: Outcome) -> str:
    record = outcome.record
    head = []
    if record.question:
        head.append(f"Question: {record.question}")
    if outcome.translation is not None:
        head.append(f"Answered by {outcome.translation.provider}: {outcome.translation.explanation}")
        if outcome.translation.rejected:
            head.append("Earlier answers were rejected: " + " | ".join(outcome.translation.rejected))
        if outcome.translation.intent:
            head.append("Intent (each piece of the question and where it went):")
            head.extend(f"  {line}" for line in outcome.translation.intent)
    head.append(f"Window: {outcome.window} · engine {record.engine}")
    if outcome.notes:
        head.append("Guard: " + "; ".join(outcome.notes))
    return "\n".join([*head, *describe_sql(outcome.sql), "", outcome.sql])
