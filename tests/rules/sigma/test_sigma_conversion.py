"""Sigma import edge cases: the SQL each construct becomes, Sigma's `not` over missing fields,
refusals with their reasons, the CLI, and the missing-pySigma message."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.rules.sigma.events import event
from tests.rules.sigma.test_sigma_import import alerted_ids, run
from workbench.cli import app
from workbench.rules import load_rules
from workbench.rules.sigma import INSTALL_HINT, SigmaUnavailable, convert_sigma, import_sigma

HEADER = """\
title: {title}
id: 0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0
status: experimental
description: test rule
tags: [attack.t1078]
logsource:
    product: aws
    service: cloudtrail
level: low
"""


def sigma(tmp_path: Path, detection: str, title: str = "Case", extra: str = "") -> Path:
    path = tmp_path / f"{title.replace(' ', '_')}.yml"
    path.write_text(HEADER.format(title=title) + "detection:\n" + textwrap.indent(textwrap.dedent(detection).rstrip() + "\n", "    ")
                    + extra)
    return path


def where(tmp_path: Path, detection: str) -> str:
    [outcome] = convert_sigma([sigma(tmp_path, detection)])
    assert outcome.status == "converted", outcome.reason
    return outcome.rule["query"].split("WHERE ", 1)[1].strip()


SQL_CASES = [
    ("plain", "sel:\n  eventName: StopLogging\ncondition: sel", "lower(eventname) = 'stoplogging'"),
    ("cased", "sel:\n  eventName|cased: StopLogging\ncondition: sel", "eventname = 'StopLogging'"),
    ("list is IN", "sel:\n  eventName: [A, B]\ncondition: sel", "lower(eventname) IN ('a', 'b')"),
    ("contains", "sel:\n  userAgent|contains: 'Boto3'\ncondition: sel", "lower(useragent) LIKE '%boto3%'"),
    ("like escapes", "sel:\n  userAgent|startswith: 'a_b%'\ncondition: sel",
     "lower(useragent) LIKE 'a\\_b\\%%' ESCAPE '\\'"),
    ("quote", "sel:\n  errorMessage: \"it's\"\ncondition: sel", "lower(errormessage) = 'it''s'"),
    ("escaped star", "sel:\n  requestParameters.principal: '\\*'\ncondition: sel",
     "lower(json_extract_scalar(requestparameters, '$.principal')) = '*'"),
    ("json key with dash", "sel:\n  requestParameters.x-amz-acl|contains: public\ncondition: sel",
     "lower(json_extract_scalar(requestparameters, '$[\"x-amz-acl\"]')) LIKE '%public%'"),
    ("nested struct", "sel:\n  userIdentity.sessionContext.sessionIssuer.userName: Admin\ncondition: sel",
     "lower(useridentity.sessioncontext.sessionissuer.username) = 'admin'"),
    ("re with flag", "sel:\n  eventName|re|i: '^get'\ncondition: sel", "regexp_like(eventname, '(?i)^get')"),
    ("cidr", "sel:\n  sourceIPAddress|cidr: 10.0.0.0/8\ncondition: sel",
     "contains('10.0.0.0/8', TRY_CAST(sourceipaddress AS IPADDRESS))"),
    ("exists", "sel:\n  errorCode|exists: false\ncondition: sel", "errorcode IS NULL"),
    ("null", "sel:\n  errorCode: null\ncondition: sel", "errorcode IS NULL"),
    ("number as text", "sel:\n  additionalEventData.bytesTransferredOut: 0\ncondition: sel",
     "json_extract_scalar(additionaleventdata, '$.bytesTransferredOut') = '0'"),
    ("compare", "sel:\n  additionalEventData.bytesTransferredOut|gt: 1000\ncondition: sel",
     "TRY_CAST(json_extract_scalar(additionaleventdata, '$.bytesTransferredOut') AS DOUBLE) > 1000"),
    ("not", "sel:\n  eventName: A\nf:\n  errorCode: X\ncondition: sel and not f",
     "lower(eventname) = 'a'\n  AND NOT coalesce(lower(errorcode) = 'x', false)"),
]


@pytest.mark.parametrize(("detection", "sql"), [c[1:] for c in SQL_CASES], ids=[c[0] for c in SQL_CASES])
def test_construct_becomes_this_sql(tmp_path: Path, detection: str, sql: str) -> None:
    assert where(tmp_path, detection) == sql


def test_not_over_a_missing_field_matches_as_sigma_says(tmp_path: Path) -> None:
    # SQL's NULL would make `not filter` drop every event without errorCode; Sigma keeps them.
    path = sigma(tmp_path, """\
        sel:
            eventSource: iam.amazonaws.com
            eventName: CreateAccessKey
        filter:
            errorCode: AccessDenied
        condition: sel and not filter
        """)
    import_sigma([path], tmp_path / "out")
    [rule] = load_rules([tmp_path / "out"]).rules
    ok = event("iam.amazonaws.com", "CreateAccessKey", request={"userName": "bob"})
    denied = event("iam.amazonaws.com", "CreateAccessKey", error="AccessDenied", request={"userName": "bob"})
    throttled = event("iam.amazonaws.com", "CreateAccessKey", error="ThrottlingException")
    alerts = run(rule, [ok, denied, throttled], tmp_path / "ws")
    assert alerted_ids(alerts) == {ok["eventID"], throttled["eventID"]}


REFUSALS = [
    ("array field", "sel:\n  resources.ARN|contains: bucket\ncondition: sel", "is a list in our table"),
    ("unknown field", "sel:\n  eventNmae: X\ncondition: sel", "did you mean 'eventname'?"),
    ("unknown struct field", "sel:\n  userIdentity.userNme: X\ncondition: sel",
     "did you mean 'useridentity.username'?"),
    ("object field", "sel:\n  userIdentity.sessionContext: X\ncondition: sel", "is an object; name one"),
    ("keyword", "keywords:\n  - evil\ncondition: keywords", "keyword search for 'evil'"),
]


@pytest.mark.parametrize(("detection", "reason"), [c[1:] for c in REFUSALS], ids=[c[0] for c in REFUSALS])
def test_unconvertible_rule_is_skipped_with_the_reason(tmp_path: Path, detection: str, reason: str) -> None:
    [outcome] = convert_sigma([sigma(tmp_path, detection)])
    assert outcome.status == "skipped"
    assert reason in outcome.reason


CORRELATION = """\
---
title: Correlated
id: 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d
correlation:
    type: {type}
    rules: [base_rule]
    group-by: [userIdentity.arn]
    timespan: {timespan}
    condition: {condition}
