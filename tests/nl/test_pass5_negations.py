"""Negations and counts of people the offline translator reads since pass 5 (dev8-dev10 refusals).

Answered questions run through the guard and the local engine and are compared with a reference query.
"""

from __future__ import annotations

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows


@pytest.mark.parametrize("question", [
    "kms calls by iam users (not roles), per user",
    "kms calls by iam users, not roles, count per user",
    "kms calls by iam users (but not assumed roles) per user",
])
def test_roles_excluded_beside_iam_users_restate_the_kind(engine, question: str) -> None:
    reference = ("SELECT useridentity.username, count(*) FROM cloudtrail WHERE eventsource = 'kms.amazonaws.com' "
                 "AND useridentity.type = 'IAMUser' AND useridentity.username IS NOT NULL GROUP BY 1")
    assert same_rows(engine, question, reference) > 0


def test_roles_excluded_beside_plain_users_stay_refused() -> None:
    with pytest.raises(TranslationError):
        translate("calls by users (not roles)", DEMO_NOW)


@pytest.mark.parametrize("question", [
    "how many different people called DeleteTrail",
    "how many unique people made calls from 192.0.2.88",
])
def test_different_people_counts_distinct_principals(engine, question: str) -> None:
    where = "eventname = 'DeleteTrail'" if "DeleteTrail" in question else "sourceipaddress = '192.0.2.88'"
    reference = f"SELECT count(DISTINCT useridentity.arn) FROM cloudtrail WHERE {where}"
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["which people called DeleteTrail", "list the people who called DeleteTrail"])
def test_people_listed_are_the_principals(engine, question: str) -> None:
    reference = "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname = 'DeleteTrail'"
    assert same_rows(engine, question, reference) > 0
