from __future__ import annotations

import pyarrow as pa
import pytest
import sqlglot
from sqlglot import exp

from workbench.catalog import TABLES, all_ddl, arrow_schema, get_table


def test_cloudtrail_keeps_athena_names_and_types() -> None:
    ct = get_table("cloudtrail")
    assert ct.time_column == "eventtime"
    assert ct.partition_keys == ("year", "month", "day")
    schema = arrow_schema(ct)
    ui = schema.field("useridentity").type
    assert pa.types.is_struct(ui)
    issuer = ui.field("sessioncontext").type.field("sessionissuer").type
    assert issuer.field("username").type == pa.string()
    assert pa.types.is_list(schema.field("resources").type)
    tls = schema.field("tlsdetails").type
    assert [tls.field(i).name for i in range(tls.num_fields)] == ["tlsversion", "ciphersuite", "clientprovidedhostheader"]
    for json_col in ("requestparameters", "responseelements", "additionaleventdata", "serviceeventdetails"):
        assert schema.field(json_col).type == pa.string()


def test_vpc_flow_has_versions_2_to_5() -> None:
    names = get_table("vpc_flow").column_names
    for field in ("version", "srcaddr", "dstport", "action", "log_status",  # v2
                  "vpc_id", "tcp_flags", "pkt_srcaddr",  # v3
                  "region", "az_id", "sublocation_type",  # v4
                  "pkt_src_aws_service", "flow_direction", "traffic_path"):  # v5
        assert field in names


def test_unknown_table_suggests() -> None:
    with pytest.raises(KeyError, match="did you mean 'cloudtrail'"):
        get_table("cloudtrial")


@pytest.mark.parametrize("statement", all_ddl("s3://lake-bucket/mantissa/"), ids=["db", *TABLES])
def test_ddl_parses_as_athena_sql(statement: str) -> None:
    tree = sqlglot.parse_one(statement, read="athena")
    assert isinstance(tree, exp.Create)
    if "TABLE" in statement:
        assert "'projection.enabled'='true'" in statement
        assert "year=${year}/month=${month}/day=${day}" in statement


def test_ddl_columns_match_catalog() -> None:
    for name, table in TABLES.items():
        ddl = next(s for s in all_ddl("s3://b/p") if f"`{name}`" in s)
        tree = sqlglot.parse_one(ddl, read="athena")
        defined = [c.name for c in tree.this.expressions if isinstance(c, exp.ColumnDef)]
        assert defined == table.column_names


def test_ddl_refuses_non_s3_location() -> None:
    with pytest.raises(ValueError, match="s3://"):
        all_ddl("/tmp/lake")
