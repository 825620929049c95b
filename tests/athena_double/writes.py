"""Statements that change the catalog or S3: DDL, MSCK REPAIR TABLE, CTAS and INSERT INTO.

CTAS and INSERT write Parquet objects under Hive partition prefixes of the table's location,
one object per partition per statement, named like Athena's (`<query-id>_<n>`, no extension),
and fail as Athena does past 100 partitions in one statement (HIVE_TOO_MANY_OPEN_PARTITIONS).
"""

from __future__ import annotations

import io
import re
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlglot import exp

from tests.athena_double.catalog import CatalogError, TableDef, ViewDef
from tests.athena_double.ddl import DDLError, table_from_create
from tests.athena_double.executor import Executor, Outcome, QueryFailed, drop_views, position
from tests.athena_double.s3store import split_uri
from tests.athena_double.types import duckdb_to_hive, hive_to_duckdb

MAX_PARTITIONS_PER_WRITE = 100
_DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"


def _property_text(node: exp.Expression | None) -> str:
    return node.name if isinstance(node, exp.Literal | exp.Var | exp.Identifier) else (node.sql() if node else "")


def _ctas_options(create: exp.Create) -> dict[str, Any]:
    options: dict[str, Any] = {}
    properties = create.args.get("properties")
    for prop in properties.expressions if properties else []:
        if isinstance(prop, exp.FileFormatProperty):
            options["format"] = _property_text(prop.this).upper()
        elif isinstance(prop, exp.PartitionedByProperty):
            items = prop.this.expressions if isinstance(prop.this, exp.Array | exp.Schema | exp.Tuple) else [prop.this]
            options["partitioned_by"] = [_property_text(i).lower() for i in items]
        elif isinstance(prop, exp.LocationProperty):
            options["external_location"] = _property_text(prop.this)
        elif isinstance(prop, exp.Property):
            options[_property_text(prop.this).lower()] = _property_text(prop.args.get("value"))
    return options


