"""The embedded engine: DuckDB over the local Parquet lake, Athena SQL transpiled by sqlglot.

The lake is laid out like the S3 lake, `<lake>/<table>/year=YYYY/month=MM/day=DD/*.parquet`, and
each log table is a DuckDB view over its hive-partitioned files, so the window rewrite's
`year/month/day` predicates prune files exactly as Athena prunes partitions. One in-memory
connection per engine: detection runs dozens of queries per run and should not pay a connect each.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import ClassVar

import duckdb
import pyarrow as pa
from sqlglot import exp

from workbench.catalog import TABLES, arrow_schema
from workbench.config import Settings
from workbench.engines.base import ENGINES, Engine, EngineError, Execution
from workbench.engines.window import BoundQuery
from workbench.registry import unknown_name_message
from workbench.timewindow import Window

_MISSING_TABLE = re.compile(r"Table with name (\S+?) does not exist", re.IGNORECASE)
_MISSING_COLUMN = re.compile(r'Referenced column "?([^"\s]+)"? not found', re.IGNORECASE)
_MISSING_FUNCTION = re.compile(r"(?:Scalar|Aggregate|Table) Function with name (\S+?) does not exist",
                               re.IGNORECASE)


def partition_dir(lake: Path, table: str, day: date) -> Path:
    """Where one day of a table lives: `<lake>/<table>/year=YYYY/month=MM/day=DD`."""
    return lake / table / f"year={day.year:04d}" / f"month={day.month:02d}" / f"day={day.day:02d}"


def _parquet_in(folder: Path) -> Iterator[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            yield from (e for e in entries if e.name.endswith(".parquet") and e.is_file())
    except FileNotFoundError:
        return


@ENGINES.register("local")
class LocalEngine(Engine):
    name = "local"
    dialect = "duckdb"

    PARTITION_TYPE: ClassVar[str] = "VARCHAR"
    """Partition values stay strings ('05' must not become 5), matching Athena's `string` keys."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.lake = settings.lake
        self._con: duckdb.DuckDBPyConnection | None = None
        self._has_files: dict[str, bool] = {}  # what each view currently reads: files or empty

    # -- connection and views -------------------------------------------------------------------

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            con = duckdb.connect(":memory:")
            # Athena evaluates timestamps in UTC; so must from_iso8601_timestamp, date_trunc, hour().
            con.execute("SET TimeZone = 'UTC'")
            for table in TABLES.values():
                con.register(f"_empty_{table.name}", pa.table(
                    {f.name: pa.array([], type=f.type) for f in arrow_schema(table, with_partitions=True)}
                ))
            self._con = con
        return self._con

    def _glob(self, table: str) -> str:
        return str(self.lake / table / "year=*" / "month=*" / "day=*" / "*.parquet")

    def _any_file(self, table: str) -> bool:
        root = self.lake / table
        if not root.is_dir():
            return False
        return next(iter(root.glob("year=*/month=*/day=*/*.parquet")), None) is not None

    def _sync_view(self, table: str) -> None:
        """(Re)create a table's view when it goes from no files to some, or back."""
        has_files = self._any_file(table)
        if self._has_files.get(table) == has_files:
            return
        name = exp.to_identifier(table, quoted=True).sql("duckdb")
        keys = TABLES[table].partition_keys
        if has_files:
            hive_types = ", ".join(f"'{k}': '{self.PARTITION_TYPE}'" for k in keys)
            source = (
                f"read_parquet({exp.Literal.string(self._glob(table)).sql('duckdb')}, "
                f"hive_partitioning = true, hive_types = {{{hive_types}}}, "
                f"hive_types_autocast = false, union_by_name = true)"
            )
            # Partition keys last, in catalog order, as Athena's SELECT * returns them.
            columns = f"* EXCLUDE ({', '.join(keys)}), {', '.join(keys)}"
        else:
            source, columns = f'"_empty_{table}"', "*"
        self.connection.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT {columns} FROM {source}")
        self._has_files[table] = has_files

    def sync_views(self, tables: frozenset[str] | None = None) -> None:
        for table in tables if tables is not None else frozenset(TABLES):
            self._sync_view(table)

    # -- bytes scanned --------------------------------------------------------------------------

    def files_read(self, tables: frozenset[str], window: Window | None) -> list[Path]:
        """The Parquet files in the partitions a query reads: the local stand-in for Athena's scan."""
        files: list[Path] = []
        for table in sorted(tables):
            if window is None:
                files.extend((self.lake / table).glob("year=*/month=*/day=*/*.parquet"))
                continue
            for day in window.days():
                files.extend(Path(e.path) for e in _parquet_in(partition_dir(self.lake, table, day)))
        return files

    def bytes_scanned(self, tables: frozenset[str], window: Window | None) -> int:
        return sum(path.stat().st_size for path in self.files_read(tables, window))

    # -- the hook -------------------------------------------------------------------------------

    def _execute(self, sql: str, bound: BoundQuery) -> Execution:
        self.sync_views(bound.tables)
        try:
            frame = self.connection.execute(sql).fetch_df()
        except duckdb.Error as exc:
            raise EngineError(self._explain(exc, bound)) from None
        return Execution(
            frame=frame,
            query_id=str(uuid.uuid4()),
            bytes_scanned=self.bytes_scanned(bound.tables, bound.window),
        )

    def _explain(self, exc: duckdb.Error, bound: BoundQuery) -> str:
        """DuckDB's error as one line, naming the closest valid table or column."""
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if match := _MISSING_TABLE.search(message):
            name = match.group(1).strip('"')
            return unknown_name_message("table", name, list(TABLES))
        if match := _MISSING_COLUMN.search(message):
            name = match.group(1).split(".")[-1]
            tables = bound.tables or frozenset(TABLES)
            columns = {c for t in tables for c in TABLES[t].all_column_names}
            where = ", ".join(sorted(tables))
            return unknown_name_message(f"column of {where}", name, columns)
        if match := _MISSING_FUNCTION.search(message):
            return (f"function {match.group(1)} has no DuckDB equivalent yet: {message} — run the "
                    "query on the athena engine, or rewrite it with a supported function")
        return f"local engine (DuckDB): {message}"

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
            self._has_files.clear()
