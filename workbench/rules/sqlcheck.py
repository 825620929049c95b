"""What a rule's Athena SQL reads and returns, checked against the catalog with sqlglot.

`analyze(query)` parses once (read="athena") and walks sqlglot's scopes, so table aliases, CTEs,
derived tables, UNNEST aliases, lambda parameters and output aliases in ORDER BY/HAVING resolve
as Athena would. Struct paths (`useridentity.sessioncontext.sessionissuer.username`), array
subscripts and map lookups are followed through the catalog's types. Every problem carries the
line inside the query so the linter can point at the file line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError, SqlglotError
from sqlglot.optimizer.scope import Scope, traverse_scope

from workbench.catalog import CLOUDTRAIL_JSON_COLUMNS, GUARDDUTY_JSON_COLUMNS, TABLES, Table, arrow_type
from workbench.registry import closest

JSON_COLUMNS = CLOUDTRAIL_JSON_COLUMNS | GUARDDUTY_JSON_COLUMNS
_NOW_FUNCTIONS = (exp.CurrentTimestamp, exp.CurrentDate, exp.CurrentTime)
_COMPARISONS = (exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between)


@dataclass(frozen=True)
class SqlProblem:
    kind: str  # syntax | statement | table | column | star | output | window | athena
    message: str
    line: int | None = None  # 1-based line inside the query text
    level: str = "error"


@dataclass
class QueryAnalysis:
    ast: exp.Expression | None = None
    problems: list[SqlProblem] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    aggregates: bool = False
    # False when the output columns cannot be listed (SELECT *): checks against them are skipped.
    outputs_known: bool = True

    def of(self, *kinds: str) -> list[SqlProblem]:
        return [p for p in self.problems if p.kind in kinds]


@dataclass
class _Source:
    columns: dict[str, pa.DataType | None] | None  # None: cannot tell, accept any column
    table: Table | None = None


def _line(node: exp.Expression) -> int | None:
    for candidate in (node, getattr(node, "this", None)):
        if isinstance(candidate, exp.Expression) and candidate.meta.get("line"):
            return int(candidate.meta["line"])
    return None


def catalog_tables(query: str) -> list[str]:
    """The log tables a query reads, in order of appearance; empty when it does not parse."""
    try:
        return analyze(query).tables
    except SqlglotError:
        return []


@lru_cache(maxsize=512)
def analyze(query: str) -> QueryAnalysis:
    out = QueryAnalysis()
    try:
        statements = [s for s in sqlglot.parse(query, read="athena") if s is not None]
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        where = first.get("highlight") or first.get("start_context") or ""
        out.problems.append(SqlProblem("syntax", f"not valid Athena SQL: {first.get('description', exc)}"
                                       f" near '{where}'", first.get("line")))
        return out
    except SqlglotError as exc:
        out.problems.append(SqlProblem("syntax", f"not valid Athena SQL: {exc}"))
        return out
    if len(statements) != 1:
        out.problems.append(SqlProblem("statement", f"holds {len(statements)} statements; a rule is "
                                       "exactly one SELECT"))
        return out
    ast = out.ast = statements[0]
    if not isinstance(ast, exp.Query):
        out.problems.append(SqlProblem("statement", f"is a {ast.key.upper()} statement; a rule is "
                                       "exactly one read-only SELECT", _line(ast)))
        return out
    _check_stars(ast, out)
    _resolve_columns(ast, out)
    _check_outputs(ast, out)
    _check_now(ast, out)
    _check_fails_whole_query(ast, out)
    return out


def _check_stars(ast: exp.Expression, out: QueryAnalysis) -> None:
    for select in ast.find_all(exp.Select):
        for projection in select.expressions:
            if _is_star(projection):
                out.problems.append(SqlProblem(
                    "star", "SELECT * reads every column (cost on Athena) and breaks when the table "
                    "grows; name the columns the alert needs", _line(projection) or _line(select)))


def _is_star(projection: exp.Expression) -> bool:
    """`*` or `t.*` as a projection (not `count(*)`)."""
    return isinstance(projection, exp.Star) or (
        isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star))


def _top_select(ast: exp.Expression) -> exp.Select | None:
    while isinstance(ast, exp.SetOperation):
        ast = ast.this
    if isinstance(ast, exp.Subquery):
        return _top_select(ast.this)
    return ast if isinstance(ast, exp.Select) else None


def _check_outputs(ast: exp.Expression, out: QueryAnalysis) -> None:
    select = _top_select(ast)
    if select is None:
        return
    seen: set[str] = set()
    for projection in select.expressions:
        if _is_star(projection):
            out.outputs_known = False
            continue
        name = projection.output_name.lower() if isinstance(projection, exp.Alias | exp.Column | exp.Dot) else ""
        if not name:
            out.problems.append(SqlProblem(
                "output", f"`{projection.sql(dialect='athena')}` has no name; add `AS name` so "
                "thresholds, dedup and the alert can refer to it", _line(projection)))
            continue
        if name in seen:
            out.problems.append(SqlProblem("output", f"two output columns are named '{name}'; alias one",
                                           _line(projection)))
        seen.add(name)
        out.outputs.append(name)
    out.aggregates = bool(select.args.get("group")) or any(
        p.find(exp.AggFunc) for p in select.expressions)


def _check_now(ast: exp.Expression, out: QueryAnalysis) -> None:
    for node in ast.find_all(*_NOW_FUNCTIONS):
        out.problems.append(SqlProblem(
            "window", f"`{node.sql(dialect='athena')}` bounds time by hand; remove it — the engine "
            "bounds every table by the run's window", _line(node), "warning"))


def _check_fails_whole_query(ast: exp.Expression, out: QueryAnalysis) -> None:
    """What fails the whole query on Athena (and on the local engine, which follows it) as soon as
    one row holds an unexpected value: a rule then alerts on nothing until someone notices."""
    for cast in ast.find_all(exp.Cast):
        if (cast.to.is_type(exp.DType.IPADDRESS) and not isinstance(cast, exp.TryCast)
                and not isinstance(cast.this, exp.Literal)):
            out.problems.append(SqlProblem(
                "athena", f"`{cast.sql(dialect='athena')}` fails the query on any value that is not an IP "
                "address (CloudTrail puts service names in sourceipaddress); use TRY_CAST", _line(cast), "warning"))
    for bracket in ast.find_all(exp.Bracket):
        index = bracket.expressions[0] if len(bracket.expressions) == 1 else None
        if not bracket.args.get("safe") and index is not None and not (isinstance(index, exp.Literal)
                                                                        and index.is_string):
            out.problems.append(SqlProblem(
                "athena", f"`{bracket.sql(dialect='athena')}` fails the query when the array is shorter; use "
                "element_at(array, n), which is NULL there", _line(bracket), "warning"))


def _resolve_columns(ast: exp.Expression, out: QueryAnalysis) -> None:
    memo: dict[int, dict[str, _Source]] = {}
    seen: set[int] = set()
    for scope in traverse_scope(ast):
        sources = _sources(scope, out, memo)
        aliases = _select_aliases(scope)
        for column in scope.columns:
            if id(column) in seen or isinstance(column.this, exp.Star):
                continue
            seen.add(id(column))
            _resolve(column, sources, aliases, out)


def _select_aliases(scope: Scope) -> set[str]:
    select = scope.expression
    if not isinstance(select, exp.Select):
        return set()
    return {p.alias.lower() for p in select.expressions if isinstance(p, exp.Alias)}


def _sources(scope: Scope, out: QueryAnalysis, memo: dict[int, dict[str, _Source]]) -> dict[str, _Source]:
    if id(scope) in memo:
        return memo[id(scope)]
    result: dict[str, _Source] = {}
    visible = _visible(scope)
    for name, source in scope.sources.items():
        if visible is not None and name not in visible:
            continue
        if isinstance(source, exp.Table):
            table = TABLES.get(source.name.lower())
            if table is None:
                guess = closest(source.name, list(TABLES))
                hint = f" — did you mean '{guess}'?" if guess else ""
                out.problems.append(SqlProblem("table", f"unknown table '{source.name}'{hint} "
                                               f"(log tables: {', '.join(TABLES)})", _line(source)))
                result[name.lower()] = _Source(None)
                continue
            if table.name not in out.tables:
                out.tables.append(table.name)
            cols: dict[str, pa.DataType | None] = {c.name: arrow_type(c.type) for c in table.columns}
            cols.update({k: pa.string() for k in table.partition_keys})
            result[name.lower()] = _Source(cols, table)
        elif isinstance(source, Scope):
            result[name.lower()] = _Source(_scope_outputs(source, out, memo))
    memo[id(scope)] = result
    return result


def _visible(scope: Scope) -> set[str] | None:
    """The sources a column in `scope` may name: what its FROM and JOINs read (for an UNNEST, the
    sources joined before it). sqlglot's `scope.sources` also lists every CTE defined above the
    scope, read or not; counting those made a column of a query over one of two CTEs "in more than
    one source". None (keep them all) when sqlglot cannot list them, e.g. an alias used twice."""
    try:
        selected = set(scope.selected_sources)
    except OptimizeError:
        return None
    return selected | set(scope.lateral_sources) | (set(scope.sources) - set(scope.cte_sources))


