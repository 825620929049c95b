"""Pass 10, GuardDuty fields named as the finding writes them (dev28's GuardDuty questions).

- An action type typed in GuardDuty's upper snake case ("action type PORT_PROBE") is a filter on the finding's
  `service.action.actionType`; until now its parts ("port", "probe") were each neutral and the value vanished, so the
  count was of every finding (dev28 ad170, a silent drop). A snake-case word no rule reads is refused anywhere.
- "earliest eventFirstSeen", "latest eventLastSeen": the finding's own first / last seen times, not `updatedat`
  (dev28 ad068, ad163, ad164).
- "findings whose type starts with Recon" / "… whose type mentions IAMUser": the part of the type as said, a prefix or
  anywhere in it, whatever its case (dev28 ad082, ad159); on another table it is refused.
"""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import TranslationError, translate

from .conftest import DEMO_NOW, same_rows

_ACTION = "json_extract_scalar(service, '$.action.actionType')"


@pytest.mark.parametrize(("question", "reference"), [
    ("how many findings have action type PORT_PROBE", f"SELECT count(*) FROM guardduty WHERE {_ACTION} = 'PORT_PROBE'"),
    ("count guardduty findings whose action type is AWS_API_CALL",
     f"SELECT count(*) FROM guardduty WHERE {_ACTION} = 'AWS_API_CALL'"),
    ("PORT_PROBE findings per type",
     f"SELECT type, count(*) FROM guardduty WHERE {_ACTION} = 'PORT_PROBE' GROUP BY type"),
])
def test_an_action_type_typed_is_a_filter_on_the_findings_action(engine, question: str, reference: str) -> None:
    sql = translate(question, DEMO_NOW)[0]
    assert "$.action.actionType" in sql
    assert same_rows(engine, question, reference) > 0


def test_an_action_type_can_be_excluded(engine) -> None:
    question = "findings that are not PORT_PROBE"
    assert same_rows(engine, question, "SELECT updatedat, severity, type, title, resourcetype, id FROM guardduty "
                                       f"WHERE {_ACTION} <> 'PORT_PROBE'") > 0


@pytest.mark.parametrize("question", [
    "flows with PORT_PROBE",  # an action type is GuardDuty's: no flow has one
    "how many findings have action type PORT_SCANNING",  # not an action type GuardDuty writes
    "events with FOO_BAR",
])
def test_a_snake_case_word_nothing_reads_is_refused(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


_FIRST = "json_extract_scalar(service, '$.eventFirstSeen')"
_LAST = "json_extract_scalar(service, '$.eventLastSeen')"


@pytest.mark.parametrize(("question", "reference"), [
    ("earliest eventFirstSeen over all the findings", f"SELECT min({_FIRST}) FROM guardduty"),
    ("latest eventLastSeen among the port probe findings (Recon:EC2/PortProbeUnprotectedPort)",
     f"SELECT max({_LAST}) FROM guardduty WHERE type = 'Recon:EC2/PortProbeUnprotectedPort'"),
    ("when was port probing of i-cab9541e488fe9331 first seen (eventFirstSeen)",
     f"SELECT min({_FIRST}) FROM guardduty WHERE type = 'Recon:EC2/PortProbeUnprotectedPort' AND "
     "json_extract_scalar(resource, '$.instanceDetails.instanceId') = 'i-cab9541e488fe9331'"),
    ("latest eventLastSeen per finding type", f"SELECT type, max({_LAST}) FROM guardduty GROUP BY type"),
])
def test_a_findings_seen_time_named_is_that_field(engine, question: str, reference: str) -> None:
    sql = translate(question, DEMO_NOW)[0]
    assert "updatedat" not in sql
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "eventFirstSeen of the port probe findings",  # which end is not said
    "earliest eventFirstSeen and latest eventLastSeen",  # two answers in one
    "how many findings, earliest eventFirstSeen",
])
def test_a_seen_time_without_one_end_or_beside_another_answer_is_refused(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


_LISTING = "SELECT updatedat, severity, type, title, resourcetype, id FROM guardduty"


@pytest.mark.parametrize(("question", "reference"), [
    ("list findings whose type starts with Recon", f"{_LISTING} WHERE type LIKE 'Recon%'"),
    ("findings whose type starts with recon", f"{_LISTING} WHERE type LIKE 'Recon%'"),
    ("list the findings whose type mentions IAMUser", f"{_LISTING} WHERE type LIKE '%IAMUser%'"),
    ("findings with type containing PortProbe per region",
     "SELECT region, count(*) FROM guardduty WHERE type LIKE '%PortProbe%' GROUP BY region"),
])
def test_a_part_of_the_finding_type_is_matched_as_said(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "events whose type starts with Recon",  # CloudTrail has no finding type
    "findings whose type does not start with Recon",  # the negation is not read
])
def test_a_part_of_a_type_elsewhere_or_negated_is_refused(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


def test_accountid_written_as_the_column_groups_findings_by_account(engine) -> None:
    # dev28 ad071 writes the column as GuardDuty's table does; dev17 t163 and dev25 a156 read "per account id" so
    question = "split the guardduty findings by accountid, count each"
    assert same_rows(engine, question, "SELECT accountid, count(*) FROM guardduty GROUP BY accountid") > 0


@pytest.mark.parametrize("question", ["events per accountid", "flows by accountid"])
def test_accountid_on_another_table_is_refused(question: str) -> None:
    # CloudTrail has two account columns (the caller's and the recipient's), flows their own: not guessed
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)
