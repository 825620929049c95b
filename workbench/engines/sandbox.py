"""The local engine's DuckDB sandbox: defence in depth under the guard and the read boundary.

Whatever SQL reaches the connection — a guarded query, an `--unsafe` cell, a rule, or a statement
a future bug lets through — DuckDB itself refuses to leave the lake:

- `enable_external_access = false` with `allowed_directories` = the lake: no file outside it can
  be read or written (`read_text('/etc/passwd')`, a quoted path as a table name, `COPY … TO`,
  `ATTACH`, `INSTALL`), whatever function or syntax asks;
- `autoinstall_known_extensions` / `autoload_known_extensions` off, and no community
  extensions: no query can fetch `httpfs` from the network or load code;
- `python_enable_replacements = false`: an unknown table name is never looked up among the
  Python variables of the process (DuckDB's replacement scans would return a DataFrame);
- `memory_limit` and `threads` from settings (`local:`), spilling to a private temporary folder;
- then `lock_configuration = true`, so no statement can undo any of it (`SET`, `RESET`, `PRAGMA`).

Inside the lake the sandbox cannot tell a read from a write; the read boundary
(`workbench.sqlguard.boundary`), which refuses every statement but a SELECT, covers that.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import duckdb

from workbench.config import LocalEngineSettings

# Set at connect time: options DuckDB only accepts before the database opens.
_AT_CONNECT = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "python_enable_replacements": False,
}


def _directories(lake: Path) -> list[str]:
    """The lake as the engine names its files, and resolved (a symlinked lake is named both ways)."""
    named = {str(lake.absolute()), str(lake.resolve())}
    return sorted(f"{path.rstrip('/')}/" for path in named)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def open_sandboxed(lake: Path, limits: LocalEngineSettings) -> tuple[duckdb.DuckDBPyConnection, Path]:
    """An in-memory DuckDB connection that reads only the lake; and its private spill folder
    (the caller removes it with `remove_spill`)."""
    spill = Path(tempfile.mkdtemp(prefix="mantissa-duckdb-"))
    con = duckdb.connect(":memory:", config=dict(_AT_CONNECT))
    try:
        # GLOBAL, so the worker cursors of a shared scan (which cannot SET once locked) inherit it:
        # Athena evaluates timestamps in UTC; so must from_iso8601_timestamp, date_trunc, hour().
        con.execute("SET GLOBAL TimeZone = 'UTC'")
        # Rules re-read the same recent files window after window; keep their footers.
        con.execute("SET parquet_metadata_cache = true")
        con.execute(f"SET memory_limit = {_literal(limits.memory_limit)}")
        if limits.threads is not None:
            con.execute(f"SET threads = {int(limits.threads)}")
        con.execute(f"SET temp_directory = {_literal(str(spill))}")
        allowed = ", ".join(_literal(d) for d in _directories(lake))
        con.execute(f"SET allowed_directories = [{allowed}]")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except duckdb.Error as exc:
        con.close()
        remove_spill(spill)
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"local engine: cannot apply the sandbox settings (local.memory_limit = "
                         f"{limits.memory_limit!r}, local.threads = {limits.threads}): {message}") from None
    return con, spill


def remove_spill(spill: Path | None) -> None:
    if spill is not None:
        shutil.rmtree(spill, ignore_errors=True)