def _scope_outputs(scope: Scope, out: QueryAnalysis,
                   memo: dict[int, dict[str, _Source]]) -> dict[str, pa.DataType | None] | None:
    expression = scope.expression
    if isinstance(expression, exp.Unnest):
        # UNNEST(array) AS t(x): x is the element; UNNEST(map) AS t(k, v); then ORDINALITY.
        parent = _sources(scope, out, memo)
        types: list[pa.DataType | None] = []
        for arg in expression.expressions:
            typ = _type_of(arg, parent)
            if typ is not None and pa.types.is_list(typ):
                types.append(typ.value_type)
            elif typ is not None and pa.types.is_map(typ):
                types += [typ.key_type, typ.item_type]
            else:
                types.append(None)
        alias = expression.args.get("alias")
        names = [c.name.lower() for c in alias.columns] if alias and alias.columns else []
        if not names:
            return None
        if (len(types) == 1 and types[0] is not None and pa.types.is_struct(types[0])
                and len(names) > 1):
            # Athena spreads an array of rows over the aliases: UNNEST(resources) AS t(arn, accountid, type).
            types = [f.type for f in types[0]]
        return {n: (types[i] if i < len(types) else None) for i, n in enumerate(names)}
    branches = getattr(scope, "set_operation_scopes", None) or getattr(scope, "union_scopes", None)
    if branches:
        return _scope_outputs(branches[0], out, memo)
    if not isinstance(expression, exp.Select):
        return None
    inner = _sources(scope, out, memo)
    outputs: dict[str, pa.DataType | None] = {}
    for projection in expression.expressions:
        if _is_star(projection):
            return None  # SELECT * in a subquery: reported elsewhere; accept its columns
        name = projection.output_name.lower()
        if name:
            outputs[name] = _type_of(projection.unalias(), inner)
    return outputs


