"""Does a query filter on what the question named? Read from its sqlglot tree, not its text.

The values a question names (IPs, users, ARNs, access keys, event names, ports…) must appear as
literals in the query's WHERE or HAVING — anywhere else (a SELECT list, a comment, a string in
ORDER BY) does not count: an answer that names the value without filtering on it is the silent
drop this check exists to catch. Used on the model's answers (anthropic provider) and by the
accuracy benchmark.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from workbench.nl.offline.mentions import extract

CHECKED_KINDS = ("ip", "arn", "access_key", "user", "name", "role", "event", "error_code", "finding_type", "port",
                 "bucket", "secret", "policy", "account", "resource_id", "region", "service_host",
                 "bare_name")


def question_entities(question: str) -> list[str]:
    """The named values in a question, as the offline reader finds them."""
    found = extract(question)
    return list(dict.fromkeys(m.value for m in found.items if m.kind in CHECKED_KINDS))


def filter_literals(sql: str) -> list[exp.Literal]:
    """Every literal inside a WHERE or HAVING clause of the query (subqueries included)."""
    try:
        tree = sqlglot.parse_one(sql, read="athena")
    except sqlglot.errors.ParseError:
        return []
    out: list[exp.Literal] = []
    for clause in (*tree.find_all(exp.Where), *tree.find_all(exp.Having)):
        out.extend(clause.find_all(exp.Literal))
    return out


def _covers(literal: exp.Literal, value: str) -> bool:
    text = literal.this
    if literal.is_number or value.isdigit():
        return text == value or text.strip("'%") == value
    if "/" in value and re.fullmatch(r"[\d.]+/\d+", value):  # a CIDR: its network part, or the range itself
        address, bits = value.split("/")
        prefix = ".".join(address.split(".")[: max(1, int(bits) // 8)])
        return value in text or text.strip("%").rstrip(".") == prefix or address in text
    return value.lower() in text.lower()


def missing_entities(sql: str, entities: list[str]) -> list[str]:
    """The entities no WHERE/HAVING literal of the query mentions."""
    literals = filter_literals(sql)
    return [str(e) for e in entities if not any(_covers(lit, str(e)) for lit in literals)]
