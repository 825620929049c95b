"""Threshold census: one statement tells which threshold rules could have a burst at all.

Threshold rules match frequent events (every GetObject, every List* call, every AccessDenied), and
on most runs none of them reaches its count. Running each rule's prefiltered query (see
`workbench.detect.plan.prefilter`) still costs a scan and an aggregate of its candidates per rule. The
census answers "could this rule burst in this window?" for all of them in one statement, reading
only the narrow columns their conditions and keys name; only the rules it cannot rule out run
their own query, and the others are answered with no rows.

For each rule the census counts candidate rows per (key, bucket), buckets `window` long as in the
prefilter, and asks whether any cell holds at least ceil(count / 2) rows (or any candidate has no
time). Why that is exact: the prefilter keeps rows only where two adjacent buckets hold `count`
rows together, so one of the two holds at least half; if no cell does, the prefilter returns no
rows, and neither would the rule. On an engine that reads a CTE once (`Engine.READS_CTE_ONCE`)
the census asks the prefilter's own question, and asks it only around those half-full cells:
does a half-full cell and one of its neighbours hold `count` rows together; and it reads the
table once for all the rules, through one materialised CTE of their candidates (measured on 1M
events: 0.18 s → 0.13 s, one scan instead of one per rule). Every approximation
the census makes only raises its counts:
- its candidates are the rows passing the WHERE conditions it can lift (a superset of the rule's);
- it groups by the rule's cheap keys only, and drops a key it cannot compute from the table's own
  columns (fewer keys merge groups);
- it reads the union of the members' windows (each rule's own is inside it);
- it counts rows, never distinct values (a window's distinct values are at most its rows).

Rules whose rows are not one per event (a JOIN or UNNEST, an aggregate, DISTINCT, LIMIT) are not
members: an event could make several rows, and the counts would fall short.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pandas as pd
from sqlglot import exp

from workbench.catalog import TABLES, TimeFormat
from workbench.detect.plan.scanfilter import cheap_first, conjuncts, scan_filter, short_circuit
from workbench.detect.plan.shareable import Shareable, analyse, lift_expression, split_evenly
from workbench.engines import Engine, Result
from workbench.engines.base import empty_frame
from workbench.engines.dialect import write_dialect_for
from workbench.engines.window import parse_athena
from workbench.rules import Rule
from workbench.sqlcache import persisted
from workbench.timewindow import Window

RULE_COLUMN, CELLS_COLUMN, ROWS_COLUMN = "_mantissa_rule", "_mantissa_cells", "_mantissa_rows"
_ATHENA = write_dialect_for("athena")


@dataclass(frozen=True)
class Member:
    """How the census counts one rule: its candidates, keys and bucket length."""

    table: str
    predicate: exp.Expression  # over the table's own columns
    keys: tuple[exp.Expression, ...]  # over the table's own columns
    columns: tuple[str, ...]  # the rule's output columns (its answer when it cannot burst)
    seconds: int
    at_least: int  # rows one cell must hold for the rule to be hot
    count: int  # the rule's threshold: rows two adjacent cells must hold together


def member(rule: Rule) -> Member | None:
    """The rule's census entry, or None when the census cannot speak for it (it then runs)."""
    th = rule.threshold
    if th is None or th.count <= 1:
        return None
    return _member(*_rule_key(rule))


@persisted
def _member(sql: str, table: str, count: int, seconds: int, exact_seconds: float,
            group_by: tuple[str, ...]) -> Member | None:
    if table not in TABLES or seconds <= 0 or seconds != exact_seconds:
        return None
    plan = analyse(sql)
    if not isinstance(plan, Shareable) or plan.table != table:
        return None
    tree = parse_athena(sql)
    if not isinstance(tree, exp.Select) or _not_one_row_per_event(tree):
        return None
    defined = {p.alias_or_name: p for p in tree.expressions}
    time = defined.get(TABLES[table].time_column)
    if not isinstance(time, exp.Column) or time.name != TABLES[table].time_column:
        return None  # the buckets must be those of the table's own event time
    if not all(k in defined for k in group_by):
        return None
    keys = []
    for name in group_by:
        projection = defined[name]
        expression = projection.this if isinstance(projection, exp.Alias) else projection
        if expression.find(*_COSTLY):
            continue  # a JSON or regex key would be parsed for every candidate: merge on it instead
        lifted = lift_expression(sql, expression)
        if lifted is not None:
            keys.append(lifted)
    return Member(table=table, predicate=plan.predicate, keys=tuple(keys), columns=tuple(defined),
                  seconds=seconds, at_least=math.ceil(count / 2), count=count)


