"""Athena tables over the logs where AWS delivers them, and a view per log table over each.

A team's organisation trail, flow logs and GuardDuty export already sit in S3 under `AWSLogs/`.
`<table>_raw` reads them in place (CloudTrail's documented SerDe and input format, the flow logs'
space-delimited text or Parquet, GuardDuty's JSON lines) with partition projection over account,
region, delivery date (and hour where the layout has one), so nobody runs MSCK or a crawler. A
view named as the catalog table (`cloudtrail`, `vpc_flow`, `guardduty`) gives the catalog's columns,
so every rule and hunt runs unchanged.

The window rewrite bounds a read by `year`/`month`/`day`. The view derives them from the projected
delivery date, so those predicates prune the raw table's partitions. A record delivered the day
after its event (CloudTrail delivers about five minutes late, so 23:55 lands in tomorrow's folder)
is labelled with its event's day by a second branch reading the next folder: a window over day D
reads folders D and D+1, and answers the same rows as the lake, which partitions by event time.
A record delivered more than a day late is out of reach of the view (the lake refresh keeps it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from workbench.catalog.tables import EXTRA_COLUMN, TABLES, Table

if TYPE_CHECKING:
    from workbench.config import AthenaSettings, RawSettings

RAW_SUFFIX = "_raw"
# Partition columns: prefixed, because `region` is also a data column of vpc_flow and guardduty.
ACCOUNT, REGION, DATE, HOUR = "log_account", "log_region", "log_date", "log_hour"

CLOUDTRAIL_SERDE = "org.apache.hive.hcatalog.data.JsonSerDe"
CLOUDTRAIL_INPUT = "com.amazon.emr.cloudtrail.CloudTrailInputFormat"
TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

# Catalog (Hive DDL) scalar types as Trino names them in a view's CASTs.
_TRINO_TYPES = {"string": "varchar", "int": "integer", "bigint": "bigint", "double": "double"}
# Parquet flow logs store these as 32-bit integers (AWS's Parquet schema); the view widens them.
_PARQUET_INT32 = frozenset({"version", "srcport", "dstport", "protocol", "tcp_flags", "traffic_path"})


@dataclass(frozen=True)
class Layout:
    """Where one source's objects live under the location: a folder per account, region, day [, hour]."""

    table: str
    service_dir: str  # "CloudTrail", "vpcflowlogs", "GuardDuty"
    org_id: str | None = None
    hive: bool = False
    hourly: bool = False

    @property
    def java_date_format(self) -> str:
        """The projected date's format (a Java DateTimeFormatter pattern, as projection wants)."""
        return "'year='yyyy'/month='MM'/day='dd" if self.hive else "yyyy/MM/dd"

    @property
    def trino_date_format(self) -> str:
        """The same format for Trino's date_parse, which the view reads the date with."""
        return "year=%Y/month=%m/day=%d" if self.hive else "%Y/%m/%d"

    def root(self) -> str:
        """The folder under the location every object of this source is below."""
        return "AWSLogs/" + (f"{self.org_id}/" if self.org_id else "")

    def template(self) -> str:
        """The folder pattern below the location, with ${…} for each projected partition."""
        if self.hive:
            path = (f"aws-account-id=${{{ACCOUNT}}}/aws-service={self.service_dir}/aws-region=${{{REGION}}}"
                    f"/${{{DATE}}}")
        else:
            path = f"${{{ACCOUNT}}}/{self.service_dir}/${{{REGION}}}/${{{DATE}}}"
        if self.hourly:
            path += f"/hour=${{{HOUR}}}" if self.hive else f"/${{{HOUR}}}"
        return self.root() + path

    def folder(self, account: str, region: str, moment: datetime) -> str:
        """The folder (relative to the location, ending in /) holding objects delivered at `moment`."""
        day = (f"year={moment:%Y}/month={moment:%m}/day={moment:%d}" if self.hive
               else f"{moment:%Y}/{moment:%m}/{moment:%d}")
        hour = (f"hour={moment:%H}" if self.hive else f"{moment:%H}") if self.hourly else None
        key = (self.template().replace(f"${{{ACCOUNT}}}", account).replace(f"${{{REGION}}}", region)
               .replace(f"${{{DATE}}}", day))
        if hour is not None:
            key = key.replace(f"hour=${{{HOUR}}}" if self.hive else f"${{{HOUR}}}", hour)
        return key + "/"


def layout_of(raw: RawSettings, table: str) -> Layout:
    if table == "cloudtrail":
        return Layout("cloudtrail", "CloudTrail", org_id=raw.org_id)
    if table == "vpc_flow":
        return Layout("vpc_flow", "vpcflowlogs", hive=raw.vpc_flow.hive, hourly=raw.vpc_flow.hourly)
    if table == "guardduty":
        return Layout("guardduty", "GuardDuty")
    raise KeyError(f"no raw layout for table {table!r} (known: {', '.join(TABLES)})")


