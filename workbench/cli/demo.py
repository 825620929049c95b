"""CLI: `mantissa demo` — the whole product on synthetic data, nothing to configure."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        workspace: Path = typer.Option(Path("demo"), help="Folder the demo works in (created)."),
        days: int = typer.Option(7, min=1, help="Days of synthetic activity."),
        seed: int = typer.Option(42, help="Seed of the synthetic data."),
        end: str | None = typer.Option(None, help="End of the synthetic week (default: this hour)."),
    ) -> None:
        """Synthesise a week of AWS logs with attacks, run the runbook's hunts and the detections."""
        from workbench.demo import run_demo

        run_demo(workspace.resolve(), days=days, seed=seed, end=end, echo=typer.echo)
