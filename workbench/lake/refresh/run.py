"""`refresh`: raw tables → the Parquet lake on S3, by Athena itself, hour by hour, checkpointed.

For each table, the hours to do are split into batches of consecutive hours (≤ 8: 96 slot
partitions, Athena writes at most 100 per statement). A batch is, in order:

1. drop the staging table and empty the staging prefix (what an interrupted attempt left);
2. one CTAS: the batch's raw rows, one per record identity, as Parquet partitioned by 5-minute slot;
3. per hour: publish (copy into the lake's day folder under deterministic names, delete the
   hour's other refreshed files), then checkpoint the hour;
4. drop the staging table and empty the staging prefix.

Every step can be repeated from the start, so a refresh killed anywhere is finished by running it
again: an hour not checkpointed is done again, and doing an hour again replaces its files.
Without --start/--end the scheduled run does the hours not yet checkpointed from
`refresh.first_run` ago up to the last hour that ended `refresh.settle` ago, and the `refresh.redo`
hours before them again. With them, every hour in the window is done again (late deliveries).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.config import Settings
from workbench.lake.refresh.checkpoint import CheckpointStore, HourDone, checkpoint_store, hour_key
from workbench.lake.refresh.publish import S3Location, clear, publish_hour
from workbench.lake.refresh.statements import (
    HOUR,
    Batch,
    RefreshConfigError,
    batches,
    ctas_sql,
    drop_staging_sql,
    refreshable,
)
from workbench.timewindow import iso_z, parse_duration


class Statements:
    """What runs the SQL: `run(sql)` waits for it and returns its query id."""

    def run(self, sql: str) -> str:
        raise NotImplementedError


class AthenaStatements(Statements):
    def __init__(self, settings: Settings) -> None:
        from workbench.engines.athena import AthenaEngine

        self.engine = AthenaEngine(settings)

    def run(self, sql: str) -> str:
        return self.engine.run_ddl([sql])[0]

    def close(self) -> None:
        self.engine.close()


@dataclass
class TableResult:
    table: str
    hours: list[HourDone] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)  # query ids, in order


@dataclass
class RefreshSummary:
    tables: list[TableResult]
    window: tuple[datetime, datetime] | None

    def format(self) -> str:
        lines = []
        for result in self.tables:
            if not result.hours:
                lines.append(f"{result.table}: nothing to refresh (every hour up to now is checkpointed)")
                continue
            files = sum(h.files for h in result.hours)
            size = sum(h.bytes for h in result.hours)
            lines.append(f"{result.table}: {len(result.hours)} hour(s) {result.hours[0].hour}:00 → "
                         f"{result.hours[-1].hour}:59 refreshed, {files} file(s), {size / 2**20:,.1f} MiB, "
                         f"{len(result.statements)} Athena statement(s)")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {"tables": [{"table": r.table, "hours": [h.__dict__ for h in r.hours], "statements": r.statements}
                           for r in self.tables]}


def floor_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def hours_between(start: datetime, end: datetime) -> list[datetime]:
    """Whole UTC hours meeting [start, end): a window refreshes every hour it touches."""
    hour, out = floor_hour(start), []
    while hour < end:
        out.append(hour)
        hour += HOUR
    return out


def due_hours(settings: Settings, store: CheckpointStore, table: str, now: datetime) -> list[datetime]:
    """Scheduled: the settled hours from `first_run` ago not checkpointed yet and, when there are
    any, the `redo` hours before the first of them again: CloudTrail delivers a few events hours
    late, and redoing an hour of the same day costs no more raw reading (the CTAS reads whole days)."""
    last_settled = floor_hour(now - parse_duration(settings.refresh.settle)) - HOUR
    begin = floor_hour(now - parse_duration(settings.refresh.first_run))
    done = store.done(table)
    settled = hours_between(begin, last_settled + HOUR)
    due = [h for h in settled if hour_key(h) not in done]
    if not due:
        return []
    redo_from = due[0] - parse_duration(settings.refresh.redo)
    return [h for h in settled if h >= redo_from]


def locations(settings: Settings, table: str) -> tuple[S3Location, S3Location]:
    """(lake, staging) for `table`: the lake root and this table's own staging prefix."""
    if not settings.athena.lake_location:
        raise RefreshConfigError(
            "lake refresh writes the lake on S3: set athena.lake_location in mantissa.yaml "
            "(or MANTISSA_ATHENA__LAKE_LOCATION=s3://bucket/prefix/)")
    lake = S3Location.parse(settings.athena.lake_location, "athena.lake_location")
    staging_root = settings.refresh.staging_location or f"{lake.uri}_refresh/"
    staging = S3Location.parse(staging_root, "refresh.staging_location").child(table)
    if staging.bucket == lake.bucket and staging.prefix.startswith(lake.prefix + table + "/"):
        raise RefreshConfigError(f"refresh.staging_location {staging.uri} lies inside the {table} table's "
                                 "lake folder, where Athena would read staged rows twice; put it beside")
    return lake, staging


