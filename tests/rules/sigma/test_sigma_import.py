"""Sigma import: rules written to the Sigma specification are converted, load and lint clean, and
alert on exactly the right events when run through the real runner on a throwaway lake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.rules.sigma.events import ASSUMED_ROLE, IAM_USER, ROOT, console_login, event, identity
from workbench.alerts import get_store
from workbench.config import Settings
from workbench.detect import run_detections
from workbench.engines import get_engine
from workbench.lake import write_records
from workbench.rules import Rule, lint_rules, load_rules
from workbench.rules.sigma import import_sigma

FIXTURES = Path(__file__).parent / "fixtures"
T0 = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("sigma-out")
    outcomes = import_sigma([FIXTURES], out)
    ruleset = load_rules([out])
    return {"out": out, "outcomes": outcomes, "ruleset": ruleset,
            "by_file": {o.source.name: o for o in outcomes if o.status == "converted"}}


def _rule(imported: dict[str, Any], fixture: str) -> Rule:
    outcome = imported["by_file"][fixture]
    return imported["ruleset"].get(outcome.rule["id"])


def run(rule: Rule, events: list[dict[str, Any]], workspace: Path) -> list[Any]:
    """The alerts `rule` raises over `events`, through the real runner on the local engine."""
    settings = Settings(workspace=workspace)
    summary = write_records("cloudtrail", events, settings.lake)
    assert summary.total_quarantined == 0, summary.quarantined
    times = [datetime.fromisoformat(e["eventTime"].replace("Z", "+00:00")) for e in events]
    start, end = min(times) - timedelta(hours=1), max(times) + timedelta(hours=1)
    with get_engine("local", settings) as engine, get_store(settings, backend="sqlite") as store:
        record = run_detections([rule], start, end, engine, store, lookback=timedelta(0))
        assert not record.failed, record.failed[0].error
        return store.list(rule_id=rule.id, limit=1000)


def alerted_ids(alerts: list[Any]) -> set[str]:
    return {row["eventid"] for a in alerts for row in a.evidence.rows}


def test_outcomes_convert_aws_rules_and_skip_the_rest_with_reasons(imported: dict[str, Any]) -> None:
    by_status: dict[str, list[str]] = {}
    for o in imported["outcomes"]:
        by_status.setdefault(o.status, []).append(o.source.name)
    assert len(by_status["converted"]) == 10
    assert sorted(by_status["included"]) == ["aws_access_denied_many_apis.yml",
                                             "aws_console_login_failure_burst.yml"]
    skipped = {o.source.name: o.reason for o in imported["outcomes"] if o.status == "skipped"}
    assert set(skipped) == {"windows_whoami.yml", "aws_keyword_search.yml"}
    assert "product=windows" in skipped["windows_whoami.yml"]
    assert "product: aws and service: cloudtrail" in skipped["windows_whoami.yml"]
    assert "keyword search for 'pacu'" in skipped["aws_keyword_search.yml"]
    written = sorted(p.name for p in imported["out"].iterdir())
    assert written == sorted(f"{o.rule['id']}.yaml" for o in imported["outcomes"] if o.status == "converted")


def test_converted_rules_load_and_lint_without_errors(imported: dict[str, Any]) -> None:
    ruleset = imported["ruleset"]
    assert ruleset.errors == []
    assert len(ruleset) == 10
    issues = lint_rules(ruleset)
    assert [i.format() for i in issues if i.level == "error"] == []
    # Sigma rules carry no tests, and the importer invents none: lint says so, as a warning.
    assert {i.field for i in issues} == {"tests"}
    for rule in ruleset:
        assert rule.tests == ()
        assert rule.table == "cloudtrail"
        assert any(t.startswith("attack.t") for t in rule.tags)


def test_rule_fields_follow_the_sigma_rule(imported: dict[str, Any]) -> None:
    rule = _rule(imported, "aws_cloudtrail_logging_stopped.yml")
    assert rule.id == "sigma-aws-cloudtrail-logging-stopped-or-trail-deleted"
    assert rule.severity == "medium"
    assert rule.tags == ("attack.defense-evasion", "attack.t1562.008")
    assert "4db60cc0-36fb-42b7-9b58-a5b53019fb74" in rule.description
    assert "A trail being retired" in rule.runbook
    assert rule.threshold is None
    info = _rule(imported, "aws_access_denied_many_apis.yml")
    assert info.threshold is not None and info.threshold.distinct == "eventname"


CASES: list[tuple[str, list[dict[str, Any]], list[dict[str, Any]]]] = [
    ("aws_cloudtrail_logging_stopped.yml",
     [event("cloudtrail.amazonaws.com", "StopLogging", request={"name": "org-trail"}),
      event("cloudtrail.amazonaws.com", "DeleteTrail", request={"name": "org-trail"})],
     [event("cloudtrail.amazonaws.com", "StartLogging", request={"name": "org-trail"}),
      event("cloudtrail.amazonaws.com", "DescribeTrails", request={}),
      event("s3.amazonaws.com", "StopLogging")]),
    ("aws_s3_bucket_acl_public.yml",
     [event("s3.amazonaws.com", "PutBucketAcl", request={
         "bucketName": "acme-invoices", "AccessControlPolicy": {"AccessControlList": {"Grant": [
             {"Grantee": {"xsi:type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
              "Permission": "READ"}]}}})],
     [event("s3.amazonaws.com", "PutBucketAcl", request={
         "bucketName": "acme-logs", "AccessControlPolicy": {"AccessControlList": {"Grant": [
             {"Grantee": {"xsi:type": "Group", "URI": "http://acs.amazonaws.com/groups/s3/LogDelivery"},
              "Permission": "WRITE"}]}}}),
      event("s3.amazonaws.com", "GetBucketAcl", request={"bucketName": "acme-invoices"})]),
    ("aws_iam_user_created_by_root.yml",
     [event("iam.amazonaws.com", "CreateUser", who=ROOT, request={"userName": "backup-admin"})],
     [event("iam.amazonaws.com", "CreateUser", who=IAM_USER, request={"userName": "svc-report"}),
      event("iam.amazonaws.com", "DeleteUser", who=ROOT, request={"userName": "old"})]),
    ("aws_console_login_outside_corporate.yml",
     [console_login("Success", ip="203.0.113.9")],
     [console_login("Success", ip="10.20.30.40"), console_login("Success", ip="198.51.100.23"),
      console_login("Failure", ip="203.0.113.9")]),
    ("aws_iam_admin_policy_attached.yml",
     [event("iam.amazonaws.com", "AttachUserPolicy",
            request={"userName": "eve", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
      event("iam.amazonaws.com", "AttachRolePolicy",
            request={"roleName": "ops", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})],
     [event("iam.amazonaws.com", "AttachUserPolicy",
            request={"userName": "eve", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
      event("iam.amazonaws.com", "DetachUserPolicy",
            request={"userName": "eve", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})]),
    ("aws_ec2_gpu_instance_launched.yml",
     [event("ec2.amazonaws.com", "RunInstances", request={"instanceType": "p4d.24xlarge", "minCount": 4}),
      event("ec2.amazonaws.com", "RunInstances", request={"instanceType": "g5.xlarge"})],
     [event("ec2.amazonaws.com", "RunInstances", request={"instanceType": "t3.micro"}),
      event("ec2.amazonaws.com", "RunInstances", request={"instanceType": "P4D.24XLARGE"})]),
    ("aws_secretsmanager_denied.yml",
     [event("secretsmanager.amazonaws.com", "GetSecretValue", error="AccessDenied",
            request={"secretId": "prod/db"})],
     [event("secretsmanager.amazonaws.com", "GetSecretValue", request={"secretId": "prod/db"}),
      event("secretsmanager.amazonaws.com", "ListSecrets", error="AccessDenied")]),
    ("aws_iam_inline_policy_passrole_lambda.yml",
     [event("iam.amazonaws.com", "PutUserPolicy", request={
         "userName": "eve", "policyName": "deploy",
         "policyDocument": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":'
                           '["iam:PassRole","lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}]}'})],
     [event("iam.amazonaws.com", "PutUserPolicy", request={
         "userName": "eve", "policyName": "pass",
         "policyDocument": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":'
                           '"iam:PassRole","Resource":"*"}]}'})]),
]


@pytest.mark.parametrize(("fixture", "positives", "negatives"), CASES, ids=[c[0].removesuffix(".yml")
                                                                            for c in CASES])
def test_converted_rule_alerts_on_exactly_the_matching_events(
        imported: dict[str, Any], tmp_path: Path, fixture: str,
        positives: list[dict[str, Any]], negatives: list[dict[str, Any]]) -> None:
    rule = _rule(imported, fixture)
    alerts = run(rule, positives + negatives, tmp_path)
    assert alerted_ids(alerts) == {e["eventID"] for e in positives}


def test_regex_is_case_sensitive_as_sigma_says(imported: dict[str, Any]) -> None:
    # Strings compare case-insensitively, regular expressions do not (without |i).
    query = _rule(imported, "aws_ec2_gpu_instance_launched.yml").query
    assert "regexp_like(json_extract_scalar(requestparameters, '$.instanceType'), '^(p[345]" in query
    assert "lower(eventname) = 'runinstances'" in query


def test_event_count_correlation_becomes_a_threshold(imported: dict[str, Any], tmp_path: Path) -> None:
    rule = _rule(imported, "aws_console_login_failure_burst.yml")
    assert rule.threshold is not None
    assert (rule.threshold.count, rule.threshold.window, rule.threshold.group_by) == (
        10, timedelta(minutes=5), ("useridentity_username",))
    alice = {k: v for k, v in identity("alice").items() if k != "arn"}
    burst = [console_login("Failure", at=T0 + timedelta(seconds=20 * i)) for i in range(10)]
    spread = [console_login("Failure", who=alice, at=T0 + timedelta(minutes=2 * i)) for i in range(10)]
    successes = [console_login("Success", at=T0 + timedelta(seconds=20 * i + 5)) for i in range(3)]
    alerts = run(rule, burst + spread + successes, tmp_path)
    assert [a.group_keys for a in alerts] == [{"useridentity_username": "dave"}]
    assert alerts[0].count == 10


def test_value_count_correlation_counts_distinct_api_calls(imported: dict[str, Any], tmp_path: Path) -> None:
    rule = _rule(imported, "aws_access_denied_many_apis.yml")
    assert rule.threshold is not None
    assert (rule.threshold.count, rule.threshold.window, rule.threshold.distinct) == (
        5, timedelta(minutes=10), "eventname")
    names = ["ListUsers", "ListRoles", "DescribeInstances", "GetAccountAuthorizationDetails", "ListBuckets"]
    recon = [event("iam.amazonaws.com", n, who=ASSUMED_ROLE, error="AccessDenied",
                   at=T0 + timedelta(seconds=30 * i)) for i, n in enumerate(names)]
    # The same denied call twenty times is one distinct value, not five.
    repeat = [event("iam.amazonaws.com", "ListUsers", error="AccessDenied", at=T0 + timedelta(seconds=10 * i))
              for i in range(20)]
    allowed = [event("iam.amazonaws.com", n, at=T0 + timedelta(seconds=7 * i)) for i, n in enumerate(names)]
    alerts = run(rule, recon + repeat + allowed, tmp_path)
    assert [a.group_keys for a in alerts] == [{"useridentity_arn": ASSUMED_ROLE["arn"]}]
    assert alerted_ids(alerts) == {e["eventID"] for e in recon}
