"""`CREATE EXTERNAL TABLE` as Athena reads it → a `TableDef` the readers can serve.

The storage a table declares picks the reader:
- `STORED AS PARQUET` (or a Parquet INPUTFORMAT) → parquet;
- `ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'` / `'org.openx.data.jsonserde.JsonSerDe'`
  → json (one document per line), unless the INPUTFORMAT is
  `com.amazon.emr.cloudtrail.CloudTrailInputFormat` or the SerDe is
  `com.amazon.emr.hive.serde.CloudTrailSerde` → cloudtrail (each file one `{"Records": [...]}`);
- `ROW FORMAT DELIMITED FIELDS TERMINATED BY …` or LazySimpleSerDe (`field.delim`) → text.
"""

from __future__ import annotations

from sqlglot import exp

from tests.athena_double.catalog import CatalogError, TableDef

JSON_SERDES = ("org.apache.hive.hcatalog.data.JsonSerDe", "org.openx.data.jsonserde.JsonSerDe")
CLOUDTRAIL_SERDE = "com.amazon.emr.hive.serde.CloudTrailSerde"
CLOUDTRAIL_INPUT = "com.amazon.emr.cloudtrail.CloudTrailInputFormat"


class DDLError(Exception):
    """A table definition Athena would refuse; the text is the message to show."""


def _text(node: exp.Expression | None) -> str:
    if node is None:
        return ""
    return node.name if isinstance(node, exp.Literal | exp.Var | exp.Identifier) else node.sql()


def _columns(schema: exp.Expression | None) -> list[tuple[str, exp.DataType]]:
    out = []
    for column in (schema.expressions if schema is not None else []):
        if not isinstance(column, exp.ColumnDef) or column.args.get("kind") is None:
            raise DDLError(f"line 1:1: column definition {column.sql(dialect='athena')!r} needs a type")
        out.append((column.name.lower(), column.args["kind"]))
    return out


def table_from_create(create: exp.Create, default_database: str) -> TableDef:
    """The table a `CREATE EXTERNAL TABLE` statement declares (not yet in the catalog)."""
    target = create.this.this if isinstance(create.this, exp.Schema) else create.this
    schema = create.this if isinstance(create.this, exp.Schema) else None
    database = (target.db or default_database).lower()
    properties = create.args.get("properties")
    storage, serde, input_format, delimiter = "text", "", "", "\x01"
    location, table_props, partitions = "", {}, []
    for prop in properties.expressions if properties else []:
        if isinstance(prop, exp.LocationProperty):
            location = _text(prop.this)
        elif isinstance(prop, exp.PartitionedByProperty):
            partitions = _columns(prop.this)
        elif isinstance(prop, exp.FileFormatProperty):
            if isinstance(prop.this, exp.InputOutputFormat):
                input_format = _text(prop.this.args.get("input_format"))
            else:
                input_format = _text(prop.this).upper()
        elif isinstance(prop, exp.RowFormatSerdeProperty):
            serde = _text(prop.this)
            for sp in (prop.args.get("serde_properties") or exp.Properties()).expressions:
                table_props[f"serde.{_text(sp.this)}"] = _text(sp.args.get("value"))
        elif isinstance(prop, exp.RowFormatDelimitedProperty):
            delimiter = _text(prop.args.get("fields")) or delimiter
        elif isinstance(prop, exp.Property):
            table_props[_text(prop.this)] = _text(prop.args.get("value"))
    if "Parquet" in input_format or input_format == "PARQUET":
        storage = "parquet"
    elif CLOUDTRAIL_INPUT in input_format or serde == CLOUDTRAIL_SERDE:
        storage = "cloudtrail"
    elif serde in JSON_SERDES or input_format == "JSON":
        storage = "json"
    elif input_format in ("", "TEXTFILE") or "TextInputFormat" in input_format or "LazySimpleSerDe" in serde:
        storage = "text"
        delimiter = table_props.get("serde.field.delim", delimiter)
    else:
        raise DDLError(f"the Athena double cannot read input format {input_format!r} (serde {serde!r}): "
                       "use Parquet, JSON (JsonSerDe), CloudTrail or delimited text")
    if not location.startswith("s3://"):
        raise DDLError(f"line 1:1: LOCATION must be an s3:// URI, got {location!r}")
    table = TableDef(database=database, name=target.name.lower(), columns=_columns(schema),
                     partition_keys=partitions, location=location.rstrip("/") + "/", storage=storage,
                     properties=table_props, field_delimiter=delimiter)
    names = [n for n, _ in table.columns + table.partition_keys]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise DDLError(f"line 1:1: Column '{duplicated[0]}' specified more than once")
    try:
        table.partition_pattern()
    except CatalogError as exc:
        raise DDLError(f"HIVE_METASTORE_ERROR: {exc}") from None
    for column, projection in table.projected.items():
        if projection.kind in ("integer", "date") and "range" not in projection.props:
            raise DDLError(f"HIVE_METASTORE_ERROR: projection.{column}.range is required for "
                           f"type {projection.kind} (table {table.qualified})")
        if projection.kind == "enum" and "values" not in projection.props:
            raise DDLError(f"HIVE_METASTORE_ERROR: projection.{column}.values is required for type enum "
                           f"(table {table.qualified})")
    return table