_COSTLY = (exp.JSONExtract, exp.JSONExtractScalar, exp.RegexpLike, exp.RegexpExtract)


def _not_one_row_per_event(select: exp.Select) -> bool:
    if any(select.args.get(arg) for arg in ("joins", "group", "having", "limit", "distinct", "with", "qualify")):
        return True
    return any(p.find(exp.AggFunc, exp.Window, exp.Unnest, exp.Explode) for p in select.expressions)


def census_sql(rules: tuple[Rule, ...], key_hash: str | None = None, pairs: bool = False) -> str:
    """One Athena statement over the rules' table: a row (member index, hot cells) per rule.
    Every rule must have a census entry (`member`), and all must read one table. `key_hash`: a
    function hashing values to one integer (group by it, not by strings); `pairs` (needs it):
    test adjacent cells together, reading each rule's cells through a CTE."""
    keys = tuple(_rule_key(r) for r in rules)
    return _pair_census_sql(keys, key_hash) if pairs and key_hash else _census_sql(keys, key_hash)


def _rule_key(rule: Rule) -> tuple:
    th = rule.threshold
    assert th is not None
    return (rule.query, rule.table or "cloudtrail", th.count, int(th.window.total_seconds()),
            th.window.total_seconds(), tuple(th.group_by))


@persisted
def _census_sql(rule_keys: tuple[tuple, ...], key_hash: str | None) -> str:
    members = [_member(*key) for key in rule_keys]
    branches = []
    for index, m in enumerate(members):
        assert m is not None, "census_sql takes census members only"
        keys = [exp.alias_(k.copy(), f"_k{i}", quoted=True) for i, k in enumerate(m.keys)]
        bucket = exp.alias_(_bucket(m.table, m.seconds), "_b", quoted=True)
        rows = exp.select(*keys, bucket).from_(m.table).where(m.predicate.copy())
        grouped: list[exp.Expression] = [exp.column(f"_k{i}", quoted=True) for i in range(len(keys))]
        grouped.append(exp.column("_b", quoted=True))
        if key_hash:
            # One integer per cell instead of strings and a bucket: a collision only merges two
            # cells, and a merged cell only counts more.
            grouped = [exp.Anonymous(this=key_hash, expressions=grouped)]
        # A cell is hot when it holds half the count, or holds a row with no time (count(_b)
        # skips NULL): the rule then runs, and its matcher decides what such a row means.
        hot = exp.or_(exp.GTE(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(m.at_least)),
                      exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Count(this=exp.column("_b", quoted=True))))
        cells = (exp.select(exp.alias_(exp.Literal.number(1), "_hot", quoted=True))
                 .from_(exp.Subquery(this=rows, alias=exp.TableAlias(this=exp.to_identifier("_rows"))))
                 .group_by(*[g.copy() for g in grouped]).having(hot))
        branch = exp.select(exp.alias_(exp.Literal.number(index), RULE_COLUMN, quoted=True),
                            exp.alias_(exp.Count(this=exp.Star()), CELLS_COLUMN, quoted=True)).from_(
            exp.Subquery(this=cells, alias=exp.TableAlias(this=exp.to_identifier(f"_cells{index}"))))
        branches.append(branch)
    statement: exp.Expression = branches[0]
    for branch in branches[1:]:
        statement = exp.union(statement, branch, distinct=False)
    return statement.sql(dialect=_ATHENA)


