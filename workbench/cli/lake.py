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
    from workbench.lake import ingest as run_ingest

    settings = settings_or_exit()
    target = lake.expanduser().resolve() if lake else settings.lake
    client = None
    if any(p.startswith("s3://") for p in paths):
        client = _s3_client(settings)
    try:
        summary = run_ingest(paths, target, progress=not no_progress, s3_client=client, workers=workers,
                             quarantine_keep=settings.quarantine_keep if quarantine_keep is None else quarantine_keep,
                             s3_lookback=settings.s3_lookback, s3_parallel=settings.s3_parallel)
    except SourceNotFound as exc:
        raise fail(exc) from None
    typer.echo(summary.format())
    if summary.errors:
        raise typer.Exit(1)


def _s3_client(settings):  # type: ignore[no-untyped-def]
    """An S3 client from the Athena settings (profile, region) and `s3_endpoint_url`, else the Athena
    endpoint (a local stand-in); its pool holds one connection per parallel download."""
    import boto3
    from botocore.config import Config

    session = boto3.Session(profile_name=settings.athena.profile, region_name=settings.athena.region)
    return session.client("s3", endpoint_url=settings.s3_endpoint_url or settings.athena.endpoint_url,
                          config=Config(max_pool_connections=max(10, settings.s3_parallel)))


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
