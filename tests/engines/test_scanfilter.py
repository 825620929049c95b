"""The shared scan's coarse pre-test: implied by every member, cheap, and absent when it cannot be."""

from __future__ import annotations

from workbench.detect.plan.scanfilter import cheap_first, scan_filter
from workbench.engines.window import parse_athena


def _where(sql: str):
    return parse_athena(f"SELECT eventid FROM cloudtrail WHERE {sql}").args["where"].this


MEMBERS = [
    "eventsource = 'iam.amazonaws.com' AND eventname = 'CreateUser'",
    "eventsource = 's3.amazonaws.com' AND eventname IN ('PutBucketAcl', 'PutBucketPolicy')",
    # An OR whose every branch names event names implies their union.
    "eventsource = 'guardduty.amazonaws.com' AND (eventname = 'DeleteDetector' OR "
    "(eventname = 'UpdateDetector' AND json_extract_scalar(requestparameters, '$.enable') = 'false'))",
    # Names no event name: its first equality (a struct field here) joins the pre-test as it is.
    "eventtype <> 'AwsServiceEvent' AND useridentity.type = 'Root'",
]


def test_the_pre_test_merges_event_names_and_keeps_other_members_whole() -> None:
    sql = scan_filter([_where(m) for m in MEMBERS]).sql(dialect="athena")
    coarse = sql.split(") AND (", 1)[0]
    assert coarse == ("(eventname IN ('CreateUser', 'DeleteDetector', 'PutBucketAcl', 'PutBucketPolicy', "
                      "'UpdateDetector') OR (useridentity.type = 'Root')")
    # Behind it, every member's own conditions still decide.
    assert "json_extract_scalar" in sql.lower() and "eventtype <> 'AwsServiceEvent'" in sql


def test_no_pre_test_when_a_member_has_no_cheap_equality_or_few_members_name_events() -> None:
    costly = _where("regexp_like(useragent, 'curl') AND errorcode IS NOT NULL")
    with_costly = scan_filter([_where(MEMBERS[0]), _where(MEMBERS[1]), costly]).sql(dialect="athena")
    assert not with_costly.startswith("(eventname IN")
    few = scan_filter([_where(MEMBERS[0]), _where(MEMBERS[3]), _where("errorcode = 'AccessDenied'")])
    assert "eventname IN" not in few.sql(dialect="athena")
    assert [c.sql() for c in cheap_first(_where(MEMBERS[3]))] == ["eventtype <> 'AwsServiceEvent'",
                                                                  "useridentity.type = 'Root'"]
