"""What every area's commands share: the error line, the exit codes, the settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from workbench.config import Settings

USAGE_ERROR = 2  # bad input or configuration (click's own code for bad usage); 1 is a failed run


def fail(message: object, code: int = USAGE_ERROR) -> typer.Exit:
    """Print one `error: …` line on stderr and return the Exit to raise (`raise fail(...) from None`)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def settings_or_exit() -> Settings:
    """The workspace's settings; a configuration problem ends the command with one error line."""
    from workbench.config import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as exc:
        raise fail(exc) from None
