"""SQL errors as an analyst reads them: what is wrong, where (line, column, the token) and a fix.

The guard (sqlglot) and the local engine (DuckDB) word their errors for their own developers:
`Required keyword: 'this' missing for <class 'sqlglot.expressions.query.Where'>`, `Binder Error: Cannot
compare values of type VARCHAR and type INTEGER_LITERAL`. Athena users expect
`line 1:38: WHERE has no condition` and the names of *their* columns. This module rewrites the known
shapes; whatever it does not know loses the library's labels (`Binder Error:`, `<class …>`) and keeps
the rest. Positions are found in the SQL the person wrote, because the engine only saw a transpiled,
window-bounded copy of it.

Presentation only: what the guard refuses and why stays the guard's decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.catalog import TABLES

_GUARD_PARSE = re.compile(r"^not valid Athena SQL(?: at line (\d+), column (\d+))?: (.*)$", re.S)
_REQUIRED = re.compile(r"Required keyword: '(\w+)' missing (?:for <class '[\w.]*?(\w+)'>|in (\w+))")
_CLASS = re.compile(r"<class '[\w.]*?(\w+)'>")
_LIBRARY_LABEL = re.compile(r"^(?:local engine \(DuckDB\):\s*)?(?:[A-Z][a-z]+ )?(?:Error|Exception):\s*")
_COMPARE = re.compile(r"Cannot compare values of type (.+?) and type (.+?)(?: - an explicit cast is required|$)")
_CONVERT = re.compile(r"Could not convert string '(.*?)' to (\w+)(?: when casting from source column (\w+))?")
_GROUP_BY = re.compile(r'column "?(\w+)"? must appear in the GROUP BY clause')
_NO_FUNCTION = re.compile(r"No function matches the given name and argument types '(\w+)\((.*?)\)'")

# DuckDB's type names → Athena's, with what they mean to someone reading a log column.
_TYPES = {"VARCHAR": "varchar (text)", "INTEGER_LITERAL": "integer", "INTEGER": "integer", "INT32": "integer",
          "BIGINT": "bigint", "INT64": "bigint", "DOUBLE": "double", "DECIMAL": "decimal", "DATE": "date",
          "BOOLEAN": "boolean", "TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
          "STRING_LITERAL": "varchar (text)"}
# What an incomplete clause is called, and how to finish it; keyed by sqlglot's node class.
_INCOMPLETE = {
    "Where": ("WHERE has no condition after it", "add one, e.g. WHERE eventname = 'ConsoleLogin', or delete WHERE"),
    "Having": ("HAVING has no condition after it", "add one, e.g. HAVING count(*) > 10, or delete HAVING"),
    "And": ("AND has no condition on its right", "add one, e.g. AND errorcode IS NOT NULL, or delete AND"),
    "Or": ("OR has no condition on its right", "add one, or delete OR"),
    "Not": ("NOT has nothing to negate", "add a condition after NOT"),
    "Group": ("GROUP BY names no column", "name one, e.g. GROUP BY eventname"),
    "Order": ("ORDER BY names no column", "name one, e.g. ORDER BY eventtime DESC"),
    "Limit": ("LIMIT needs a number", "e.g. LIMIT 100"),
    "Join": ("JOIN needs a table and an ON condition", "e.g. JOIN vpc_flow f ON f.srcaddr = c.sourceipaddress"),
    "Alias": ("AS needs a name after it", "e.g. count(*) AS calls"),
    "In": ("IN needs a list of values", "e.g. IN ('ConsoleLogin', 'GetSessionToken')"),
    "Between": ("BETWEEN needs a low AND a high value", "e.g. BETWEEN 1 AND 10"),
    "Cast": ("CAST needs a value and a type", "e.g. CAST(errorcode AS varchar)"),
}
_COMPARISONS = {"EQ": "=", "NEQ": "<>", "GT": ">", "GTE": ">=", "LT": "<", "LTE": "<="}
for _op in _COMPARISONS:
    _INCOMPLETE[_op] = (f"the comparison '{_COMPARISONS[_op]}' has nothing on one side",
                        "compare a column with a value, e.g. eventname = 'ConsoleLogin'")


@dataclass(frozen=True)
class Position:
    line: int
    column: int
    token: str

    def __str__(self) -> str:
        near = f", near '{self.token}'" if self.token else ""
        return f"line {self.line}:{self.column}{near}"


def _mask_strings(sql: str) -> str:
    """The SQL with quoted text and comments blanked (same length), so a search finds only code."""
    def blank(match: re.Match[str]) -> str:
        text = match.group(0)
        return text[0] + " " * (len(text) - 2) + text[-1] if len(text) >= 2 else " "
    return re.sub(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*", blank, sql)


def locate(sql: str, pattern: str) -> Position | None:
    """Where `pattern` (a regex) first matches outside strings and comments, 1-based."""
    match = re.search(pattern, _mask_strings(sql), re.IGNORECASE)
    if not match:
        return None
    before = sql[: match.start()]
    line = before.count("\n") + 1
    column = match.start() - (before.rfind("\n") + 1) + 1
    return Position(line, column, sql[match.start(): match.end()])


def _token_at(sql: str, line: int, column: int) -> Position:
    """sqlglot reports the column where the offending token ends; name that token."""
    lines = sql.splitlines() or [""]
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    end = min(column, len(text))
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_."):
        start -= 1
    token = text[start:end].strip() or text[max(0, end - 1):end].strip()
    return Position(line, start + 1 if token else column, token)


def _column_type(name: str) -> str | None:
    for table in TABLES.values():
        for col in table.columns:
            if col.name == name.lower():
                return col.type
    return None


def _athena_type(duckdb_type: str) -> str:
    return _TYPES.get(duckdb_type.upper(), duckdb_type.lower())


def _parse_error(detail: str, position: Position | None, sql: str) -> str:
    where = str(position) if position else "the query"
    near = ""
    at_end = position is not None and _is_end(sql, position)
    if match := _REQUIRED.search(detail):
        clause = match.group(2) or match.group(3)  # sqlglot's own message, or the guard's worded one
        what, fix = _INCOMPLETE.get(clause, (f"{clause.upper()} is incomplete", "finish it or remove it"))
        tail = " at the end of the query" if at_end else ""
        return f"SYNTAX_ERROR at {where}{near}: {what}{tail} — {fix}"
    if detail.startswith("Expecting )"):
        return f"SYNTAX_ERROR at {where}{near}: a '(' is not closed — add ')' where its argument list ends"
    if detail.startswith("Expecting ("):
        return f"SYNTAX_ERROR at {where}{near}: '(' expected here — a function call needs its arguments in ( )"
    if "Invalid expression / Unexpected token" in detail or detail.startswith("Unexpected"):
        return (f"SYNTAX_ERROR at {where}{near}: unexpected '{position.token if position else '?'}' — check the "
                "word before it for a missing comma, operator or quote")
    cleaned = _CLASS.sub(lambda m: m.group(1).upper(), detail).strip()
    return f"SYNTAX_ERROR at {where}{near}: {cleaned} — check the SQL around that point"


def _is_end(sql: str, position: Position) -> bool:
    lines = sql.rstrip().splitlines()
    return position.line >= len(lines) and position.column + len(position.token) > len(lines[-1].rstrip())


def _comparison_with(sql: str, literal_kind: str) -> tuple[str, Position | None, str] | None:
    """The first `column <op> literal` in the SQL whose column is text and whose literal is not:
    (column, position, literal)."""
    number = r"-?\d+(?:\.\d+)?"
    value = {"number": number, "date": r"(?:DATE|TIMESTAMP)\s*'[^']*'"}[literal_kind]
    pattern = rf"\b([a-z_][\w.]*)\s*(=|<>|!=|>=|<=|>|<)\s*({value})"
    masked_lits = sql if literal_kind == "date" else _mask_strings(sql)
    for match in re.finditer(pattern, masked_lits, re.IGNORECASE):
        name = match.group(1).split(".")[-1]
        if (_column_type(name) or "").lower() in ("string", "varchar"):
            before = sql[: match.start()]
            pos = Position(before.count("\n") + 1, match.start() - (before.rfind("\n") + 1) + 1,
                           sql[match.start(): match.end()])
            return name, pos, f"{match.group(2)} {match.group(3)}"
    return None


def _engine_error(message: str, sql: str) -> str | None:
    if match := _COMPARE.search(message):
        left, right = _athena_type(match.group(1)), _athena_type(match.group(2))
        kind = "date" if "date" in right or "timestamp" in right else "number"
        found = _comparison_with(sql, kind) if "varchar" in left else None
        if found:
            name, pos, compared = found
            op, literal = compared.split(" ", 1)
            if kind == "date":
                fix = (f"{name} is an ISO 8601 string: write from_iso8601_timestamp({name}) {op} "
                       "from_iso8601_timestamp('2026-11-19T00:00:00Z'), or compare it with a string")
                return f"TYPE_MISMATCH at {pos}: {name} is {left} and cannot be compared with {literal} — {fix}"
            fix = f"quote the value ({name} {op} '{literal}') or convert the column (CAST({name} AS integer) {op} {literal})"
            return f"TYPE_MISMATCH at {pos}: {name} is {left} and cannot be compared with the {right} {literal} — {fix}"
        return (f"TYPE_MISMATCH: a {left} value is compared with a {right} value — quote the value or CAST one side "
                "so that both have the same type")
    if match := _CONVERT.search(message):
        sample, target, name = match.group(1), _athena_type(match.group(2)), match.group(3)
        found = _comparison_with(sql, "number") if name else None
        pos = f" at {found[1]}" if found else ""
        shown = name or "a text column"
        op, literal = found[2].split(" ", 1) if found else ("=", "5")
        return (f"TYPE_MISMATCH{pos}: {shown} is varchar (text) and holds values such as '{sample[:40]}' that are not "
                f"{target} numbers — quote the value ({shown} {op} '{literal}') to compare text with text")
    if match := _GROUP_BY.search(message):
        name = match.group(1)
        pos = locate(sql, rf"\b{re.escape(name)}\b")
        where = f" (line {pos.line}:{pos.column})" if pos else ""
        return (f"'{name}' must be an aggregate expression or appear in the GROUP BY clause{where} — add GROUP BY "
                f"{name}, or aggregate it, e.g. arbitrary({name}) or count(DISTINCT {name})")
    if match := _NO_FUNCTION.search(message):
        function, types = match.group(1), ", ".join(_athena_type(t.strip()) for t in match.group(2).split(","))
        pos = locate(sql, rf"\b{re.escape(function)}\s*\(")
        where = f" at {pos}" if pos else ""
        return (f"FUNCTION_MISMATCH{where}: {function}() does not take ({types}) — CAST the argument to the type it "
                f"expects, e.g. {function}(CAST(bytes AS double)), or pick a function made for text")
    return None


def explain_sql_error(exc: BaseException, sql: str | None = None) -> str:
    """One line for a failed query: guard parse refusals and engine errors reworded, the rest as is."""
    from workbench.engines import EngineError
    from workbench.sqlguard import GuardError

    text = " ".join(str(exc).split())
    source = sql if sql is not None else getattr(exc, "sql", "") or ""
    if isinstance(exc, GuardError) and exc.code == "parse":
        match = _GUARD_PARSE.match(" ".join(exc.reason.split()))
        if match:
            line, column, detail = match.group(1), match.group(2), match.group(3)
            position = _token_at(source, int(line), int(column)) if line and source else None
            return _parse_error(detail, position, source)
    if isinstance(exc, EngineError):
        explained = _engine_error(text, source)
        if explained:
            return explained
        if text.startswith("local engine (DuckDB):"):
            return "the query failed on the local engine: " + _CLASS.sub("", _LIBRARY_LABEL.sub("", text))
    return text
