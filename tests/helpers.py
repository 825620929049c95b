"""Helpers shared by several test folders."""

from __future__ import annotations

from collections.abc import Callable

import typer


def area_app(register: Callable[[typer.Typer], object]) -> typer.Typer:
    """A fresh app holding one area's commands, as `workbench.cli` would register them. The empty
    callback keeps typer in multi-command mode, so the command name stays the first argument even
    when the area adds a single command."""
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    return app
