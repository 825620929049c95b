"""CLI command: `mantissa synth` — realistic AWS logs with injected attacks, into the lake."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    app.command("synth")(synth)


def synth(
    days: int = typer.Option(7, "--days", min=1, help="How many days of activity, ending at --end."),
    seed: int = typer.Option(42, "--seed", help="Same seed and --end give byte-identical data."),
    end: str = typer.Option(None, "--end", help="End of the window (ISO 8601, UTC). Default: the start of "
                            "the current UTC hour, so data is recent; pass it for reproducible output."),
    lake: Path = typer.Option(None, "--lake", help="Lake folder. Default: the configured lake. Raw objects go "
                              "to <lake parent>/raw and ground truth to <lake parent>/ground_truth.json."),
    scale: float = typer.Option(1.0, "--scale", min=0.01, help="Multiply background volume."),
    scenario: list[str] = typer.Option(None, "--scenario", help="Inject only these scenarios (repeatable). "
                                       "Default: all built-in scenarios."),
    replace: bool = typer.Option(False, "--replace", help="Delete the lake and raw folder first, so the lake "
                                 "holds exactly this run's data."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar while ingesting."),
) -> None:
    """Generate DAYS of realistic CloudTrail, VPC flow and GuardDuty logs with attack scenarios, and ingest them."""
    from workbench.config import load_settings
    from workbench.registry import UnknownPluginError
    from workbench.synth import SCENARIOS, synthesize

    for name in scenario or []:
        if name not in SCENARIOS:
            raise typer.BadParameter(str(UnknownPluginError("scenario", name, SCENARIOS.names())),
                                     param_hint="--scenario")
    lake_dir = (lake if lake is not None else load_settings().lake).resolve()
    if not replace and lake_dir.exists() and any((lake_dir / t).exists() for t in ("cloudtrail", "vpc_flow")):
        typer.echo(f"note: {lake_dir} already holds data; this run adds to it (use --replace to start afresh)",
                   err=True)
    try:
        report = synthesize(lake_dir, days=days, seed=seed, end=end, scale=scale, progress=progress,
                            scenarios=list(scenario) if scenario else None, replace=replace)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    truth = report.truth
    typer.echo(f"synthesised {truth.start} .. {truth.end} (seed {seed}, company '{truth.company}', "
               f"accounts {', '.join(f'{k}={v}' for k, v in truth.accounts.items())})")
    for table, count in report.counts.items():
        typer.echo(f"  {table:<11} {count:>9,} records in {report.files[table]:>5,} objects")
    typer.echo(f"raw objects: {report.raw_dir}")
    if report.ingest is not None:
        typer.echo(report.ingest.format() if hasattr(report.ingest, "format") else str(report.ingest))
    typer.echo(f"ground truth: {report.truth_path}")
    for item in truth.scenarios:
        ips = ", ".join(item.attacker_ips[:3]) + (" …" if len(item.attacker_ips) > 3 else "")
        typer.echo(f"  {item.name:<20} {item.start}  from {ips}")
    secs = report.seconds
    typer.echo(f"took {sum(secs.values()):.1f}s (generate {secs.get('generate', 0):.1f}s, "
               f"write {secs.get('write', 0):.1f}s, ingest {secs.get('ingest', 0):.1f}s)")
