"""`mantissa rules lint|list` through typer's CliRunner."""

from __future__ import annotations

import shutil
from pathlib import Path

import typer
from typer.testing import CliRunner

from tests.helpers import area_app
from workbench.cli.rules import register
from workbench.rules import VALIDATORS

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


def _app() -> typer.Typer:
    return area_app(register)


def test_lint_broken_rules_exits_1_with_one_line_per_issue() -> None:
    broken = FIXTURES / "broken" / "cloudtrail" / "unknown-column.yaml"
    result = runner.invoke(_app(), ["rules", "lint", str(FIXTURES / "good"), str(broken)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    error = next(line for line in lines if "usrname" in line)
    assert "fixtures/broken/cloudtrail/unknown-column.yaml:6: fixture-unknown-column: query: " in error
    assert lines[-1].startswith("3 files, 3 rules loaded: 1 errors in 1 files")


def test_lint_clean_pack_exits_0() -> None:
    result = runner.invoke(_app(), ["rules", "lint", str(FIXTURES / "good")])
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output


def test_strict_fails_on_warnings_and_quiet_hides_them() -> None:
    path = str(FIXTURES / "good")  # the egress fixture has no tests: a warning
    assert runner.invoke(_app(), ["rules", "lint", "--strict", path]).exit_code == 1
    loud = runner.invoke(_app(), ["rules", "lint", path])
    quiet = runner.invoke(_app(), ["rules", "lint", "--quiet", path])
    assert "warning: no tests" in loud.output and "warning:" not in quiet.output
    assert loud.exit_code == quiet.exit_code == 0


def test_lint_defaults_to_workspace_and_bundled_rules(workspace: Path) -> None:
    target = workspace / "rules" / "aws" / "cloudtrail"
    target.mkdir(parents=True)
    shutil.copy(FIXTURES / "broken" / "cloudtrail" / "bad-severity.yaml", target)
    result = runner.invoke(_app(), ["rules", "lint"])
    assert result.exit_code == 1
    assert "rules/aws/cloudtrail/bad-severity.yaml:4: fixture-bad-severity: severity: " in result.output
    # the bundled pack was linted too: its rules count in the summary
    loaded = int(result.output.strip().splitlines()[-1].split(" rules loaded")[0].split(", ")[1])
    assert loaded >= 8


def test_list_prints_id_severity_table_enabled_title() -> None:
    result = runner.invoke(_app(), ["rules", "list", str(FIXTURES / "good")])
    assert result.exit_code == 0
    header, *rows = result.output.strip().splitlines()
    assert header.split() == ["id", "severity", "table", "enabled", "title"]
    assert rows[0].split()[:4] == ["fixture-access-key-created", "medium", "cloudtrail", "yes"]
    assert rows[1].split()[:4] == ["fixture-large-egress", "low", "vpc_flow", "yes"]


def test_list_mentions_load_errors_on_stderr() -> None:
    result = runner.invoke(_app(), ["rules", "list", str(FIXTURES / "broken" / "cloudtrail" / "bad-yaml.yaml")])
    assert result.exit_code == 0
    assert "1 load errors" in result.output and "mantissa rules lint" in result.output


def test_every_validator_is_reachable_by_name() -> None:
    for name in VALIDATORS.names():
        assert VALIDATORS.get(name).name == name
