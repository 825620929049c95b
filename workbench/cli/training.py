"""CLI commands: `mantissa training new | list | grade` — graded exercises on synthetic attack scenarios."""

from __future__ import annotations

from pathlib import Path

import typer

from workbench.cli.common import fail

training_app = typer.Typer(help="Graded exercises on replayable attack scenarios.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(training_app, name="training")


@training_app.command("list")
def list_exercises() -> None:
    """The scenarios an exercise can be built on, with their tasks."""
    from workbench.synth import SCENARIOS
    from workbench.training import EXERCISES, notebook_source

    for name in EXERCISES.names():
        exercise, scenario = EXERCISES.get(name), SCENARIOS.get(name)
        notebook = "" if notebook_source(name) else "  (no notebook found)"
        typer.echo(f"{name:<20} {exercise.title}{notebook}")
        typer.echo(f"{'':<20} {scenario.description}")
        typer.echo(f"{'':<20} techniques {', '.join(scenario.techniques)}; tasks: {', '.join(exercise.task_names)}")


@training_app.command("new")
def new(
    scenario: str = typer.Argument(..., help="The scenario (mantissa training list)."),
    seed: int = typer.Option(..., "--seed", help="Each seed is a different variant: other IPs, users, times."),
    directory: Path = typer.Option(None, "--dir", help="Workspace folder to create. Default: ./<scenario>-seed<N>."),
    days: int = typer.Option(2, "--days", min=1, max=14, help="Days of background activity around the attack."),
    end: str = typer.Option(None, "--end", help="End of the window (ISO 8601, UTC). Default: midnight UTC today."),
    scale: float = typer.Option(0.5, "--scale", min=0.05, help="Background volume (1.0 = the demo's)."),
    detect: bool = typer.Option(True, "--detect/--no-detect", help="Run the rule pack, so the triage widget "
                                "shows the alerts a SOC would start from."),
    replace: bool = typer.Option(False, "--replace", help="Rebuild a training workspace that exists (the "
                                 "notebook in it is kept)."),
) -> None:
    """Build a training workspace: its own lake, alert state and answer key, and the exercise notebook."""
    from workbench.registry import UnknownPluginError
    from workbench.training import EXERCISES, TrainingError, build_workspace

    if scenario not in EXERCISES:
        raise typer.BadParameter(str(UnknownPluginError("scenario", scenario, EXERCISES.names())),
                                 param_hint="SCENARIO")
    root = directory if directory is not None else Path(f"{scenario}-seed{seed}")
    typer.echo(f"building {scenario} (seed {seed}, {days} days) in {root.resolve()} …")
    try:
        ws = build_workspace(scenario, seed, root, days=days, end=end, scale=scale, detect=detect, replace=replace)
    except (TrainingError, ValueError) as exc:
        raise fail(exc) from None
    info = ws.info
    typer.echo(f"window {info.start} .. {info.end}, company '{info.company}'")
    if info.alerts is not None:
        typer.echo(f"rule pack: {info.alerts} alerts in the workspace's store")
    typer.echo(f"tasks: {', '.join(ws.exercise.task_names)}")
    if ws.notebook.exists():
        typer.echo(f"open {ws.notebook} in JupyterLab (run it from that folder), or run it unattended:")
        typer.echo(f"  papermill {ws.notebook.name} executed.ipynb -p trainee NAME   (in {ws.root})")
    else:
        typer.echo("no exercise notebook found to copy (notebooks/training/); open_exercise() works from any notebook")


@training_app.command("grade")
def grade(
    directory: Path = typer.Argument(..., help="Folder of executed exercise notebooks (searched recursively)."),
    as_json: bool = typer.Option(False, "--json", help="Print the rows as JSON instead of a table."),
) -> None:
    """Collect trainees' executed notebooks, re-check their answers, print a score table."""
    from workbench.training import TrainingError
    from workbench.training.grade import as_json as rows_json
    from workbench.training.grade import format_table, grade_folder

    try:
        rows = grade_folder(directory)
    except TrainingError as exc:
        raise fail(exc) from None
    if as_json:
        typer.echo(rows_json(rows))
        return
    if not rows:
        typer.echo(f"no notebooks under {directory}")
        return
    typer.echo(format_table(rows))
    graded = [r for r in rows if r.score is not None]
    if graded:
        mean = sum(r.score or 0 for r in graded) / len(graded)
        typer.echo(f"\n{len(graded)} graded, {len(rows) - len(graded)} without a score; mean {mean:.1f}%")
