"""CLI commands: query (filled by its area)."""

import typer


def register(app: typer.Typer) -> None:
    pass
