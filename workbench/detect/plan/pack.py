"""The plan of one detection window: a few statements per log table, whatever engine runs them.

For a window of the rule pack (each rule with its own evaluation window, see the runner):

- **census** (phase 1, one statement per table with two or more threshold rules it can speak
  for): `workbench.detect.plan.onescan` — one read of the table tells which threshold rules could
  burst, and how many candidate rows each has;
- **rule** statements (phase 1): each rule that cannot share a scan runs its own (prefiltered)
  query — it reads several tables, selects `*`, has no liftable WHERE, or reads a nested column
  whole (Athena returns arrays, maps and whole structs as text, so the rows could not be split
  back faithfully);
- **scan** (phase 2, one statement per table): the columns the sharing rules need (struct fields
  flattened to scalar columns) and one boolean tag per rule, over the rows some rule keeps.
  Threshold rules join it only when the census found them hot, and only with at most
  `MAX_SHARED_CANDIDATES` candidate rows (else they run alone, in phase 2).

A window therefore costs at most 2 statements per table plus 1 per rule that cannot share, plus
one more scan for a table whose scan the planner splits by reach (`workbench.detect.plan.reach`:
long-reach members read apart over their reach when the estimated bytes say it reads less).
The split back (`workbench.detect.plan.splitback`) answers each sharing rule by running its own
query, unchanged but for where it reads, over its tagged rows in a sandboxed in-memory DuckDB.
A scan whose members reach back before the run's fresh rows (its window and lookback) keeps its
rows between runs (`workbench.detect.plan.keptrows`) and, once they cover the reach, reads only
the fresh rows: like the incremental census, a scheduled run reads about its own window.

Accounting: a statement's bytes, time and cost are shared evenly by the rules it served, so a
run's totals are what the engine really read and billed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

import pandas as pd
import pyarrow as pa

from workbench.catalog import TABLES, arrow_schema
from workbench.detect.plan.census import (
    CELLS_COLUMN,
    MIN_MEMBERS,
    ROWS_COLUMN,
    RULE_COLUMN,
    Census,
    _read_anyway,
    _rule_key,
    charge,
    member,
)
from workbench.detect.plan.censusstate import CensusState
from workbench.detect.plan.incremental import PieceCensus, prepare
from workbench.detect.plan.incremental import read as read_pieces
from workbench.detect.plan.keptrows import KeptRows, KeptScan, plan_kept_scan
from workbench.detect.plan.onescan import one_scan_census_sql
from workbench.detect.plan.prefilter import prefiltered
from workbench.detect.plan.reach import Member, reads, split_by_reach
from workbench.detect.plan.shareable import Shareable, analyse
from workbench.detect.plan.statements import Statement
from workbench.engines.base import Engine, Result, empty_frame
from workbench.rules import Rule
from workbench.timewindow import Window, iso_z

MAX_SHARED_CANDIDATES = 250_000
"""A hot threshold rule with more candidate rows than this runs alone: its rows would travel
through the scan's result (CSV pages on Athena) only to be counted."""


@dataclass(frozen=True)
class Part:
    """One rule in the plan: its position in the pack, the query it runs and its window."""

    index: int
    rule: Rule
    query: str
    window: Window


@dataclass
class CensusPart:
    table: str
    members: list[int]  # rule positions, in the order of the census statement's members
    statement: Statement


@dataclass
class PackPlan:
    """The statements of one window, before the census has spoken (see `scan_statements`)."""

    parts: list[Part]
    census: list[CensusPart] = field(default_factory=list)
    solo: list[int] = field(default_factory=list)  # rule positions that run their own statement
    sharing: dict[str, list[int]] = field(default_factory=dict)  # table -> rule positions that may share
    reasons: dict[int, str] = field(default_factory=dict)  # rule position -> why it runs alone

    def first_statements(self) -> list[Statement]:
        """Phase 1: the censuses and the rules that run alone; independent of one another."""
        return [c.statement for c in self.census] + [self.rule_statement(i) for i in self.solo]

    def rule_statement(self, index: int) -> Statement:
        part = self.parts[index]
        plan = analyse(part.query)
        return Statement(sql=part.query, window=part.window, kind="rule",
                         table=plan.table if isinstance(plan, Shareable) else None, rules=(part.rule.id,))


def plan_window(rules: Sequence[Rule], windows: Sequence[Window]) -> PackPlan:
    """The plan of one window: `windows[i]` is rule i's evaluation window."""
    parts = [Part(i, rule, prefiltered(rule), w) for i, (rule, w) in enumerate(zip(rules, windows, strict=True))]
    plan = PackPlan(parts=parts)
    entries = {p.index: e for p in parts if (e := member(p.rule)) is not None}
    keys = tuple(_rule_key(p.rule) if p.index in entries else None for p in parts)
    for index in _read_anyway(tuple(p.rule.query for p in parts), keys):
        del entries[index]  # every candidate is read by the scan for another rule anyway
    by_table: dict[str, list[int]] = {}
    for index, entry in entries.items():
        by_table.setdefault(entry.table, []).append(index)
    counted: set[int] = set()
    for table, indices in by_table.items():
        if len(indices) < MIN_MEMBERS:
            continue
        hull = Window(min(parts[i].window.start for i in indices), max(parts[i].window.end for i in indices))
        sql = one_scan_census_sql([entries[i] for i in indices])
        plan.census.append(CensusPart(table, indices, Statement(
            sql=sql, window=hull, kind="census", table=table, rules=tuple(parts[i].rule.id for i in indices))))
        counted.update(indices)
    for part in parts:
        why = _why_alone(part.query)
        if why is None:
            plan.sharing.setdefault(analyse(part.query).table, []).append(part.index)  # type: ignore[union-attr]
        else:
            plan.solo.append(part.index)
            plan.reasons[part.index] = why
    return plan


