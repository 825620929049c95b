"""DataScannedInBytes follows what Athena reads: pruned partitions, row groups and columns."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tests.athena_double import AthenaDouble
from workbench.catalog import arrow_schema, get_table


def _chunk_bytes(files: list[Path], columns: set[str], groups: set[int] | None = None) -> int:
    """The compressed size of the named columns' chunks, read independently from the footers."""
    total = 0
    for path in files:
        meta = pq.ParquetFile(path).metadata
        for g in range(meta.num_row_groups):
            if groups is not None and g not in groups:
                continue
            group = meta.row_group(g)
            total += sum(group.column(i).total_compressed_size for i in range(group.num_columns)
                         if group.column(i).path_in_schema.split(".")[0] in columns)
    return total


def test_bytes_are_the_referenced_columns_of_the_partitions_read(lake_double: AthenaDouble, demo_lake) -> None:  # noqa: ANN001
    day18 = sorted((demo_lake.lake / "cloudtrail/year=2026/month=11/day=18").glob("*.parquet"))
    day19 = sorted((demo_lake.lake / "cloudtrail/year=2026/month=11/day=19").glob("*.parquet"))
    one_day = lake_double.query("SELECT count(DISTINCT eventname) FROM cloudtrail "
                                "WHERE year = '2026' AND month = '11' AND day = '18'", database="mantissa")
    both = lake_double.query("SELECT count(DISTINCT eventname) FROM cloudtrail "
                             "WHERE year = '2026' AND month = '11' AND day IN ('18', '19')", database="mantissa")
    wider = lake_double.query("SELECT eventname, useridentity.arn FROM cloudtrail "
                              "WHERE year = '2026' AND month = '11' AND day = '18'", database="mantissa")
    everything = lake_double.query("SELECT * FROM cloudtrail WHERE day = '18'", database="mantissa")

    assert one_day.bytes_scanned == _chunk_bytes(day18, {"eventname"}) > 0
    assert both.bytes_scanned == _chunk_bytes(day18 + day19, {"eventname"})
    assert wider.bytes_scanned == _chunk_bytes(day18, {"eventname", "useridentity"})
    all_columns = {c.name for c in get_table("cloudtrail").columns}
    assert everything.bytes_scanned == _chunk_bytes(day18, all_columns) > wider.bytes_scanned


def test_row_groups_outside_the_where_bounds_are_not_billed(athena_double: AthenaDouble, demo_lake, tmp_path: Path) -> None:  # noqa: ANN001
    # One day's CloudTrail sorted by eventtime in 4 row groups, as a refresh writing by time would.
    source = sorted((demo_lake.lake / "cloudtrail/year=2026/month=11/day=18").glob("*.parquet"))[0]
    table = pq.read_table(source).sort_by("eventtime").cast(arrow_schema(get_table("cloudtrail")))
    rows_per_group = -(-table.num_rows // 4)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, row_group_size=rows_per_group, compression="zstd")
    local = tmp_path / "sorted.parquet"
    local.write_bytes(buffer.getvalue())
    athena_double.put(f"{athena_double.lake_location}cloudtrail/year=2026/month=11/day=18/sorted.parquet",
                      buffer.getvalue())
    from workbench.catalog.ddl import all_ddl

    for statement in all_ddl(athena_double.lake_location)[:2]:
        assert athena_double.query(statement).state == "SUCCEEDED"
    third_start = table.column("eventtime")[2 * rows_per_group].as_py()

    late = athena_double.query(f"SELECT count(*) AS n, min(eventtime) AS first FROM cloudtrail "
                               f"WHERE day = '18' AND eventtime >= '{third_start}'", database="mantissa")

    assert late.state == "SUCCEEDED", late.reason
    expected = sum(1 for t in table.column("eventtime").to_pylist() if t >= third_start)
    assert late.outcome.rows == [[str(expected), third_start]]
    assert late.bytes_scanned == _chunk_bytes([local], {"eventtime"}, groups={2, 3})
    whole = athena_double.query("SELECT count(*) FROM cloudtrail WHERE day = '18' AND eventtime >= '2000'",
                                database="mantissa")
    assert whole.bytes_scanned == _chunk_bytes([local], {"eventtime"}) > late.bytes_scanned


def _flows(n: int, start: int) -> bytes:
    table = pa.table({"srcaddr": [f"10.0.0.{i % 250}" for i in range(n)],
                      "bytes": pa.array(range(start, start + n), type=pa.int64())})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def test_partition_projection_with_enum_and_date_template(athena_double: AthenaDouble) -> None:
    base = f"s3://{athena_double.lake_bucket}/flows"
    athena_double.put(f"{base}/us-east-1/2026/11/18/a.parquet", _flows(10, 0))
    athena_double.put(f"{base}/eu-west-1/2026/11/19/b.parquet", _flows(5, 100))
    athena_double.put(f"{base}/ap-south-1/2026/11/18/c.parquet", _flows(7, 200))  # not in the enum
    athena_double.put(f"{base}/us-east-1/2099/01/01/d.parquet", _flows(3, 300))  # after NOW
    athena_double.put(f"{base}/us-east-1/2026/11/18/_SUCCESS", b"")  # hidden, as Hive skips it
    ddl = f"""CREATE EXTERNAL TABLE flows (srcaddr string, bytes bigint)
PARTITIONED BY (region string, day string)
STORED AS PARQUET
LOCATION '{base}/'
TBLPROPERTIES ('projection.enabled'='true',
  'projection.region.type'='enum', 'projection.region.values'='us-east-1,eu-west-1',
  'projection.day.type'='date', 'projection.day.format'='yyyy/MM/dd', 'projection.day.range'='2026/01/01,NOW',
  'projection.day.interval'='1', 'projection.day.interval.unit'='DAYS',
  'storage.location.template'='{base}/${{region}}/${{day}}')"""
    assert athena_double.query(ddl).state == "SUCCEEDED"

    everything = athena_double.query("SELECT region, day, count(*), sum(bytes) FROM flows GROUP BY 1, 2 ORDER BY 1")
    one = athena_double.query("SELECT sum(bytes) FROM flows WHERE region = 'eu-west-1' AND day >= '2026/11/19'")

    assert everything.outcome.rows == [["eu-west-1", "2026/11/19", "5", "510"], ["us-east-1", "2026/11/18", "10", "45"]]
    assert one.outcome.rows == [["510"]]
    assert 0 < one.bytes_scanned < everything.bytes_scanned


def test_projection_ddl_without_a_range_fails_naming_the_property(athena_double: AthenaDouble) -> None:
    failed = athena_double.query(
        f"CREATE EXTERNAL TABLE t (a int) PARTITIONED BY (dt string) STORED AS PARQUET "
        f"LOCATION 's3://{athena_double.lake_bucket}/t/' "
        "TBLPROPERTIES ('projection.enabled'='true', 'projection.dt.type'='date')")
    assert failed.state == "FAILED"
    assert "projection.dt.range is required" in failed.reason


def test_fetched_objects_are_cached_by_etag(lake_double: AthenaDouble) -> None:
    store = lake_double.service.store
    lake_double.query("SELECT count(*) FROM vpc_flow", database="mantissa")
    fetched = store.fetch_count
    lake_double.query("SELECT count(*) FROM vpc_flow", database="mantissa")
    assert store.fetch_count == fetched