def _type_of(node: exp.Expression, sources: dict[str, _Source]) -> pa.DataType | None:
    """The type of a plain column path, else None (unknown, so anything below it is accepted)."""
    if isinstance(node, exp.Dot):
        parts = [p.name.lower() for p in node.parts]
    elif isinstance(node, exp.Column):
        parts = [p.name.lower() for p in node.parts]
    else:
        return None
    if len(parts) > 1 and parts[0] in sources:
        source, path = sources[parts[0]], parts[1:]
    else:
        found = [s for s in sources.values() if s.columns and parts[0] in s.columns]
        if len(found) != 1:
            return None
        source, path = found[0], parts
    if not source.columns or path[0] not in source.columns:
        return None
    typ = source.columns[path[0]]
    for name in path[1:]:
        if typ is None or not pa.types.is_struct(typ) or typ.get_field_index(name) < 0:
            return None
        typ = typ.field(name).type
    return typ


def _resolve(column: exp.Column, sources: dict[str, _Source], aliases: set[str], out: QueryAnalysis) -> None:
    parts = [p.name.lower() for p in column.parts]
    line = _line(column)
    if len(parts) > 1 and parts[0] in sources:
        qualifier, source, path = parts[0], sources[parts[0]], parts[1:]
    else:
        qualifier, path = None, parts
        candidates = [s for s in sources.values() if s.columns is None or path[0] in s.columns]
        known = [s for s in candidates if s.columns is not None]
        if not candidates:
            if path[0] in aliases and column.find_ancestor(exp.Order, exp.Having, exp.Group):
                return
            names = sorted({c for s in sources.values() if s.columns for c in s.columns} | aliases)
            guess = closest(path[0], names)
            hint = f" — did you mean '{guess}'?" if guess else ""
            where = ", ".join(sorted({s.table.name for s in sources.values() if s.table})) or "its sources"
            out.problems.append(SqlProblem("column", f"unknown column '{path[0]}' in {where}{hint}", line))
            return
        if len(known) > 1 and len(candidates) == len(known):
            out.problems.append(SqlProblem(
                "column", f"column '{path[0]}' is in more than one source; qualify it (alias.{path[0]})",
                line))
            return
        source = known[0] if len(known) == 1 else candidates[0]
    if source.columns is None:
        return
    if path[0] not in source.columns:
        guess = closest(path[0], list(source.columns))
        hint = f" — did you mean '{guess}'?" if guess else ""
        owner = source.table.name if source.table else f"'{qualifier}' (columns: {', '.join(source.columns)})"
        out.problems.append(SqlProblem("column", f"unknown column '{path[0]}' in {owner}{hint}", line))
        return
    if source.table is not None:
        _check_hand_window(column, path[0], source.table, out, line)
    _walk_type(column, path, source.columns[path[0]], out, line)


