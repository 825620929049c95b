"""Type mapping between the three type systems the double touches.

Hive DDL types (what `CREATE EXTERNAL TABLE` declares) become DuckDB types for the readers;
DuckDB result types become the type names Athena's `ResultSetMetadata.ColumnInfo.Type` carries
(what pyathena's converters key on); DuckDB values become Athena's `VarCharValue` text.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from typing import Any

import sqlglot
from sqlglot import exp


def hive_to_duckdb(hive_type: str | exp.DataType) -> str:
    """`struct<a:string,b:array<int>>` → `STRUCT(a TEXT, b INT[])`."""
    data_type = hive_type if isinstance(hive_type, exp.DataType) else exp.DataType.build(hive_type, dialect="athena")
    return data_type.sql(dialect="duckdb")


def duckdb_to_hive(duck_type: str) -> str:
    """A DuckDB result type as a Hive column type, for tables CTAS creates."""
    return exp.DataType.build(duck_type, dialect="duckdb").sql(dialect="hive").lower()


# DuckDB base type names (from DuckDBPyType's `id`) → Athena's result-set type names.
_ATHENA_NAMES = {
    "boolean": "boolean", "tinyint": "tinyint", "smallint": "smallint", "integer": "integer",
    "bigint": "bigint", "hugeint": "decimal", "utinyint": "smallint", "usmallint": "integer",
    "uinteger": "bigint", "ubigint": "decimal", "float": "real", "double": "double",
    "varchar": "varchar", "blob": "varbinary", "date": "date", "time": "time",
    "timestamp": "timestamp", "timestamp_s": "timestamp", "timestamp_ms": "timestamp",
    "timestamp_ns": "timestamp", "timestamp with time zone": "timestamp with time zone",
    "interval": "interval day to second", "uuid": "uuid", "decimal": "decimal", "list": "array",
    "array": "array", "struct": "row", "map": "map", "json": "json", "null": "unknown",
}


def athena_type_of(duck_type: Any) -> tuple[str, int, int]:
    """(Athena type name, precision, scale) for a DuckDB result column type."""
    type_id = getattr(duck_type, "id", str(duck_type).lower())
    if str(duck_type).upper() == "JSON":
        return "json", 0, 0
    name = _ATHENA_NAMES.get(type_id, "varchar")
    if name == "decimal":
        text = str(duck_type)
        if "(" in text:
            precision, scale = text[text.index("(") + 1:-1].split(",")
            return name, int(precision), int(scale)
        return name, 38, 0
    precision = {"varchar": 2147483647, "bigint": 19, "integer": 10, "smallint": 5, "tinyint": 3,
                 "double": 17, "real": 24, "boolean": 0, "timestamp": 3}.get(name, 0)
    return name, precision, 0


def _timestamp_text(value: dt.datetime) -> str:
    # Athena prints timestamps with milliseconds (precision 3) and no 'T'.
    text = value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"
    if value.tzinfo is not None:
        text += " UTC" if value.utcoffset() == dt.timedelta(0) else value.strftime(" %z")
    return text


def _nested_text(value: Any) -> str:
    # Athena renders nested values the way Trino's toString does: {a=1, b=x}, [1, 2].
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_nested_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_nested_text(v) for v in value) + "]"
    return varchar_value(value) or ""


def varchar_value(value: Any) -> str | None:
    """One cell as GetQueryResults' `VarCharValue` (None is Athena's NULL: a Datum with no value)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return _timestamp_text(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal | int | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex(" ")
    if isinstance(value, dict):
        if set(value) == {"key", "value"} and isinstance(value["key"], list):  # DuckDB MAP as lists
            return _nested_text(dict(zip(value["key"], value["value"], strict=False)))
        return _nested_text(value)
    if isinstance(value, list | tuple):
        return _nested_text(value)
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value) if not isinstance(value, str) else value


def json_text(value: Any) -> str:
    """A JSON document kept as a string column (CloudTrail's requestparameters and the like)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def parse_type(text: str) -> exp.DataType:
    """A Hive type as sqlglot parses it, with a clear error naming the type."""
    try:
        return exp.DataType.build(text, dialect="athena")
    except (sqlglot.errors.ParseError, ValueError) as exc:
        raise ValueError(f"cannot parse column type {text!r}: {exc}") from None
