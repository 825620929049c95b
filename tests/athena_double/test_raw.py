"""Raw-log tables over the layout AWS delivers (the synth writer's raw/ folder), read by the double
through the SerDes AWS documents: CloudTrail gzip {"Records": [...]}, VPC Flow Logs text with a
header line, GuardDuty findings as JSON lines. Each answers as the Parquet lake ingested from it."""

from __future__ import annotations

import json

from tests.athena_double import AthenaDouble
from workbench.catalog import TABLES
from workbench.synth.flows import COLUMNS as FLOW_FIELDS

REGIONS = "us-east-1,us-west-2,eu-west-1,ap-northeast-2,ap-southeast-1,sa-east-1"


def _accounts(demo_lake) -> str:  # noqa: ANN001 - SimpleNamespace
    """The organisation's accounts, as the projection's enum lists them."""
    return ",".join(sorted(p.name for p in (demo_lake.workspace / "raw" / "AWSLogs").iterdir()))


def _cloudtrail_ddl(root: str, accounts: str, serde: str = "org.apache.hive.hcatalog.data.JsonSerDe") -> str:
    columns = ",\n".join(f"  `{c.name}` {c.type}" for c in TABLES["cloudtrail"].columns if c.name != "extra")
    return f"""CREATE EXTERNAL TABLE cloudtrail_raw (
{columns}
)
PARTITIONED BY (account string, region string, `timestamp` string)
ROW FORMAT SERDE '{serde}'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION '{root}'
TBLPROPERTIES (
  'projection.enabled'='true',
  'projection.account.type'='enum', 'projection.account.values'='{accounts}',
  'projection.region.type'='enum', 'projection.region.values'='{REGIONS}',
  'projection.timestamp.type'='date', 'projection.timestamp.format'='yyyy/MM/dd',
  'projection.timestamp.range'='2026/01/01,NOW', 'projection.timestamp.interval'='1',
  'projection.timestamp.interval.unit'='DAYS',
  'storage.location.template'='{root}${{account}}/CloudTrail/${{region}}/${{timestamp}}')"""


def test_cloudtrail_gzip_records_read_through_the_cloudtrail_serde(lake_double: AthenaDouble, demo_lake) -> None:  # noqa: ANN001
    raw = lake_double.upload(demo_lake.workspace / "raw", f"s3://{lake_double.lake_bucket}/raw/")
    created = lake_double.query(_cloudtrail_ddl(f"{raw}AWSLogs/", _accounts(demo_lake)), database="mantissa")
    assert created.state == "SUCCEEDED", created.reason

    raw_counts = lake_double.query("SELECT count(*), count(DISTINCT eventid) FROM cloudtrail_raw", database="mantissa")
    lake_counts = lake_double.query("SELECT count(*), count(DISTINCT eventid) FROM cloudtrail", database="mantissa")
    assert raw_counts.state == "SUCCEEDED", raw_counts.reason
    assert raw_counts.outcome.rows == lake_counts.outcome.rows
    assert int(raw_counts.outcome.rows[0][0]) > 1000

    # Nested structs, arrays and JSON-as-string columns answer as the lake's (which was ingested from these).
    probe = ("SELECT eventid, useridentity.arn, useridentity.sessioncontext.sessionissuer.username, "
             "cardinality(resources), json_extract_scalar(requestparameters, '$.roleArn') FROM {} "
             "WHERE eventname = 'AssumeRole' ORDER BY eventid LIMIT 50")
    from_raw = lake_double.query(probe.format("cloudtrail_raw"), database="mantissa")
    from_lake = lake_double.query(probe.format("cloudtrail"), database="mantissa")
    assert from_raw.state == "SUCCEEDED", from_raw.reason
    assert from_raw.outcome.rows == from_lake.outcome.rows and len(from_raw.outcome.rows) == 50

    # A day's region partition is read alone, and billed as its whole gzip objects.
    account = _accounts(demo_lake).split(",")[0]
    one = lake_double.query(f"SELECT count(*) FROM cloudtrail_raw WHERE account = '{account}' AND region = 'eu-west-1' "
                            "AND \"timestamp\" = '2026/11/19'", database="mantissa")
    folder = demo_lake.workspace / "raw" / "AWSLogs" / account / "CloudTrail" / "eu-west-1/2026/11/19"
    assert one.bytes_scanned == sum(p.stat().st_size for p in folder.iterdir())
    in_folder = sum(len(json.loads(__import__("gzip").decompress(p.read_bytes()))["Records"]) for p in folder.iterdir())
    assert one.outcome.rows == [[str(in_folder)]]