def _walk_type(column: exp.Column, path: list[str], typ: pa.DataType | None,
               out: QueryAnalysis, line: int | None) -> None:
    """Follow struct fields named in the column, then any `.field`, `[i]` or `['key']` after it."""
    steps: list[str | None] = list(path[1:])  # None marks a subscript
    node: exp.Expression = column
    while isinstance(node.parent, exp.Dot | exp.Bracket) and node.parent.this is node:
        node = node.parent
        steps.append(node.expression.name.lower() if isinstance(node, exp.Dot) else None)
    walked = path[0]
    for step in steps:
        if typ is None:
            return
        if step is None:
            if pa.types.is_list(typ):
                typ = typ.value_type
            elif pa.types.is_map(typ):
                typ = typ.item_type
            else:
                out.problems.append(SqlProblem("column", f"'{walked}' is not an array or map; it cannot "
                                               "be subscripted", line))
                return
            walked += "[]"
            continue
        if pa.types.is_struct(typ):
            names = [f.name for f in typ]
            if step not in names:
                guess = closest(step, names)
                hint = f" — did you mean '{guess}'?" if guess else ""
                out.problems.append(SqlProblem(
                    "column", f"'{walked}' has no field '{step}'{hint} (fields: {', '.join(names)})", line))
                return
            typ = typ.field(step).type
            walked += f".{step}"
            continue
        hint = ""
        if path[0] in JSON_COLUMNS:
            hint = f"; it holds JSON text — use json_extract_scalar({path[0]}, '$.{step}')"
        out.problems.append(SqlProblem("column", f"'{walked}' is a {typ}, not a struct, so it has no "
                                       f"field '{step}'{hint}", line))
        return


def _check_hand_window(column: exp.Column, name: str, table: Table, out: QueryAnalysis,
                       line: int | None) -> None:
    if name in table.partition_keys:
        out.problems.append(SqlProblem(
            "window", f"partition column '{name}' used by hand; remove it — the engine adds the "
            "partition filter from the run's window", line, "warning"))
        return
    if name != table.time_column:
        return
    comparison = column.find_ancestor(*_COMPARISONS, exp.Select)
    if not isinstance(comparison, _COMPARISONS):
        return
    sides = [comparison.this, *([comparison.expression] if comparison.args.get("expression") else
                                [comparison.args.get("low"), comparison.args.get("high")])]
    mine = next((s for s in sides if s is column or (s and column in set(s.find_all(exp.Column)))), None)
    others = [s for s in sides if s is not None and s is not mine]
    if mine is not None and len(list(mine.find_all(exp.Column))) == 1 and not any(
            o.find(exp.Column) for o in others):
        out.problems.append(SqlProblem(
            "window", f"time filter on '{name}' written by hand; remove it — the engine bounds the "
            "query by the run's window", line, "warning"))

