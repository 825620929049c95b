"""The threshold census in pieces: counts that add, so a run reads only what is new.

The census (`workbench.detect.plan.onescan`) counts each threshold rule's candidate rows per
(key, bucket) over the whole reach of the window — the rule's threshold window plus the lookback
before it — and asks whether a cell and the next bucket hold the rule's count together. Every
15-minute run re-read that reach (75 minutes + lookback for the pack's longest rule: 6× the data
of its own window). Counts add, so this form counts per (rule, key, *piece*) instead, a piece
being `piece_seconds(rule)` = gcd(bucket, 300 s): pieces nest in the rule's buckets and in the
lake's 5-minute slots, so a window cut on 5-minute boundaries is a whole number of pieces. A run
counts only the pieces it must read ([start − lookback, end): the lookback's pieces are counted
again, for late events), takes the older pieces of the reach from the state earlier runs left
(`workbench.detect.plan.censusstate`), and makes the census's own decision on their sum
(`decide`): hot when a cell plus the next bucket hold the count, or a candidate has no time.
Summed over the same reach, the pieces are the census's cells, so the answer is the same.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from workbench.detect.plan.census import RULE_COLUMN, Member
from workbench.detect.plan.onescan import tagged_sql
from workbench.engines.dialect import write_dialect_for

SLOT_SECONDS = 300  # the lake refresh's slot files and the scheduled windows' edges are on 5-minute marks
KEY_COLUMN, PIECE_COLUMN, COUNT_COLUMN = "_mantissa_key", "_mantissa_piece", "_mantissa_n"
_ATHENA = write_dialect_for("athena")
_VERSION = "1"  # part of every fingerprint: a change to how pieces are counted starts every rule afresh


def piece_seconds(member: Member) -> int:
    return math.gcd(member.seconds, SLOT_SECONDS)


def fingerprint(member: Member) -> str:
    """What the member's piece counts depend on (candidates, keys, table, piece length); a rule
    whose conditions, keys or window change gets a new one and so starts afresh. Its count does not
    enter: the same pieces answer any count."""
    text = "\x1f".join([_VERSION, member.table, member.predicate.sql(dialect=_ATHENA),
                        *(k.sql(dialect=_ATHENA) for k in member.keys), str(member.seconds),
                        str(piece_seconds(member))])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def piece_census_sql(members: list[Member]) -> str:
    """Athena SQL: one row per (member index, key, piece) with candidates — the piece is
    floor(epoch seconds / piece length), NULL for candidates with no time — and its row count."""
    if not members or len({m.table for m in members}) != 1:
        raise ValueError("piece_census_sql: give the census members of one table (at least one)")
    tagged = tagged_sql(members, [piece_seconds(m) for m in members])
    return (f'SELECT "_m" AS "{RULE_COLUMN}", "_k" AS "{KEY_COLUMN}", CAST("_b" AS BIGINT) AS "{PIECE_COLUMN}", '
            f'count(*) AS "{COUNT_COLUMN}" FROM ({tagged}) AS "_tagged" GROUP BY "_m", "_k", "_b"')


Pieces = dict[tuple[str, int], int]
"""(key, piece index) -> candidate rows."""


@dataclass(frozen=True)
class Decision:
    hot: bool
    rows: int  # candidate rows over the reach (the census's ROWS figure)


def decide(member: Member, pieces: Iterable[tuple[str, int, int]], start: int, end: int, nulls: int) -> Decision:
    """The census's question over the pieces meeting [start, end) (epoch seconds; pieces outside are
    ignored; a piece cut by an edge was counted only inside it) and `nulls` candidates with no time: does a cell and the next bucket of one key hold
    the member's count together (a cell alone may), or is there a candidate with no time?"""
    length = piece_seconds(member)
    cells: dict[tuple[str, int], int] = defaultdict(int)
    rows = nulls
    for key, piece, n in pieces:
        if (piece + 1) * length > start and piece * length < end:
            cells[(key, piece * length // member.seconds)] += n
            rows += n
    hot = nulls > 0 or any(n + cells.get((key, bucket + 1), 0) >= member.count
                           for (key, bucket), n in cells.items())
    return Decision(hot=hot, rows=rows)
