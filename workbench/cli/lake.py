"""CLI commands: `mantissa ingest PATH...` — logs as AWS delivers them into the Parquet lake — and
`mantissa lake refresh` — the S3 lake rebuilt from the raw-log tables by Athena itself.

Quarantined lines are not a failure (exit 0, the summary says how many and where); a path that
does not exist is (exit 2, naming it), and nothing is ingested in that case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from workbench.cli.common import fail, settings_or_exit


def ingest(
    paths: list[str] = typer.Argument(..., help="files, folders (recursive) or s3://bucket/prefix"),
    lake: Path | None = typer.Option(None, "--lake", help="lake folder; default from config (lake_path)"),
    no_progress: bool = typer.Option(False, "--no-progress", help="no progress bar"),
    workers: int | None = typer.Option(None, "--workers", min=1, help="parsing processes; default 2"),
    quarantine_keep: int | None = typer.Option(
        None, "--quarantine-keep", min=0,
        help="bad records per object whose raw text is kept; default from config (quarantine_keep, 100)"),
) -> None:
    """Ingest CloudTrail, VPC flow and GuardDuty logs into the lake; malformed input is quarantined."""
    from workbench.lake import SourceNotFound
    from workbench.lake.scheduled import ingest_with_settings

    settings = settings_or_exit()
    target = lake.expanduser().resolve() if lake else settings.lake
    try:
        summary = ingest_with_settings(paths, settings, target, progress=not no_progress, workers=workers,
                                       **({} if quarantine_keep is None else {"quarantine_keep": quarantine_keep}))
    except SourceNotFound as exc:
        raise fail(exc) from None
    typer.echo(summary.format())
    if summary.errors:
        raise typer.Exit(1)


def refresh(
    start: str | None = typer.Option(None, "--start", help="First hour to redo, ISO 8601 (e.g. 2026-03-02T09:00Z)."),
    end: str | None = typer.Option(None, "--end", help="End of the window (exclusive); needs --start."),
    table: list[str] | None = typer.Option(None, "--table", help="Table to refresh; default refresh.tables."),
) -> None:
    """Convert raw CloudTrail (and GuardDuty) into the lake with Athena, by hour, checkpointed.

    Without --start/--end: the hours not yet checkpointed that have settled (refresh.settle).
    With them: every hour the window touches, done again (late deliveries included)."""
    from workbench.lake.refresh.statements import RefreshConfigError
    from workbench.schedule import JobBusy, job_lock
    from workbench.timewindow import parse_time

    settings = settings_or_exit()
    try:
        start_t = parse_time(start) if start else None
        end_t = parse_time(end) if end else None
    except ValueError as exc:
        raise fail(str(exc)) from None
    try:
        # One refresh at a time: two would clear each other's staging prefix.
        with job_lock(settings.state, REFRESH_JOB):
            summary = _refresh(settings, start_t, end_t, table)
    except JobBusy as exc:
        typer.echo(f"skipped: another lake refresh is in progress ({exc})")
        return
    except RefreshConfigError as exc:
        raise fail(str(exc)) from None
    typer.echo(summary.format())


def _refresh(settings: Any, start: Any, end: Any, tables: list[str] | None) -> Any:
    from workbench.engines.base import EngineError
    from workbench.lake.refresh import refresh as run_refresh

    try:
        return run_refresh(settings, start, end, tables or None)
    except EngineError as exc:
        raise fail(f"{exc} (hours published so far are checkpointed; run the same command again to go on)", 1) from None


REFRESH_JOB = "lake_refresh"


def register(app: typer.Typer) -> None:
    from workbench.cli.ops import lake_app  # the `lake` group (stats, prune) lives there

    app.command("ingest")(ingest)
    lake_app.command("refresh")(refresh)
