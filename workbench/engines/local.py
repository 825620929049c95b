"""The embedded engine: DuckDB over the local Parquet lake, Athena SQL transpiled by sqlglot.

The lake is laid out like the S3 lake, `<lake>/<table>/year=YYYY/month=MM/day=DD/*.parquet`, and
each log table is a DuckDB view over its hive-partitioned files, so the window rewrite's
`year/month/day` predicates prune files exactly as Athena prunes partitions. One in-memory
connection per engine: detection runs dozens of queries per run and should not pay a connect each.
The connection is sandboxed (`workbench.engines.sandbox`): it reads the lake and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import ClassVar

import duckdb
import pyarrow as pa
from sqlglot import exp

from workbench.catalog import TABLES, arrow_schema
from workbench.config import Settings
from workbench.engines.base import ENGINES, Engine, EngineError, Execution, QueryTimeout
from workbench.engines.localshared import SharedScans
from workbench.engines.sandbox import open_sandboxed, remove_spill
from workbench.engines.watchdog import WATCHDOG
from workbench.engines.window import BoundQuery
from workbench.registry import unknown_name_message
from workbench.timewindow import Window, parse_duration

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


class MissingLakeWarning(UserWarning):
    """The local engine's lake folder does not exist: every table reads as empty."""


@ENGINES.register("local")
class LocalEngine(SharedScans, Engine):
    name = "local"
    dialect = "duckdb"

    PARTITION_TYPE: ClassVar[str] = "VARCHAR"
    """Partition values stay strings ('05' must not become 5), matching Athena's `string` keys."""

    GROUP_KEY_HASH: ClassVar[str | None] = "hash"  # DuckDB's; sqlglot passes it through unchanged
    READS_CTE_ONCE: ClassVar[bool] = True

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.lake = settings.lake
        self._con: duckdb.DuckDBPyConnection | None = None
        self._spill: Path | None = None  # the connection's private temporary folder
        self._opening: threading.Thread | None = None  # see warm_up
        self._lake_checked = False  # a missing lake is reported once per connection
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._view_files: dict[str, tuple[Path, ...]] = {}  # the files each view reads now
        self.timeout_s = parse_duration(settings.query_timeout).total_seconds()
        self._timed_out = False

    # -- connection and views -------------------------------------------------------------------

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._opening is not None:
            self._opening.join()
            self._opening = None
        if self._con is None:
            self._con = self._open()
        if not self._lake_checked:
            self._lake_checked = True
            if not self.lake.is_dir():
                # Every table would silently read as empty: a hunt would show "no events".
                warnings.warn(f"local engine: lake folder {self.lake} does not exist, so every table reads as "
                              "empty; ingest logs with `mantissa ingest PATH`, or set lake_path to your lake "
                              "(a relative lake_path is resolved against the workspace)", MissingLakeWarning,
                              stacklevel=3)
        return self._con

    def warm_up(self) -> None:
        """Open the database on a thread while the caller prepares its queries: DuckDB's start-up
        (about 15 ms) holds no Python lock, so it costs a run nothing."""
        if self._con is None and self._opening is None:
            def open_quietly() -> None:
                with contextlib.suppress(Exception):  # the caller's own open then reports it
                    self._con = self._open()

            self._opening = threading.Thread(target=open_quietly, daemon=True)
            self._opening.start()

    def _open(self) -> duckdb.DuckDBPyConnection:
        con, self._spill = open_sandboxed(self.lake, self.settings.local)
        return con

    def _point_view(self, table: str, files: list[Path]) -> None:
        """Point a table's view at exactly `files` (or at its empty typed stand-in).

        Listing the window's files rather than globbing the whole lake keeps bind time in
        proportion to the window, not to the lake's age: with `union_by_name`, DuckDB reads the
        footer of every file it is given before any partition filter applies.
        """
        key = tuple(files)
        if self._view_files.get(table) == key:
            return
        name = exp.to_identifier(table, quoted=True).sql("duckdb")
        keys = TABLES[table].partition_keys
        if files:
            paths = ", ".join(exp.Literal.string(str(f)).sql("duckdb") for f in files)
            hive_types = ", ".join(f"'{k}': '{self.PARTITION_TYPE}'" for k in keys)
            source = (
                f"read_parquet([{paths}], hive_partitioning = true, hive_types = {{{hive_types}}}, "
                f"hive_types_autocast = false, union_by_name = true)"
            )
            # Partition keys last, in catalog order, as Athena's SELECT * returns them.
            columns = f"* EXCLUDE ({', '.join(keys)}), {', '.join(keys)}"
        else:
            source, columns = f'"_empty_{table}"', "*"
            # Registered when first needed: most runs read files for every table they name.
            self.connection.register(f"_empty_{table}", pa.table(
                {f.name: pa.array([], type=f.type) for f in arrow_schema(TABLES[table], with_partitions=True)}))
        self.connection.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT {columns} FROM {source}")
        self._view_files[table] = key

    # -- bytes scanned --------------------------------------------------------------------------

    def files_read(self, tables: frozenset[str], window: Window | None) -> list[Path]:
        """The Parquet files in the partitions a query reads: the local stand-in for Athena's scan."""
        files: list[Path] = []
        for table in sorted(tables):
            if window is None:
                files.extend(sorted((self.lake / table).glob("year=*/month=*/day=*/*.parquet")))
                continue
            for day in window.days():
                files.extend(sorted(Path(e.path) for e in _parquet_in(partition_dir(self.lake, table, day))))
        return files

    def bytes_scanned(self, tables: frozenset[str], window: Window | None) -> int:
        return sum(path.stat().st_size for path in self.files_read(tables, window))

    # -- the hook -------------------------------------------------------------------------------

    @contextmanager
    def _deadline(self, cursor: duckdb.DuckDBPyConnection | None = None) -> Iterator[None]:
        """Interrupt the statement running on the connection (or `cursor`) when `query_timeout`
        passes, so one runaway query (a rule over a huge window) fails alone instead of stalling
        the run."""
        self._timed_out = False
        target = cursor if cursor is not None else self.connection

        def stop() -> None:
            self._timed_out = True
            target.interrupt()

        with WATCHDOG.deadline(self.timeout_s, stop):
            yield

    def _timeout_error(self) -> EngineError:
        return QueryTimeout(f"query timed out after {self.timeout_s:g}s (query_timeout = "
                           f"{self.settings.query_timeout}); narrow the window or raise query_timeout")

    def _execute(self, sql: str, bound: BoundQuery) -> Execution:
        scanned = 0
        for table in bound.tables:
            files = self.files_read(frozenset({table}), bound.window)
            self._point_view(table, files)
            scanned += sum(path.stat().st_size for path in files)
        try:
            with self._deadline():
                frame = self.connection.execute(sql).fetch_df()
        except duckdb.Error as exc:
            if self._timed_out:
                raise self._timeout_error() from None
            if self._recovered_from(exc):
                raise EngineError(f"{self._explain(exc, bound)} — a DuckDB bug, not a mistake in the query; the "
                                  "engine reconnected, so other queries still run (rewording the query around "
                                  "what DuckDB failed on may avoid it)") from None
            raise EngineError(self._explain(exc, bound)) from None
        return Execution(frame=frame, query_id=str(uuid.uuid4()), bytes_scanned=scanned)

    def _recovered_from(self, exc: BaseException) -> bool:
        """After a DuckDB internal or fatal error the database is invalidated and every later
        statement fails; drop the connection (the next query opens a new one) and say so."""
        if isinstance(exc, duckdb.InternalException | duckdb.FatalException):
            self.close()
            return True
        return False

    def _explain(self, exc: duckdb.Error, bound: BoundQuery) -> str:
        """DuckDB's error as one line, naming the closest valid table or column."""
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if isinstance(exc, duckdb.PermissionException):
            return (f"local engine sandbox: {message.removeprefix('Permission Error: ')} — the local engine reads "
                    f"only the lake ({self.lake}); query the log tables instead")
        if isinstance(exc, duckdb.OutOfMemoryException):
            return (f"local engine: the query needs more memory than local.memory_limit "
                    f"({self.settings.local.memory_limit}) — narrow the window, aggregate sooner, or raise it")
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
        if self._opening is not None:
            self._opening.join()
            self._opening = None
        for cursor in self._cursors:
            cursor.close()
        self._cursors.clear()
        if self._con is not None:
            self._con.close()
            self._con = None
            self._view_files.clear()
            self._lake_checked = False
        remove_spill(self._spill)
        self._spill = None
