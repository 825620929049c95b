"""The rule model: defaults, normalisation, table derivation, immutability."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pydantic
import pytest

from workbench.rules import Rule, normalize_tag
from workbench.rules.yamlsource import YamlSourceError, load_yaml

BASE = {"id": "r1", "title": "t", "severity": "High", "query": "SELECT eventtime, eventid, x FROM cloudtrail",
        "alert": {"title": "t"}}


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [("T1078.004", "attack.t1078.004"), ("attack.T1078", "attack.t1078"), ("TA0001", "attack.initial-access"),
     ("initial_access", "attack.initial-access"), ("Defense Evasion", "attack.defense-evasion"),
     ("attack.credential-access", "attack.credential-access"), ("cve.2021-44228", "cve.2021-44228")],
    ids=lambda v: str(v),
)
def test_tags_normalise_to_sigma_form(raw: str, canonical: str) -> None:
    assert normalize_tag(raw) == canonical


@pytest.mark.parametrize("bad", ["T10", "attack.t1078.4", "lateral", "mitre"], ids=str)
def test_bad_tags_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="is not an ATT&CK tag"):
        normalize_tag(bad)


def test_defaults_and_normalisation() -> None:
    rule = Rule.from_dict({**BASE, "tags": "T1078", "threshold": {"count": 3, "window": "5m",
                                                                   "group_by": "SourceIPAddress"}})
    assert rule.severity == "high" and rule.enabled and rule.tags == ("attack.t1078",)
    assert rule.threshold.window == timedelta(minutes=5)
    assert rule.threshold.group_by == ("sourceipaddress",)
    dedup = rule.effective_dedup
    assert dedup.keys == ("sourceipaddress",) and dedup.period == timedelta(minutes=60)


def test_dedup_without_threshold_defaults_to_one_alert_per_period() -> None:
    rule = Rule.from_dict({**BASE, "dedup": {"period": "2h"}})
    assert rule.effective_dedup.keys == () and rule.effective_dedup.period == timedelta(hours=2)
    explicit = Rule.from_dict({**BASE, "threshold": {"count": 2, "window": "1m", "group_by": ["a"]},
                               "dedup": {"keys": ["b"]}})
    assert explicit.effective_dedup.keys == ("b",)


@pytest.mark.parametrize(
    ("source", "query", "table"),
    [("rules/aws/vpc_flow/x.yaml", "SELECT eventtime FROM cloudtrail", "vpc_flow"),
     ("elsewhere/x.yaml", "SELECT updatedat FROM guardduty g JOIN cloudtrail c ON g.id = c.eventid", "guardduty"),
     ("elsewhere/x.yaml", "SELECT 1 AS one", None)],
    ids=["folder-wins", "first-table-in-query", "none"],
)
def test_table_is_derived(source: str, query: str, table: str | None) -> None:
    assert Rule.from_dict({**BASE, "query": query}, source=source).table == table


def test_rules_are_frozen() -> None:
    rule = Rule.from_dict(BASE)
    with pytest.raises(pydantic.ValidationError):
        rule.severity = "low"  # type: ignore[misc]
    assert rule.model_copy(update={"enabled": False}).enabled is False


def test_yaml_source_matches_safe_load_and_records_lines() -> None:
    import yaml

    text = "a: 1\nb:\n  - x\n  - {c: 2020-01-01, d: yes}\nq: |\n  SELECT 1\n  FROM t\n"
    data, smap = load_yaml(text)
    assert data == yaml.safe_load(text)
    assert smap.lines["b[1].d"] == 4 and smap.line_of("b[1].nothing") == 4
    assert smap.text_lines["q"] == 6


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [("a: 1\na: 2\n", 2, "appears twice"), ("a: [1\n", 2, "not valid YAML"),
     ("a: 1\n---\nb: 2\n", 2, "more than one YAML document")],
    ids=["duplicate-key", "unclosed", "two-documents"],
)
def test_yaml_source_errors_carry_lines(text: str, line: int, words: str) -> None:
    with pytest.raises(YamlSourceError) as info:
        load_yaml(text)
    assert info.value.line == line and words in info.value.message


def test_merge_keys_may_be_overridden() -> None:
    data, smap = load_yaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n")
    assert data["other"] == {"x": 1, "y": 3} and smap.lines["other.y"] == 4


def test_rule_reports_lines_of_nested_fields(tmp_path: Path) -> None:
    path = tmp_path / "cloudtrail" / "r.yaml"
    path.parent.mkdir()
    path.write_text("id: r\ntitle: t\nseverity: low\nquery: |\n  SELECT eventtime\n  FROM cloudtrail\n"
                    "threshold:\n  count: 2\n  window: 5m\n  group_by:\n    - a\n    - b\nalert: {title: t}\n")
    rule = Rule.from_yaml(path)
    assert rule.line_of("threshold.group_by[1]") == 12
    assert rule.line_of("threshold.distinct") == 7
    assert rule.source_map.text_lines["query"] == 5 and rule.table == "cloudtrail"
