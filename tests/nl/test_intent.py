"""The typed intent and its compiler; silent-drop guards; refusals — the offline translator's contract.

A question that names a value (IP, user, port, event…) either gets SQL whose WHERE filters on that
value or is refused; a modifier (top N, per hour, how often, first time) either shapes the SQL or
the question is refused. Never an answer that ignores part of the question.
"""

from __future__ import annotations

import itertools
import random

import pytest
import sqlglot
from sqlglot import exp

from workbench.nl import TranslationError
from workbench.nl.check import filter_literals, missing_entities, question_entities
from workbench.nl.intent import Dimension, Filter, Intent, Measure, Order, compile_intent, eq, like, one_of
from workbench.nl.offline.translator import read_intent, translate
from workbench.sqlguard import guard

from .conftest import DEMO_NOW, DEMO_WINDOW


def _tree(sql: str) -> exp.Select:
    tree = sqlglot.parse_one(sql, read="athena")
    assert isinstance(tree, exp.Select)
    return tree


# ---- the intent and its compiler ----------------------------------------------------------------

def test_compiler_builds_every_piece_of_the_intent() -> None:
    intent = Intent(
        table="cloudtrail",
        filters=[Filter(eq("useridentity.username", "dave.kowalski"), "dave.kowalski", "by user", ("dave.kowalski",)),
                 Filter(one_of("eventname", ["GetSecretValue"]), "GetSecretValue", "calls")],
        group_by=[Dimension("json_extract_scalar(requestparameters, '$.secretId')", "secret", "secret", "per secret")],
        measures=[Measure("count", "events", "number of events", words="count")],
        order=[Order("events", descending=True)], limit=5, limit_words="top 5")
    tree = _tree(compile_intent(intent))
    assert [t.name for t in tree.find_all(exp.Table)] == ["cloudtrail"]
    assert {lit.this for lit in filter_literals(tree.sql("athena"))} >= {"dave.kowalski", "GetSecretValue"}
    assert tree.args["group"].expressions[0].sql("athena") == "JSON_EXTRACT_SCALAR(requestparameters, '$.secretId')"
    assert isinstance(tree.expressions[-1].this, exp.Count)
    assert tree.args["limit"].expression.this == "5"
    assert tree.args["order"].expressions[0].args["desc"] is True


def test_values_are_literals_never_spliced() -> None:
    hostile = "x' OR '1'='1"
    sql = compile_intent(Intent(table="cloudtrail", filters=[Filter(eq("useridentity.username", hostile), hostile, "")],
                                measures=[Measure("count", "events", "")]))
    where = _tree(sql).args["where"].this
    assert isinstance(where, exp.EQ) and where.expression.this == hostile  # one comparison, one literal
    assert guard(sql, DEMO_WINDOW).sql


def test_bare_keyword_columns_compile() -> None:
    # `start` alone parses as START TRANSACTION; the compiler must still read it as vpc_flow.start
    intent = Intent(table="vpc_flow", measures=[Measure("min", "first_seen", "", "start")],
                    filters=[Filter(like("srcaddr", "10.%"), "10.0.0.0/8", "")])
    assert "MIN(start)" in compile_intent(intent)


def test_intent_lines_tie_each_filter_to_its_words() -> None:
    intent = read_intent("top 5 source IPs with failed calls by svc-reporting in the last 6 hours", DEMO_NOW)
    lines = "\n".join(intent.lines())
    assert "table: cloudtrail" in lines and "limit: 5" in lines and "window:" in lines
    assert "svc-reporting" in lines and "group by: source IP" in lines


