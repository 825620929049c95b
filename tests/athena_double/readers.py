"""One table occurrence in a query → a DuckDB relation over local copies, and the bytes it bills.

Billing model (an honest approximation of Athena's DataScannedInBytes):
- Parquet: the compressed size of the column chunks of the *referenced* columns, in the row
  groups that survive partition pruning and row-group min/max pruning on the WHERE's bounds
  (`col <op> constant`, BETWEEN, IN), read from each file's footer. A nested column bills all of
  its leaves. `SELECT *` bills every column. The footer itself is not billed.
- JSON, CloudTrail and text: the whole (compressed) size of every object in the partitions read;
  these formats cannot skip columns or rows.
Each occurrence of a table in a query bills separately, as Trino scans each separately.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import operator
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from sqlglot import exp

from tests.athena_double.catalog import TableDef
from tests.athena_double.s3store import S3Object, S3Store
from tests.athena_double.types import hive_to_duckdb, json_text

OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "=": operator.eq}


@dataclass(frozen=True)
class Bound:
    """`column op value` from a WHERE conjunct, value already evaluated to Python."""

    column: str
    op: str
    value: Any


@dataclass
class Scan:
    sql: str
    bytes_scanned: int
    objects: list[S3Object] = field(default_factory=list)
    row_groups_read: int = 0
    row_groups_total: int = 0


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _template_root(table: TableDef) -> str:
    template = table.template()
    # List from the last folder before the first placeholder: `…/year=${year}` lists `…/`.
    return template[:template.rindex("/", 0, template.index("${")) + 1] if "${" in template else template


def partitions_of(table: TableDef, objects: Iterable[S3Object]) -> dict[S3Object, tuple[str, ...]]:
    """Each readable object with its partition values (in the table's partition-key order)."""
    keys = [k for k, _ in table.partition_keys]
    if not keys:
        return {o: () for o in objects}
    pattern = table.partition_pattern()
    projected = table.projected
    out = {}
    for obj in objects:
        match = pattern.match(f"{obj.bucket}/{obj.key}")
        if not match:
            continue
        values = tuple(match.group(f"p{i}") for i in range(len(keys)))
        if projected:
            if not all(projected[k].accepts(v) for k, v in zip(keys, values, strict=True)):
                continue
        elif values not in table.registered:
            continue  # Athena reads only the partitions the catalog knows (MSCK / ALTER / INSERT)
        out[obj] = values
    return out


def list_table(table: TableDef, store: S3Store) -> dict[S3Object, tuple[str, ...]]:
    return partitions_of(table, store.list(_template_root(table)))


# -- Parquet ------------------------------------------------------------------------------------

_FOOTERS: dict[tuple[str, str], pq.FileMetaData] = {}


def _footer(obj: S3Object, local: Path) -> pq.FileMetaData:
    key = (obj.etag, obj.key)
    if key not in _FOOTERS:
        _FOOTERS[key] = pq.ParquetFile(local).metadata
    return _FOOTERS[key]


def _stat_value(value: Any) -> Any:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _group_may_match(group: pq.RowGroupMetaData, names: list[str], bounds: list[Bound]) -> bool:
    for bound in bounds:
        if bound.column not in names:
            continue
        chunk = group.column(names.index(bound.column))
        stats = chunk.statistics
        if stats is None or not stats.has_min_max:
            continue
        low, high = _stat_value(stats.min), _stat_value(stats.max)
        try:
            if bound.op == "=" and not (low <= bound.value <= high):
                return False
            if bound.op in (">", ">=") and not OPS[bound.op](high, bound.value):
                return False
            if bound.op in ("<", "<=") and not OPS[bound.op](low, bound.value):
                return False
        except TypeError:
            continue  # a bound of another type than the statistics: no pruning, as Athena when unsure
    return True


def _parquet_bytes(meta: pq.FileMetaData, referenced: set[str] | None,
                   bounds: list[Bound]) -> tuple[int, int]:
    names = [meta.schema.column(i).path.split(".")[0].lower() for i in range(meta.num_columns)]
    total, groups = 0, 0
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        if not _group_may_match(group, [meta.schema.column(i).path.lower() for i in range(meta.num_columns)],
                                bounds):
            continue
        groups += 1
        total += sum(group.column(i).total_compressed_size for i in range(meta.num_columns)
                     if referenced is None or names[i] in referenced)
    return total, groups


# -- JSON / CloudTrail --------------------------------------------------------------------------

Coerce = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _coercer(data_type: exp.DataType) -> Coerce:
    """A function matching a JSON value's object keys to the declared struct fields case-insensitively,
    as the Hive JsonSerDe does (DuckDB's JSON reader matches keys exactly). Only struct levels are
    touched: a column declared `string` keeps its object as is, and DuckDB reads it as its JSON text,
    as the SerDe does. Compiled once per table signature: per-record walks of sqlglot types cost 20 s
    for a day of CloudTrail."""
    kind = data_type.this
    if kind == exp.DataType.Type.STRUCT:
        nested = [(f.name.lower(), c) for f in data_type.expressions
                  if (c := _coercer(f.args["kind"])) is not _identity]

        def struct(value: Any) -> Any:
            if not isinstance(value, dict):
                return value
            lowered = {k.lower(): v for k, v in value.items()}
            for name, shape in nested:
                if lowered.get(name) is not None:
                    lowered[name] = shape(lowered[name])
            return lowered
        return struct
    if kind == exp.DataType.Type.ARRAY:
        inner = _coercer(data_type.expressions[0])
        if inner is _identity:
            return _identity
        return lambda value: [None if v is None else inner(v) for v in value] if isinstance(value, list) else value
    if kind == exp.DataType.Type.MAP:
        inner = _coercer(data_type.expressions[1])
        if inner is _identity:
            return _identity
        return lambda value: {k: None if v is None else inner(v) for k, v in value.items()} \
            if isinstance(value, dict) else value
    return _identity


def _dumps() -> Callable[[Any], bytes]:
    try:
        import orjson  # present through anthropic; 30 % faster on a day of CloudTrail
    except ImportError:  # pragma: no cover - the standard library does the same, slower
        return lambda value: json_text(value).encode("utf-8")
    return orjson.dumps


def _open_text(local: Path) -> str:
    raw = local.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8")


def _documents(local: Path, records: bool) -> Iterable[dict[str, Any]]:
    text = _open_text(local)
    if records:
        body = json.loads(text) if text.strip() else {}
        yield from body.get("Records", []) if isinstance(body, dict) else []
        return
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"HIVE_BAD_DATA: Error parsing field value in {local.name} line {number}: "
                                 f"{exc.msg}") from None


