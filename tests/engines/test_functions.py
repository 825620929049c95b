"""The Athena functions hunters and rules use, run on the local engine over real Parquet data.

Each row is Athena SQL and the answer Athena gives on the three events below; the local engine
must give the same answer after sqlglot and the dialect fixes in workbench/engines/dialect.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from workbench.engines.local import LocalEngine
from workbench.timewindow import Window

DAY = date(2026, 11, 27)
WINDOW = Window(datetime(2026, 11, 27, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC))

EVENTS = [
    {
        "eventtime": "2026-11-27T10:15:30Z", "eventname": "GetObject", "eventsource": "s3.amazonaws.com",
        "useragent": "aws-cli/2.13.5 Python/3.11.4", "sourceipaddress": "10.1.2.3",
        "requestparameters": '{"bucketName":"prod-data","key":"a/b.csv","nested":{"x":[1,2]}}',
        "useridentity": {
            "type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/Deploy/ci",
            "accountid": "111122223333",
            "sessioncontext": {"sessionissuer": {"type": "Role", "username": "Deploy",
                                                 "arn": "arn:aws:iam::111122223333:role/Deploy"}},
        },
        "resources": [
            {"arn": "arn:aws:s3:::prod-data", "accountid": "111122223333", "type": "AWS::S3::Bucket"},
            {"arn": "arn:aws:s3:::prod-data/a/b.csv", "accountid": "111122223333", "type": "AWS::S3::Object"},
        ],
    },
    {
        "eventtime": "2026-11-27T12:00:00Z", "eventname": "ListBuckets", "eventsource": "s3.amazonaws.com",
        "useragent": "Boto3/1.28.0", "sourceipaddress": "203.0.113.9", "errorcode": "AccessDenied",
        "useridentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice",
                         "username": "alice"},
        "resources": [],
    },
    {
        "eventtime": "2026-11-27T23:59:59Z", "eventname": "GetObject", "eventsource": "s3.amazonaws.com",
        "useragent": "console.amazonaws.com", "sourceipaddress": "10.200.0.1",
        "requestparameters": '{"bucketName":"logs"}',
        "useridentity": {"type": "Root", "arn": "arn:aws:iam::111122223333:root"},
    },
]
R1 = "eventtime = '2026-11-27T10:15:30Z'"


def utc(*parts: int) -> pd.Timestamp:
    return pd.Timestamp(datetime(*parts, tzinfo=UTC))  # type: ignore[misc]


CASES: list[tuple[str, str, object]] = [
    ("json_extract_scalar",
     "SELECT json_extract_scalar(requestparameters, '$.bucketName') FROM cloudtrail "
     "WHERE eventname = 'GetObject' ORDER BY eventtime", ["prod-data", "logs"]),
    ("json_extract_scalar_of_object_is_null",
     f"SELECT json_extract_scalar(requestparameters, '$.nested') FROM cloudtrail WHERE {R1}", [None]),
    ("json_extract_array_index",
     f"SELECT try_cast(json_extract_scalar(requestparameters, '$.nested.x[1]') AS bigint) FROM cloudtrail "
     f"WHERE {R1}", [2]),
    ("json_extract",
     f"SELECT json_array_length(json_extract(requestparameters, '$.nested.x')) FROM cloudtrail WHERE {R1}",
     [2]),
    ("from_iso8601_timestamp",
     f"SELECT from_iso8601_timestamp(eventtime) FROM cloudtrail WHERE {R1}", [utc(2026, 11, 27, 10, 15, 30)]),
    ("date_parse",
     "SELECT date_parse('2026-11-27 10:15:30', '%Y-%m-%d %H:%i:%s')",
     [pd.Timestamp(datetime(2026, 11, 27, 10, 15, 30))]),
    ("date_trunc",
     f"SELECT date_trunc('hour', from_iso8601_timestamp(eventtime)) FROM cloudtrail WHERE {R1}",
     [utc(2026, 11, 27, 10)]),
    ("date_diff_seconds",
     "SELECT date_diff('second', from_iso8601_timestamp('2026-11-27T10:00:00Z'), "
     f"from_iso8601_timestamp(eventtime)) FROM cloudtrail WHERE {R1}", [930]),
    ("date_diff_counts_complete_units",
     "SELECT date_diff('day', from_iso8601_timestamp('2026-11-27T23:00:00Z'), "
     "from_iso8601_timestamp('2026-11-28T01:00:00Z'))", [0]),
    ("date_diff_hours_between_events",
     "SELECT date_diff('hour', min(from_iso8601_timestamp(eventtime)), max(from_iso8601_timestamp(eventtime))) "
     "FROM cloudtrail", [13]),
    ("date_add",
     f"SELECT date_add('hour', 2, from_iso8601_timestamp(eventtime)) FROM cloudtrail WHERE {R1}",
     [utc(2026, 11, 27, 12, 15, 30)]),
    ("to_unixtime",
     f"SELECT to_unixtime(from_iso8601_timestamp(eventtime)) FROM cloudtrail WHERE {R1}", [1795774530.0]),
    ("from_unixtime", "SELECT from_unixtime(1795773600)", [utc(2026, 11, 27, 10)]),
    ("regexp_like", "SELECT count_if(regexp_like(useragent, '^aws-cli/')) FROM cloudtrail", [1]),
    # Anchored choices of plain words run as starts_with / equality: the same answers, NULL kept.
    ("regexp_like_word_prefixes", "SELECT count_if(regexp_like(eventname, '^(List|Get)')) FROM cloudtrail", [3]),
    ("regexp_like_whole_words", "SELECT count_if(regexp_like(eventname, '^(GetObject|Put)$')) FROM cloudtrail", [2]),
    ("regexp_like_word_then_more", "SELECT count_if(regexp_like(eventname, '^(Get|Put)Object$')) FROM cloudtrail",
     [2]),
    ("regexp_like_unanchored_choice", "SELECT count_if(regexp_like(eventname, '^G|Buckets')) FROM cloudtrail", [3]),
    ("regexp_like_null_stays_null", "SELECT count(regexp_like(errorcode, '^(Access|Denied)')) FROM cloudtrail", [1]),
    ("regexp_extract",
     f"SELECT regexp_extract(useragent, 'aws-cli/([0-9.]+)', 1) FROM cloudtrail WHERE {R1}", ["2.13.5"]),
    ("lower_upper",
     f"SELECT lower(eventname) || ' ' || upper(eventname) FROM cloudtrail WHERE {R1}",
     ["getobject GETOBJECT"]),
    ("strpos", f"SELECT strpos(useragent, 'Python') FROM cloudtrail WHERE {R1}", [16]),
    ("split_element_at",
     f"SELECT element_at(split(useridentity.arn, '/'), 2) FROM cloudtrail WHERE {R1}", ["Deploy"]),
    ("element_at_negative",
     f"SELECT element_at(split(useridentity.arn, '/'), -1) FROM cloudtrail WHERE {R1}", ["ci"]),
    ("cardinality", f"SELECT cardinality(split(useridentity.arn, '/')) FROM cloudtrail WHERE {R1}", [3]),
    ("contains", f"SELECT contains(split(useridentity.arn, '/'), 'ci') FROM cloudtrail WHERE {R1}", [True]),
    ("array_join",
     f"SELECT array_join(split(useridentity.arn, '/'), ' ') FROM cloudtrail WHERE {R1}",
     ["arn:aws:sts::111122223333:assumed-role Deploy ci"]),
    ("array_except_keeps_order_once",
     "SELECT array_join(array_except(ARRAY['d', 'a', 'b', 'a', 'c', 'd'], ARRAY['b']), ',')", ["d,a,c"]),
    ("array_except_null_element_once", "SELECT cardinality(array_except(ARRAY['a', NULL, NULL], ARRAY['b']))", [2]),
    ("array_except_null_removed", "SELECT cardinality(array_except(ARRAY['a', NULL], ARRAY[NULL]))", [1]),
    ("array_except_null_left", "SELECT array_except(CAST(NULL AS array(varchar)), ARRAY['b'])", [None]),
    ("array_except_null_right", "SELECT array_except(ARRAY['a'], CAST(NULL AS array(varchar)))", [None]),
    ("array_except_per_row",
     "SELECT array_join(array_except(regexp_extract_all(useridentity.arn, '[0-9]{12}|[a-z]+'), ARRAY['arn', 'aws']), "
     f"',') FROM cloudtrail WHERE {R1}", ["sts,111122223333,assumed,role,eploy,ci"]),
    ("approx_distinct", "SELECT approx_distinct(eventname) FROM cloudtrail", [2]),
    ("count_if", "SELECT count_if(errorcode = 'AccessDenied') FROM cloudtrail", [1]),
    ("arbitrary", "SELECT arbitrary(useragent) FROM cloudtrail WHERE eventname = 'ListBuckets'",
     ["Boto3/1.28.0"]),
    ("try_cast_bad_value", "SELECT try_cast(eventname AS bigint) FROM cloudtrail WHERE " + R1, [None]),
    ("cast_as_timestamp", "SELECT CAST('2026-11-27 10:15:30' AS timestamp)",
     [pd.Timestamp(datetime(2026, 11, 27, 10, 15, 30))]),
    ("struct_field", "SELECT useridentity.arn FROM cloudtrail WHERE errorcode = 'AccessDenied'",
     ["arn:aws:iam::111122223333:user/alice"]),
    ("nested_struct_field",
     f"SELECT useridentity.sessioncontext.sessionissuer.username FROM cloudtrail WHERE {R1}", ["Deploy"]),
    ("unnest_single_alias",
     "SELECT r.arn FROM cloudtrail CROSS JOIN UNNEST(resources) AS t(r) WHERE r.type = 'AWS::S3::Object'",
     ["arn:aws:s3:::prod-data/a/b.csv"]),
    ("unnest_row_fields",
     "SELECT array_join(array_agg(arn ORDER BY arn), ',') FROM cloudtrail "
     "CROSS JOIN UNNEST(resources) AS t(arn, accountid, type)",
     ["arn:aws:s3:::prod-data,arn:aws:s3:::prod-data/a/b.csv"]),
    ("interval_arithmetic",
     "SELECT count_if(from_iso8601_timestamp(eventtime) >= "
     "from_iso8601_timestamp('2026-11-27T10:00:00Z') + interval '2' hour) FROM cloudtrail", [2]),
    ("current_timestamp_minus_interval",
     "SELECT date_diff('minute', current_timestamp - interval '1' hour, current_timestamp)", [60]),
    ("cidr_contains",
     "SELECT count_if(contains('10.0.0.0/8', CAST(sourceipaddress AS ipaddress))) FROM cloudtrail", [2]),
    ("cidr_contains_narrow",
     "SELECT sourceipaddress FROM cloudtrail WHERE contains('203.0.113.0/24', TRY_CAST(sourceipaddress AS ipaddress))",
     ["203.0.113.9"]),
    ("partition_columns_are_strings",
     f"SELECT year || '/' || month || '/' || day FROM cloudtrail WHERE {R1}", ["2026/11/27"]),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, write_rows: Callable[..., Path]) -> Iterator[LocalEngine]:
    from workbench.config import Settings

    root = tmp_path_factory.mktemp("functions")
    settings = Settings(workspace=root)
    write_rows(settings.lake, "cloudtrail", DAY, EVENTS)
    local = LocalEngine(settings)
    yield local
    local.close()


def _normalise(value: object) -> object:
    if value is None or (not isinstance(value, list | tuple | dict) and pd.isna(value)):  # type: ignore[arg-type]
        return None
    if hasattr(value, "item") and not isinstance(value, pd.Timestamp):
        return value.item()  # numpy scalar → Python
    return value


@pytest.mark.parametrize(("sql", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_athena_function_on_duckdb(engine: LocalEngine, sql: str, expected: list[object]) -> None:
    result = engine.run(sql, WINDOW)
    assert len(result.frame.columns) == 1, result.executed_sql
    got = [_normalise(v) for v in result.frame.iloc[:, 0].tolist()]
    assert got == expected, result.executed_sql


def test_select_star_has_catalog_columns_then_partitions(engine: LocalEngine) -> None:
    from workbench.catalog import CLOUDTRAIL

    frame = engine.run("SELECT * FROM cloudtrail LIMIT 1", WINDOW).frame
    assert list(frame.columns) == CLOUDTRAIL.all_column_names
