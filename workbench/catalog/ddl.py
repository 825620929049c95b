"""CREATE EXTERNAL TABLE statements for Athena over the Parquet lake, with partition projection.

Projection lets Athena compute partitions from the `year=/month=/day=` path template, so nobody
has to run `MSCK REPAIR TABLE` or `ALTER TABLE ADD PARTITION` as days accumulate.
"""

from __future__ import annotations

from workbench.catalog.tables import TABLES, Table

FIRST_YEAR = 2013  # CloudTrail's launch; earlier partitions cannot exist


def _location(base: str, table: Table) -> str:
    if not base.startswith("s3://"):
        raise ValueError(f"--location must be an s3:// URI, got {base!r}")
    return f"{base.rstrip('/')}/{table.name}"


def create_table_ddl(table: Table, location: str, database: str = "mantissa") -> str:
    root = _location(location, table)
    columns = ",\n".join(f"  `{c.name}` {c.type}" for c in table.columns)
    partitions = ", ".join(f"`{k}` string" for k in table.partition_keys)
    template = root + "/" + "/".join(f"{k}=${{{k}}}" for k in table.partition_keys)
    props = {
        "parquet.compression": "ZSTD",
        "projection.enabled": "true",
        "projection.year.type": "integer",
        "projection.year.range": f"{FIRST_YEAR},2099",
        "projection.month.type": "integer",
        "projection.month.range": "1,12",
        "projection.month.digits": "2",
        "projection.day.type": "integer",
        "projection.day.range": "1,31",
        "projection.day.digits": "2",
        "storage.location.template": template,
    }
    properties = ",\n".join(f"  '{k}'='{v}'" for k, v in props.items())
    return (
        f"CREATE EXTERNAL TABLE IF NOT EXISTS `{database}`.`{table.name}` (\n{columns}\n)\n"
        f"COMMENT '{table.description}'\n"
        f"PARTITIONED BY ({partitions})\n"
        f"STORED AS PARQUET\n"
        f"LOCATION '{root}/'\n"
        f"TBLPROPERTIES (\n{properties}\n)"
    )


def create_database_ddl(database: str = "mantissa") -> str:
    return f"CREATE DATABASE IF NOT EXISTS `{database}`"


def all_ddl(location: str, database: str = "mantissa") -> list[str]:
    return [create_database_ddl(database)] + [
        create_table_ddl(t, location, database) for t in TABLES.values()
    ]
