"""The incremental threshold census: each run reads only [start − lookback, end) for it.

`prepare` turns each census statement of a window's plan into the piece census
(`workbench.detect.plan.pieces`): over [fresh_from, end) when the stored pieces of every member
cover the rest of the reach exactly (`Coverage.serves`), else over the whole reach, as today's
census reads, which also seeds the state (first run, a gap in the schedule, a window not on
5-minute marks, a rule whose conditions, keys or window changed). One statement per table either
way. `read` sums stored and new pieces, decides as the census does (`pieces.decide`), stores the
new pieces, and gives the plan the same `Census` the one-row-per-rule form gives.
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pandas as pd

from workbench.detect.plan.census import RULE_COLUMN, Member, member
from workbench.detect.plan.censusstate import CensusState, Coverage
from workbench.detect.plan.pieces import (
    COUNT_COLUMN,
    KEY_COLUMN,
    PIECE_COLUMN,
    decide,
    fingerprint,
    piece_census_sql,
    piece_seconds,
)
from workbench.engines.base import Result
from workbench.timewindow import Window


@dataclass(frozen=True)
class PieceCensus:
    """One table's piece census in a window's plan."""

    members: list[Member]
    fingerprints: list[str]
    reach: Window  # what today's census reads: the members' windows together
    read: Window  # what this statement reads
    stored: list[Coverage | None]

    @property
    def incremental(self) -> bool:
        return self.read.start > self.reach.start


def _seconds(moment: datetime) -> int | None:
    value = moment.astimezone(UTC).timestamp()
    return int(value) if value.is_integer() else None


def prepare(plan: object, state: CensusState, fresh_from: datetime) -> list[PieceCensus]:
    """Rewrite `plan.census` (a `PackPlan`'s) into piece censuses; one `PieceCensus` per entry."""
    out = []
    for part in plan.census:  # type: ignore[attr-defined]
        members = [member(plan.parts[i].rule) for i in part.members]  # type: ignore[attr-defined]
        assert all(members), "a census part holds census members only"
        fps = [fingerprint(m) for m in members]  # type: ignore[arg-type]
        reach = part.statement.window
        stored = [state.coverage(fp) for fp in fps]
        start, fresh = _seconds(reach.start), _seconds(max(fresh_from, reach.start))
        served = start is not None and fresh is not None and fresh_from < reach.end and all(
            s is not None and s.serves(piece_seconds(m), start, fresh)  # type: ignore[arg-type]
            for m, s in zip(members, stored, strict=True))
        read = Window(max(fresh_from, reach.start), reach.end) if served else reach
        part.statement = replace(part.statement, sql=piece_census_sql(members), window=read)  # type: ignore[arg-type]
        out.append(PieceCensus(members, fps, reach, read, stored))  # type: ignore[arg-type]
    return out


def read(census: PieceCensus, answer: Result, state: CensusState) -> tuple[set[int], dict[int, int], bool]:
    """(hot member positions, candidate rows per hot position, whether it read incrementally) from
    the piece census's answer; stores the new pieces. Raises on an answer of the wrong shape."""
    frame = answer.frame
    counted: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    nulls: dict[int, int] = defaultdict(int)
    for position, key, piece, n in zip(frame[RULE_COLUMN], frame[KEY_COLUMN], frame[PIECE_COLUMN],
                                       frame[COUNT_COLUMN], strict=True):
        if pd.isna(piece):
            nulls[int(position)] += int(n)
        else:  # Athena's CSV gives an empty key back as no value
            counted[int(position)].append(("" if key is None or pd.isna(key) else str(key), int(piece), int(n)))
    reach_start, reach_end = census.reach.start.timestamp(), census.reach.end.timestamp()
    read_start, read_end = census.read.start.timestamp(), census.read.end.timestamp()
    hot, rows = set(), {}
    for position, (entry, fp) in enumerate(zip(census.members, census.fingerprints, strict=True)):
        length = piece_seconds(entry)
        pieces, missing = list(counted.get(position, [])), nulls.get(position, 0)
        if census.incremental:
            coverage = census.stored[position]
            assert coverage is not None
            pieces += state.pieces(fp, length, int(reach_start), int(read_start))
            missing += coverage.nulls_from(int(reach_start), int(read_start))
        decision = decide(entry, pieces, reach_start, reach_end, missing)
        if decision.hot:
            hot.add(position)
            rows[position] = decision.rows
        # A state that cannot be written costs the next run a full read, nothing else.
        with contextlib.suppress(OSError, ValueError, sqlite3.Error):
            state.record(fp, length, math.ceil(read_start), math.floor(read_end), counted.get(position, []),
                         nulls.get(position, 0), keep_from=int(reach_start))
    return hot, rows, census.incremental