@persisted
def _pair_census_sql(rule_keys: tuple[tuple, ...], key_hash: str) -> str:
    """The census asking the prefilter's question: do two adjacent cells of a group hold `count`
    rows together (or does a candidate have no time)? Only pairs around a half-full cell can, so
    only those are looked up.

    The table is read once for all the rules: one materialised row per candidate of any rule,
    holding per rule whether it is a candidate and its hashed key (rules with the same keys share
    one), and the event's time parsed once; each rule's cells are then counted from those rows."""
    members = [_member(*key) for key in rule_keys]
    assert all(members), "census_sql takes census members only"
    table = members[0].table  # type: ignore[union-attr]
    projection: list[exp.Expression] = [exp.alias_(_moment(table), "_t", quoted=True)]
    hashed: dict[str, str] = {}  # key SQL -> the column holding its hash
    key_of: list[str] = []
    for index, m in enumerate(members):
        assert m is not None
        projection.append(exp.alias_(short_circuit(cheap_first(m.predicate)), f"_m{index}", quoted=True))
        keys = [k.copy() for k in m.keys] or [exp.Literal.number(0)]
        digest = exp.Anonymous(this=key_hash, expressions=keys)
        column = hashed.setdefault(digest.sql(dialect=_ATHENA), f"_h{index}")
        if column == f"_h{index}":
            projection.append(exp.alias_(digest, column, quoted=True))
        key_of.append(column)
    rows = (exp.select(*projection).from_(table)
            .where(scan_filter([m.predicate for m in members if m is not None])).sql(dialect=_ATHENA))
    ctes, branches = [f'"_rows" AS MATERIALIZED ({rows})'], []
    for index, m in enumerate(members):
        assert m is not None
        ctes.append(f'"_c{index}" AS (SELECT "{key_of[index]}" AS "_h", floor("_t" / {m.seconds}) AS "_b", '
                    f'count(*) AS "_n", count(*) - count("_t") AS "_nulls" FROM "_rows" WHERE "_m{index}" '
                    f'GROUP BY 1, 2)')
        branches.append(
            f'SELECT {index} AS "{RULE_COLUMN}", count(*) AS "{CELLS_COLUMN}", '
            f'(SELECT sum("_n") FROM "_c{index}") AS "{ROWS_COLUMN}" FROM '
            f'(SELECT * FROM "_c{index}" WHERE "_n" >= {m.at_least} OR "_nulls" > 0) AS "_half" '
            f'LEFT JOIN "_c{index}" AS "_next" ON "_next"."_h" = "_half"."_h" AND "_next"."_b" = "_half"."_b" + 1 '
            f'LEFT JOIN "_c{index}" AS "_prev" ON "_prev"."_h" = "_half"."_h" AND "_prev"."_b" = "_half"."_b" - 1 '
            f'WHERE "_half"."_nulls" > 0 OR "_half"."_n" + coalesce("_next"."_n", 0) >= {m.count} '
            f'OR "_half"."_n" + coalesce("_prev"."_n", 0) >= {m.count}')
    return f"WITH {', '.join(ctes)} " + " UNION ALL ".join(branches)


def _moment(table: str) -> exp.Expression:
    """The event's time in epoch seconds."""
    column = exp.column(TABLES[table].time_column)
    if TABLES[table].time_format is TimeFormat.EPOCH_SECONDS:
        return exp.Cast(this=column, to=exp.DataType.build("DOUBLE"))
    # try(): a value that is not a time (a lake from before ingest parsed times whole) is NULL,
    # which the census counts as "cannot rule out" rather than failing every rule of the table.
    return exp.Anonymous(this="to_unixtime", expressions=[exp.Try(
        this=exp.Anonymous(this="from_iso8601_timestamp", expressions=[column]))])


def _bucket(table: str, seconds: int) -> exp.Expression:
    return exp.Floor(this=exp.Div(this=_moment(table), expression=exp.Literal.number(seconds)))


MIN_MEMBERS = 2
"""Rules over one table the census needs before it pays: for one rule it would only add a query."""


@dataclass
class Census:
    """What one census found: the answers of the rules that cannot burst, and what it cost."""

    answers: dict[int, Result]  # rule index -> its (empty) answer
    members: list[int]  # every rule index the census spoke for, hot or not
    result: Result
    candidates: dict[int, int] = field(default_factory=dict)
    """Hot rule index -> the rows passing its lifted WHERE, where the census counted them."""