_SHAPES: dict[str, Coerce] = {}


def as_ndjson(local: Path, table: TableDef, etag: str) -> Path:
    """The object's records as NDJSON shaped for the table's declared columns, cached by content
    (ETag) and schema, so the same raw files uploaded by another test convert once."""
    signature = hashlib.sha1(repr([(n, t.sql("athena")) for n, t in table.columns]).encode()).hexdigest()[:12]
    out = local.parent.parent / "ndjson" / f"{etag}.{table.storage}.{signature}.ndjson"
    if out.exists():
        return out
    shape = _SHAPES.get(signature)
    if shape is None:
        shape = _SHAPES[signature] = _coercer(exp.DataType(this=exp.DataType.Type.STRUCT, expressions=[
            exp.ColumnDef(this=exp.to_identifier(n), kind=t) for n, t in table.columns]))
    dumps = _dumps()
    lines = [dumps(shape(d)) for d in _documents(local, records=table.storage == "cloudtrail")]
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f"{out.name}.{threading.get_ident()}.part")
    partial.write_bytes(b"\n".join(lines) + (b"\n" if lines else b""))
    partial.replace(out)
    return out


# -- The relation ---------------------------------------------------------------------------------

def _empty(table: TableDef) -> str:
    cols = [f"CAST(NULL AS {hive_to_duckdb(t)}) AS \"{n}\"" for n, t in table.columns + table.partition_keys]
    return f"(SELECT {', '.join(cols)} WHERE false)"


