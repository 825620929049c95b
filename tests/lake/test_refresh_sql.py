"""The lake refresh's SQL: batches within Athena's partition limit, and the CTAS's SELECT run for
real (transpiled to DuckDB) over a raw table: the window's rows, one per event id, in their slot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pyarrow as pa
import pytest
import sqlglot
from sqlglot import exp

from workbench.catalog import TABLES, arrow_schema, get_table
from workbench.lake.refresh.layout import MAX_PARTITIONS, slot_of
from workbench.lake.refresh.statements import (
    MAX_BATCH_HOURS,
    SLOTS_PER_HOUR,
    Batch,
    RefreshConfigError,
    batches,
    ctas_sql,
    refreshable,
    select_sql,
)

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def hours(*offsets: int) -> list[datetime]:
    return [T0 + timedelta(hours=h) for h in offsets]


def test_batches_are_consecutive_hours_within_the_partition_limit() -> None:
    got = batches(hours(*range(20), 22, 23))
    assert [len(b.hours) for b in got] == [8, 8, 4, 2]
    assert all(len(b.hours) * SLOTS_PER_HOUR <= MAX_PARTITIONS for b in got)
    assert got[3].hours == tuple(hours(22, 23))  # hour 21 missing: a new batch
    assert MAX_BATCH_HOURS * SLOTS_PER_HOUR <= MAX_PARTITIONS


@pytest.mark.parametrize("bad", [0, 9])
def test_a_batch_size_past_athenas_limit_is_refused(bad: int) -> None:
    with pytest.raises(RefreshConfigError, match="at most 100 partitions"):
        batches(hours(0), bad)


def test_ctas_is_one_athena_statement_partitioned_by_slot_last() -> None:
    sql = ctas_sql(TABLES["cloudtrail"], Batch(tuple(hours(0, 1))), "mantissa", "mantissa_raw",
                   "s3://lake/_refresh/cloudtrail/")
    tree = sqlglot.parse_one(sql, read="athena")
    assert isinstance(tree, exp.Create)
    select = tree.expression
    assert select.named_selects[-1] == "slot"
    assert select.named_selects[:-1] == get_table("cloudtrail").column_names
    assert "external_location = 's3://lake/_refresh/cloudtrail/'" in sql
    assert "partitioned_by = ARRAY['slot']" in sql


def test_tables_it_cannot_refresh_are_named() -> None:
    with pytest.raises(RefreshConfigError, match="unknown table 'cloudtrial'"):
        refreshable("cloudtrial")
    assert [refreshable(t).name for t in ("cloudtrail", "vpc_flow", "guardduty")] == ["cloudtrail", "vpc_flow",
                                                                                       "guardduty"]


def test_a_source_database_that_is_not_a_plain_name_is_refused() -> None:
    with pytest.raises(RefreshConfigError, match="refresh.source_database"):
        select_sql(TABLES["cloudtrail"], Batch(tuple(hours(0))), 'raw"; DROP TABLE x; --')


def _raw_rows() -> list[dict]:
    def event(eid: str | None, when: str, name: str = "GetObject") -> dict:
        return {"eventid": eid, "eventtime": when, "eventname": name, "eventsource": "s3.amazonaws.com",
                "year": when[:4], "month": when[5:7], "day": when[8:10]}

    return [
        event("a", "2026-03-01T23:59:59Z"),           # before the window
        event("b", "2026-03-02T00:00:00Z"),           # first second of the window
        event("c", "2026-03-02T00:04:59Z"),
        event("d", "2026-03-02T00:05:00Z"),
        event("d", "2026-03-02T00:05:00Z"),           # delivered twice
        event(None, "2026-03-02T00:30:00Z"),          # no event id: kept, never merged
        event(None, "2026-03-02T00:30:00Z"),
        event("e", "2026-03-02T01:55:00.250Z"),       # fractional seconds
        event("f", "2026-03-02T01:59:59Z"),
        event("g", "2026-03-02T02:00:00Z"),           # the window's end: excluded
    ]


def _refresh_select(table, raw_rows: list[dict]) -> list[tuple]:  # noqa: ANN001 - a catalog Table
    """The refresh's SELECT for the first hour, transpiled and run by DuckDB over `raw_rows` as
    the raw table `mantissa_raw.<table>` (catalog columns plus its partition keys)."""
    schema = arrow_schema(table)
    for key in table.partition_keys:
        schema = schema.append(pa.field(key, pa.string()))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")  # Athena's session time zone
    con.execute("CREATE SCHEMA mantissa_raw")
    con.register("raw_rows", pa.Table.from_pylist(raw_rows, schema=schema))
    con.execute(f"CREATE TABLE mantissa_raw.{table.name} AS SELECT * FROM raw_rows")
    athena = select_sql(table, Batch(tuple(hours(0, 1))), "mantissa_raw")
    return con.execute(sqlglot.transpile(athena, read="athena", write="duckdb")[0]).fetchall()


def test_select_keeps_the_window_one_row_per_event_id_each_in_its_slot() -> None:
    table = get_table("cloudtrail")
    rows = _refresh_select(table, _raw_rows())
    names = table.column_names + ["slot"]
    got = sorted(((r[names.index("eventid")] or "-"), r[names.index("slot")]) for r in rows)
    assert got == [("-", "202603020030"), ("-", "202603020030"), ("b", "202603020000"), ("c", "202603020000"),
                   ("d", "202603020005"), ("e", "202603020155"), ("f", "202603020155")]
    assert slot_of(datetime(2026, 3, 2, 1, 59, tzinfo=UTC)) == "0155"


def _flow_rows() -> list[dict]:
    def flow(start: datetime, srcport: int = 443, packets: int = 3, **fields: object) -> dict:
        epoch = int(start.timestamp())
        return {"version": 5, "interface_id": "eni-1", "srcaddr": "10.0.0.1", "dstaddr": "10.0.0.2",
                "srcport": srcport, "dstport": 5432, "protocol": 6, "packets": packets, "bytes": 100 * packets,
                "start": epoch, "end": epoch + 60, "action": "ACCEPT", "log_status": "OK",
                "year": f"{start:%Y}", "month": f"{start:%m}", "day": f"{start:%d}", **fields}

    return [
        flow(T0 - timedelta(seconds=1), srcport=1),                  # before the window
        flow(T0, srcport=2),                                         # first second of the window
        flow(T0 + timedelta(minutes=4, seconds=59), srcport=3),
        flow(T0 + timedelta(minutes=5), srcport=4),
        flow(T0 + timedelta(minutes=5), srcport=4),                  # delivered twice: one record
        flow(T0 + timedelta(minutes=5), srcport=4, packets=4),       # the same flow, other counts: its own
        flow(T0 + timedelta(minutes=5), srcport=4, action=None),     # differs only by a NULL: its own
        flow(T0 + timedelta(minutes=5), srcport=4, action=None),     # ... and NULLs compare equal here
        flow(T0 + timedelta(hours=1, minutes=59, seconds=59), srcport=5),
        flow(T0 + timedelta(hours=2), srcport=6),                    # the window's end: excluded
    ]


def test_flow_select_keeps_the_window_one_row_per_whole_record_each_in_its_slot() -> None:
    table = get_table("vpc_flow")
    rows = _refresh_select(table, _flow_rows())
    names = table.column_names + ["slot"]
    got = sorted((r[names.index("srcport")], r[names.index("packets")], r[names.index("action")] or "-",
                  r[names.index("slot")]) for r in rows)
    assert got == [(2, 3, "ACCEPT", "202603020000"), (3, 3, "ACCEPT", "202603020000"),
                   (4, 3, "-", "202603020005"), (4, 3, "ACCEPT", "202603020005"), (4, 4, "ACCEPT", "202603020005"),
                   (5, 3, "ACCEPT", "202603020155")]
