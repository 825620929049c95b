"""CLI: `mantissa doctor`, `mantissa backup DEST`, `mantissa restore SRC`, `mantissa lake stats|prune`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from workbench.cli.common import fail, settings_or_exit

lake_app = typer.Typer(help="Lake hygiene: what each table holds, and retention.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.add_typer(lake_app, name="lake")


def doctor(
    send_test: bool = typer.Option(False, "--send-test", help="Send each alert destination a test message."),
    stale_after: int = typer.Option(3, "--stale-after", min=1, help="A detection run older than this many "
                                    "intervals (detection.interval) fails the check."),
    only: list[str] | None = typer.Option(None, "--only", help="Run only these checks (repeatable): config, "
                                          "engine, tables, rules, destinations, detection, scheduler."),
) -> None:
    """The smoke test: one line per check, ✓ or ✗ with what to do; exit 1 on any failure."""
    from workbench.doctor import run_doctor

    try:
        results = run_doctor(send_test=send_test, stale_after=stale_after, only=only or None)
    except ValueError as exc:
        raise fail(exc) from None
    for result in results:
        typer.echo(result.format())
    failed = [r for r in results if not r.ok]
    typer.echo(f"{len(results) - len(failed)} ok, {len(failed)} failed")
    if failed:
        raise typer.Exit(1)


def backup(
    dest: str = typer.Argument(..., help="archive path (or a folder), or s3://bucket/key.tar.gz"),
) -> None:
    """Write rules, config (without secrets), alert store, query history, run records and schedule
    state to one tar.gz."""
    from workbench.backup import BackupError
    from workbench.backup import backup as run_backup

    settings = settings_or_exit()
    try:
        report = run_backup(dest, settings)
    except BackupError as exc:
        raise fail(exc, 1) from None
    for line in report.lines():
        typer.echo(line)


def restore(
    src: str = typer.Argument(..., help="archive path or s3://bucket/key.tar.gz written by `mantissa backup`"),
    workspace: Path | None = typer.Option(None, "--workspace", help="where to rebuild (default: current folder)"),
    force: bool = typer.Option(False, "--force", help="overwrite files that differ from the backup"),
    check: bool = typer.Option(False, "--check", help="verify the archive and print its manifest; write nothing"),
) -> None:
    """Rebuild a workspace from a backup; files that differ are kept unless --force (exit 1 then)."""
    from workbench.backup import BackupError, read_manifest
    from workbench.backup import restore as run_restore

    try:
        if check:
            manifest = read_manifest(src)
            typer.echo(json.dumps({k: v for k, v in manifest.items() if k != "files"}, indent=2))
            typer.echo(f"{len(manifest['files'])} members, every checksum verified")
            return
        report = run_restore(src, workspace, force=force)
    except BackupError as exc:
        raise fail(exc, 1) from None
    for line in report.lines():
        typer.echo(line)
    if not report.ok:
        raise typer.Exit(1)


def _lake_path(lake: Path | None) -> Path:
    return lake.expanduser().resolve() if lake else settings_or_exit().lake


@lake_app.command("stats")
def stats(
    lake: Path | None = typer.Option(None, "--lake", help="lake folder; default from config (lake_path)"),
    as_json: bool = typer.Option(False, "--json", help="one JSON object per table"),
) -> None:
    """Per table: size on disk, Parquet files, events (from file footers), days, first and last day."""
    from workbench.lake.hygiene import format_stats, lake_stats

    path = _lake_path(lake)
    if not path.is_dir():
        raise fail(f"lake folder {path} does not exist; ingest logs with `mantissa ingest PATH`")
    rows = lake_stats(path)
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row.as_dict()))
        return
    typer.echo(f"lake {path}")
    for line in format_stats(rows):
        typer.echo(line)


@lake_app.command("prune")
def prune(
    older_than: str = typer.Option(..., "--older-than", help="retention, e.g. 400d: whole days older go"),
    dry_run: bool = typer.Option(False, "--dry-run", help="list what would be removed; remove nothing"),
    table: list[str] | None = typer.Option(None, "--table", help="only this table (repeatable)"),
    lake: Path | None = typer.Option(None, "--lake", help="lake folder; default from config (lake_path)"),
) -> None:
    """Delete day partitions older than the retention period, printing each one removed."""
    from workbench.catalog import TABLES
    from workbench.lake.hygiene import prune as run_prune
    from workbench.registry import unknown_name_message

    for name in table or []:
        if name not in TABLES:
            raise fail(unknown_name_message('table', name, list(TABLES)))
    path = _lake_path(lake)
    try:
        report = run_prune(path, older_than, dry_run=dry_run, tables=table or None)
    except ValueError as exc:
        raise fail(exc) from None
    for line in report.lines():
        typer.echo(line)
