"""Binding a rule's allowlist placeholders (declared in tuning files, see `workbench.rules.tuning`).

A rule names an allowlist as a `:name` placeholder and tests membership with
`contains(:name, expr)`. The loader binds each placeholder to `CAST(ARRAY[...] AS ARRAY(VARCHAR))`
built from quoted literals (`workbench.sqlparams.literal`), never spliced text, so an entry holding
a quote stays one string. An ARRAY rather than an IN list because an empty allowlist must exclude
nothing: `x NOT IN ()` is not valid SQL and `x NOT IN (NULL)` is never true, whereas
`NOT contains(CAST(ARRAY[] AS ARRAY(VARCHAR)), x)` is true on Athena and on DuckDB alike.
`contains(list, NULL)` is NULL, so wrap a nullable column: `NOT contains(:list, coalesce(x, ''))`.
Placeholders are replaced token by token on their own line, so lint's line numbers still point
into the rule file.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.tokens import TokenType

from workbench.registry import unknown_name_message
from workbench.rules.issues import LintIssue
from workbench.rules.model import Rule
from workbench.sqlparams import literal

_ARRAY_TYPE = exp.DataType.build("ARRAY(VARCHAR)", dialect="athena")


def array_literal(values: Iterable[str]) -> str:
    """`CAST(ARRAY['a', 'b'] AS ARRAY(VARCHAR))` — typed, so an empty list is a valid empty array."""
    array = exp.Array(expressions=[literal(str(v)) for v in values])
    return exp.Cast(this=array, to=_ARRAY_TYPE.copy()).sql(dialect="athena")


def query_placeholders(query: str) -> list[tuple[str, int, int, int]]:
    """Each `:name` in the SQL as (name, start, end, line) from sqlglot's tokens, so text in
    strings and comments is never mistaken for a placeholder."""
    try:
        tokens = sqlglot.tokenize(query, read="athena")
    except SqlglotError:
        return []
    found = []
    for colon, name in zip(tokens, tokens[1:], strict=False):
        if colon.token_type == TokenType.COLON and name.start == colon.end + 1 and name.text.isidentifier():
            found.append((name.text, colon.start, name.end + 1, colon.line))
    return found


def _in_list_misuse(query: str) -> set[str]:
    """Placeholders written inside `IN (...)`: an empty list there would be invalid SQL."""
    try:
        tree = sqlglot.parse_one(query, read="athena")
    except SqlglotError:
        return set()
    return {item.name for node in tree.find_all(exp.In) for item in node.expressions
            if isinstance(item, exp.Placeholder)}


def bind_allowlists(rule: Rule, allowlists: dict[str, tuple[str, ...]]) -> tuple[str, list[LintIssue]]:
    """The rule's query with every allowlist placeholder bound; an unknown name binds to an empty
    list (nothing excluded, so the rule errs towards alerting) and is reported."""
    places = query_placeholders(rule.query)
    if not places:
        return rule.query, []
    issues: list[LintIssue] = []
    base = rule.source_map.text_lines.get("query") if rule.source_map else None

    def line_of(query_line: int) -> int:
        return base + query_line - 1 if base else rule.line_of("query")

    misused = _in_list_misuse(rule.query)
    reported: set[str] = set()
    text = rule.query
    for name, start, end, qline in sorted(places, key=lambda p: p[1], reverse=True):
        if name in misused and name not in reported:
            issues.append(rule.issue("query", f"`IN (:{name})` breaks when the list is empty; write "
                                     f"`contains(:{name}, column)` (or `NOT contains(...)`)", line=line_of(qline)))
        if name not in allowlists and name not in reported:
            issues.append(rule.issue("query", unknown_name_message("allowlist", name, list(allowlists)) +
                                     "; declare it under `allowlists:` in rules/tuning.yaml",
                                     line=line_of(qline)))
        reported.add(name)
        text = text[:start] + array_literal(allowlists.get(name, ())) + text[end:]
    return text, issues
