"""The tuning file: overrides and allowlists reach every consumer through `load_rules`, an empty
allowlist excludes nothing, bound values stay literals, and mistakes name their file and line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import duckdb
import pytest
import sqlglot

from workbench.detect.ruletests import run_rule_tests
from workbench.engines.dialect import MantissaDuckDB
from workbench.rules import lint_rules, load_rules
from workbench.rules.allowlists import array_literal, query_placeholders

EVENT = """\
      - &denied
        eventVersion: "1.09"
        userIdentity:
          type: AssumedRole
          principalId: "AROAEXAMPLEINVENTORY:inventory"
          arn: arn:aws:sts::111122223333:assumed-role/inventory-scanner/inventory
          accountId: "111122223333"
          accessKeyId: ASIAEXAMPLEINVENTORY
          sessionContext:
            sessionIssuer: {type: Role, principalId: AROAEXAMPLEINVENTORY, arn: "arn:aws:iam::111122223333:role/inventory-scanner", accountId: "111122223333", userName: inventory-scanner}
            attributes: {creationDate: "2026-03-09T06:55:00Z", mfaAuthenticated: "false"}
        eventTime: "2026-03-09T07:00:00Z"
        eventSource: ec2.amazonaws.com
        eventName: DescribeInstances
        awsRegion: us-east-1
        sourceIPAddress: 198.51.100.7
        userAgent: Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux lang/python#3.11.8
        errorCode: Client.UnauthorizedOperation
        errorMessage: You are not authorized to perform this operation.
        requestParameters: {instancesSet: {}, filterSet: {}}
        responseElements: null
        eventID: 7c0d0000-0000-4000-8000-000000000001
        readOnly: true
        eventType: AwsApiCall
        managementEvent: true
        recipientAccountId: "111122223333"
        eventCategory: Management
      - <<: *denied
        eventTime: "2026-03-09T07:01:00Z"
        eventID: 7c0d0000-0000-4000-8000-000000000002
      - <<: *denied
        eventTime: "2026-03-09T07:02:00Z"
        eventID: 7c0d0000-0000-4000-8000-000000000003
"""

RULE = """\
id: denied-burst
title: Denied calls
description: A principal's calls are refused again and again.
severity: medium
tags: [attack.t1580]
runbook: Ask the owner of the principal.
query: |
  SELECT eventtime, eventid, recipientaccountid, useridentity.arn AS principal
  FROM cloudtrail
  WHERE errorcode IN ('AccessDenied', 'Client.UnauthorizedOperation')
    AND NOT contains(:trusted_automation_principals,
                     coalesce(useridentity.sessioncontext.sessionissuer.arn, useridentity.arn, ''))
threshold: {count: 3, window: 5m, group_by: [principal]}
alert:
  title: "{principal} denied"
  fields: [principal]
tests:
  - name: three refusals alert
    events:
@EVENTS@
    expect: {count: @EXPECTED@}
