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


CREDENTIALS = (
    "useridentity.type = 'AssumedRole' AND regexp_like(useridentity.arn, ':assumed-role/[^/]+/i-') "
    "AND ((eventsource = 'iam.amazonaws.com' AND regexp_like(eventname, '^(List|Get)')) "
    "OR (eventsource = 's3.amazonaws.com' AND eventname = 'ListBuckets') "
    "OR (eventsource = 'secretsmanager.amazonaws.com' AND eventname = 'ListSecrets'))")


def test_a_member_naming_no_event_name_adds_what_its_branches_imply() -> None:
    """`useridentity.type = 'AssumedRole'` alone holds for over half of CloudTrail: the pre-test
    also requires what the OR implies of plain columns — each branch's narrowest test."""
    sql = scan_filter([_where(m) for m in (*MEMBERS[:3], CREDENTIALS)]).sql(dialect="athena")
    coarse = sql.split(") AND (", 1)[0]
    assert ("(useridentity.type = 'AssumedRole' AND (eventname IN ('ListBuckets', 'ListSecrets') "
            "OR eventsource IN ('iam.amazonaws.com')))") in coarse


def test_the_narrower_pre_test_keeps_exactly_the_rows_the_members_keep() -> None:
    import duckdb

    from workbench.detect.plan.scanfilter import pre_test

    rows = [(t, a, s, n) for t in ("AssumedRole", "IAMUser", "Root")
            for a in ("arn:aws:sts::1:assumed-role/r/i-0abc", "arn:aws:iam::1:user/u")
            for s in ("iam.amazonaws.com", "s3.amazonaws.com", "secretsmanager.amazonaws.com", "ec2.amazonaws.com")
            for n in ("ListUsers", "GetObject", "ListBuckets", "ListSecrets", "CreateUser", "PutBucketAcl")]
    con = duckdb.connect()
    con.execute("CREATE TABLE cloudtrail (useridentity STRUCT(type VARCHAR, arn VARCHAR), eventsource VARCHAR, "
                "eventname VARCHAR, eventtype VARCHAR, requestparameters VARCHAR)")
    con.executemany("INSERT INTO cloudtrail VALUES ({'type': ?, 'arn': ?}, ?, ?, 'AwsApiCall', NULL)", rows)
    members = [_where(m) for m in (*MEMBERS[:3], CREDENTIALS)]
    coarse = pre_test(members)
    assert coarse is not None
    kept = "SELECT count(*) FROM cloudtrail WHERE {}"
    any_member = " OR ".join(f"({m.sql(dialect='duckdb')})" for m in members)
    both = f"({coarse.sql(dialect='duckdb')}) AND ({any_member})"
    # Every row some member keeps passes the pre-test (it only adds implied conditions) ...
    assert con.execute(kept.format(both)).fetchone() == con.execute(kept.format(any_member)).fetchone()
    # ... and it lets through fewer rows than the credentials member's first equality alone would.
    narrowed = coarse.sql(dialect="duckdb")
    implied = "(eventname IN ('ListBuckets', 'ListSecrets') OR eventsource IN ('iam.amazonaws.com'))"
    assert implied in narrowed
    first_only = narrowed.replace(f" AND {implied}", "")
    narrower, wider = (con.execute(kept.format(c)).fetchone()[0] for c in (narrowed, first_only))
    assert narrower < wider