def _why_alone(query: str) -> str | None:
    """Why the rule cannot share a scan on every engine, or None when it can."""
    plan = analyse(query)
    if not isinstance(plan, Shareable):
        return plan.reason
    return _nested_read_whole(plan)


def _nested_read_whole(plan: Shareable) -> str | None:
    types = _column_types(plan.table)
    for column in sorted(plan.columns):
        kind = types.get(column)
        if kind is None or not _nested(kind):
            continue
        paths = plan.fields.get(column)
        if not pa.types.is_struct(kind) or not paths:
            return f"reads {column} whole (a nested value arrives as text from Athena; it runs alone)"
        for path in paths:
            if _nested(leaf_type(kind, path)):
                return f"reads {column}.{'.'.join(path)} whole (a nested value arrives as text; it runs alone)"
    return None


def _nested(kind: pa.DataType) -> bool:
    return pa.types.is_struct(kind) or pa.types.is_list(kind) or pa.types.is_map(kind)


@cache
def _column_types(table: str) -> dict[str, pa.DataType]:
    types = {f.name.lower(): f.type for f in arrow_schema(TABLES[table], with_partitions=True)}
    return types


def column_type(table: str, column: str) -> pa.DataType:
    return _column_types(table)[column]


def leaf_type(struct: pa.DataType, path: tuple[str, ...]) -> pa.DataType:
    current = struct
    for name in path:
        current = next(current.field(i).type for i in range(current.num_fields)
                       if current.field(i).name.lower() == name)
    return current


def run_pack(rules: Sequence[Rule], windows: Sequence[Window], engine: Engine, *,
             state: CensusState | None = None, fresh_from: datetime | None = None,
             kept: KeptRows | None = None) -> list[Result | Exception]:
    """Every rule's answer (or the exception that failed it), in rule order, from the window's plan
    run on `engine` through `Engine.run_plan`. With a census `state` and `fresh_from` (the run's
    start less its lookback), the threshold census reads only [fresh_from, end) when the state
    holds the rest of its reach (`workbench.detect.plan.incremental`); with `kept` rows and
    `fresh_from`, so does a shared scan whose members reach further back
    (`workbench.detect.plan.keptrows`)."""
    from workbench.detect.plan.splitback import split_back

    plan = plan_window(rules, windows)
    pieces = prepare(plan, state, fresh_from) if state is not None and fresh_from is not None else None
    answers: list[Result | Exception | None] = [None] * len(plan.parts)
    first = plan.first_statements()
    ran = _run(engine, first)
    censuses: list[Census] = []
    too_many: list[int] = []
    for n, (part, answer) in enumerate(zip(plan.census, ran[:len(plan.census)], strict=True)):
        census = (_read_census(plan, part, answer) if pieces is None
                  else _read_piece_census(plan, part, pieces[n], answer, state))  # type: ignore[arg-type]
        if census is None:
            continue  # the census failed: its rules share the scan (or run) as if it were hot
        censuses.append(census)
        for index, result in census.answers.items():
            answers[index] = result
        too_many += [i for i, rows in census.candidates.items() if rows > MAX_SHARED_CANDIDATES]
    for index, answer in zip(plan.solo, ran[len(plan.census):], strict=True):
        answers[index] = answer
    second: list[Statement] = []
    scans: list[tuple[str, list[int], KeptScan | None]] = []
    alone: list[int] = list(too_many)
    by_census = {i for c in plan.census for i in c.members}
    for table, indices in plan.sharing.items():
        waiting = [i for i in indices if answers[i] is None and i not in too_many]
        kept_scan = None
        if kept is not None and fresh_from is not None:
            # One scan, never split by reach (it reads about the run's window whatever its reach);
            # rules the census found hot join it without changing what it keeps.
            kept_scan = plan_kept_scan(kept, table, [plan.parts[i] for i in waiting if i not in by_census],
                                       [plan.parts[i] for i in waiting if i in by_census], fresh_from)
        if kept_scan is not None:
            members, statement, keeping = kept_scan
            second.append(statement)
            scans.append((table, [p.index for p in members], keeping))
            continue
        for scan_window, group in scan_groups(plan, table, waiting):
            if len(group) == 1:
                alone.append(group[0])
                continue
            second.append(scan_statement(table, [plan.parts[i] for i in group], scan_window))
            scans.append((table, group, None))
    second += [plan.rule_statement(i) for i in alone]
    done = _run(engine, second)
    for (table, group, keeping), statement, answer in zip(scans, second, done, strict=False):
        found = split_back(engine, table, [plan.parts[i] for i in group], statement, answer, keeping)
        for index, result in found.items():
            answers[index] = result
    for index, answer in zip(alone, done[len(scans):], strict=True):
        answers[index] = answer
    # Rules a scan could not answer (it failed, or their query fails over its rows) run alone, so
    # each reports its own error and one rule's failure stays its own.
    left = [i for i, answer in enumerate(answers) if answer is None]
    for index, answer in zip(left, _run(engine, [plan.rule_statement(i) for i in left]), strict=True):
        answers[index] = answer
    for census in censuses:
        charge(census, answers)
    return answers  # type: ignore[return-value]


