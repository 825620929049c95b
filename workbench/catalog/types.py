"""Athena (Hive DDL) type strings turned into Arrow types, so the lake's Parquet matches the DDL."""

from __future__ import annotations

import pyarrow as pa

from workbench.catalog.tables import PARTITION_KEYS, Table

_SCALARS = {
    "string": pa.string(),
    "varchar": pa.string(),
    "bigint": pa.int64(),
    "int": pa.int32(),
    "integer": pa.int32(),
    "smallint": pa.int16(),
    "tinyint": pa.int8(),
    "double": pa.float64(),
    "float": pa.float32(),
    "boolean": pa.bool_(),
    "timestamp": pa.timestamp("ms"),
    "date": pa.date32(),
}


def _split_top_level(body: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return [p.strip() for p in parts if p.strip()]


def arrow_type(athena_type: str) -> pa.DataType:
    t = athena_type.strip()
    lower = t.lower()
    if lower in _SCALARS:
        return _SCALARS[lower]
    if lower.startswith("array<") and lower.endswith(">"):
        return pa.list_(arrow_type(t[6:-1]))
    if lower.startswith("map<") and lower.endswith(">"):
        key, value = _split_top_level(t[4:-1])
        return pa.map_(arrow_type(key), arrow_type(value))
    if lower.startswith("struct<") and lower.endswith(">"):
        fields = []
        for part in _split_top_level(t[7:-1]):
            name, _, sub = part.partition(":")
            fields.append(pa.field(name.strip(), arrow_type(sub)))
        return pa.struct(fields)
    if lower.startswith("decimal"):
        return pa.float64()
    raise ValueError(f"unsupported Athena type {athena_type!r}")


def arrow_schema(table: Table, with_partitions: bool = False) -> pa.Schema:
    """The Parquet schema of a table's files (partition keys live in the path, not the file)."""
    fields = [pa.field(c.name, arrow_type(c.type)) for c in table.columns]
    if with_partitions:
        fields += [pa.field(k, pa.string()) for k in PARTITION_KEYS]
    return pa.schema(fields)
