"""Pass 11, CloudTrail refusals of the blind-style sets: values first seen in a period (dev22, dev28), a name's
possessive column and access key / user agent ids (dev25, dev27), calls 'signed with' a key (dev19) and 'first & last'
(dev27)."""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import TranslationError, translate

from .conftest import DEMO_NOW, same_rows

_NEW_IPS = ("SELECT sourceipaddress, min(eventtime) AS first_seen FROM cloudtrail GROUP BY sourceipaddress "
            "HAVING min(eventtime) >= '2026-11-19T00:00:00Z'")
_NEW_USERS = ("SELECT useridentity.username, min(eventtime) AS first_seen FROM cloudtrail WHERE useridentity.type = "
              "'IAMUser' GROUP BY useridentity.username HAVING min(eventtime) >= '2026-11-19T00:00:00Z'")


@pytest.mark.parametrize(("question", "reference"), [
    ("new source ips first seen yesterday (not seen on the 18th)", _NEW_IPS),
    ("source ips first seen yesterday", _NEW_IPS),
    ("event names seen for the first time yesterday", "SELECT eventname, min(eventtime) AS first_seen FROM cloudtrail "
     "GROUP BY eventname HAVING min(eventtime) >= '2026-11-19T00:00:00Z'"),
    ("iam users that showed up for the first time on the 19th", _NEW_USERS),
    ("which iam users appeared for the first time on 2026-11-19 (no activity before that day)", _NEW_USERS),
])
def test_values_first_seen_in_a_period_are_those_whose_first_time_over_the_range_falls_in_it(
        engine, question: str, reference: str) -> None:
    sql, _, window = translate(question, DEMO_NOW)
    assert window is None and "HAVING" in sql  # the whole range is read; the period bounds each one's first time
    assert same_rows(engine, question, reference) > 0


def test_new_values_are_fewer_than_the_values_seen_in_the_period(engine) -> None:  # noqa: ANN001
    """Bounded by the day, every address seen that day would be listed, the 18th's old ones too."""
    seen_that_day = ("SELECT sourceipaddress, min(eventtime) AS first_seen FROM cloudtrail WHERE eventtime >= "
                     "'2026-11-19T00:00:00Z' GROUP BY sourceipaddress")
    from workbench.sqlguard import guard

    from .conftest import DEMO_WINDOW
    new = engine.run(guard(_NEW_IPS, DEMO_WINDOW).sql, DEMO_WINDOW).frame
    every = engine.run(guard(seen_that_day, DEMO_WINDOW).sql, DEMO_WINDOW).frame
    assert 0 < len(new) < len(every)


def test_first_seen_time_per_value_within_a_period_keeps_the_period() -> None:
    """'per' asks for each one's first time inside the day, as before."""
    sql, _, window = translate("first seen time per event name yesterday", DEMO_NOW)
    assert window is not None and window.start.day == 19 and "HAVING" not in sql


@pytest.mark.parametrize(("question", "reference"), [
    ("svc-reporting's access key id(s)", "SELECT DISTINCT useridentity.accesskeyid FROM cloudtrail WHERE "
     "useridentity.username = 'svc-reporting' AND useridentity.accesskeyid <> ''"),
    ("what access key id did svc-reporting use", "SELECT DISTINCT useridentity.accesskeyid FROM cloudtrail WHERE "
     "useridentity.username = 'svc-reporting' AND useridentity.accesskeyid <> ''"),
    ("access key ids used by svc-reporting", "SELECT DISTINCT useridentity.accesskeyid FROM cloudtrail WHERE "
     "useridentity.username = 'svc-reporting' AND useridentity.accesskeyid <> ''"),
    ("heidi.smith's source ips?", "SELECT DISTINCT sourceipaddress FROM cloudtrail WHERE useridentity.username = "
     "'heidi.smith'"),
    ("distinct useragent strings from 192.0.2.238", "SELECT DISTINCT useragent FROM cloudtrail WHERE "
     "sourceipaddress = '192.0.2.238'"),
    ("every call signed with access key AKIAQ3JY6OH36EEZFIOH", "SELECT eventtime, useridentity.arn, sourceipaddress, "
     "eventsource, eventname, errorcode, eventid FROM cloudtrail WHERE useridentity.accesskeyid = "
     "'AKIAQ3JY6OH36EEZFIOH'"),
    ("first & last failed console login from 192.0.2.88", "SELECT min(eventtime), max(eventtime) FROM cloudtrail "
     "WHERE eventname = 'ConsoleLogin' AND sourceipaddress = '192.0.2.88' AND "
     "json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Failure'"),
])
def test_column_words_and_verbs_read_as_their_plain_forms(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "rotate svc-reporting's access keys",  # a request to act, whatever it names
    "new event names yesterday",  # 'new' without 'first seen' is not read
])
def test_look_alikes_stay_refused(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("accepted connections to port 22: which src -> dst pairs", "SELECT DISTINCT srcaddr, dstaddr FROM vpc_flow WHERE "
     "dstport = 22 AND action = 'ACCEPT'"),
    ("which accounts and regions are active - distinct pairs", "SELECT DISTINCT recipientaccountid, awsregion FROM "
     "cloudtrail"),
])
def test_a_pair_of_columns_is_their_distinct_combinations(engine, question: str, reference: str) -> None:
    assert "DISTINCT" in translate(question, DEMO_NOW)[0]
    assert same_rows(engine, question, reference) > 0


def test_a_limit_said_again_at_the_end_is_the_same_limit(engine) -> None:  # noqa: ANN001
    question = "which 3 buckets were read the most? GetObject count per bucket, top 3"
    assert "LIMIT 3" in translate(question, DEMO_NOW)[0]
    with pytest.raises(TranslationError):  # another number there is not the limit read
        translate("which 3 buckets were read the most? GetObject count per bucket, top 5", DEMO_NOW)
    reference = ("SELECT json_extract_scalar(requestparameters, '$.bucketName') AS bucket, count(*) AS reads FROM "
                 "cloudtrail WHERE eventname = 'GetObject' AND json_extract_scalar(requestparameters, '$.bucketName') "
                 "IS NOT NULL GROUP BY 1 ORDER BY reads DESC LIMIT 3")
    assert same_rows(engine, question, reference) == 3


@pytest.mark.parametrize(("question", "reference"), [
    ("s3 deletes in the last 2 days", "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, "
     "errorcode, eventid FROM cloudtrail WHERE eventsource = 's3.amazonaws.com' AND eventname LIKE 'Delete%'"),
    ("when did 192.0.2.23 first download something", "SELECT min(eventtime) FROM cloudtrail WHERE sourceipaddress = "
     "'192.0.2.23' AND eventname = 'GetObject'"),
    ("calls in regions we dont use (anything outside us-east-1, us-west-2, eu-west-1)", "SELECT eventtime, "
     "useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail WHERE awsregion NOT "
     "IN ('us-east-1', 'us-west-2', 'eu-west-1')"),
])
def test_deletes_downloads_and_regions_described_by_the_ones_used(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_unused_regions_without_their_list_stay_refused() -> None:
    with pytest.raises(TranslationError):  # which regions go unused is not in the logs
        translate("any calls in the regions we don't use", DEMO_NOW)