"""


def _workspace(tmp_path: Path, tuning: str | None, expected: int = 1, rule: str = RULE) -> Path:
    """A workspace with one rule (its test expecting `expected` alerts) and an optional tuning file."""
    (tmp_path / "mantissa.yaml").write_text("engine: local\n")
    folder = tmp_path / "rules" / "aws" / "cloudtrail"
    folder.mkdir(parents=True)
    (folder / "denied-burst.yaml").write_text(rule.replace("@EVENTS@", EVENT.rstrip("\n")).replace("@EXPECTED@", str(expected)))
    if tuning is not None:
        (tmp_path / "rules" / "tuning.yaml").write_text(textwrap.dedent(tuning))
    return tmp_path / "rules"


def _outcome(rules: Path) -> tuple[list[str], list[bool]]:
    ruleset = load_rules([rules])
    return [e.format() for e in ruleset.errors], [r.passed for r in run_rule_tests(ruleset.rules)]


def test_without_a_workspace_tuning_file_the_rule_alerts(tmp_path: Path) -> None:
    errors, passed = _outcome(_workspace(tmp_path, None, expected=1))
    assert errors == [] and passed == [True]


def test_an_override_changes_the_threshold_and_the_rule_test_outcome(tmp_path: Path) -> None:
    rules = _workspace(tmp_path, """\
        rules:
          denied-burst:
            threshold: {count: 4}
            severity: High
        """, expected=1)
    rule = load_rules([rules]).get("denied-burst")
    assert rule.threshold.count == 4 and rule.threshold.window.total_seconds() == 300
    assert rule.severity == "high"
    errors, passed = _outcome(rules)
    assert errors == [] and passed == [False]  # three events no longer reach the tuned count


def test_an_override_can_disable_a_rule(tmp_path: Path) -> None:
    rules = _workspace(tmp_path, "rules:\n  denied-burst: {enabled: false}\n")
    ruleset = load_rules([rules])
    assert ruleset.errors == [] and ruleset.enabled() == []


def test_an_allowlisted_principal_is_excluded(tmp_path: Path) -> None:
    rules = _workspace(tmp_path, """\
        allowlists:
          trusted_automation_principals:
            - arn:aws:iam::111122223333:role/inventory-scanner
        """, expected=0)
    errors, passed = _outcome(rules)
    assert errors == [] and passed == [True]
    assert "'arn:aws:iam::111122223333:role/inventory-scanner'" in load_rules([rules]).get("denied-burst").query


def test_an_empty_allowlist_excludes_nothing(tmp_path: Path) -> None:
    rules = _workspace(tmp_path, "allowlists:\n  trusted_automation_principals: []\n", expected=1)
    errors, passed = _outcome(rules)
    assert errors == [] and passed == [True]
    assert "CAST(ARRAY[] AS ARRAY(VARCHAR))" in load_rules([rules]).get("denied-burst").query


@pytest.mark.parametrize("values, member, expected", [
    ((), "x", False),
    (("a", "b"), "b", True),
    (("it's", "o'clock"), "it's", True),
    (("' OR 1=1 --",), "anything", False),
], ids=["empty", "member", "quotes", "injection-stays-a-string"])
def test_bound_arrays_run_on_duckdb_and_parse_as_athena(values, member, expected) -> None:
    sql = f"SELECT contains({array_literal(values)}, '{member.replace(chr(39), chr(39) * 2)}') AS hit"
    tree = sqlglot.parse_one(sql, read="athena")  # valid Athena: one SELECT, the array typed
    assert tree.find(sqlglot.exp.Cast) is not None
    duck = sqlglot.transpile(sql, read="athena", write=MantissaDuckDB)[0]
    assert duckdb.sql(duck).fetchall() == [(expected,)]


def test_not_contains_on_an_empty_list_keeps_every_row() -> None:
    sql = (f"SELECT count(*) AS n FROM (VALUES ('a'), ('b'), (NULL)) AS t(x) "
           f"WHERE NOT contains({array_literal(())}, coalesce(x, ''))")
    duck = sqlglot.transpile(sql, read="athena", write=MantissaDuckDB)[0]
    assert duckdb.sql(duck).fetchall() == [(3,)]


def test_placeholders_are_found_by_token_not_inside_strings_or_comments() -> None:
    query = "SELECT a FROM t -- :not_me\nWHERE b = ':nor_me' AND NOT contains(:yes_me, a)"
    assert [(name, line) for name, _, _, line in query_placeholders(query)] == [("yes_me", 2)]


def test_bound_query_keeps_its_lines(tmp_path: Path) -> None:
    rules = _workspace(tmp_path, "allowlists:\n  trusted_automation_principals: [a, b]\n")
    rule = load_rules([rules]).get("denied-burst")
    assert len(rule.query.splitlines()) == 5 and "contains(CAST(ARRAY['a', 'b']" in rule.query


def test_unknown_rule_id_in_tuning_is_a_clear_error(tmp_path: Path) -> None:
    rules = _workspace(tmp_path, "rules:\n  denied-brust:\n    severity: low\n")
    ruleset = load_rules([rules])
    assert len(ruleset.rules) == 1  # the rule still loads, untuned
    [error] = ruleset.errors
    assert (error.path.name, error.line, error.rule_id, error.field) == ("tuning.yaml", 2, "denied-brust",
                                                                         "rules.denied-brust")
    assert "unknown rule 'denied-brust'" in error.message and "did you mean 'denied-burst'" in error.message


def test_unknown_allowlist_in_tuning_is_a_clear_error(tmp_path: Path) -> None:
    rules = _workspace(tmp_path, "allowlists:\n  trusted_automation_principal: [x]\n")
    [error] = load_rules([rules]).errors
    assert error.path.name == "tuning.yaml" and error.line == 2
    assert error.field == "allowlists.trusted_automation_principal"
    assert "did you mean 'trusted_automation_principals'" in error.message


def test_unknown_allowlist_in_a_rule_is_reported_by_lint_with_its_line(tmp_path: Path) -> None:
    rules = _workspace(tmp_path, None, rule=RULE.replace(":trusted_automation_principals",
                                                         ":trusted_automaton_principals"))
    ruleset = load_rules([rules])
    issues = [i for i in lint_rules(ruleset) if i.level == "error"]
    assert [(i.path.name, i.line, i.field) for i in issues] == [("denied-burst.yaml", 11, "query")]
    assert "unknown allowlist 'trusted_automaton_principals'" in issues[0].message
    assert "did you mean 'trusted_automation_principals'" in issues[0].message
    # Fails open: bound to an empty list, the rule still runs and alerts.
    assert [r.passed for r in run_rule_tests(ruleset.rules)] == [True]


def test_in_list_placeholder_is_rejected(tmp_path: Path) -> None:
    rule = RULE.replace("NOT contains(:trusted_automation_principals,\n                     coalesce(",
                        "coalesce(").replace("useridentity.arn, ''))", "useridentity.arn, '') NOT IN "
                                             "(:trusted_automation_principals)")
    errors = load_rules([_workspace(tmp_path, None, rule=rule)]).errors
    assert any("IN (:trusted_automation_principals)" in e.message and e.line == 11 for e in errors)


@pytest.mark.parametrize("tuning, field, words", [
    ("rules:\n  denied-burst:\n    threshold: {count: 0}\n", "rules.denied-burst.threshold.count",
     "positive integer"),
    ("rules:\n  denied-burst:\n    threshold: {window: 2h}\n", "rules.denied-burst.threshold.window",
     "longer than the rule's dedup period"),
    ("rules:\n  denied-burst:\n    severity: urgent\n", "rules.denied-burst.severity", "one of info"),
    ("rules:\n  denied-burst:\n    treshold: {count: 2}\n", "rules.denied-burst.treshold",
     "did you mean 'threshold'"),
    ("allowlists:\n  trusted_automation_principals: arn:aws:iam::1:role/x\n",
     "allowlists.trusted_automation_principals", "must be a list"),
    ("allowlists:\n  corporate_cidrs: [10.0.0.0/8, office]\n", "allowlists.corporate_cidrs[1]",
     "not a CIDR range"),
    ("rules: [oops\n", "", "not valid YAML"),
], ids=["count", "window-vs-dedup", "severity", "typo-key", "not-a-list", "bad-cidr", "bad-yaml"])
def test_tuning_mistakes_name_file_line_and_field_and_rules_still_load(tmp_path, tuning, field, words) -> None:
    ruleset = load_rules([_workspace(tmp_path, tuning)])
    assert len(ruleset.rules) == 1 and ruleset.rules[0].threshold.count == 3
    [error] = ruleset.errors
    assert error.path.name == "tuning.yaml" and error.line >= 1
    assert error.field == field and words in error.message


def test_workspace_tuning_overrides_the_bundled_pack(tmp_path: Path) -> None:
    """The workspace's list extends the bundled declaration; its override wins for a bundled rule."""
    from workbench.resources import bundled_dir

    rules = _workspace(tmp_path, """\
        allowlists:
          trusted_automation_principals: [arn:aws:iam::111122223333:role/inventory-scanner]
        rules:
          console-login-failure-burst: {threshold: {count: 20}}
        """, expected=0)
    ruleset = load_rules([rules, bundled_dir("rules")])
    assert [e.format() for e in ruleset.errors] == []
    assert ruleset.get("console-login-failure-burst").threshold.count == 20
    assert [r.passed for r in run_rule_tests([ruleset.get("denied-burst")])] == [True]