def scan_groups(plan: PackPlan, table: str, indices: Sequence[int]) -> list[tuple[Window | None, list[int]]]:
    """The scans (window, rule positions) that serve the sharing rules `indices` of `table`: split
    by reach where that reads fewer bytes (`workbench.detect.plan.reach`); a group of one runs alone."""
    members = [Member(i, plan.parts[i].window, reads(analyse(plan.parts[i].query)))  # type: ignore[arg-type]
               for i in indices]
    return [(g.window, g.members) for g in split_by_reach(table, members)]


def scan_statement(table: str, parts: Sequence[Part], window: Window | None) -> Statement:
    from workbench.detect.plan.splitback import scan_sql

    return Statement(sql=scan_sql(table, tuple(p.query for p in parts)), window=window, kind="scan",
                     table=table, rules=tuple(p.rule.id for p in parts))


def _run(engine: Engine, statements: list[Statement]) -> list[Result | Exception]:
    if not statements:
        return []
    try:
        answers = engine.run_plan(statements)
    except Exception as exc:  # noqa: BLE001 - an executor that breaks fails these statements' rules only
        return [exc] * len(statements)
    if len(answers) != len(statements):
        error = RuntimeError(f"{engine.name}: run_plan returned {len(answers)} answers for "
                             f"{len(statements)} statements — one per statement, in order, is the contract")
        return [error] * len(statements)
    return list(answers)


def _read_census(plan: PackPlan, part: CensusPart, answer: Result | Exception) -> Census | None:
    if isinstance(answer, Exception):
        return None
    frame = answer.frame
    try:
        hot = {int(p) for p, cells in zip(frame[RULE_COLUMN], frame[CELLS_COLUMN], strict=True) if cells}
        counted = {int(p): rows for p, rows in zip(frame[RULE_COLUMN], frame[ROWS_COLUMN], strict=True)}
    except (KeyError, ValueError, TypeError):
        return None
    return _census_of(plan, part, answer, hot, counted, {})


def _read_piece_census(plan: PackPlan, part: CensusPart, pieces: PieceCensus, answer: Result | Exception,
                       state: CensusState) -> Census | None:
    if isinstance(answer, Exception):
        return None
    try:
        hot, counted, incremental = read_pieces(pieces, answer, state)
    except (KeyError, ValueError, TypeError):
        return None
    return _census_of(plan, part, answer, hot, counted, {"incremental": incremental,
                                                         "read": [iso_z(pieces.read.start), iso_z(pieces.read.end)]})


def _census_of(plan: PackPlan, part: CensusPart, answer: Result, hot: set[int], counted: dict[int, Any],
               more: dict[str, Any]) -> Census:
    info = {"id": answer.query_id, "rules": len(part.members),
            "hot": [plan.parts[part.members[p]].rule.id for p in sorted(hot)],
            "elapsed_s": answer.elapsed_s, "bytes_scanned": answer.bytes_scanned, "sql": answer.sql, **more}
    answers = {}
    for position, index in enumerate(part.members):
        if position in hot:
            continue
        entry = member(plan.parts[index].rule)
        assert entry is not None
        answers[index] = Result(frame=empty_frame(entry.columns), engine=answer.engine, sql=answer.sql,
                                executed_sql=answer.executed_sql, query_id=answer.query_id, elapsed_s=0.0,
                                bytes_scanned=0, cost_usd=0.0, window=plan.parts[index].window,
                                extra={"census": info})
    candidates = {part.members[p]: int(counted[p]) for p in hot if pd.notna(counted.get(p))}
    return Census(answers=answers, members=part.members, result=answer, candidates=candidates)


def window_statements(rules: Sequence[Rule], windows: Sequence[Window], hot: set[str] | None = None) -> list[Statement]:
    """Every statement one window costs when the census finds `hot` (rule ids; None: all hot) —
    for tests and for an operator asking what a window would cost."""
    plan = plan_window(rules, windows)
    cold = {i for c in plan.census for i in c.members if hot is not None and plan.parts[i].rule.id not in hot}
    statements = plan.first_statements()
    for table, indices in plan.sharing.items():
        waiting = [i for i in indices if i not in cold]
        for scan_window, group in scan_groups(plan, table, waiting):
            statements.append(scan_statement(table, [plan.parts[i] for i in group], scan_window)
                              if len(group) > 1 else plan.rule_statement(group[0]))
    return statements
