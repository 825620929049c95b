"""`mantissa synth` from the command line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from workbench.cli import app
from workbench.synth import load_ground_truth

runner = CliRunner()


def test_synth_writes_lake_raw_and_ground_truth(workspace: Path) -> None:
    result = runner.invoke(app, ["synth", "--days", "1", "--seed", "3", "--end", "2026-11-26", "--scale", "0.05",
                                 "--no-progress"])
    assert result.exit_code == 0, result.output
    truth = load_ground_truth(workspace / "ground_truth.json")
    assert (workspace / "lake" / "cloudtrail").is_dir() and (workspace / "raw" / "AWSLogs").is_dir()
    assert truth.seed == 3 and truth.end == "2026-11-26T00:00:00Z"
    for item in truth.scenarios:
        assert item.name in result.output
    assert "ground truth:" in result.output and "quarantined" not in result.output


def test_synth_one_scenario_into_a_chosen_lake_with_replace(workspace: Path) -> None:
    lake = workspace / "elsewhere" / "lake"
    args = ["synth", "--days", "1", "--end", "2026-11-26", "--scale", "0.05", "--lake", str(lake),
            "--scenario", "port-scan", "--no-progress"]
    assert runner.invoke(app, args).exit_code == 0
    second = runner.invoke(app, args)
    assert "already holds data" in second.output
    replaced = runner.invoke(app, [*args, "--replace"])
    assert replaced.exit_code == 0 and "already holds data" not in replaced.output
    truth = load_ground_truth(lake.parent / "ground_truth.json")
    assert [s.name for s in truth.scenarios] == ["port-scan"]


def test_synth_rejects_an_unknown_scenario_with_a_suggestion(workspace: Path) -> None:
    result = runner.invoke(app, ["synth", "--days", "1", "--scenario", "port-scn"])
    assert result.exit_code != 0
    text = " ".join(result.output.replace("│", " ").split())  # typer may draw the error in a box
    assert "did you mean 'port-scan'" in text
    assert not (workspace / "lake").exists()
