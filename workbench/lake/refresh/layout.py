"""Where the Athena refresh puts each hour of the lake, shared by the refresh and its benchmark.

The lake keeps its day partitions (`<table>/year=/month=/day=/`, as the local writer and the
window rewrite know them). Inside a day, the refresh writes one set of files per
`SLOT_MINUTES`-minute slot of event time, named `refresh-HHMM-NNNN.parquet`: each file's event
time min/max (eventtime, updatedat, or vpc_flow's start) then covers five minutes, so Athena skips the row groups of every other slot
whatever order its writers left the rows in (an INSERT's ORDER BY is not kept in the files it
writes). Measured against hour partitions and the ingest's sort in benchmarks/athena_cost.py.
"""

from __future__ import annotations

from datetime import datetime

SLOT_MINUTES = 5
"""Event-time slot of one refreshed file: 12 an hour, so 8 hours are 96 partitions of staging."""

MAX_PARTITIONS = 100
"""Athena's limit on the partitions one CTAS or INSERT INTO writes."""

FILE_PREFIX = "refresh-"
"""Lake objects the refresh owns start with this (files starting with '_' or '.' Athena hides)."""


def slot_of(moment: datetime) -> str:
    """'HHMM' of the slot holding `moment`, e.g. 14:07 → '1405'."""
    return f"{moment.hour:02d}{moment.minute - moment.minute % SLOT_MINUTES:02d}"


def hour_prefix(hour: datetime) -> str:
    """The file-name prefix of every refreshed file of `hour` in its day folder."""
    return f"{FILE_PREFIX}{hour.hour:02d}"


def lake_file_name(slot: str, ordinal: int) -> str:
    """Deterministic name of a slot's `ordinal`-th file: a re-run overwrites, never adds."""
    return f"{FILE_PREFIX}{slot}-{ordinal:04d}.parquet"


def day_folder(table: str, moment: datetime) -> str:
    """`<table>/year=YYYY/month=MM/day=DD/`, relative to the lake location."""
    return f"{table}/year={moment.year:04d}/month={moment.month:02d}/day={moment.day:02d}/"