def refresh_batch(settings: Settings, table_name: str, batch: Batch, statements: Statements, s3: Any,
                  store: CheckpointStore, result: TableResult,
                  after_step: Callable[[str], None] | None = None) -> None:
    """Steps 1–4 of the module docstring for one batch; `after_step(name)` marks each step done."""
    table = refreshable(table_name)
    lake, staging = locations(settings, table_name)
    database = settings.athena.database
    step = after_step or (lambda _name: None)
    result.statements.append(statements.run(drop_staging_sql(table, database)))
    clear(s3, staging)
    step("cleared")
    query_id = statements.run(ctas_sql(table, batch, database, settings.refresh.source_database, staging.uri))
    result.statements.append(query_id)
    step("staged")
    for hour in batch.hours:
        published = publish_hour(s3, staging, lake, table_name, hour)
        record = HourDone(table=table_name, hour=hour_key(hour), files=published.files, bytes=published.bytes,
                          query_id=query_id, finished=iso_z(datetime.now(UTC)))
        store.mark(record)
        result.hours.append(record)
        step(f"published {record.hour}")
    result.statements.append(statements.run(drop_staging_sql(table, database)))
    clear(s3, staging)
    step("cleaned")


def refresh(settings: Settings, start: datetime | None = None, end: datetime | None = None,
            tables: Sequence[str] | None = None, *, now: datetime | None = None,
            statements: Statements | None = None, s3: Any = None, store: CheckpointStore | None = None,
            after_step: Callable[[str], None] | None = None) -> RefreshSummary:
    """Refresh the lake (see the module docstring); the summary of what was published."""
    if (start is None) != (end is None):
        raise RefreshConfigError("give both --start and --end, or neither (to do the hours not yet checkpointed)")
    if start is not None and end is not None and end <= start:
        raise RefreshConfigError(f"--end {iso_z(end)} is not after --start {iso_z(start)}")
    names = list(tables or settings.refresh.tables)
    for name in names:
        refreshable(name)
        locations(settings, name)
    now = now or datetime.now(UTC)
    store = store or checkpoint_store(settings)
    own = statements is None
    if statements is None:
        statements = AthenaStatements(settings)
    if s3 is None:
        from workbench.lake.scheduled import s3_client

        s3 = s3_client(settings)
    results = []
    try:
        for name in names:
            hours = hours_between(start, end) if start and end else due_hours(settings, store, name, now)
            result = TableResult(name)
            for batch in batches(hours, settings.refresh.batch_hours):
                refresh_batch(settings, name, batch, statements, s3, store, result, after_step)
            results.append(result)
    finally:
        if own and isinstance(statements, AthenaStatements):
            statements.close()
    return RefreshSummary(results, (start, end) if start and end else None)


def scheduled_refresh(start: str | None = None, end: str | None = None, workspace: str | None = None) -> RefreshSummary:
    """The `lake-refresh` playbook's step."""
    from workbench.config import load_settings
    from workbench.timewindow import parse_time

    settings = load_settings(Path(workspace) if workspace else None)
    summary = refresh(settings, parse_time(start) if start else None, parse_time(end) if end else None)
    print(summary.format())
    return summary