def _file_list(paths: Iterable[Path]) -> str:
    return "[" + ", ".join(_sql_string(str(p)) for p in paths) + "]"


def relation(table: TableDef, files: list[tuple[Path, tuple[str, ...]]],
             parquet_columns: set[str] | None = None) -> str:
    """A DuckDB subquery with the table's columns (declared types) then its partition keys."""
    if not files:
        return _empty(table)
    paths = _file_list(p for p, _ in files)
    data_cols = []
    for name, data_type in table.columns:
        duck = hive_to_duckdb(data_type)
        if table.storage == "parquet" and parquet_columns is not None and name not in parquet_columns:
            data_cols.append(f"CAST(NULL AS {duck}) AS \"{name}\"")
        elif table.storage == "text":
            data_cols.append(f"TRY_CAST(d.\"{name}\" AS {duck}) AS \"{name}\"")
        else:
            data_cols.append(f"d.\"{name}\" AS \"{name}\"")
    if table.storage == "parquet":
        source = f"read_parquet({paths}, filename = true, union_by_name = true)"
    elif table.storage in ("json", "cloudtrail"):
        spec = ", ".join(f"{_sql_string(n)}: {_sql_string(hive_to_duckdb(t))}" for n, t in table.columns)
        source = (f"read_json({paths}, format = 'newline_delimited', columns = {{{spec}}}, "
                  "filename = true)")
    else:
        skip = int(table.properties.get("skip.header.line.count", "0") or 0)
        spec = ", ".join(f"{_sql_string(n)}: 'VARCHAR'" for n, _ in table.columns)
        source = (f"read_csv({paths}, delim = {_sql_string(table.field_delimiter)}, header = false, "
                  f"skip = {skip}, columns = {{{spec}}}, nullstr = ['-', '\\N'], quote = '', escape = '', "
                  "auto_detect = false, filename = true, null_padding = true)")
    keys = table.partition_keys
    if not keys:
        return f"(SELECT {', '.join(data_cols)} FROM {source} AS d)"
    rows = ", ".join("(" + ", ".join([_sql_string(str(p))] + [_sql_string(v) for v in values]) + ")"
                     for p, values in files)
    names = ", ".join(["__file"] + [f'"{k}"' for k, _ in keys])
    part_cols = [f"CAST(m.\"{k}\" AS {hive_to_duckdb(t)}) AS \"{k}\"" for k, t in keys]
    return (f"(SELECT {', '.join(data_cols + part_cols)} FROM {source} AS d "
            f"JOIN (VALUES {rows}) AS m({names}) ON d.filename = m.__file)")


def scan(table: TableDef, store: S3Store, keep: Callable[[list[tuple[str, ...]]], set[tuple[str, ...]]],
         referenced: set[str] | None, bounds: list[Bound]) -> Scan:
    """Prune, fetch and describe one occurrence of `table`; `keep` filters partition tuples."""
    listed = list_table(table, store)
    survivors = keep(sorted(set(listed.values()))) if table.partition_keys else {()}
    chosen = [(o, v) for o, v in listed.items() if v in survivors]
    with ThreadPoolExecutor(max_workers=8) as pool:
        locals_ = list(pool.map(lambda pair: store.fetch(pair[0]), chosen))
    files, billed, groups_read, groups_total, columns = [], 0, 0, 0, set()
    for (obj, values), local in zip(chosen, locals_, strict=True):
        if table.storage == "parquet":
            meta = _footer(obj, local)
            if meta.num_rows == 0:
                continue
            columns.update(meta.schema.column(i).path.split(".")[0].lower() for i in range(meta.num_columns))
            size, groups = _parquet_bytes(meta, referenced, bounds)
            billed += size
            groups_read += groups
            groups_total += meta.num_row_groups
            files.append((local, values))
        else:
            billed += obj.size
            files.append((as_ndjson(local, table, obj.etag) if table.storage in ("json", "cloudtrail") else local,
                          values))
    return Scan(relation(table, files, columns), billed, [o for o, _ in chosen], groups_read, groups_total)
