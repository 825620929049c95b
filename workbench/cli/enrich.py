"""`mantissa enrich update|ip`: refresh AWS's IP ranges into the workspace; label addresses."""

from __future__ import annotations

import typer

from workbench.cli.common import fail, settings_or_exit


def register(app: typer.Typer) -> None:
    enrich = typer.Typer(help="IP enrichment: AWS service/region, other clouds, known scanners, special ranges.",
                         no_args_is_help=True)

    @enrich.command()
    def update(
        url: str = typer.Option(None, "--url", help="where to fetch ip-ranges.json (default: AWS's own URL)"),
        timeout: float = typer.Option(30.0, "--timeout", min=1, help="seconds to wait for the download"),
    ) -> None:
        """Fetch AWS's ip-ranges.json into state/enrich/ (checked, then swapped in); without a network
        the bundled dated snapshot stays in use."""
        from workbench.enrich import AWS_URL, UpdateError, update_aws_ranges

        settings = settings_or_exit()
        try:
            result = update_aws_ranges(settings.state, url or AWS_URL, timeout_s=timeout)
        except UpdateError as exc:
            raise fail(exc, 1) from None
        typer.echo(result.line())

    @enrich.command("ip")
    def ip(values: list[str] = typer.Argument(..., help="addresses (or CloudTrail sourceipaddress values)")) -> None:
        """Print each value's labels, one line each, and the data they come from."""
        from workbench.enrich import RangesError, labeler

        settings = settings_or_exit()
        try:
            found = labeler(settings)
        except RangesError as exc:
            raise fail(exc) from None
        for problem in found.problems:
            typer.echo(f"warning: {problem}", err=True)
        for value in values:
            info = found.label(value)
            extra = f"  ({'; '.join(info.details)})" if info.details else ""
            typer.echo(f"{value}\t{info.kind}\t{info.text}{extra}")
        typer.echo(found.sources, err=True)

    app.add_typer(enrich, name="enrich")
