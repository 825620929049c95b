"""A workspace with a one-cell playbook that appends a line to ticks.txt (so each run is countable)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
import typer
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests.helpers import area_app


def write_tick_playbook(folder: Path) -> Path:
    params = new_code_cell('label = "tick"')
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[
        new_markdown_cell("# Tick\n\nAppends its label to ticks.txt in the workspace."),
        params,
        new_code_cell('from pathlib import Path\n'
                      'with Path("ticks.txt").open("a") as fh:\n'
                      '    fh.write(label + "\\n")'),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tick.ipynb"
    nbformat.write(nb, str(path))
    return path


@pytest.fixture()
def tick_workspace(workspace: Path) -> Path:
    write_tick_playbook(workspace / "playbooks")
    return workspace


@pytest.fixture()
def cli() -> typer.Typer:
    from workbench.cli.detect import register

    return area_app(register)
