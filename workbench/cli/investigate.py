"""`mantissa investigate ALERT_ID`: run the investigation playbook and print the HTML report's path."""

from __future__ import annotations

import typer

from workbench.cli.common import fail


def register(app: typer.Typer) -> None:
    @app.command()
    def investigate(
        alert_id: str = typer.Argument(..., help="the alert (see `mantissa alerts list`)"),
        hours_around: float = typer.Option(6, "--hours-around", min=0,
                                           help="hours of context before first_seen and after last_seen"),
    ) -> None:
        """Investigate one alert: run playbooks/investigate.ipynb, render HTML without code cells into
        reports/investigations/ (the executed notebook beside it), and print the HTML path."""
        from workbench.alerts import AlertNotFound
        from workbench.config import ConfigError, load_settings
        from workbench.investigate import render_investigation
        from workbench.playbooks import PlaybookError

        try:
            paths = render_investigation(alert_id, hours_around, settings=load_settings(),
                                         progress=lambda line: typer.echo(line, err=True))
        except AlertNotFound as exc:
            raise fail(exc) from None
        except (ConfigError, PlaybookError) as exc:
            raise fail(exc, 1) from None
        typer.echo(f"executed notebook: {paths.notebook}", err=True)
        typer.echo(str(paths.html))
