"""Every test of every bundled rule, through the real runner on a throwaway lake (one pytest item each)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.cli import app
from workbench.detect.ruletests import run_rule_test
from workbench.resources import bundled_dir
from workbench.rules import Rule, load_rules

PACK = load_rules([bundled_dir("rules")])
CASES = [(rule, i) for rule in PACK.rules for i in range(len(rule.tests))]


def test_pack_loads_without_errors() -> None:
    assert PACK.errors == []
    assert all(rule.tests for rule in PACK.rules), "every rule ships tests"


@pytest.mark.parametrize(("rule", "index"), CASES, ids=[f"{r.id}::{r.tests[i].name}" for r, i in CASES])
def test_rule(rule: Rule, index: int) -> None:
    result = run_rule_test(rule, index)
    assert result.passed, result.message


def test_a_wrong_expectation_fails_with_a_reason(tmp_path: Path) -> None:
    source = next(p for p in sorted(bundled_dir("rules").rglob("root-account-usage.yaml")))
    text = source.read_text().replace("count: 1", "count: 3", 1)
    broken = tmp_path / "cloudtrail" / "root-account-usage.yaml"
    broken.parent.mkdir()
    broken.write_text(text)
    result = CliRunner().invoke(app, ["rules", "test", str(broken)])
    assert result.exit_code == 1
    assert "FAILED root-account-usage::" in result.output
    assert "expected 3 alert(s), got 1" in result.output