@pytest.mark.parametrize(
    ("question", "check"),
    [
        ("who attached the AdministratorAccess policy, and to which user?",
         # the distinct grantors with their grantees (tests/nl/README.md: "who … and to which user")
         lambda t: "AdministratorAccess" in t.sql() and "userName" in t.sql() and t.args.get("distinct")
         and t.expressions[0].alias_or_name == "principal"),
        ("were any VPC flow logs deleted?",
         lambda t: t.find(exp.Table).name == "cloudtrail" and "DeleteFlowLogs" in t.sql()),
        ("top 5 API calls that fail most often",
         lambda t: t.args["limit"].expression.this == "5" and "errorcode" in t.args["where"].sql()),
        ("GetSecretValue count per secret", lambda t: "secretId" in t.args["group"].sql()),
        ("which AWS services did 192.0.2.238 talk to?",
         lambda t: t.args.get("distinct") and t.expressions[0].sql() == "eventsource"),
        ("which addresses did dave.kowalski use?",
         lambda t: "dave.kowalski" in t.args["where"].sql() and t.expressions[0].sql() == "sourceipaddress"),
        ("how often did heidi.smith log in per hour",
         lambda t: "SUBSTR(eventtime, 1, 13)" in t.args["group"].sql("athena") and "heidi.smith" in t.args["where"].sql()),
        ("the first time 192.0.2.88 appeared", lambda t: isinstance(t.expressions[0].this, exp.Min)),
        ("root account activity", lambda t: "'Root'" in t.args["where"].sql()),
        ("privilege escalation attempts",
         lambda t: "AttachUserPolicy" in t.sql() and "eventsource" not in t.args["where"].sql()),
        ("was the trail stopped or deleted?",
         lambda t: set(re_literals(t)) == {"StopLogging", "DeleteTrail"}),
        ("count of findings by severity and type", lambda t: len(t.args["group"].expressions) == 2),
        ("the 10 most recent events from 192.0.2.238",
         lambda t: t.args["limit"].expression.this == "10" and t.args["order"].expressions[0].args["desc"]),
    ],
    ids=["policy-attach", "flowlogs-deleted", "top-failing", "per-secret", "services-of-ip", "user-addresses",
         "per-hour", "first-time", "root", "privesc", "trail-stopped", "two-groups", "most-recent"],
)
def test_the_issue_examples_translate_to_what_was_asked(question: str, check) -> None:
    sql, _, _ = translate(question, DEMO_NOW)
    assert check(_tree(sql)), sql


def re_literals(tree: exp.Expression) -> list[str]:
    return [lit.this for lit in tree.args["where"].find_all(exp.Literal)]


# ---- silent-drop guards: a named value is filtered on, or the question is refused ----------------

ENTITIES = {
    "ip": ["192.0.2.238", "203.0.113.171", "10.1.2.3"],
    "user": ["dave.kowalski", "svc-reporting", "terraform-runner-aed5"],
    "event": ["GetSecretValue", "CreateAccessKey", "StopLogging"],
    "key": ["AKIAI43QP3EFNXRR7C6A"],
    "arn": ["arn:aws:iam::776471095852:user/lena.garcia"],
    "port": ["22", "3389", "5432"],
    "role": ["billing-lambda"],
}
TEMPLATES = [
    "which addresses did {v} use", "what did {v} do", "how many calls did {v} make", "count events per hour for {v}",
    "top 5 services used by {v}", "first time {v} was seen", "when did {v} last do anything",
    "which users did {v} talk to", "show failed calls by {v} yesterday", "{v} activity by region",
    "how often was {v} seen per day", "list the event names for {v}", "which ports did {v} connect to",
    "rejected traffic involving {v}", "how many bytes did {v} send", "did {v} touch any secrets",
    "who is {v}", "anything unusual about {v}?", "{v} privilege escalation", "GuardDuty findings about {v}",
    "console logins by {v} without MFA", "what regions has {v} been active in", "top talkers to {v}",
    "calls made with {v} in the past 3 days", "most common error for {v}", "{v}",
]


def _phrasings(n: int = 400) -> list[tuple[str, str]]:
    pairs = [(t.format(v=(f"port {v}" if kind == "port" else f"role {v}" if kind == "role" else v)), v)
             for t, (kind, values) in itertools.product(TEMPLATES, ENTITIES.items()) for v in values]
    return random.Random(25).sample(pairs, min(n, len(pairs)))


@pytest.mark.parametrize(("question", "value"), _phrasings(), ids=lambda x: str(x)[:50])
def test_a_named_value_is_filtered_on_or_the_question_refused(question: str, value: str) -> None:
    try:
        sql, _, _ = translate(question, DEMO_NOW)
    except TranslationError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 600  # one line, with what to do next
        return
    assert not missing_entities(sql, [value]), f"{question!r} dropped {value!r}:\n{sql}"
    guard(sql, DEMO_WINDOW)


def test_the_guard_is_not_met_by_refusing_everything() -> None:
    answered = 0
    for question, _ in _phrasings():
        try:
            translate(question, DEMO_NOW)
            answered += 1
        except TranslationError:
            pass
    assert answered >= 0.7 * len(_phrasings())  # 325 of 390 when written