def test_cloudtrail_serde_class_reads_the_same(athena_double: AthenaDouble, demo_lake) -> None:  # noqa: ANN001
    raw = athena_double.upload(demo_lake.workspace / "raw", f"s3://{athena_double.lake_bucket}/raw/")
    ddl = _cloudtrail_ddl(f"{raw}AWSLogs/", _accounts(demo_lake), serde="com.amazon.emr.hive.serde.CloudTrailSerde")
    assert athena_double.query(ddl).state == "SUCCEEDED"
    counted = athena_double.query("SELECT count(*) FROM cloudtrail_raw WHERE \"timestamp\" = '2026/11/20'")
    assert counted.state == "SUCCEEDED" and int(counted.outcome.rows[0][0]) > 0


def test_vpc_flow_text_with_header_line(lake_double: AthenaDouble, demo_lake) -> None:  # noqa: ANN001
    raw = lake_double.upload(demo_lake.workspace / "raw", f"s3://{lake_double.lake_bucket}/raw/")
    types = {c.name: c.type for c in TABLES["vpc_flow"].columns}
    columns = ",\n".join(f"  `{name}` {types[name]}" for name in FLOW_FIELDS)
    root = f"{raw}AWSLogs/"
    ddl = f"""CREATE EXTERNAL TABLE vpc_flow_raw (
{columns}
)
PARTITIONED BY (account string, `aws-region` string, day string)
ROW FORMAT DELIMITED FIELDS TERMINATED BY ' '
LOCATION '{root}'
TBLPROPERTIES ('skip.header.line.count'='1', 'projection.enabled'='true',
  'projection.account.type'='enum', 'projection.account.values'='{_accounts(demo_lake)}',
  'projection.aws-region.type'='enum', 'projection.aws-region.values'='{REGIONS}',
  'projection.day.type'='date', 'projection.day.format'='yyyy/MM/dd', 'projection.day.range'='2026/01/01,NOW',
  'storage.location.template'='{root}${{account}}/vpcflowlogs/${{aws-region}}/${{day}}')"""
    assert lake_double.query(ddl, database="mantissa").state == "SUCCEEDED"

    probe = ("SELECT count(*), sum(bytes), count(tcp_flags), count(DISTINCT srcaddr), "
             "count_if(action = 'REJECT') FROM {}")
    from_raw = lake_double.query(probe.format("vpc_flow_raw"), database="mantissa")
    from_lake = lake_double.query(probe.format("vpc_flow"), database="mantissa")
    assert from_raw.state == "SUCCEEDED", from_raw.reason
    assert from_raw.outcome.rows == from_lake.outcome.rows
    typed = lake_double.query("SELECT srcport + 0, pkt_src_aws_service FROM vpc_flow_raw LIMIT 1", database="mantissa")
    assert typed.outcome.columns[0][1] == "integer"


def test_guardduty_json_lines(lake_double: AthenaDouble, demo_lake) -> None:  # noqa: ANN001
    raw = lake_double.upload(demo_lake.workspace / "raw", f"s3://{lake_double.lake_bucket}/raw/")
    root = f"{raw}AWSLogs/"
    ddl = f"""CREATE EXTERNAL TABLE guardduty_raw (
  source string,
  detail struct<id:string, type:string, severity:double, resource:string, accountid:string>
)
PARTITIONED BY (account string)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
LOCATION '{root}'
TBLPROPERTIES ('projection.enabled'='true', 'projection.account.type'='injected',
  'storage.location.template'='{root}${{account}}/GuardDuty')"""
    assert lake_double.query(ddl, database="mantissa").state == "SUCCEEDED"
    from_raw = lake_double.query("SELECT detail.id, detail.type, detail.severity, "
                                 "json_extract_scalar(detail.resource, '$.resourceType') FROM guardduty_raw ORDER BY 1",
                                 database="mantissa")
    from_lake = lake_double.query("SELECT id, type, severity, resourcetype FROM guardduty ORDER BY 1",
                                  database="mantissa")
    assert from_raw.state == "SUCCEEDED", from_raw.reason
    assert from_raw.outcome.rows == from_lake.outcome.rows and from_raw.outcome.rows
