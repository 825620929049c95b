"""'daily count of guardduty findings (by updatedat)': a bracket naming the table's own time column beside a time
bucket restates the column the bucket is over (four writers in dev, dev27 and dev28 read it so); the same bracket
without a bucket, or naming another table's time column, is still refused."""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import TranslationError, translate

from .conftest import DEMO_NOW, same_rows


@pytest.mark.parametrize("question", [
    "daily count of guardduty findings (by updatedat)",
    "guardduty findings counted per day (updatedat)",
    "guardduty finding count by day (updatedat)",
])
def test_a_bracketed_time_column_beside_a_day_bucket_is_the_bucket(engine, question: str) -> None:
    reference = "SELECT substr(updatedat, 1, 10) AS day, count(*) AS findings FROM guardduty GROUP BY 1"
    assert same_rows(engine, question, reference) > 0


def test_cloudtrail_and_vpc_time_columns_read_alike() -> None:
    assert "SUBSTR(eventtime, 1, 10)" in translate("calls per day (eventtime)", DEMO_NOW)[0]
    assert "FROM_UNIXTIME(start)" in translate("vpc flows per hour (start)", DEMO_NOW)[0]


@pytest.mark.parametrize("question", [
    "calls per day (updatedat)",  # another table's column: not a restatement
    "guardduty findings (updatedat)",  # no bucket for it to restate
])
def test_a_time_column_that_restates_nothing_is_refused(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "value"), [
    ("guardduty: which findings have tyrell-backups-33c922 in their title text", "tyrell-backups-33c922"),
    ("ids of findings whose title mentions tyrell-dev-trail", "tyrell-dev-trail"),  # a trail's name, in the title
])
def test_a_value_said_to_be_in_the_title_is_matched_there(engine, question: str, value: str) -> None:
    sql = translate(question, DEMO_NOW)[0]
    assert f"STRPOS(title, '{value}')" in sql
    column = "id" if question.startswith("ids") else "updatedat, severity, type, title, resourcetype, id"
    assert same_rows(engine, question, f"SELECT {column} FROM guardduty WHERE title LIKE '%{value}%'") > 0
