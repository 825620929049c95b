"""Automation principals in the tuning file: declared by kind, validated as role/user ARNs, bound
into the rules that honour the kind (and into trusted_automation_principals), and usable in a rule
test's own `tuning:` so a pack can prove "the IaC role stays quiet" whatever a workspace declares."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from workbench.detect.ruletests import run_rule_tests
from workbench.rules import load_rules
from workbench.rules.automation import principal_problem

TERRAFORM = "arn:aws:iam::111122223333:role/terraform-deploy"

RULE = """\
id: admin-attached
title: Admin policy attached
description: AdministratorAccess attached to a role.
severity: high
tags: [attack.t1098]
runbook: Ask the owner.
query: |
  SELECT eventtime, eventid, recipientaccountid, useridentity.arn AS actor_arn
  FROM cloudtrail
  WHERE eventname = 'AttachRolePolicy'
    AND NOT contains(:iac_principals,
                     coalesce(useridentity.sessioncontext.sessionissuer.arn, useridentity.arn, ''))
alert:
  title: "{actor_arn} attached admin"
  fields: [actor_arn]
tests:
  - name: the pipeline's own change
@TUNING@
    events:
      - eventVersion: "1.09"
        userIdentity:
          type: AssumedRole
          principalId: "AROAEXAMPLETERRAFORM:1765000000000000000"
          arn: arn:aws:sts::111122223333:assumed-role/terraform-deploy/1765000000000000000
          accountId: "111122223333"
          accessKeyId: ASIAEXAMPLETERRAFORM
          sessionContext:
            sessionIssuer: {type: Role, principalId: AROAEXAMPLETERRAFORM, arn: "arn:aws:iam::111122223333:role/terraform-deploy", accountId: "111122223333", userName: terraform-deploy}
        eventTime: "2026-03-09T07:00:00Z"
        eventSource: iam.amazonaws.com
        eventName: AttachRolePolicy
        awsRegion: us-east-1
        sourceIPAddress: 198.51.100.7
        userAgent: APN/1.0 HashiCorp/1.0 Terraform/1.9.0
        requestParameters: {roleName: app-admin, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess"}
        responseElements: null
        eventID: 7c0d0000-0000-4000-8000-0000000000a1
        readOnly: false
        eventType: AwsApiCall
        managementEvent: true
        recipientAccountId: "111122223333"
        eventCategory: Management
    expect: {count: @EXPECTED@}
"""


def _workspace(tmp_path: Path, tuning: str | None, expected: int, test_tuning: str = "") -> Path:
    (tmp_path / "mantissa.yaml").write_text("engine: local\n")
    folder = tmp_path / "rules" / "aws" / "cloudtrail"
    folder.mkdir(parents=True)
    text = RULE.replace("@EXPECTED@", str(expected)).replace("@TUNING@\n", test_tuning)
    (folder / "admin-attached.yaml").write_text(text)
    if tuning is not None:
        (tmp_path / "rules" / "tuning.yaml").write_text(textwrap.dedent(tuning))
    return tmp_path / "rules"


def _outcome(rules: Path) -> tuple[list[str], list[str]]:
    ruleset = load_rules([rules])
    return [e.format() for e in ruleset.errors], [r.message for r in run_rule_tests(ruleset.rules) if not r.passed]


def test_an_undeclared_pipeline_alerts(tmp_path: Path) -> None:
    assert _outcome(_workspace(tmp_path, None, expected=1)) == ([], [])


def test_a_declared_iac_principal_is_skipped_by_the_rules_that_honour_iac(tmp_path: Path) -> None:
    rules = _workspace(tmp_path, f"automation:\n  iac: [{TERRAFORM}]\n", expected=0)
    assert _outcome(rules) == ([], [])


def test_a_scanner_is_not_an_iac_principal(tmp_path: Path) -> None:
    rules = _workspace(tmp_path, f"automation:\n  scanners: [{TERRAFORM}]\n", expected=1)
    assert _outcome(rules) == ([], [])


def test_every_kind_joins_the_burst_rules_allowlist(tmp_path: Path) -> None:
    from workbench.rules.automation import SHARED_LIST
    from workbench.rules.tuning import load_tuning, tuning_files

    rules = _workspace(tmp_path, f"""\
        allowlists:
          trusted_automation_principals: [arn:aws:iam::111122223333:role/backup]
        automation:
          iac: [{TERRAFORM}]
          scanners: [arn:aws:iam::111122223333:role/prowler]
        """, expected=0)
    tuning = load_tuning(tuning_files([rules]))
    assert tuning.issues == []
    assert set(tuning.allowlists[SHARED_LIST]) == {TERRAFORM, "arn:aws:iam::111122223333:role/prowler",
                                                   "arn:aws:iam::111122223333:role/backup"}
    assert tuning.allowlists["iac_principals"] == (TERRAFORM,)
    assert tuning.allowlists["scanner_principals"] == ("arn:aws:iam::111122223333:role/prowler",)


@pytest.mark.parametrize("tuning, field, words", [
    ("automation:\n  iac:\n    - arn:aws:sts::111122223333:assumed-role/terraform-deploy/run-1\n",
     "automation.iac[0]", "write the role: arn:aws:iam::111122223333:role/terraform-deploy"),
    ("automation:\n  iac: [terraform]\n", "automation.iac[0]", "not an IAM role or user ARN"),
    ("automation:\n  pipelines: [arn:aws:iam::111122223333:role/x]\n", "automation.pipelines",
     "unknown automation kind 'pipelines'"),
    ("automation:\n  iac: arn:aws:iam::111122223333:role/x\n", "automation.iac", "must be a list"),
    ("automation: [arn:aws:iam::111122223333:role/x]\n", "automation", "must map kinds"),
    ("allowlists:\n  iac_principals: [arn:aws:iam::111122223333:role/x]\n", "allowlists.iac_principals",
     "filled from `automation.iac`"),
], ids=["session-arn", "not-an-arn", "unknown-kind", "not-a-list", "not-a-mapping", "derived-list"])
def test_automation_mistakes_name_file_line_and_field_and_the_rule_still_alerts(
        tmp_path: Path, tuning: str, field: str, words: str) -> None:
    rules = _workspace(tmp_path, tuning, expected=1)
    errors = load_rules([rules]).errors
    [error] = errors
    assert error.path.name == "tuning.yaml" and error.line >= 1
    assert error.field == field and words in error.message, error.format()
    assert _outcome(rules)[1] == []  # the bad entry silenced nothing


def test_principal_problem_accepts_users_roles_with_paths_and_other_partitions() -> None:
    assert principal_problem("arn:aws:iam::111122223333:user/terraform") is None
    assert principal_problem("arn:aws:iam::111122223333:role/service-role/ci/deploy") is None
    assert principal_problem("arn:aws-us-gov:iam::111122223333:role/deploy") is None
    assert principal_problem("arn:aws:iam::111122223333:role/deploy*") is not None


def test_a_rule_test_can_declare_its_own_automation(tmp_path: Path) -> None:
    test_tuning = f"    tuning:\n      automation:\n        iac: [{TERRAFORM}]\n"
    rules = _workspace(tmp_path, None, expected=0, test_tuning=test_tuning)
    assert _outcome(rules) == ([], [])
    rule = load_rules([rules]).get("admin-attached")
    assert TERRAFORM not in rule.query  # the test's list binds for the test alone


def test_a_mistake_in_a_rule_tests_tuning_names_the_rule_file_and_line(tmp_path: Path) -> None:
    from workbench.rules import lint_rules

    test_tuning = "    tuning:\n      automation:\n        iac: [terraform]\n"
    rules = _workspace(tmp_path, None, expected=0, test_tuning=test_tuning)
    errors, failures = _outcome(rules)
    assert errors == []  # loading (every detection run) does not bind test tunings; lint and test do
    [issue] = [i for i in lint_rules(load_rules([rules])) if i.field.startswith("tests[")]
    assert issue.path.name == "admin-attached.yaml" and issue.line == 20
    assert issue.field == "tests[0].tuning.automation.iac[0]" and "not an IAM role or user ARN" in issue.message
    assert len(failures) == 1 and "the test's tuning" in failures[0]


def test_an_expected_title_must_match_an_alert(tmp_path: Path) -> None:
    rules = _workspace(tmp_path, None, expected=1)
    path = rules / "aws" / "cloudtrail" / "admin-attached.yaml"
    path.write_text(path.read_text().replace(
        "expect: {count: 1}", "expect: {count: 1, titles: [\"somebody else attached admin\"]}"))
    errors, failures = _outcome(rules)
    assert errors == [] and len(failures) == 1 and "no alert titled 'somebody else attached admin'" in failures[0]


def test_a_hostile_entry_in_a_rule_tests_tuning_stays_one_literal(tmp_path: Path) -> None:
    """An allowlist value written to break out of the array literal is bound as one string: it
    excludes nothing, the rule still alerts, and the query still parses."""
    import sqlglot
    from sqlglot import exp

    from workbench.rules.tuning import tuned_for_test

    hostile = "x'], ARRAY['') OR TRUE OR contains(ARRAY['"
    test_tuning = f"    tuning:\n      allowlists:\n        trusted_accounts: [\"{hostile}\"]\n"
    rules = _workspace(tmp_path, None, expected=1, test_tuning=test_tuning)
    path = rules / "aws" / "cloudtrail" / "admin-attached.yaml"
    path.write_text(path.read_text().replace(
        "    AND NOT contains(:iac_principals,",
        "    AND NOT contains(:trusted_accounts, recipientaccountid)\n    AND NOT contains(:iac_principals,"))
    ruleset = load_rules([rules])
    assert ruleset.errors == []
    rule, problems = tuned_for_test(ruleset.get("admin-attached"), 0)
    assert problems == []
    tree = sqlglot.parse_one(rule.query, read="athena")
    values = [item.this for array in tree.find_all(exp.Array) for item in array.expressions]
    assert values == [hostile]
    assert [r.passed for r in run_rule_tests(ruleset.rules)] == [True]
