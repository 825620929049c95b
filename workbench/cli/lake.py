"""CLI commands: `mantissa ingest PATH...` — logs as AWS delivers them into the Parquet lake.

Quarantined lines are not a failure (exit 0, the summary says how many and where); a path that
does not exist is (exit 2, naming it), and nothing is ingested in that case.
"""

from __future__ import annotations

from pathlib import Path

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


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