@pytest.mark.parametrize(
    ("question", "must"),
    [
        ("top 3 source IPs", lambda t: t.args["limit"].expression.this == "3"),
        ("which 4 users made the most calls", lambda t: t.args["limit"].expression.this == "4"),
        ("how often did svc-reporting call RunInstances", lambda t: isinstance(t.expressions[0].this, exp.Count)),
        ("RunInstances calls per hour", lambda t: "13" in t.args["group"].sql()),
        ("denied calls by day", lambda t: "10" in t.args["group"].sql()),
        ("AccessDenied errors for each source", lambda t: t.args["group"].expressions[0].sql() == "sourceipaddress"),
        ("when did 192.0.2.238 first show up", lambda t: isinstance(t.expressions[0].this, exp.Min)),
        ("latest ConsoleLogin from 192.0.2.88", lambda t: isinstance(t.expressions[0].this, exp.Max)),
        ("how many distinct IPs called GetSecretValue", lambda t: t.expressions[0].find(exp.Distinct) is not None),
    ],
    ids=["top-n", "which-n", "how-often", "per-hour", "by-day", "for-each-source", "first", "latest", "distinct"],
)
def test_modifiers_are_kept(question: str, must) -> None:
    sql, _, _ = translate(question, DEMO_NOW)
    assert must(_tree(sql)), sql


def test_question_entities_for_the_model_check() -> None:
    found = question_entities("did dave.kowalski call CreateAccessKey from 192.0.2.238 on port 22 with AKIAI43QP3EFNXRR7C6A")
    assert set(found) == {"dave.kowalski", "CreateAccessKey", "192.0.2.238", "22", "AKIAI43QP3EFNXRR7C6A"}


def test_a_value_outside_where_does_not_count() -> None:
    sql = "SELECT 'dave.kowalski' AS who, sourceipaddress FROM cloudtrail WHERE eventname = 'ConsoleLogin'"
    assert missing_entities(sql, ["dave.kowalski", "ConsoleLogin"]) == ["dave.kowalski"]
    having = "SELECT srcaddr, count(*) FROM vpc_flow GROUP BY srcaddr HAVING srcaddr = '10.0.0.1'"
    assert missing_entities(having, ["10.0.0.1"]) == []
    assert missing_entities("SELECT * FROM vpc_flow WHERE dstport = 2222", ["22"]) == ["22"]


# ---- refusals ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "question",
    ["block this IP in all our security groups", "block 192.0.2.238", "please disable dave.kowalski's access keys",
     "revoke the sessions of lena.garcia", "quarantine i-9bb7939b0bfe31f31", "delete the access key AKIAI43QP3EFNXRR7C6A",
     "can you isolate that instance", "rotate all credentials for svc-reporting", "turn off logging in the dev account"],
)
def test_requests_to_act_point_at_respond(question: str) -> None:
    with pytest.raises(TranslationError, match=r"request to act.*workbench\.respond"):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(
    ("question", "source"),
    [("what DNS queries did 10.0.0.5 make", "Route 53 Resolver"),
     ("which URLs did 192.0.2.238 hit on the load balancer", "ALB/CloudFront/WAF"),
     ("what processes ran on i-9bb7939b0bfe31f31", "EDR"),
     ("show the packet payloads to 203.0.113.171", "Traffic Mirroring"),
     ("which security groups are currently open to 0.0.0.0/0", "AWS Config"),
     ("what was the secret value returned to billing-lambda", "never logged"),
     ("which emails did dave.kowalski receive", "audit logs"),
     ("which domains did 10.0.1.5 look up", "Route 53 Resolver"),
     ("what's the CPU usage of i-9bb7939b0bfe31f31", "CloudWatch metrics"),
     ("which users have admin rights", "IAM state"),
     ("is 192.0.2.238 malicious", "threat intelligence"),
     ("what files did lena.garcia download from S3", "GetObject"),
     ("which ports are open on the web servers", "AWS Config")],
    ids=["dns", "urls", "processes", "payload", "current-config", "secret-value", "email", "domains", "cpu",
         "permissions-now", "reputation", "s3-files", "open-ports"],
)
def test_data_the_tables_do_not_hold_names_the_source(question: str, source: str) -> None:
    with pytest.raises(TranslationError, match="data these tables do not hold") as info:
        translate(question, DEMO_NOW)
    assert source in str(info.value)


