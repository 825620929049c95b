"""`mantissa training list` and `mantissa training new` (grade is exercised with real notebooks in
test_notebooks.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.helpers import area_app
from tests.training.conftest import END
from workbench.training import EXERCISES, load_workspace


@pytest.fixture()
def cli() -> typer.Typer:
    from workbench.cli.training import register

    return area_app(register)


def test_list_names_every_exercise_with_its_tasks(cli: typer.Typer) -> None:
    result = CliRunner().invoke(cli, ["training", "list"])
    assert result.exit_code == 0, result.output
    for name in EXERCISES.names():
        assert name in result.output
    assert "tasks: scanner_ip, target_instance, ports_scanned" in result.output
    assert "no notebook found" not in result.output


def test_new_builds_a_workspace_with_its_notebook_and_refuses_to_clobber(cli: typer.Typer, tmp_path: Path) -> None:
    target = tmp_path / "alice"
    args = ["training", "new", "port-scan", "--seed", "4", "--dir", str(target), "--days", "1", "--end", END,
            "--scale", "0.2"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "tasks: scanner_ip, target_instance, ports_scanned" in result.output
    assert "rule pack:" in result.output and "port-scan.ipynb" in result.output
    ws = load_workspace(target)
    assert (ws.info.scenario, ws.info.seed, ws.info.days, ws.info.end) == ("port-scan", 4, 1, END)
    assert ws.notebook.is_file() and (target / "lake" / "vpc_flow").is_dir()
    assert json.loads((target / "answer_key.json").read_text())["digests"].keys() == {
        "scanner_ip", "target_instance", "ports_scanned"}

    ws.notebook.write_text(ws.notebook.read_text() + " ")  # the trainee's work…
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 2 and "--replace" in again.output
    replaced = CliRunner().invoke(cli, [*args, "--replace", "--no-detect"])
    assert replaced.exit_code == 0, replaced.output
    assert ws.notebook.read_text().endswith(" ")  # …survives a rebuild
    assert "rule pack:" not in replaced.output


def test_new_suggests_the_closest_scenario(cli: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["training", "new", "leaked-keys", "--seed", "1", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    flat = " ".join(result.output.replace("│", " ").split())  # typer draws the message in a wrapped box
    assert "did you mean 'leaked-key'" in flat
