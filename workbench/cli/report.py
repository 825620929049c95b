"""`mantissa report daily|weekly|monthly [--date ...] [--post]`: render a report to HTML, print its path."""

from __future__ import annotations

import typer

from workbench.cli.common import fail

_DATES = {"daily": "YYYY-MM-DD (default: yesterday, UTC)",
          "weekly": "YYYY-Www or a day in the week (default: last week)",
          "monthly": "YYYY-MM or a day in the month (default: last month)"}


def _run(kind: str, date: str | None, post: bool) -> None:
    from workbench.config import ConfigError, load_settings
    from workbench.playbooks import PlaybookError
    from workbench.reports import period, render_report

    try:
        period(kind, date)  # a malformed date is a usage error, reported before a kernel starts
    except ValueError as exc:
        raise fail(exc) from None
    try:
        paths = render_report(kind, date, settings=load_settings(), post=post,
                              progress=lambda line: typer.echo(line, err=True))
    except (ConfigError, PlaybookError) as exc:
        raise fail(exc, 1) from None
    for line in paths.figures.get("summary", []):
        typer.echo(line, err=True)
    failed = [p for p in paths.posted if not p.get("ok")]
    for p in paths.posted:
        typer.echo(f"posted to {p['destination']}" if p.get("ok") else
                   f"post to {p['destination']} FAILED: {p.get('error')}", err=True)
    typer.echo(f"executed notebook: {paths.notebook}", err=True)
    typer.echo(str(paths.html))
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    report = typer.Typer(help="Daily, weekly and monthly reports rendered to HTML under reports/.",
                         no_args_is_help=True)

    def command(kind: str) -> None:
        def run(
            date: str | None = typer.Option(None, "--date", help=_DATES[kind]),
            post: bool = typer.Option(False, "--post", help="also post a short summary to the destinations "
                                                            "(reports.post_to, else every routing destination)"),
        ) -> None:
            _run(kind, date, post)

        run.__doc__ = (f"Run playbooks/report_{kind}.ipynb and render reports/{kind}/<period>.html "
                       "(no code; plotly figures interactive); print its path.")
        report.command(kind)(run)

    for kind in ("daily", "weekly", "monthly"):
        command(kind)
    app.add_typer(report, name="report")