@pytest.mark.parametrize(
    ("question", "reason"),
    [("which ports did dave.kowalski connect to", "one log source at a time"),
     ("count events per colour", "cannot group cloudtrail by 'colour'"),
     ("what did FrobnicateWidgets do", "cannot place 'FrobnicateWidgets'"),
     ("who sent the most bytes to port 22", "'who' cannot be answered from vpc_flow"),
     ("rejected flows from dave.kowalski", "cannot filter VPC flow logs on the user"),
     ("top results please", "top what?"),
     ("top 3 source IPs per hour", "a top N over hour and source IP is ambiguous")],
    ids=["ports-of-user", "unknown-group", "unknown-name", "who-in-flows", "user-in-flows", "top-what", "top-per"],
)
def test_what_cannot_be_placed_is_refused_with_a_reason(question: str, reason: str) -> None:
    with pytest.raises(TranslationError, match=re_escape(reason)):
        translate(question, DEMO_NOW)


def re_escape(text: str) -> str:
    import re

    return re.escape(text)


# ---- spelling, clock times, and other things an analyst types ---------------------------------------

@pytest.mark.parametrize(
    ("question", "expect"),
    [("faild consle logins yestreday", ["ConsoleLogin", "Failure"]),
     ("privlege escalaton attempts", ["AttachUserPolicy"]),
     ("rejectd trafic to port 22", ["REJECT", "22"])],
)
def test_close_misspellings_of_the_vocabulary_are_read(question: str, expect: list[str]) -> None:
    sql, _, _ = translate(question, DEMO_NOW)
    assert all(e in sql for e in expect), sql


def test_names_are_never_spell_corrected() -> None:
    sql, _, _ = translate("what did user stoped do", DEMO_NOW)  # a user called 'stoped', not 'stopped'
    assert "'stoped'" in sql and "StopLogging" not in sql


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [("events between 15:00 and 16:00 yesterday", "2026-11-19T15:00:00Z", "2026-11-19T16:00:00Z"),
     ("failed logins between 3pm and 4pm on Nov 19", "2026-11-19T15:00:00Z", "2026-11-19T16:00:00Z"),
     ("calls from 192.0.2.238 on November 18th", "2026-11-18T00:00:00Z", "2026-11-19T00:00:00Z")],
)
def test_clock_times_narrow_the_day(question: str, start: str, end: str) -> None:
    from workbench.timewindow import Window

    _, _, window = translate(question, DEMO_NOW)
    assert window == Window.between(start, end)


@pytest.mark.parametrize(
    ("question", "reason"),
    [("events between 15:00 and 16:00", "needs a day"),
     ("what happened at 2026-11-19T15:28", "cannot place the time"),
     ("calls from 192.0.2.238 at 3pm", "cannot place the time")],
)
def test_a_time_that_cannot_be_placed_is_refused(question: str, reason: str) -> None:
    with pytest.raises(TranslationError, match=reason):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(
    ("question", "must"),
    [("IPs used by dave.kowalski, how many?", lambda t: t.expressions[0].find(exp.Distinct) is not None),
     ("for 192.0.2.238 give me the event names and how many times each",
      lambda t: t.args["group"].expressions[0].sql() == "eventname"),
     ("which secrets were read the most", lambda t: "GetSecretValue" in t.sql() and t.args.get("group")),
     ("which instances have guardduty findings", lambda t: "instanceId" in t.expressions[0].sql()),
     ("what's the largest single flow", lambda t: t.args["limit"].expression.this == "1"),
     ("who created new users and when", lambda t: "eventtime" in t.expressions[0].sql()),
     ("findings sorted by severity", lambda t: t.args["order"].expressions[0].args["desc"])],
    ids=["count-distinct-subject", "per-each", "which-secrets", "gd-instances", "largest-one", "who-and-when",
         "sorted-by"],
)
def test_shapes_analysts_ask_for(question: str, must) -> None:
    sql, _, _ = translate(question, DEMO_NOW)
    assert must(_tree(sql)), sql


def test_geography_is_not_in_the_tables() -> None:
    with pytest.raises(TranslationError, match="GeoIP"):
        translate("AccessDenied calls from outside the US", DEMO_NOW)