class Writer:
    def __init__(self, executor: Executor, default_location: str) -> None:
        self.executor = executor
        self.catalog = executor.catalog
        self.store = executor.store
        self.default_location = default_location  # where a CTAS without external_location writes

    # -- DDL ---------------------------------------------------------------------------------------

    def create(self, sql: str, create: exp.Create, database: str, connection: duckdb.DuckDBPyConnection,
               query_id: str) -> Outcome:
        kind = (create.args.get("kind") or "").upper()
        try:
            if kind in ("DATABASE", "SCHEMA"):
                self.catalog.create_database(create.this.name, bool(create.args.get("exists")))
                return Outcome("DDL", "CREATE_DATABASE", header=False)
            if kind == "VIEW":
                target = create.this.this if isinstance(create.this, exp.Schema) else create.this
                db = self.catalog.require_database(target.db or database)
                body = create.expression
                for inner in body.find_all(exp.Table):  # a view reads tables from its own database
                    if not inner.db:
                        inner.set("db", exp.to_identifier(db))
                self.catalog.add_view(ViewDef(db, target.name.lower(), body.sql(dialect="athena")),
                                      replace=bool(create.args.get("replace")))
                return Outcome("DDL", "CREATE_VIEW", header=False)
            if kind == "TABLE" and create.expression is not None:
                return self.ctas(sql, create, database, connection, query_id)
            if kind == "TABLE":
                table = table_from_create(create, database)
                self.catalog.add_table(table, bool(create.args.get("exists")))
                return Outcome("DDL", "CREATE_TABLE", header=False)
        except (CatalogError, DDLError) as exc:
            raise QueryFailed(str(exc)) from None
        raise QueryFailed(f"NOT_SUPPORTED: {position(sql, create)}: the Athena double does not run CREATE {kind}")

    def drop(self, drop: exp.Drop, database: str) -> Outcome:
        kind = (drop.args.get("kind") or "").upper()
        if kind not in ("TABLE", "VIEW"):
            raise QueryFailed(f"NOT_SUPPORTED: line 1:1: the Athena double does not run DROP {kind}")
        targets = drop.args.get("tables") or ([drop.this] if drop.this is not None else [])
        try:
            for target in targets:
                self.catalog.drop(target.db or database, target.name, bool(drop.args.get("exists")), kind)
        except CatalogError as exc:
            raise QueryFailed(str(exc)) from None
        return Outcome("DDL", f"DROP_{kind}", header=False)

    def msck_repair(self, sql: str, database: str) -> Outcome:
        """Register the Hive-style `k=v/…` partitions found under the table's location."""
        match = re.match(r"\s*MSCK\s+REPAIR\s+TABLE\s+([`\"\w.]+)\s*;?\s*$", sql, re.IGNORECASE)
        if not match:
            raise QueryFailed("SYNTAX_ERROR: line 1:1: expected MSCK REPAIR TABLE <table>")
        parts = [p.strip('`"') for p in match.group(1).split(".")]
        db, name = (parts[0], parts[1]) if len(parts) == 2 else (database, parts[0])
        table = self.catalog.table(db, name)
        if table is None:
            raise QueryFailed(f"TABLE_NOT_FOUND: line 1:19: Table 'awsdatacatalog.{db.lower()}.{name.lower()}' "
                              "does not exist")
        keys = [k for k, _ in table.partition_keys]
        added = []
        pattern = re.compile("/".join(f"{re.escape(k)}=([^/]+)" for k in keys) + "/")
        bucket, prefix = split_uri(table.location)
        for obj in self.store.list(table.location):
            found = pattern.match(obj.key[len(prefix):])
            if found and found.groups() not in table.registered:
                with self.catalog.lock:
                    table.registered.add(found.groups())
                added.append("/".join(f"{k}={v}" for k, v in zip(keys, found.groups(), strict=True)))
        rows = [[f"Repair: Added partition to metastore {table.name}:{p}"] for p in sorted(set(added))]
        return Outcome("DDL", "MSCK_REPAIR_TABLE", [("_col0", "varchar", 0, 0)] if rows else [], rows, header=False)

    # -- CTAS / INSERT -----------------------------------------------------------------------------

    def _arrow(self, sql: str, query: exp.Expression, database: str, connection: duckdb.DuckDBPyConnection,
               casts: list[tuple[str, exp.DataType]] | None = None) -> tuple[pa.Table, int]:
        duck_sql, billed, views = self.executor.select(sql, query, database, connection)
        try:
            if casts is not None:
                width = len(self.executor.duck(connection, f"SELECT * FROM ({duck_sql}) LIMIT 0", sql,
                                               query).description)
                if width != len(casts):
                    raise QueryFailed(f"{position(sql, query)}: Insert query has {width} columns, table has "
                                      f"{len(casts)}: give one expression per column of the table, in its order")
                select = ", ".join(f'CAST(#{i + 1} AS {hive_to_duckdb(t)}) AS "{n}"' for i, (n, t) in enumerate(casts))
                duck_sql = f"SELECT {select} FROM ({duck_sql})"
            table = self.executor.duck(connection, duck_sql, sql, query, arrow=True)
        finally:
            drop_views(connection, views)
        return table, billed

    def _write(self, table: TableDef, data: pa.Table, query_id: str, compression: str) -> set[tuple[str, ...]]:
        keys = [k for k, _ in table.partition_keys]
        values = data.select(keys).to_pylist() if keys else [{}]
        distinct = sorted({tuple(_DEFAULT_PARTITION if row[k] is None else str(row[k]) for k in keys)
                           for row in values}) if keys and data.num_rows else ([()] if data.num_rows else [])
        if len(distinct) > MAX_PARTITIONS_PER_WRITE:
            raise QueryFailed("HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of 100 open writers for "
                              f"partitions/buckets ({len(distinct)} partitions in one statement): write at most "
                              "100 partitions per INSERT INTO / CTAS")
        body_columns = [c for c in data.column_names if c not in keys]
        for number, partition in enumerate(distinct):
            part = data
            for key, value in zip(keys, partition, strict=True):
                column = pc.cast(part[key], pa.string())
                part = part.filter(pc.is_null(column) if value == _DEFAULT_PARTITION else pc.equal(column, value))
            buffer = io.BytesIO()
            pq.write_table(part.select(body_columns), buffer, compression=compression)
            prefix = table.location.rstrip("/") + "".join(
                f"/{k}={v}" for k, v in zip(keys, partition, strict=True))
            self.store.put(f"{prefix}/{query_id}_{number:05d}", buffer.getvalue())
        return set(distinct)

    def ctas(self, sql: str, create: exp.Create, database: str, connection: duckdb.DuckDBPyConnection,
             query_id: str) -> Outcome:
        target = create.this
        db = self.catalog.require_database(target.db or database)
        if self.catalog.table(db, target.name) is not None and not create.args.get("exists"):
            raise QueryFailed(f"TABLE_ALREADY_EXISTS: {position(sql, target.this)}: Table "
                              f"'awsdatacatalog.{db}.{target.name.lower()}' already exists")
        options = _ctas_options(create)
        fmt = options.get("format", "PARQUET")
        if fmt != "PARQUET":
            raise QueryFailed(f"NOT_SUPPORTED: the Athena double writes only format='PARQUET' (got {fmt!r})")
        location = options.get("external_location") or f"{self.default_location.rstrip('/')}/tables/{query_id}/"
        location = location.rstrip("/") + "/"
        if self.store.list(location):
            raise QueryFailed(f"HIVE_PATH_ALREADY_EXISTS: Target directory for table '{db}.{target.name.lower()}' "
                              f"already exists: {location}. You may need to manually clean the data at location "
                              "before retrying.")
        data, billed = self._arrow(sql, create.expression, database, connection)
        partitioned = options.get("partitioned_by", [])
        names = [n.lower() for n in data.column_names]
        if partitioned and names[-len(partitioned):] != partitioned:
            raise QueryFailed("INVALID_TABLE_PROPERTY: Partition keys must be the last columns in the table "
                              f"and in the same order as the table properties: {partitioned}")
        schema = {f.name.lower(): duckdb_to_hive(_duck_type(f.type))
                  for f in data.schema}
        table = TableDef(database=db, name=target.name.lower(),
                         columns=[(n, exp.DataType.build(schema[n], dialect="hive")) for n in names if n not in partitioned],
                         partition_keys=[(n, exp.DataType.build(schema[n], dialect="hive")) for n in partitioned],
                         location=location, storage="parquet",
                         properties={"parquet.compression": options.get("write_compression", "GZIP").upper()})
        data = data.rename_columns(names)
        table.registered |= self._write(table, data, query_id, table.properties["parquet.compression"].lower())
        try:
            self.catalog.add_table(table, bool(create.args.get("exists")))
        except CatalogError as exc:
            raise QueryFailed(str(exc)) from None
        return Outcome("DML", "CREATE_TABLE_AS_SELECT", [("rows", "bigint", 19, 0)], [[str(data.num_rows)]],
                       billed, header=False)

    def insert(self, sql: str, insert: exp.Insert, database: str, connection: duckdb.DuckDBPyConnection,
               query_id: str) -> Outcome:
        target = insert.this.this if isinstance(insert.this, exp.Schema) else insert.this
        table = self.executor.resolve(target, database, sql)
        if table.storage != "parquet":
            raise QueryFailed(f"NOT_SUPPORTED: the Athena double inserts only into Parquet tables "
                              f"({table.qualified} is {table.storage})")
        order = table.columns + table.partition_keys
        if isinstance(insert.this, exp.Schema):
            named = [c.name.lower() for c in insert.this.expressions]
            types = dict(order)
            unknown = [n for n in named if n not in types]
            if unknown:
                raise QueryFailed(f"COLUMN_NOT_FOUND: {position(sql, insert.this)}: Insert column name does not "
                                  f"exist in target table: {unknown[0]}")
            order = [(n, types[n]) for n in named]
        data, billed = self._arrow(sql, insert.expression, database, connection, casts=order)
        compression = table.properties.get("parquet.compression", table.properties.get("write.compression", "GZIP"))
        written = self._write(table, data, query_id, compression.lower())
        with self.catalog.lock:
            table.registered |= written
        return Outcome("DML", "INSERT", [("rows", "bigint", 19, 0)], [[str(data.num_rows)]], billed, header=False)


def _duck_type(arrow_type: pa.DataType) -> str:
    """An Arrow type as DuckDB names it, by asking DuckDB (exact for nested types too)."""
    empty = pa.table({"c": pa.array([], type=arrow_type)})
    return str(duckdb.from_arrow(empty).types[0])