def raw_table_name(table: str) -> str:
    return table + RAW_SUFFIX


def _vpc_fields(raw: RawSettings) -> list[str]:
    return [f.replace("-", "_") for f in raw.vpc_flow.fields]


def raw_columns(table: Table, raw: RawSettings) -> list[tuple[str, str]]:
    """(name, Hive type) of the raw table's data columns, in the order the objects hold them."""
    if table.name == "vpc_flow":
        parquet = raw.vpc_flow.format == "parquet"
        out = []
        for name in _vpc_fields(raw):
            typ = table.column(name).type
            out.append((name, "int" if parquet and name in _PARQUET_INT32 else typ))
        return out
    columns = [(c.name, c.type) for c in table.columns if c.name != EXTRA_COLUMN]
    if table.name == "guardduty":
        # A finding's resource type lives inside `resource`; the view lifts it out.
        columns = [(n, t) for n, t in columns if n != "resourcetype"]
    return columns


def _projection(raw: RawSettings, layout: Layout, location: str) -> dict[str, str]:
    assert raw.start is not None  # settings validation requires it for a raw source
    first = raw.start.strftime("year=%Y/month=%m/day=%d" if layout.hive else "%Y/%m/%d")
    props = {
        "projection.enabled": "true",
        f"projection.{ACCOUNT}.type": "enum",
        f"projection.{ACCOUNT}.values": ",".join(raw.accounts),
        f"projection.{REGION}.type": "enum",
        f"projection.{REGION}.values": ",".join(raw.regions),
        f"projection.{DATE}.type": "date",
        f"projection.{DATE}.format": layout.java_date_format,
        f"projection.{DATE}.range": f"{first},NOW",
        f"projection.{DATE}.interval": "1",
        f"projection.{DATE}.interval.unit": "DAYS",
    }
    if layout.hourly:
        props |= {f"projection.{HOUR}.type": "integer", f"projection.{HOUR}.range": "0,23",
                  f"projection.{HOUR}.digits": "2"}
    props["storage.location.template"] = location + layout.template()
    return props


def _location(raw: RawSettings, table: str) -> str:
    location = raw.location_of(table)
    if not location:
        problems = raw.problems(table)
        raise ValueError(problems[0] if problems else f"no location for raw {table}")
    return location.rstrip("/") + "/"


def _check(raw: RawSettings, table: str) -> None:
    problems = raw.problems(table)
    if problems:
        raise ValueError(f"cannot create the raw {table} table: " + "; ".join(problems))


def _quote_property(value: str) -> str:
    # Double-quoted: the hive date format holds single quotes ('year='yyyy…).
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def create_raw_table_ddl(table_name: str, raw: RawSettings, database: str = "mantissa") -> str:
    """CREATE EXTERNAL TABLE `<table>_raw` over the delivered objects, with partition projection."""
    _check(raw, table_name)
    table = TABLES[table_name]
    layout = layout_of(raw, table_name)
    location = _location(raw, table_name)
    columns = ",\n".join(f"  `{name}` {typ}" for name, typ in raw_columns(table, raw))
    partitions = [ACCOUNT, REGION, DATE] + ([HOUR] if layout.hourly else [])
    props = _projection(raw, layout, location)
    if table_name == "cloudtrail":
        storage = (f"ROW FORMAT SERDE '{CLOUDTRAIL_SERDE}'\n"
                   f"STORED AS INPUTFORMAT '{CLOUDTRAIL_INPUT}'\nOUTPUTFORMAT '{TEXT_OUTPUT}'")
    elif table_name == "guardduty":
        storage = f"ROW FORMAT SERDE '{CLOUDTRAIL_SERDE}'\nSTORED AS INPUTFORMAT '{TEXT_INPUT}'\nOUTPUTFORMAT '{TEXT_OUTPUT}'"
    elif raw.vpc_flow.format == "parquet":
        storage = "STORED AS PARQUET"
    else:
        storage = "ROW FORMAT DELIMITED\nFIELDS TERMINATED BY ' '\nSTORED AS TEXTFILE"
        props = {"skip.header.line.count": "1"} | props
    properties = ",\n".join(f"  {_quote_property(k)}={_quote_property(v)}" for k, v in props.items())
    return (
        f"CREATE EXTERNAL TABLE IF NOT EXISTS `{database}`.`{raw_table_name(table_name)}` (\n{columns}\n)\n"
        f"COMMENT '{table.description}, as AWS delivers them'\n"
        f"PARTITIONED BY ({', '.join(f'`{p}` string' for p in partitions)})\n"
        f"{storage}\n"
        f"LOCATION '{location}{layout.root()}'\n"
        f"TBLPROPERTIES (\n{properties}\n)"
    )


