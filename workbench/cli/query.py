"""CLI commands: `mantissa query` (Athena SQL from the shell) and `mantissa athena ddl|setup`.

Results go to stdout and the stats line to stderr, so `--format csv|json` output can be piped or
redirected by scripts and cron untouched. User mistakes end in one line on stderr and exit code 2.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, NoReturn

import typer

from workbench.cli.common import fail
from workbench.unsafe import UNSAFE_HELP, UNSAFE_NOTE

if TYPE_CHECKING:
    import pandas as pd

    from workbench.config import Settings


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _fail(message: str) -> NoReturn:
    raise fail(message)


def _render(frame: pd.DataFrame, fmt: OutputFormat) -> str:
    from workbench.cli.terminal import safe_frame

    if fmt is not OutputFormat.json:  # log values may carry terminal escapes; JSON encoding escapes them
        frame = safe_frame(frame)
    if fmt is OutputFormat.csv:
        return frame.to_csv(index=False).rstrip("\n")
    if fmt is OutputFormat.json:
        return frame.to_json(orient="records", date_format="iso", default_handler=str)
    if frame.empty:
        return "(no rows)" if len(frame.columns) else ""
    return frame.to_string(index=False)


def query(
    sql: str = typer.Argument(..., help="Athena SQL; '-' reads it from stdin"),
    window: str | None = typer.Option(None, "--window", "-w", help="look back this far, e.g. 15m, 24h, 7d"),
    start: str | None = typer.Option(None, "--start", help="window start, ISO 8601 (UTC unless zoned)"),
    end: str | None = typer.Option(None, "--end", help="window end, ISO 8601; default now"),
    engine: str | None = typer.Option(None, "--engine", "-e", help="local or athena; default from config"),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json"),
    limit_rows: int | None = typer.Option(None, "--limit-rows", "-n", min=0, help="print at most N rows"),
    unsafe: bool = typer.Option(False, "--unsafe", help=UNSAFE_HELP),
) -> None:
    """Run Athena SQL on the configured engine, guarded and bounded by a time window; print rows and stats."""
    from workbench.config import ConfigError, load_settings
    from workbench.engines import EngineError, get_engine
    from workbench.registry import UnknownPluginError
    from workbench.sqlguard import check_window, guard_for
    from workbench.timewindow import Window

    if sql.strip() == "-":
        sql = sys.stdin.read()
    try:
        settings = load_settings()
        bounds = Window.from_options(window, start, end, default=settings.default_window)
        with get_engine(engine, settings) as runner:
            # ValueError covers GuardError: a refusal is one line, like any other mistake.
            if unsafe:
                check_window(bounds, settings)  # type: ignore[arg-type] - from_options had a default
                to_run, notes = sql, [UNSAFE_NOTE]
            else:
                guarded = guard_for(sql, bounds, settings, engine=runner)
                to_run, notes = guarded.sql, list(guarded.notes)
            result = runner.run(to_run, bounds)
    except (EngineError, ConfigError, UnknownPluginError, ValueError) as exc:
        _fail(str(exc))
    frame = result.frame
    shown = frame if limit_rows is None else frame.head(limit_rows)
    text = _render(shown, fmt)
    if text:
        typer.echo(text)
    note = f" (showing {len(shown):,})" if len(shown) < len(frame) else ""
    said = "".join(f"; {n}" for n in notes)
    typer.echo(result.status_line() + note + f", window {bounds or 'none'}{said}", err=True)


athena_app = typer.Typer(
    help="Set up Amazon Athena over the S3 lake (tables with partition projection).",
    no_args_is_help=True,
)


class Source(StrEnum):
    lake = "lake"
    raw = "raw"


SOURCE_HELP = ("lake: tables over the Parquet lake; raw: tables over the logs where AWS delivers them "
               "(athena.raw in mantissa.yaml) and a view per log table. Default: athena.source")


def _lake_location(location: str | None, settings: Settings) -> str | None:
    location = location or settings.athena.lake_location
    if location and not location.startswith("s3://"):
        _fail(f"--location must be an s3:// URI, got {location!r}")
    return location


def _statements(location: str | None, database: str | None, source: Source | None) -> tuple[list[str], str]:
    """The setup statements for the chosen sources, and the database they go in."""
    from workbench.catalog import TABLES
    from workbench.catalog.raw import setup_ddl
    from workbench.config import load_settings

    settings = load_settings()
    database = database or settings.athena.database
    sources = dict.fromkeys(TABLES, source.value) if source else dict(settings.athena.source)
    if "raw" in sources.values():
        problems = [p for t, s in sources.items() if s == "raw" for p in settings.athena.raw.problems(t)]
        if problems:
            _fail("raw tables need settings: " + "; ".join(dict.fromkeys(problems))
                  + " (set them under athena.raw in mantissa.yaml)")
    lake = _lake_location(location, settings)
    if lake is None and "lake" in sources.values():
        lake_tables = ", ".join(t for t, s in sources.items() if s == "lake")
        _fail(f"{lake_tables} read the lake: give --location s3://bucket/prefix/ (or set "
              "MANTISSA_ATHENA__LAKE_LOCATION), or --source raw to read the logs where AWS delivers them")
    return setup_ddl(settings.athena, sources, lake, database), database


@athena_app.command("ddl")
def ddl(
    location: str | None = typer.Option(None, "--location", "-l", help="s3:// prefix holding the lake"),
    database: str | None = typer.Option(None, "--database", "-d", help="Glue database; default from config"),
    source: Source | None = typer.Option(None, "--source", "-s", help=SOURCE_HELP),
) -> None:
    """Print the CREATE DATABASE / CREATE EXTERNAL TABLE (and, for raw logs, CREATE VIEW) statements."""
    from workbench.config import ConfigError

    try:
        statements, _ = _statements(location, database, source)
    except (ConfigError, ValueError) as exc:
        _fail(str(exc))
    typer.echo(";\n\n".join(statements) + ";")


@athena_app.command("setup")
def setup(
    location: str | None = typer.Option(None, "--location", "-l", help="s3:// prefix holding the lake"),
    database: str | None = typer.Option(None, "--database", "-d", help="Glue database; default from config"),
    source: Source | None = typer.Option(None, "--source", "-s", help=SOURCE_HELP),
) -> None:
    """Create the database and the three tables on Athena (safe to re-run: IF NOT EXISTS / OR REPLACE)."""
    from workbench.config import ConfigError, load_settings
    from workbench.engines import EngineError, get_engine

    try:
        statements, database = _statements(location, database, source)
        with get_engine("athena", load_settings()) as engine:
            ids = engine.run_ddl(statements)  # type: ignore[attr-defined]
    except (EngineError, ConfigError, ValueError) as exc:
        _fail(str(exc))
    for statement, query_id in zip(statements, ids, strict=True):
        typer.echo(f"{statement.splitlines()[0]}  -- query id {query_id}")
    typer.echo(f"athena: {len(ids)} statements ran in database {database}", err=True)


def register(app: typer.Typer) -> None:
    app.command("query")(query)
    app.add_typer(athena_app, name="athena")
