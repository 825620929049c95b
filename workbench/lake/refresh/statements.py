"""The Athena SQL of a lake refresh: one CTAS per batch of hours, raw table → staged Parquet.

The CTAS reads the raw-log view (`refresh.source_database`.`<table>`, set up by `mantissa athena
setup --source raw`: the catalog's columns, and year/month/day labelled by event day, late
deliveries included) bounded like any query: the partitions of the days the batch touches and the
half-open event-time range of its hours. It keeps one row per record identity (CloudTrail
delivers some events twice; duplicates share their event time, so the hour's copies meet in one
batch; see DEDUP_KEYS) and writes Hive partitions `slot=YYYYMMDDHHMM`, one per `SLOT_MINUTES` of
event time, which the publish step copies into the lake's day folders.
The slot is computed from the time text with string comparisons only, so the same SQL means the
same thing on Athena and on DuckDB (Trino's `/` on integers truncates, DuckDB's does not); a table
timed by epoch seconds (vpc_flow's `start`) is first written as that text, in UTC (Athena's
session time zone), as the raw view labels its day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from workbench.catalog import TABLES, Table, TimeFormat
from workbench.engines.window import partition_predicate, time_predicate
from workbench.lake.refresh.layout import MAX_PARTITIONS, SLOT_MINUTES
from workbench.timewindow import Window

HOUR = timedelta(hours=1)
SLOTS_PER_HOUR = 60 // SLOT_MINUTES
MAX_BATCH_HOURS = MAX_PARTITIONS // SLOTS_PER_HOUR
"""Hours one CTAS may cover: 8 hours are 96 slot partitions, within Athena's 100."""

DEDUP_KEYS: dict[str, tuple[str, ...]] = {"cloudtrail": ("eventid",), "guardduty": ("id", "updatedat")}
"""Per table, the columns whose repeats are one record delivered twice: a CloudTrail event id; a
GuardDuty finding id at one update time (each update of a finding is a record of its own, as
`mantissa ingest` keeps them). A table not named here (vpc_flow) is deduplicated on the whole
record, every catalog column: a flow record carries no id, and it is one interface's counts for
one flow over one aggregation interval, so two records equal in every field (interface, 5-tuple,
packets, bytes, start, end, action, ...) are one observation delivered twice (an object copied
again, or two flow logs publishing the same interface to one bucket); see the README."""

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class RefreshConfigError(ValueError):
    """A refresh setting that cannot name an Athena object or location."""


@dataclass(frozen=True)
class Batch:
    """Consecutive hours refreshed by one CTAS."""

    hours: tuple[datetime, ...]

    @property
    def window(self) -> Window:
        return Window(self.hours[0], self.hours[-1] + HOUR)


def refreshable(table_name: str) -> Table:
    table = TABLES.get(table_name)
    if table is None:
        known = ", ".join(sorted(TABLES))
        raise RefreshConfigError(f"unknown table {table_name!r} for lake refresh: choose one of {known}")
    return table


def batches(hours: list[datetime], max_hours: int = MAX_BATCH_HOURS) -> list[Batch]:
    """`hours` (sorted, whole UTC hours) in runs of consecutive hours, at most `max_hours` each."""
    if not 1 <= max_hours <= MAX_BATCH_HOURS:
        raise RefreshConfigError(f"a batch covers 1 to {MAX_BATCH_HOURS} hours (Athena writes at most "
                                 f"{MAX_PARTITIONS} partitions per statement), got {max_hours}")
    out: list[list[datetime]] = []
    for hour in hours:
        if out and hour - out[-1][-1] == HOUR and len(out[-1]) < max_hours:
            out[-1].append(hour)
        else:
            out.append([hour])
    return [Batch(tuple(b)) for b in out]


def identifier(name: str, what: str) -> str:
    if not _IDENTIFIER.match(name):
        raise RefreshConfigError(f"{what} {name!r} is not a plain Athena name: use letters, digits and _")
    return name


def staging_table(table: Table) -> str:
    return f"{table.name}__refresh_staging"


def time_text_sql(table: Table) -> str:
    """The row's event time as ISO text 'YYYY-MM-DDTHH:MM:SS…', what `slot_sql` cuts up."""
    column = f'"{table.time_column}"'
    if table.time_format is TimeFormat.EPOCH_SECONDS:
        return f"date_format(from_unixtime({column}), '%Y-%m-%dT%H:%i:%s')"
    return column


def slot_sql(time_column: str) -> str:
    """'YYYYMMDDHHMM' of the slot holding the ISO time text `time_column` (a column or an
    expression), by string comparisons only."""
    minute = f"substr({time_column}, 15, 2)"
    branches = " ".join(
        f"WHEN {minute} < '{m + SLOT_MINUTES:02d}' THEN '{m:02d}'" for m in range(0, 60 - SLOT_MINUTES, SLOT_MINUTES))
    last = f"{60 - SLOT_MINUTES:02d}"
    return (f"concat(substr({time_column}, 1, 4), substr({time_column}, 6, 2), substr({time_column}, 9, 2), "
            f"substr({time_column}, 12, 2), CASE {branches} ELSE '{last}' END)")


def select_sql(table: Table, batch: Batch, source_database: str) -> str:
    """The batch's rows from the raw table: catalog columns, deduplicated, with their slot last."""
    columns = ", ".join(f'"{c}"' for c in table.column_names)
    source = f'"{identifier(source_database, "refresh.source_database")}"."{table.name}"'
    window = batch.window
    where = f"{partition_predicate(window).sql(dialect='athena')} AND {time_predicate(table, window).sql(dialect='athena')}"
    slot = slot_sql(time_text_sql(table))
    keys = DEDUP_KEYS.get(table.name)
    if not keys:
        # The whole record is its identity: equal rows are one (the slot follows from the time).
        return f"SELECT DISTINCT {columns}, {slot} AS slot FROM {source} WHERE {where}"
    partition = ", ".join(f'"{k}"' for k in keys)
    return (
        f"SELECT {columns}, slot FROM ("
        f"SELECT {columns}, {slot} AS slot, "
        f'row_number() OVER (PARTITION BY {partition} ORDER BY "{table.time_column}") AS refresh_copy '
        f"FROM {source} WHERE {where}"
        f') AS fresh WHERE refresh_copy = 1 OR "{keys[0]}" IS NULL'
    )


def ctas_sql(table: Table, batch: Batch, database: str, source_database: str, staging_location: str) -> str:
    """CREATE TABLE … AS SELECT into `staging_location` (an empty prefix), Parquet, by slot."""
    target = f'"{identifier(database, "athena.database")}"."{staging_table(table)}"'
    return (
        f"CREATE TABLE {target} WITH (format = 'PARQUET', write_compression = 'ZSTD', "
        f"external_location = '{staging_location}', partitioned_by = ARRAY['slot']) AS "
        f"{select_sql(table, batch, source_database)}"
    )


def drop_staging_sql(table: Table, database: str) -> str:
    return f"DROP TABLE IF EXISTS `{identifier(database, 'athena.database')}`.`{staging_table(table)}`"