def _event_day(table: Table) -> str:
    """The event's UTC day as 'YYYY-MM-DD', from the raw row (what the lake partitions by)."""
    if table.name == "vpc_flow":
        return "date_format(from_unixtime(\"start\"), '%Y-%m-%d')"
    return f"substr(\"{table.time_column}\", 1, 10)"


def _select_list(table: Table, raw: RawSettings) -> list[str]:
    present = dict(raw_columns(table, raw))
    text_flows = table.name == "vpc_flow" and raw.vpc_flow.format == "text"
    out = []
    for column in table.columns:
        name, typ = column.name, column.type
        trino = _TRINO_TYPES.get(typ)
        if table.name == "guardduty" and name == "resourcetype":
            out.append("json_extract_scalar(\"resource\", '$.resourceType') AS \"resourcetype\"")
        elif name not in present:
            if trino is None:
                raise ValueError(f"{table.name}.{name} ({typ}) is missing from the raw table and has no NULL form")
            out.append(f"CAST(NULL AS {trino}) AS \"{name}\"")
        elif text_flows and typ == "string":
            out.append(f"nullif(\"{name}\", '-') AS \"{name}\"")  # AWS writes '-' for an absent value
        elif present[name] != typ:
            out.append(f"CAST(\"{name}\" AS {trino}) AS \"{name}\"")
        else:
            out.append(f"\"{name}\"")
    return out


def create_view_ddl(table_name: str, raw: RawSettings, database: str = "mantissa") -> str:
    """CREATE OR REPLACE VIEW `<table>`: the catalog's columns and year/month/day over `<table>_raw`."""
    _check(raw, table_name)
    table = TABLES[table_name]
    layout = layout_of(raw, table_name)
    folder = f"date_parse(\"{DATE}\", '{layout.trino_date_format}')"
    previous = f"date_add('day', -1, {folder})"
    columns = ",\n  ".join(_select_list(table, raw))
    event_day = _event_day(table)
    source = f"\"{database}\".\"{raw_table_name(table_name)}\""

    def branch(day: str, condition: str) -> str:
        labels = ", ".join(f"date_format({day}, '%{f}') AS \"{k}\"" for f, k in zip("Ymd", table.partition_keys,
                                                                                     strict=True))
        return f"SELECT\n  {columns},\n  {labels}\nFROM {source}\nWHERE {condition}"

    same_day = branch(folder, f"{event_day} >= date_format({folder}, '%Y-%m-%d')")
    late = branch(previous, f"{event_day} < date_format({folder}, '%Y-%m-%d')")
    return f"CREATE OR REPLACE VIEW \"{database}\".\"{table_name}\" AS\n{same_day}\nUNION ALL\n{late}"


def drop_raw_table_ddl(table_name: str, database: str = "mantissa") -> str:
    return f"DROP TABLE IF EXISTS `{database}`.`{raw_table_name(table_name)}`"


def raw_ddl(athena: AthenaSettings, database: str | None = None, tables: list[str] | None = None) -> list[str]:
    """The raw table and its view for each table read from raw logs (`tables`, else athena.source).

    The raw table is dropped and created again, so a re-run applies changed settings (a new account
    or region in the projection, another flow-log format): it is only a definition over objects AWS
    owns — dropping an external table deletes no data, and projection keeps no partitions to lose.
    """
    database = database or athena.database
    statements = []
    for name in tables if tables is not None else athena.raw_tables():
        statements += [drop_raw_table_ddl(name, database), create_raw_table_ddl(name, athena.raw, database),
                       create_view_ddl(name, athena.raw, database)]
    return statements


def setup_ddl(athena: AthenaSettings, sources: dict[str, str], lake_location: str | None,
              database: str | None = None) -> list[str]:
    """Everything `mantissa athena setup` runs: the database, then per table the lake table or the raw
    table and its view, as `sources` (table → lake | raw) says."""
    from workbench.catalog.ddl import create_database_ddl, create_table_ddl

    database = database or athena.database
    statements = [create_database_ddl(database)]
    for name, source in sources.items():
        if source == "raw":
            statements += raw_ddl(athena, database, [name])
        elif lake_location is None:
            raise ValueError(f"{name} reads the lake: give --location s3://bucket/prefix/ (or set "
                             "athena.lake_location), or read it from raw logs with --source raw")
        else:
            statements.append(create_table_ddl(TABLES[name], lake_location, database))
    return statements