def take_census(rules: Sequence[Rule], windows: Sequence[Window], engine: Engine) -> list[Census]:
    """One census per table with enough threshold rules; a census that fails answers nothing
    (its rules then run their own queries, which report their own errors)."""
    entries = {index: entry for index, entry in enumerate(map(member, rules)) if entry is not None}
    keys = tuple(_rule_key(r) if i in entries else None for i, r in enumerate(rules))
    for index in _read_anyway(tuple(r.query for r in rules), keys):
        del entries[index]
    by_table: dict[str, list[int]] = {}
    for index, entry in entries.items():
        by_table.setdefault(entry.table, []).append(index)
    done = []
    for indices in by_table.values():
        if len(indices) < MIN_MEMBERS:
            continue
        hull = Window(min(windows[i].start for i in indices), max(windows[i].end for i in indices))
        try:
            sql = census_sql(tuple(rules[i] for i in indices), engine.GROUP_KEY_HASH, engine.READS_CTE_ONCE)
            result = engine.run(sql, hull)
            hot = {int(position) for position, cells in zip(result.frame[RULE_COLUMN], result.frame[CELLS_COLUMN],
                                                             strict=True) if cells}
            counted = dict(zip(result.frame[RULE_COLUMN], result.frame[ROWS_COLUMN], strict=True)
                           ) if ROWS_COLUMN in result.frame else {}
        except Exception:  # noqa: BLE001 - the census is an optimisation; the rules still run
            continue
        info = {"id": result.query_id, "rules": len(indices), "hot": [rules[indices[p]].id for p in sorted(hot)],
                "elapsed_s": result.elapsed_s, "bytes_scanned": result.bytes_scanned, "sql": result.sql}
        answers = {}
        for position, index in enumerate(indices):
            if position in hot:
                continue
            answers[index] = Result(frame=empty_frame(entries[index].columns), engine=result.engine,
                                    sql=result.sql, executed_sql=result.executed_sql, query_id=result.query_id,
                                    elapsed_s=0.0, bytes_scanned=0, cost_usd=0.0, window=windows[index],
                                    extra={"census": info})
        candidates = {indices[p]: int(counted[p]) for p in hot if pd.notna(counted.get(p))}
        done.append(Census(answers=answers, members=indices, result=result, candidates=candidates))
    return done


@persisted
def _read_anyway(queries: tuple[str, ...], member_keys: tuple[tuple | None, ...]) -> frozenset[int]:
    """Census members whose every candidate is a candidate of a rule the census does not speak
    for, over the same table: the shared scan copies those rows for that rule anyway, so the
    member costs it nothing more, while counting it costs the census its key columns and a hash
    per row (the two console-login bursts, whose failures are among the logins another rule
    reads: census 121 → 100 ms over 1M events). A predicate implies another when it holds all of
    the other's conditions (AND-ed terms, compared as SQL)."""
    others = []
    for query, key in zip(queries, member_keys, strict=True):
        plan = analyse(query) if key is None else None
        if isinstance(plan, Shareable):
            others.append((plan.table, _terms(plan.predicate)))
    covered = set()
    for index, key in enumerate(member_keys):
        entry = _member(*key) if key is not None else None
        if entry is not None and any(table == entry.table and terms <= _terms(entry.predicate)
                                     for table, terms in others):
            covered.add(index)
    return frozenset(covered)


def _terms(predicate: exp.Expression) -> frozenset[str]:
    return frozenset(p.sql(dialect=_ATHENA) for p in conjuncts(predicate))


def charge(census: Census, answers: list) -> None:
    """Share the census's time, bytes and cost across every rule it spoke for (a hot rule paid
    for its own query too), so a run's totals are what was really spent."""
    results = [(i, answers[i]) for i in census.members if isinstance(answers[i], Result)]
    shares = zip(results, split_evenly(census.result.bytes_scanned, len(results)),
                 split_evenly(census.result.elapsed_s, len(results)),
                 split_evenly(census.result.cost_usd, len(results)), strict=True)
    for (index, result), bytes_share, time_share, cost_share in shares:
        answers[index] = replace(result, elapsed_s=result.elapsed_s + time_share,
                                 bytes_scanned=result.bytes_scanned + bytes_share,
                                 cost_usd=result.cost_usd + cost_share)
