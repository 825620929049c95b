"""dev33's time grammar: dates written day first or with slashes ("19/11", "2026/11/18", "18 november", "the 18th of
november"), a weekday beside the date ("wed nov 18"), a period that bounds what was used beside each value's first time
("regions X used yesterday, with the first time it touched each"), and Lambda invocation logs, which are not in the
lake."""

from __future__ import annotations

from datetime import datetime

import pytest

from workbench.nl.offline.translator import TranslationError, translate

from .conftest import DEMO_NOW, same_rows

_UTC = DEMO_NOW.tzinfo


def _day(question: str) -> tuple[datetime, datetime]:
    window = translate(question, DEMO_NOW)[2]
    assert window is not None, question
    return window.start, window.end


@pytest.mark.parametrize(("question", "day"), [
    ("anything from 203.0.113.77 on 2026/11/18?", 18),
    ("flows to port 3389 on 19/11", 19),
    ("guardduty findings on 18 november", 18),
    ("guardduty findings on the 18th of november, newest first", 18),
    ("GetObject calls on tyrell-backups-33c922 on 19 nov 2026", 19),
    ("findings of type Recon:EC2/PortProbeUnprotectedPort on wed nov 18", 18),
    ("findings on thursday nov 19 with severity 5 or more", 19),
])
def test_dates_in_other_formats_are_that_day(question: str, day: int) -> None:
    assert _day(question) == (datetime(2026, 11, day, tzinfo=_UTC), datetime(2026, 11, day + 1, tzinfo=_UTC))


def test_a_slash_date_filters_no_secret_name(engine) -> None:  # noqa: ANN001
    question = "anything from 203.0.113.77 on 2026/11/18?"
    assert "secret" not in translate(question, DEMO_NOW)[0].lower()
    same_rows(engine, question, "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, "
              "eventid FROM cloudtrail WHERE sourceipaddress = '203.0.113.77'")


def test_clock_range_on_a_day_first_date() -> None:
    start, end = _day("calls from 198.51.100.174 between 21:15 and 21:17 utc on 18 november")
    assert (start, end) == (datetime(2026, 11, 18, 21, 15, tzinfo=_UTC), datetime(2026, 11, 18, 21, 17, tzinfo=_UTC))


@pytest.mark.parametrize("question", [
    "findings on friday nov 19",  # nov 19 2026 is a thursday: one of the two is mistyped
    "flows from 19.0.0.0/11",  # an address range, never a date
    "flows on 11/12",  # november 12th or december 11th
])
def test_unclear_dates_are_refused(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


def test_words_beside_a_month_name_are_not_dates() -> None:
    with pytest.raises(TranslationError, match="top what"):
        translate("top 3 decided", DEMO_NOW)


def test_period_of_use_beside_each_values_first_time(engine) -> None:  # noqa: ANN001
    question = "regions svc-reporting used yesterday, with the first time it touched each"
    sql, _, window = translate(question, DEMO_NOW)
    assert "HAVING" not in sql and window is not None and window.start.day == 19 and window.end.day == 20
    same_rows(engine, question, "SELECT awsregion, min(eventtime) AS first_seen FROM cloudtrail WHERE "
              "useridentity.username = 'svc-reporting' GROUP BY awsregion")


def test_first_seen_in_a_period_is_still_new_values() -> None:
    sql, _, window = translate("event names seen for the first time yesterday", DEMO_NOW)
    assert "HAVING" in sql and window is None


@pytest.mark.parametrize("question", [
    "lambda invocation logs for billing-lambda in the last hour",
    "show me the invocation logs of the s3-thumbnailer lambda function",
    "execution logs of billing-lambda",
])
def test_lambda_invocation_logs_are_not_in_the_lake(question: str) -> None:
    with pytest.raises(TranslationError, match="not in the lake"):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "start", "end"), [
    ("what happened in cloudtrail at 21:16 utc on nov 18", (18, 21, 16), (18, 21, 17)),
    ("flow records at 14:08 utc on the 18th", (18, 14, 8), (18, 14, 9)),
    ("what did heidi.smith do in the hour after 15:54 utc on nov 19", (19, 15, 54), (19, 16, 54)),
    ("flows from 198.51.100.149 in the 10 minutes after 14:06 utc on 2026-11-18", (18, 14, 6), (18, 14, 16)),
    ("flows to 10.10.0.69 in the half hour after midnight utc on nov 19", (19, 0, 0), (19, 0, 30)),
    ("bob.dubois@tyrell.com activity in the first hour of nov 19", (19, 0, 0), (19, 1, 0)),
    ("console logins between 20:00 utc and midnight on nov 18", (18, 20, 0), (19, 0, 0)),
])
def test_spans_said_from_one_clock_time(question: str, start: tuple[int, int, int], end: tuple[int, int, int]) -> None:
    assert _day(question) == (datetime(2026, 11, *start, tzinfo=_UTC), datetime(2026, 11, *end, tzinfo=_UTC))


def test_a_minute_span_runs(engine) -> None:  # noqa: ANN001
    same_rows(engine, "what happened in cloudtrail at 21:16 utc on nov 18",
              "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM "
              "cloudtrail WHERE eventtime >= '2026-11-18T21:16:00Z' AND eventtime < '2026-11-18T21:17:00Z'")


@pytest.mark.parametrize("question", [
    "logins at 15:00 on nov 18",  # a round hour may mean the whole hour
    "logins at 21:16",  # no day
    "top 5 users in the first hour of activity",  # not a clock span
    "calls in the hour after 23:30 utc on nov 18",  # would leave the day
])
def test_clock_spans_that_stay_refused(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


def test_minute_by_minute_is_per_minute() -> None:
    sql = translate("minute by minute flow counts from 198.51.100.149", DEMO_NOW)[0]
    assert "DATE_TRUNC('MINUTE'" in sql and "GROUP BY" in sql


def test_timestamp_of_and_final_read_as_time_and_last(engine) -> None:  # noqa: ANN001
    assert "MIN(eventtime)" in translate("timestamp of the very first cloudtrail event from 192.0.2.238", DEMO_NOW)[0]
    question = "at what time did svc-reporting make its final api call"
    assert "MAX(eventtime)" in translate(question, DEMO_NOW)[0]
    same_rows(engine, question, "SELECT max(eventtime) FROM cloudtrail WHERE useridentity.username = 'svc-reporting'")
