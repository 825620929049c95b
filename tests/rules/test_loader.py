"""Broken-rule fixtures: each error names the exact file:line and field; good rules still load."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.rules import LintIssue, Rule, RuleLoadError, lint_rules, load_rules

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "good"
BROKEN = FIXTURES / "broken" / "cloudtrail"
GOOD_IDS = {"fixture-access-key-created", "fixture-large-egress"}

# file, line, field, words the message must contain
CASES = [
    ("bad-yaml.yaml", 8, "", "not valid YAML"),
    ("duplicate-key.yaml", 5, "", "key 'severity' appears twice (first on line 3)"),
    ("unknown-key.yaml", 4, "runbok", "unknown key 'runbok' — did you mean 'runbook'?"),
    ("missing-query.yaml", 1, "query", "required field is missing"),
    ("bad-severity.yaml", 4, "severity", "must be one of info, low, medium, high, critical; got 'urgent'"),
    ("bad-tag.yaml", 6, "tags[1]", "did you mean 'attack.initial-access'?"),
    ("duplicate-id.yaml", 3, "id", "access-key-created.yaml:1"),
    ("bad-threshold.yaml", 7, "threshold.count", "must be a positive integer, got 0"),
    ("bad-window.yaml", 7, "threshold.window", "must be a duration with a unit"),
    ("select-star.yaml", 5, "query", "SELECT *"),
    ("unknown-column.yaml", 6, "query", "has no field 'usrname' — did you mean 'username'?"),
    ("group-by-not-output.yaml", 10, "threshold.group_by[1]", "'useragnt' is not an output column of the "
     "query — did you mean 'useragent'?"),
    ("threshold-without-time.yaml", 4, "query", "does not output the time column 'eventtime'"),
    ("title-placeholder.yaml", 6, "alert.title", "placeholder 'actor' is not an output column"),
    ("two-statements.yaml", 4, "query", "holds 2 statements"),
]


@pytest.mark.parametrize(("name", "line", "field", "words"), CASES, ids=[c[0] for c in CASES])
def test_broken_rule_reports_file_line_and_field(name: str, line: int, field: str, words: str) -> None:
    broken = BROKEN / name
    ruleset = load_rules([GOOD, broken])
    errors = [i for i in lint_rules(ruleset) if i.level == "error"]
    assert errors, f"{name} produced no error"
    assert {i.path for i in errors} == {broken}, "only the broken file may have errors"
    first = errors[0]
    assert (first.line, first.field) == (line, field), first.format()
    assert words in first.message
    assert first.format().startswith(f"{first.location}: ")
    assert first.location.endswith(f"{name}:{line}")
    assert GOOD_IDS <= {r.id for r in ruleset.rules}, "a broken file stopped the good rules"


def test_all_broken_files_at_once_collect_every_error() -> None:
    ruleset = load_rules([GOOD, BROKEN])
    errors = [i for i in lint_rules(ruleset) if i.level == "error"]
    assert {i.path.name for i in errors} == {c[0] for c in CASES}
    assert GOOD_IDS <= {r.id for r in ruleset.rules}


def test_duplicate_id_names_both_files_and_keeps_the_first() -> None:
    ruleset = load_rules([GOOD, BROKEN / "duplicate-id.yaml"])
    (issue,) = ruleset.errors
    assert "good/cloudtrail/access-key-created.yaml" in issue.message
    assert issue.path == BROKEN / "duplicate-id.yaml"
    assert ruleset.get("fixture-access-key-created").source_path.parent.name == "cloudtrail"


def test_missing_path_is_an_error_not_a_crash(tmp_path: Path) -> None:
    ruleset = load_rules([tmp_path / "nowhere", GOOD])
    assert [i.message.split(";")[0] for i in ruleset.errors] == ["no such file or folder"]
    assert {r.id for r in ruleset.rules} == GOOD_IDS


def test_support_files_are_not_rules(tmp_path: Path) -> None:
    (tmp_path / "tuning.yaml").write_text("allowlists: {trusted_roles: [ci]}\n")
    (tmp_path / "_snippets").mkdir()
    (tmp_path / "_snippets" / "x.yaml").write_text("not: a rule\n")
    ruleset = load_rules([tmp_path])
    assert ruleset.files == [] and ruleset.errors == []


def test_from_yaml_raises_with_every_issue() -> None:
    with pytest.raises(RuleLoadError) as info:
        Rule.from_yaml(BROKEN / "unknown-key.yaml")
    assert [i.field for i in info.value.issues] == ["runbok"]
    assert str(info.value).endswith("(known: alert, dedup, description, enabled, id, new_terms, query, runbook, "
                                    "severity, table, tags, tests, threshold, title)")


def test_several_problems_in_one_file_are_all_reported() -> None:
    data = {"id": "Not A Slug", "title": "", "severity": "bad", "query": "SELECT eventtime FROM cloudtrail",
            "alert": {"title": "x", "colour": "red"}, "threshold": {"count": "ten", "window": "5 fortnights"}}
    with pytest.raises(RuleLoadError) as info:
        Rule.from_dict(data, source="inline.yaml")
    fields = sorted(i.field for i in info.value.issues)
    assert fields == ["alert.colour", "id", "severity", "threshold.count", "threshold.window", "title"]
    # The id as written names the rule in every message, even when the id itself is invalid.
    assert all(isinstance(i, LintIssue) and i.rule_id == "Not A Slug" for i in info.value.issues)


def test_loader_fields_cannot_be_set_from_the_file() -> None:
    with pytest.raises(RuleLoadError) as info:
        Rule.from_dict({"id": "x", "title": "t", "severity": "low", "query": "SELECT eventtime FROM cloudtrail",
                        "alert": {"title": "t"}, "source_line": 3})
    assert info.value.issues[0].field == "source_line"


def test_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- id: a\n- id: b\n")
    ruleset = load_rules([path])
    assert ruleset.errors[0].line == 1 and "is a list" in ruleset.errors[0].message


def test_an_alias_of_a_merged_mapping_loads_and_real_duplicates_still_fail() -> None:
    """A test event that merges an anchor and is itself reused by alias (`- *attach`) is one
    mapping seen twice: the second visit must not call the merged keys duplicates."""
    from workbench.rules.yamlsource import YamlSourceError, load_yaml

    text = (
        "events:\n"
        "  - &base {eventName: CreateUser, eventTime: '2026-03-07T10:00:00Z'}\n"
        "  - &attach\n"
        "    <<: *base\n"
        "    eventName: AttachUserPolicy\n"
        "    eventTime: '2026-03-07T10:00:08Z'\n"
        "  - *attach\n"
    )
    data, smap = load_yaml(text)
    assert data["events"][2] == data["events"][1] == {"eventName": "AttachUserPolicy",
                                                      "eventTime": "2026-03-07T10:00:08Z"}
    assert smap.line_of("events[1].eventName") == 5
    with pytest.raises(YamlSourceError, match="appears twice"):
        load_yaml("a:\n  <<: {x: 1}\n  y: 2\n  y: 3\n")