@pytest.mark.parametrize(
    ("question", "must"),
    [("show guardduty findings with severity 8 or higher", lambda t: "severity >= 8" in t.args["where"].sql()),
     ("most recent guardduty finding",
      lambda t: t.args["limit"].expression.this == "1" and t.args["order"].expressions[0].sql() == "updatedat DESC"),
     ("rejected inbound traffic by destination port", lambda t: "'ingress'" in t.args["where"].sql()),
     ("flows from 198.51.100.149, newest first", lambda t: t.args["order"].expressions[0].sql() == "start DESC"),
     ("ec2 instances started by svc-reporting", lambda t: "StartInstances" in t.args["where"].sql()),
     ("any new login profiles", lambda t: "CreateLoginProfile" in t.sql() and "'ConsoleLogin'" not in t.sql()),
     ("calls by assumed roles from 68.62.167.181",
      lambda t: "useridentity.type = 'AssumedRole'" in t.args["where"].sql() and "AssumeRole'" not in t.sql())],
    ids=["sev-or-higher", "most-recent-one", "inbound", "newest-first", "instances-started", "login-profiles",
         "by-assumed-roles"],
)
def test_words_that_used_to_be_dropped_are_kept(question: str, must) -> None:
    sql, _, _ = translate(question, DEMO_NOW)
    assert must(_tree(sql)), sql


@pytest.mark.parametrize("question", ["rejected calls by dave.kowalski", "ConsoleLogin events with high severity",
                                      "flows with errors from 10.0.1.5", "findings on port 22"])
def test_a_word_for_another_log_source_is_refused_not_ignored(question: str) -> None:
    with pytest.raises(TranslationError, match="one log source at a time|one at a time"):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(
    ("question", "must"),
    [("number of distinct users per region",
      lambda t: t.args["group"].expressions[0].sql() == "awsregion" and t.expressions[1].find(exp.Distinct)),
     ("principals with more than 100 AccessDenied errors", lambda t: "COUNT(*) > 100" in t.args["having"].sql()),
     ("IPs with at least 50 rejected flows",
      lambda t: "COUNT(*) >= 50" in t.args["having"].sql() and t.args.get("limit") is None),
     ("what time did heidi.smith's failed logins start", lambda t: isinstance(t.expressions[0].this, exp.Min)),
     ("was there a brute force against the console", lambda t: "'Failure'" in t.sql()),
     ("which ips were talking to 203.0.113.171 on 5432", lambda t: "dstport = 5432" in t.args["where"].sql())],
    ids=["distinct-per", "having", "at-least", "start", "brute-force", "on-port"],
)
def test_thresholds_and_more(question: str, must) -> None:
    sql, _, _ = translate(question, DEMO_NOW)
    assert must(_tree(sql)), sql


def test_a_number_left_over_is_refused() -> None:
    with pytest.raises(TranslationError, match="cannot place the number '2026'"):
        translate("calls from 192.0.2.238 in 2026", DEMO_NOW)


def test_a_name_in_a_question_about_buckets_is_a_bucket() -> None:
    sql, _, _ = translate("who made tyrell-backups-33c922 public", DEMO_NOW)
    assert "bucketName') = 'tyrell-backups-33c922'" in sql and "username" not in sql


def test_who_with_nothing_to_filter_on_is_refused() -> None:
    with pytest.raises(TranslationError, match="cannot translate|refers to something"):
        translate("who did it", DEMO_NOW)


@pytest.mark.parametrize(
    ("question", "word"),
    [("anomalous calls from 192.0.2.238", "anomalous"), ("suspicious logins by heidi.smith", "suspicious"),
     ("calls by dave.kowalski on weekends", "weekends"), ("users who changed their own avatar", "avatar")],
)
def test_a_word_the_reading_did_not_use_is_named_in_the_refusal(question: str, word: str) -> None:
    with pytest.raises(TranslationError, match=rf"did not understand .*'{word}'"):
        translate(question, DEMO_NOW)


def test_every_word_of_an_answered_question_is_accounted_for() -> None:
    from workbench.nl.offline.neutral import unexplained
    from workbench.nl.offline.reading import Reading

    assert unexplained(Reading("  which ____ did username use  ").text) == []
    assert unexplained("calls on weekends") == ["weekends"]
