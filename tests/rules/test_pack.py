"""The bundled rule pack loads and lints clean, and every rule carries positive and negative tests."""

from __future__ import annotations

import pytest

from workbench.catalog import TABLES
from workbench.resources import bundled_dir
from workbench.rules import lint_rules, load_rules

PACK = bundled_dir("rules")
RULESET = load_rules([PACK]) if PACK else None


def test_the_pack_is_found_and_lints_clean() -> None:
    assert PACK is not None and (PACK / "aws").is_dir()
    issues = lint_rules(RULESET)
    assert [i.format() for i in issues] == []
    assert len(RULESET.rules) >= 8


@pytest.mark.parametrize("rule", RULESET.rules if RULESET else [], ids=lambda r: r.id)
def test_each_rule_is_filed_by_table_and_tested_both_ways(rule) -> None:
    assert rule.source_path.name == f"{rule.id}.yaml"
    assert rule.table in TABLES and rule.source_path.parent.name == rule.table
    assert any(t.expect.count > 0 for t in rule.tests) and any(t.expect.count == 0 for t in rule.tests)
    assert rule.runbook and rule.tags and rule.alert.fields
    # Behaviour, not tool names: no rule may match on the user agent.
    assert "useragent" not in rule.query.split("WHERE", 1)[-1].lower()


def test_the_pack_covers_the_three_tables() -> None:
    assert {r.table for r in RULESET.rules} == set(TABLES)
    assert any(r.threshold and r.threshold.distinct for r in RULESET.rules)