"""


@pytest.mark.parametrize(("kind", "timespan", "condition", "reason"), [
    ("temporal", "5m", "{gte: 2}", "correlation type temporal is not supported"),
    ("event_count", "5m", "{lt: 2}", "'lt' is not supported"),
    ("event_count", "2d", "{gte: 2}", "longer than 24h"),
], ids=["temporal", "less-than", "too-long"])
def test_unsupported_correlations_are_skipped(tmp_path: Path, kind: str, timespan: str, condition: str,
                                              reason: str) -> None:
    path = sigma(tmp_path, "sel:\n  eventName: A\ncondition: sel", extra="name: base_rule\n" + CORRELATION.format(
        type=kind, timespan=timespan, condition=condition))
    outcomes = {o.title: o for o in convert_sigma([path])}
    assert outcomes["Correlated"].status == "skipped"
    assert reason in outcomes["Correlated"].reason


def test_long_correlation_window_raises_the_dedup_period(tmp_path: Path) -> None:
    path = sigma(tmp_path, "sel:\n  eventName: A\ncondition: sel", extra="name: base_rule\n" + CORRELATION.format(
        type="event_count", timespan="2h", condition="{gt: 4}"))
    import_sigma([path], tmp_path / "out")
    [rule] = load_rules([tmp_path / "out"]).rules
    assert rule.threshold is not None and rule.threshold.count == 5
    assert rule.effective_dedup.period >= rule.threshold.window


def test_cli_prints_one_line_per_rule_and_fails_only_when_nothing_converts(tmp_path: Path) -> None:
    fixtures = Path(__file__).parent / "fixtures"
    result = CliRunner().invoke(app, ["rules", "import-sigma", str(fixtures), "--out", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert sum(line.startswith("converted ") for line in lines) == 10
    assert any(line.startswith("skipped ") and "windows_whoami.yml" in line and "not AWS CloudTrail" in line
               for line in lines)
    assert lines[-1] == "10 converted, 2 skipped"
    only_windows = CliRunner().invoke(app, ["rules", "import-sigma", str(fixtures / "windows_whoami.yml"),
                                            "--out", str(tmp_path / "b")])
    assert only_windows.exit_code == 1
    assert "0 converted, 1 skipped" in only_windows.output
    assert not (tmp_path / "b").exists()


def test_missing_pysigma_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sigma.conversion.base", None)  # what an absent package raises
    with pytest.raises(SigmaUnavailable, match=INSTALL_HINT.replace("[", r"\[").replace("]", r"\]")):
        convert_sigma([])
