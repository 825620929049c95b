"""The `mantissa` command. Each area adds its commands from its own module through `register()`."""

from __future__ import annotations

import warnings

import typer

from workbench.cli import alerts, demo, detect, investigate, lake, ops, query, report, rules, synth, training
from workbench.cli import api as api_commands
from workbench.cli import enrich as enrich_commands

app = typer.Typer(
    name="mantissa",
    help="Mantissa workbench: hunt, detect and investigate over AWS security logs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

for module in (demo, lake, synth, query, rules, detect, alerts, investigate, report, training, ops):
    module.register(app)
enrich_commands.register(app)
api_commands.register(app)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version as dist_version

        typer.echo(f"mantissa-workbench {dist_version('mantissa-workbench')}")
        raise typer.Exit()


@app.callback()
def _one_line_warnings(
    ctx: typer.Context,
    _version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                  help="Print the installed version and exit."),
) -> None:
    # A warning meant for the user (a missing lake folder) reads as one line, not as a source line.
    previous = warnings.formatwarning
    warnings.formatwarning = lambda message, *_args, **_kwargs: f"warning: {message}\n"

    def restore() -> None:
        warnings.formatwarning = previous

    ctx.call_on_close(restore)


def main() -> None:  # pragma: no cover - console entry point
    app()


@app.command()
def version() -> None:
    """Print the installed version."""
    from importlib.metadata import version as dist_version

    typer.echo(f"mantissa-workbench {dist_version('mantissa-workbench')}")
