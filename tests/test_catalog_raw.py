"""Raw-log tables over the delivered layout: settings, DDL structure, the views' columns."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp
from typer.testing import CliRunner

from workbench.catalog import TABLES
from workbench.catalog.raw import (
    ACCOUNT,
    DATE,
    HOUR,
    REGION,
    create_raw_table_ddl,
    create_view_ddl,
    layout_of,
    raw_columns,
    setup_ddl,
)
from workbench.cli import app
from workbench.config import ConfigError, RawSettings, Settings, load_settings

ACCOUNTS = ["111122223333", "444455556666"]
BASE = {"location": "s3://org-trail/logs/", "accounts": ACCOUNTS, "regions": ["eu-west-1", "us-east-1"],
        "start": "2025-03-01"}


def raw(**extra: object) -> RawSettings:
    return RawSettings.model_validate(BASE | extra)


def properties(statement: str) -> dict[str, str]:
    tree = sqlglot.parse_one(statement, read="athena")
    props = tree.find(exp.Properties)
    assert props is not None
    out = {}
    for prop in props.find_all(exp.Property):
        if isinstance(prop.this, exp.Literal) and isinstance(prop.args.get("value"), exp.Literal):
            out[prop.this.name] = prop.args["value"].name
    return out


def test_cloudtrail_org_trail_table_follows_aws_documented_storage_and_projection() -> None:
    ddl = create_raw_table_ddl("cloudtrail", raw(org_id="o-a1b2c3d4e5"))
    assert "ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'" in ddl
    assert "INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'" in ddl
    assert "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'" in ddl
    assert "LOCATION 's3://org-trail/logs/AWSLogs/o-a1b2c3d4e5/'" in ddl
    props = properties(ddl)
    assert props["storage.location.template"] == (
        f"s3://org-trail/logs/AWSLogs/o-a1b2c3d4e5/${{{ACCOUNT}}}/CloudTrail/${{{REGION}}}/${{{DATE}}}")
    assert props[f"projection.{ACCOUNT}.values"] == ",".join(ACCOUNTS)
    assert props[f"projection.{REGION}.values"] == "eu-west-1,us-east-1"
    assert props[f"projection.{DATE}.type"] == "date"
    assert props[f"projection.{DATE}.format"] == "yyyy/MM/dd"
    assert props[f"projection.{DATE}.range"] == "2025/03/01,NOW"
    assert f"projection.{HOUR}.type" not in props


def test_account_trail_has_no_org_folder() -> None:
    props = properties(create_raw_table_ddl("cloudtrail", raw()))
    assert props["storage.location.template"] == (
        f"s3://org-trail/logs/AWSLogs/${{{ACCOUNT}}}/CloudTrail/${{{REGION}}}/${{{DATE}}}")


def test_raw_cloudtrail_columns_are_the_catalogs_less_extra() -> None:
    tree = sqlglot.parse_one(create_raw_table_ddl("cloudtrail", raw()), read="athena")
    defined = [c.name for c in tree.this.expressions if isinstance(c, exp.ColumnDef)]
    assert defined == [c for c in TABLES["cloudtrail"].column_names if c != "extra"]
    partitions = tree.find(exp.PartitionedByProperty)
    assert partitions is not None
    assert [c.name for c in partitions.find_all(exp.ColumnDef)] == [ACCOUNT, REGION, DATE]


@pytest.mark.parametrize(("hive", "hourly", "template", "date_format"), [
    (False, False, "AWSLogs/${log_account}/vpcflowlogs/${log_region}/${log_date}", "yyyy/MM/dd"),
    (False, True, "AWSLogs/${log_account}/vpcflowlogs/${log_region}/${log_date}/${log_hour}", "yyyy/MM/dd"),
    (True, False, "AWSLogs/aws-account-id=${log_account}/aws-service=vpcflowlogs/aws-region=${log_region}/"
                  "${log_date}", "'year='yyyy'/month='MM'/day='dd"),
    (True, True, "AWSLogs/aws-account-id=${log_account}/aws-service=vpcflowlogs/aws-region=${log_region}/"
                 "${log_date}/hour=${log_hour}", "'year='yyyy'/month='MM'/day='dd"),
], ids=["plain-daily", "plain-hourly", "hive-daily", "hive-hourly"])
def test_vpc_flow_layouts(hive: bool, hourly: bool, template: str, date_format: str) -> None:
    settings = raw(vpc_flow={"hive": hive, "hourly": hourly})
    props = properties(create_raw_table_ddl("vpc_flow", settings))
    assert props["storage.location.template"] == "s3://org-trail/logs/" + template
    assert props[f"projection.{DATE}.format"] == date_format
    assert props[f"projection.{DATE}.range"].endswith(",NOW")
    if hourly:
        assert (props[f"projection.{HOUR}.type"], props[f"projection.{HOUR}.range"]) == ("integer", "0,23")
        assert props[f"projection.{HOUR}.digits"] == "2"
    # The folder a file is written to is the template filled in: the writer and the table agree.
    folder = layout_of(settings, "vpc_flow").folder("111122223333", "eu-west-1", datetime(2026, 12, 6, 5))
    expected = (template.replace("${log_account}", "111122223333").replace("${log_region}", "eu-west-1")
                .replace("${log_hour}", "05")
                .replace("${log_date}", "year=2026/month=12/day=06" if hive else "2026/12/06"))
    assert folder == expected + "/"


def test_vpc_flow_text_skips_the_header_and_reads_fields_in_file_order() -> None:
    fields = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end " \
             "action log-status".split()
    settings = raw(vpc_flow={"fields": fields})
    ddl = create_raw_table_ddl("vpc_flow", settings)
    assert "FIELDS TERMINATED BY ' '" in ddl
    assert properties(ddl)["skip.header.line.count"] == "1"
    assert [n for n, _ in raw_columns(TABLES["vpc_flow"], settings)] == [f.replace("-", "_") for f in fields]


def test_vpc_flow_parquet_is_stored_as_parquet_with_awss_int32_columns() -> None:
    settings = raw(vpc_flow={"format": "parquet"})
    ddl = create_raw_table_ddl("vpc_flow", settings)
    assert "STORED AS PARQUET" in ddl and "skip.header" not in ddl
    types = dict(raw_columns(TABLES["vpc_flow"], settings))
    assert types["protocol"] == "int" and types["bytes"] == "bigint"
    view = create_view_ddl("vpc_flow", settings)
    assert 'CAST("protocol" AS bigint) AS "protocol"' in view


def test_guardduty_reads_json_lines_and_lifts_the_resource_type() -> None:
    ddl = create_raw_table_ddl("guardduty", raw())
    assert "ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'" in ddl
    assert "INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'" in ddl
    assert properties(ddl)["storage.location.template"].endswith("/GuardDuty/${log_region}/${log_date}")
    view = create_view_ddl("guardduty", raw())
    assert "json_extract_scalar(\"resource\", '$.resourceType') AS \"resourcetype\"" in view


@pytest.mark.parametrize("table", list(TABLES))
def test_view_gives_the_catalogs_columns_then_the_partition_keys(table: str) -> None:
    view = create_view_ddl(table, raw(vpc_flow={"fields": ["version", "account-id", "srcaddr", "start"]}))
    tree = sqlglot.parse_one(view, read="athena")
    assert isinstance(tree, exp.Create) and tree.kind == "VIEW"
    union = tree.expression
    assert isinstance(union, exp.Union)
    for branch in (union.this, union.expression):
        assert branch.named_selects == TABLES[table].all_column_names


def test_view_labels_a_late_delivery_with_its_event_day() -> None:
    tree = sqlglot.parse_one(create_view_ddl("cloudtrail", raw()), read="athena")
    same_day, late = tree.expression.this, tree.expression.expression
    assert "date_add('day', -1" not in same_day.sql("athena").lower()
    assert "DATE_ADD('DAY', -1" in late.sql("athena").upper()
    assert ">=" in same_day.args["where"].sql() and "<" in late.args["where"].sql()


def test_flow_text_strings_map_dash_to_null_and_missing_fields_to_typed_nulls() -> None:
    view = create_view_ddl("vpc_flow", raw(vpc_flow={"fields": ["version", "account-id", "srcaddr", "start"]}))
    assert "nullif(\"srcaddr\", '-') AS \"srcaddr\"" in view
    assert 'CAST(NULL AS bigint) AS "bytes"' in view
    assert 'CAST(NULL AS varchar) AS "action"' in view


def test_setup_mixes_lake_and_raw_per_table() -> None:
    settings = Settings.model_validate({"athena": {"source": {"cloudtrail": "raw"}, "raw": BASE}})
    statements = setup_ddl(settings.athena, settings.athena.source, "s3://lake/mantissa/", "sec")
    heads = [s.splitlines()[0] for s in statements]
    assert heads == [
        "CREATE DATABASE IF NOT EXISTS `sec`",
        "DROP TABLE IF EXISTS `sec`.`cloudtrail_raw`",
        "CREATE EXTERNAL TABLE IF NOT EXISTS `sec`.`cloudtrail_raw` (",
        'CREATE OR REPLACE VIEW "sec"."cloudtrail" AS',
        "CREATE EXTERNAL TABLE IF NOT EXISTS `sec`.`vpc_flow` (",
        "CREATE EXTERNAL TABLE IF NOT EXISTS `sec`.`guardduty` (",
    ]
    for statement in statements:
        sqlglot.parse_one(statement, read="athena")


@pytest.mark.parametrize(("athena", "expected"), [
    ({"source": "parquet"}, "athena.source: Value error, cloudtrail: 'parquet' is not a source"),
    ({"source": {"cloudtrial": "raw"}}, "unknown table(s) cloudtrial"),
    ({"source": "raw"}, "athena.raw.accounts is empty"),
    ({"source": "raw", "raw": BASE | {"location": "/var/logs"}}, "athena.raw.location must be an s3:// URI"),
    ({"raw": {"accounts": ["1111"]}}, "athena.raw.accounts: Value error, not 12-digit account ids: 1111"),
    ({"raw": {"accounts": [11112222333]}}, "not 12-digit account ids: 11112222333 (quote them in YAML)"),
    ({"raw": {"regions": ["eu-west"]}}, "not AWS region names: eu-west"),
    ({"raw": {"org_id": "123"}}, "'123' is not an organisation id"),
    ({"raw": {"start": "last week"}}, "athena.raw.start"),
    ({"raw": {"vpc_flow": {"format": "csv"}}}, "athena.raw.vpc_flow.format"),
    ({"raw": {"vpc_flow": {"fields": ["version", "src-addr"]}}}, "unknown VPC flow log field(s) src_addr"),
], ids=["source", "table", "incomplete", "location", "account", "account-int", "region", "org", "start",
        "format", "field"])
def test_bad_raw_settings_name_the_key(workspace: Path, athena: dict, expected: str) -> None:
    import yaml

    (workspace / "mantissa.yaml").write_text(yaml.safe_dump({"athena": athena}))
    with pytest.raises(ConfigError) as err:
        load_settings(environ={})
    assert "mantissa.yaml" in str(err.value)
    assert expected in str(err.value)


def test_flow_log_fields_take_the_log_format_as_aws_prints_it() -> None:
    settings = raw(vpc_flow={"fields": "${version} ${account-id} ${interface-id} ${srcaddr} ${pkt-dst-aws-service}"})
    assert settings.vpc_flow.fields == ["version", "account-id", "interface-id", "srcaddr", "pkt-dst-aws-service"]


def test_source_from_the_environment(workspace: Path) -> None:
    (workspace / "mantissa.yaml").write_text("athena:\n  raw:\n    location: s3://b/\n    accounts: ['111122223333']"
                                             "\n    regions: [eu-west-1]\n    start: 2026-01-01\n")
    settings = load_settings(environ={"MANTISSA_ATHENA__SOURCE": "raw"})
    assert settings.athena.raw_tables() == list(TABLES)


runner = CliRunner()


def test_ddl_command_prints_raw_tables_and_views(workspace: Path) -> None:
    (workspace / "mantissa.yaml").write_text(
        "athena:\n  database: sec\n  raw:\n    location: s3://org-trail/\n    org_id: o-a1b2c3d4e5\n"
        "    accounts: ['111122223333']\n    regions: [eu-west-1]\n    start: 2026-01-01\n"
        "    vpc_flow: {hive: true, hourly: true}\n")
    result = runner.invoke(app, ["athena", "ddl", "--source", "raw"])
    assert result.exit_code == 0, result.output
    statements = [s for s in result.stdout.split(";\n\n")]
    assert len(statements) == 10
    for name in TABLES:
        assert f"`sec`.`{name}_raw`" in result.stdout
        assert f'CREATE OR REPLACE VIEW "sec"."{name}" AS' in result.stdout
    assert "aws-region=${log_region}/${log_date}/hour=${log_hour}" in result.stdout


def test_ddl_command_says_which_raw_settings_are_missing(workspace: Path) -> None:
    result = runner.invoke(app, ["athena", "ddl", "--source", "raw"])
    assert result.exit_code == 2
    assert "athena.raw.accounts is empty" in result.output
    assert "athena.raw.start is unset" in result.output


def test_ddl_command_lake_still_needs_a_location(workspace: Path) -> None:
    result = runner.invoke(app, ["athena", "ddl", "--source", "lake"])
    assert result.exit_code == 2
    assert "--location" in result.output and "--source raw" in result.output
