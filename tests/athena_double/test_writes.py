"""CTAS and INSERT INTO write Parquet under Hive partition prefixes; MSCK, views, Athena's limits."""

from __future__ import annotations

import io

import pyarrow.parquet as pq

from tests.athena_double import AthenaDouble


def _keys(double: AthenaDouble, prefix: str) -> list[str]:
    listed = double.s3.list_objects_v2(Bucket=double.lake_bucket, Prefix=prefix)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def test_ctas_writes_partitioned_parquet_that_reads_back(lake_double: AthenaDouble) -> None:
    target = f"s3://{lake_double.lake_bucket}/copies/ct/"
    created = lake_double.query(
        "CREATE TABLE ct_copy WITH (format = 'PARQUET', write_compression = 'ZSTD', "
        f"external_location = '{target}', partitioned_by = ARRAY['day']) AS "
        "SELECT eventid, eventname, useridentity, day FROM cloudtrail", database="mantissa")
    assert created.state == "SUCCEEDED", created.reason
    source = lake_double.query("SELECT day, count(*) FROM cloudtrail GROUP BY 1 ORDER BY 1", database="mantissa")

    keys = _keys(lake_double, "copies/ct/")
    assert sorted({k.split("/")[2] for k in keys}) == ["day=18", "day=19"]
    assert all(k.split("/")[-1].startswith(created.id) for k in keys)
    body = lake_double.s3.get_object(Bucket=lake_double.lake_bucket, Key=keys[0])["Body"].read()
    written = pq.read_table(io.BytesIO(body))
    assert written.column_names == ["eventid", "eventname", "useridentity"]  # the partition is in the path
    assert pq.ParquetFile(io.BytesIO(body)).metadata.row_group(0).column(0).compression == "ZSTD"
    copied = lake_double.query("SELECT day, count(*) FROM ct_copy GROUP BY 1 ORDER BY 1", database="mantissa")
    assert copied.outcome.rows == source.outcome.rows
    assert created.outcome.rows == [[str(sum(int(r[1]) for r in source.outcome.rows))]]
    nested = lake_double.query("SELECT count(*) FROM ct_copy WHERE useridentity.type = 'AssumedRole'",
                               database="mantissa")
    assert nested.state == "SUCCEEDED" and int(nested.outcome.rows[0][0]) > 0


def test_ctas_refuses_a_location_that_holds_data(lake_double: AthenaDouble) -> None:
    failed = lake_double.query(f"CREATE TABLE again WITH (external_location = '{lake_double.lake_location}cloudtrail/') "
                               "AS SELECT 1 AS a", database="mantissa")
    assert failed.state == "FAILED"
    assert failed.reason.startswith("HIVE_PATH_ALREADY_EXISTS: Target directory for table 'mantissa.again' already exists")


def test_insert_into_a_projected_table_appends_partitions(lake_double: AthenaDouble) -> None:
    location = f"s3://{lake_double.lake_bucket}/hourly/"
    ddl = f"""CREATE EXTERNAL TABLE hourly (eventid string, eventname string)
PARTITIONED BY (day string, hour string) STORED AS PARQUET LOCATION '{location}'
TBLPROPERTIES ('projection.enabled'='true', 'projection.day.type'='integer', 'projection.day.range'='1,31',
 'projection.day.digits'='2', 'projection.hour.type'='integer', 'projection.hour.range'='0,23',
 'projection.hour.digits'='2')"""
    assert lake_double.query(ddl, database="mantissa").state == "SUCCEEDED"
    insert = ("INSERT INTO hourly SELECT eventid, eventname, day, substr(eventtime, 12, 2) FROM cloudtrail "
              "WHERE day = '18' AND eventtime < '2026-11-18T06'")
    first = lake_double.query(insert, database="mantissa")
    assert first.state == "SUCCEEDED", first.reason
    expected = lake_double.query("SELECT count(*) FROM cloudtrail WHERE day = '18' AND eventtime < '2026-11-18T06'",
                                 database="mantissa").outcome.rows[0][0]

    hours = sorted({k.split("/")[2] for k in _keys(lake_double, "hourly/")})
    assert hours == [f"hour={h:02d}" for h in range(6)]
    assert first.outcome.rows == [[expected]]
    counted = lake_double.query("SELECT count(*) FROM hourly WHERE hour = '03'", database="mantissa")
    by_hour = lake_double.query("SELECT count(*) FROM cloudtrail WHERE day = '18' AND substr(eventtime, 12, 2) = '03'",
                                database="mantissa")
    assert counted.outcome.rows == by_hour.outcome.rows
    # INSERT INTO appends: running it again doubles the rows, as on Athena (idempotency is the caller's job).
    assert lake_double.query(insert, database="mantissa").state == "SUCCEEDED"
    again = lake_double.query("SELECT count(*) FROM hourly", database="mantissa")
    assert again.outcome.rows == [[str(2 * int(expected))]]


