"""The ops commands through typer: output lines and exit codes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.helpers import area_app
from tests.ops.test_doctor import healthy, write_day
from workbench.cli import ops

runner = CliRunner()


@pytest.fixture()
def app() -> typer.Typer:
    return area_app(ops.register)


def test_doctor_exit_codes(app: typer.Typer, workspace: Path) -> None:
    healthy(workspace)
    # The fixture's lake and runs are dated 2026-11-28; today's real date decides which checks pass,
    # so the command is judged by its form: one line per check, a summary, exit 1 iff a ✗ line.
    result = runner.invoke(app, ["doctor", "--only", "config", "--only", "rules"])
    lines = result.output.splitlines()
    assert lines[0].startswith("✓ config: ") and lines[1].startswith("✓ rules: ")
    assert lines[-1] == "2 ok, 0 failed" and result.exit_code == 0

    (workspace / "mantissa.yaml").write_text("engine: duckdb\n")
    broken = runner.invoke(app, ["doctor", "--only", "engine"])
    assert broken.exit_code == 1
    assert "✗ engine: engine: unknown engine 'duckdb'" in broken.output
    assert broken.output.splitlines()[-1] == "1 ok, 1 failed"


def test_doctor_unknown_check(app: typer.Typer, workspace: Path) -> None:
    result = runner.invoke(app, ["doctor", "--only", "rule"])
    assert result.exit_code == 2 and "did you mean 'rules'" in result.output


def test_backup_restore_commands(app: typer.Typer, workspace: Path, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    healthy(workspace)
    archive = tmp_path / "b.tar.gz"
    made = runner.invoke(app, ["backup", str(archive)])
    assert made.exit_code == 0, made.output
    assert f"backup written to {archive}" in made.output and "1 runs" in made.output

    checked = runner.invoke(app, ["restore", str(archive), "--check"])
    assert checked.exit_code == 0 and "every checksum verified" in checked.output

    target = tmp_path / "new"
    restored = runner.invoke(app, ["restore", str(archive), "--workspace", str(target)])
    assert restored.exit_code == 0, restored.output
    assert (target / "mantissa.yaml").is_file() and "0 checkpoints, 1 runs" in restored.output

    (target / "mantissa.yaml").write_text("engine: local\n")
    conflict = runner.invoke(app, ["restore", str(archive), "--workspace", str(target)])
    assert conflict.exit_code == 1 and "conflict:" in conflict.output
    forced = runner.invoke(app, ["restore", str(archive), "--workspace", str(target), "--force"])
    assert forced.exit_code == 0 and "routing" in (target / "mantissa.yaml").read_text()

    missing = runner.invoke(app, ["restore", str(tmp_path / "none.tar.gz")])
    assert missing.exit_code == 1 and "no such backup archive" in missing.output


def test_lake_stats_and_prune(app: typer.Typer, workspace: Path) -> None:
    (workspace / "mantissa.yaml").write_text("engine: local\n")
    today = datetime.now(UTC).date()
    write_day(workspace, "cloudtrail", date(2024, 1, 1), rows=4)
    write_day(workspace, "cloudtrail", today, rows=2)
    stats = runner.invoke(app, ["lake", "stats"])
    assert stats.exit_code == 0
    row = next(line for line in stats.output.splitlines() if line.startswith("cloudtrail"))
    assert row.split()[3:6] == ["2", "6", "2"]  # files, events, days
    assert "2024-01-01" in row and today.isoformat() in row

    dry = runner.invoke(app, ["lake", "prune", "--older-than", "400d", "--dry-run"])
    assert dry.exit_code == 0 and "would remove cloudtrail 2024-01-01: 1 files" in dry.output
    assert (workspace / "lake" / "cloudtrail" / "year=2024").is_dir()
    done = runner.invoke(app, ["lake", "prune", "--older-than", "400d", "--table", "cloudtrail"])
    assert done.exit_code == 0 and "removed cloudtrail 2024-01-01: 1 files" in done.output
    assert not (workspace / "lake" / "cloudtrail" / "year=2024").exists()
    assert (workspace / "lake" / "cloudtrail" / f"year={today:%Y}").is_dir()

    bad = runner.invoke(app, ["lake", "prune", "--older-than", "400d", "--table", "cloudtrial"])
    assert bad.exit_code == 2 and "did you mean 'cloudtrail'" in bad.output
    assert runner.invoke(app, ["lake", "prune", "--older-than", "soon"]).exit_code == 2
