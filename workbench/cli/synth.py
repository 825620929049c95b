"""CLI command: `mantissa synth` — realistic AWS logs with injected attacks, into the lake."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer


class Layout(StrEnum):
    lake = "lake"
    delivered = "delivered"


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
    layout: Layout = typer.Option(Layout.lake, "--layout", help="lake: write raw objects and ingest them into "
                                  "the lake; delivered: only write the objects in the layout the raw Athena "
                                  "tables read (athena.raw in mantissa.yaml), under --out, to upload to S3"),
    out: Path = typer.Option(None, "--out", help="With --layout delivered: the folder standing for the S3 "
                             "location (the part before AWSLogs/)."),
) -> None:
    """Generate DAYS of realistic CloudTrail, VPC flow and GuardDuty logs with attack scenarios, and ingest them."""
    from workbench.config import load_settings
    from workbench.registry import UnknownPluginError
    from workbench.synth import SCENARIOS, synthesize

    for name in scenario or []:
        if name not in SCENARIOS:
            raise typer.BadParameter(str(UnknownPluginError("scenario", name, SCENARIOS.names())),
                                     param_hint="--scenario")
    if layout is Layout.delivered:
        if out is None:
            raise typer.BadParameter("give --out DIR: the folder the delivered objects go under", param_hint="--out")
        _delivered(out, days, seed, end, scale, list(scenario) if scenario else None)
        return
    if out is not None:
        raise typer.BadParameter("--out goes with --layout delivered; the lake layout writes to --lake",
                                 param_hint="--out")
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


def _delivered(out: Path, days: int, seed: int, end: str | None, scale: float, scenarios: list[str] | None) -> None:
    """Generate and write the objects as AWS delivers them, laid out as athena.raw says (org trail, flow
    log format and folders); print the athena.raw keys whose projection covers them."""
    import yaml

    from workbench.config import ConfigError, load_settings
    from workbench.synth import generate
    from workbench.synth.delivered import delivered_settings, write_delivered
    from workbench.synth.truth import TRUTH_FILE

    try:
        configured = load_settings().athena.raw
        generated = generate(days, seed, end=end, scale=scale, scenarios=scenarios)
        location = configured.location or "s3://my-log-bucket/"
        raw = delivered_settings(generated.records, location, org_id=configured.org_id,
                                 vpc_flow=configured.vpc_flow.model_dump(exclude={"location"}))
        written = write_delivered(generated.records, out, raw, seed=seed)
    except (ConfigError, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from None
    truth_path = generated.truth.write(out / TRUTH_FILE)
    truth = generated.truth
    typer.echo(f"synthesised {truth.start} .. {truth.end} (seed {seed}) as delivered under {out}")
    for table, paths in written.items():
        typer.echo(f"  {table:<11} {len(generated.records[table]):>9,} records in {len(paths):>5,} objects")
    typer.echo(f"ground truth: {truth_path}")
    keys = raw.model_dump(mode="json", include={"location", "org_id", "accounts", "regions", "start"},
                          exclude_none=True)
    typer.echo("upload the folder to the location, then in mantissa.yaml:\n"
               + yaml.safe_dump({"athena": {"source": "raw", "raw": keys}}, sort_keys=False).rstrip())
