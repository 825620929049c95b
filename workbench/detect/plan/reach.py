"""Which sharing rules read the table together: the shared scan split by reach, by estimated bytes.

A scan reads every member's columns over the hull of the members' windows. Detection windows all
end at the run's end, but a threshold rule's starts its window earlier (a 60-minute rule reads
the last 60 minutes plus the run's own), so one such member made every member's columns be read
over 75 minutes where most need 15. Athena bills the columns a statement names over the row
groups its time range meets, so the plan splits the members, ordered by how far back they reach,
into at most `MAX_SCANS` consecutive groups, each one scan over its own hull reading only its own
members' columns: the short-reach rules over the run's window (and lookback), the long-reach ones
in a narrow scan of their few columns over their reach. A group of one runs as that rule's own
statement (the same bytes as a scan of one member, without the flattening).

The estimate is engine-neutral: a statement reads (its time span) × (the summed weight of the
columns it names), rows assumed spread evenly over time, a column's weight taken from its catalog
type (`column_weight`). It only ranks candidate splits against each other; no split is made that
saves less than `MIN_SAVING` of the one scan's estimate (an extra statement costs a round trip and,
on Athena, at least 10 MB billed). Each member's answer is unchanged: a member is always in a
scan whose window covers its own, and the split back still bounds it to its own window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import pyarrow as pa

from workbench.catalog import TABLES, arrow_schema
from workbench.catalog.tables import CLOUDTRAIL_JSON_COLUMNS, GUARDDUTY_JSON_COLUMNS
from workbench.detect.plan.shareable import Shareable, overlapping
from workbench.timewindow import Window

MAX_SCANS = 2
"""Scans per table and window after the split (the census is one more statement)."""

MIN_SAVING = 0.1
"""A split must save at least this share of the single scan's estimated bytes."""

_DOCUMENTS = CLOUDTRAIL_JSON_COLUMNS | GUARDDUTY_JSON_COLUMNS
# Random identifiers do not compress: CloudTrail's eventid is ~31% of a simulated day's Parquet
# bytes (benchmarks/athena_cost.py's lake), more than requestparameters; weigh them as documents.
_RANDOM_IDS = frozenset({"eventid", "requestid", "sharedeventid", "id", "arn"})


@dataclass(frozen=True)
class Member:
    index: int
    window: Window | None
    columns: frozenset[str]  # what it reads (`reads`): columns and struct field paths


@dataclass(frozen=True)
class Group:
    """One statement of the split: the window it reads and the members it serves."""

    window: Window | None
    members: list[int]
    estimate: float  # column-weight × seconds; comparable only within one table


def reads(plan: Shareable) -> frozenset[str]:
    """What a sharing query reads, as `column_weight` names it: plain columns, and for a struct the
    field paths it names (`useridentity.arn`; the scan flattens them, so Athena reads only those),
    or the struct itself when read whole."""
    out = set()
    for column in plan.columns:
        paths = plan.fields.get(column)
        out.update([".".join((column, *p)) for p in paths] if paths else [column])
    return frozenset(out)


def column_weight(table: str, item: str) -> float:
    """Relative bytes per event of a column or struct field path: a fixed-width value 1, a string 2,
    a free-form JSON document or a random identifier 8, a struct the sum of its fields. Rough by
    design: it only compares splits of one table's scan."""
    column, *path = item.split(".")
    kind = _types(table).get(column)
    if kind is None:
        return 2.0
    if column in _DOCUMENTS or column in _RANDOM_IDS:
        return 8.0
    for name in path:
        if not pa.types.is_struct(kind):
            break
        found = [kind.field(i).type for i in range(kind.num_fields) if kind.field(i).name.lower() == name]
        if not found:
            break
        kind = found[0]
    return _type_weight(kind)


@cache
def _types(table: str) -> dict[str, pa.DataType]:
    return {f.name.lower(): f.type for f in arrow_schema(TABLES[table], with_partitions=True)}


def _type_weight(kind: pa.DataType) -> float:
    if pa.types.is_struct(kind):
        return sum(_type_weight(kind.field(i).type) for i in range(kind.num_fields))
    if pa.types.is_list(kind) or pa.types.is_map(kind):
        return 8.0
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind):
        return 2.0
    return 1.0


def estimate(table: str, window: Window, columns: Iterable[str]) -> float:
    seconds = max((window.end - window.start).total_seconds(), 0.0)
    return seconds * sum(column_weight(table, c) for c in set(columns))


def split_by_reach(table: str, members: Sequence[Member], max_scans: int | None = None) -> list[Group]:
    """The statements that serve `members` (one table's sharing rules, each with its window and
    what it reads): windows that do not overlap are read apart (as before); each overlapping set
    is split by reach where that saves bytes (see the module docstring). `max_scans`: at most this
    many per overlapping set (default `MAX_SCANS`; 1 is the unsplit scan)."""
    max_scans = MAX_SCANS if max_scans is None else max_scans
    by_index = {m.index: m for m in members}
    groups: list[Group] = []
    for hull, indices in overlapping([(m.index, m.window) for m in members]):
        chosen = [by_index[i] for i in indices]
        if hull is None or len(chosen) == 1 or max_scans <= 1:
            groups.append(_group(table, chosen))
            continue
        groups += _best_split(table, chosen, max_scans)
    return groups


def _group(table: str, members: Sequence[Member]) -> Group:
    members = sorted(members, key=lambda m: m.index)  # rule order: the scan's SQL is cached by it
    windows = [m.window for m in members if m.window is not None]
    if len(windows) != len(members):
        return Group(None, [m.index for m in members], float("inf"))
    hull = Window(min(w.start for w in windows), max(w.end for w in windows))
    return Group(hull, [m.index for m in members],
                 estimate(table, hull, frozenset().union(*(m.columns for m in members))))


def _best_split(table: str, members: Sequence[Member], max_scans: int) -> list[Group]:
    """The cheapest split of `members` into at most `max_scans` runs of consecutive reach.

    Ordered by window start, latest first (the shortest reach), a group is a run of that order:
    adding a longer-reach member to a group stretches all its columns back, so the groups worth
    considering never interleave reaches. Dynamic programming over (members taken, groups used)."""
    ordered = sorted(members, key=lambda m: (m.window.start, m.index), reverse=True)  # type: ignore[union-attr]
    n = len(ordered)
    whole = _group(table, ordered)
    cost: dict[tuple[int, int], float] = {(0, 0): 0.0}
    back: dict[tuple[int, int], int] = {}
    for used in range(1, max_scans + 1):
        for taken in range(1, n + 1):
            best = None
            for cut in range(taken):
                before = cost.get((cut, used - 1))
                if before is None:
                    continue
                total = before + _group(table, ordered[cut:taken]).estimate
                if best is None or total < best[0]:
                    best = (total, cut)
            if best is not None:
                cost[(taken, used)], back[(taken, used)] = best
    used = min((u for u in range(1, max_scans + 1) if (n, u) in cost), key=lambda u: (cost[(n, u)], u))
    if cost[(n, used)] > whole.estimate * (1 - MIN_SAVING):
        return [whole]
    groups: list[Group] = []
    taken = n
    while used:
        cut = back[(taken, used)]
        groups.append(_group(table, ordered[cut:taken]))
        taken, used = cut, used - 1
    return groups  # the longest reach first; the order of statements does not matter