def test_insert_column_count_mismatch_fails(lake_double: AthenaDouble) -> None:
    lake_double.query("CREATE TABLE narrow WITH (format = 'PARQUET') AS SELECT 'x' AS a, 'y' AS b", database="mantissa")
    failed = lake_double.query("INSERT INTO narrow SELECT 'only one'", database="mantissa")
    assert failed.state == "FAILED" and "Insert query has 1 columns, table has 2" in failed.reason


def test_more_than_100_partitions_in_one_write_fails_and_writes_nothing(athena_double: AthenaDouble) -> None:
    location = f"s3://{athena_double.lake_bucket}/wide/"
    failed = athena_double.query(
        f"CREATE TABLE wide WITH (format = 'PARQUET', external_location = '{location}', partitioned_by = ARRAY['p']) "
        "AS SELECT n AS v, CAST(n AS varchar) AS p FROM UNNEST(sequence(1, 101)) AS t(n)")
    assert failed.state == "FAILED"
    assert failed.reason.startswith("HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of 100 open writers")
    assert _keys(athena_double, "wide/") == []
    fits = athena_double.query(
        f"CREATE TABLE wide WITH (format = 'PARQUET', external_location = '{location}', partitioned_by = ARRAY['p']) "
        "AS SELECT n AS v, CAST(n AS varchar) AS p FROM UNNEST(sequence(1, 100)) AS t(n)")
    assert fits.state == "SUCCEEDED", fits.reason
    assert len(_keys(athena_double, "wide/")) == 100


def test_msck_repair_registers_hive_partitions_of_an_unprojected_table(lake_double: AthenaDouble) -> None:
    ddl = (f"CREATE EXTERNAL TABLE plain (eventname string) PARTITIONED BY (year string, month string, day string) "
           f"STORED AS PARQUET LOCATION '{lake_double.lake_location}cloudtrail/'")
    assert lake_double.query(ddl, database="mantissa").state == "SUCCEEDED"
    before = lake_double.query("SELECT count(*) FROM plain", database="mantissa")
    repair = lake_double.query("MSCK REPAIR TABLE plain", database="mantissa")
    after = lake_double.query("SELECT count(*) FROM plain", database="mantissa")
    source = lake_double.query("SELECT count(*) FROM cloudtrail", database="mantissa")

    assert before.outcome.rows == [["0"]]  # Athena reads only the partitions its catalog knows
    assert repair.state == "SUCCEEDED" and len(repair.outcome.rows) == 2
    assert after.outcome.rows == source.outcome.rows


def test_views_expand_and_drop_table_forgets(lake_double: AthenaDouble) -> None:
    assert lake_double.query("CREATE VIEW denied AS SELECT eventname, errorcode FROM cloudtrail "
                             "WHERE errorcode = 'AccessDenied'", database="mantissa").state == "SUCCEEDED"
    through_view = lake_double.query("SELECT count(*) FROM mantissa.denied", database="default")
    direct = lake_double.query("SELECT count(*) FROM cloudtrail WHERE errorcode = 'AccessDenied'", database="mantissa")
    assert through_view.outcome.rows == direct.outcome.rows
    assert lake_double.query("DROP TABLE vpc_flow", database="mantissa").state == "SUCCEEDED"
    gone = lake_double.query("SELECT * FROM vpc_flow", database="mantissa")
    assert gone.state == "FAILED" and "TABLE_NOT_FOUND" in gone.reason
    assert _keys(lake_double, "lake/vpc_flow/")  # an external table's data stays
