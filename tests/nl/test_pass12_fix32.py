"""dev32's detection checklist in the analysts' words: a leading CIS item label ('cis 4.6:'), CIS 4.6's "console
authentication failures" (failed console sign-ins), CIS 4.5's "cloudtrail configuration changes" (the trail made,
changed, deleted, started or stopped), logging stopped on a trail said in the passive, and named calls counted over
time, each its own count."""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import TranslationError, translate

from .conftest import DEMO_NOW, same_rows

_EVENT = "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail"
_FAILED = ("eventname = 'ConsoleLogin' AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Failure'")
_TRAIL_CHANGES = "eventname IN ('CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging')"


@pytest.mark.parametrize(("question", "reference"), [
    ("total console authentication failures from 192.0.2.88",
     f"SELECT count(*) FROM cloudtrail WHERE {_FAILED} AND sourceipaddress = '192.0.2.88'"),
    ("console auth failures per hour",
     f"SELECT date_trunc('hour', from_iso8601_timestamp(eventtime)) AS hour, count(*) FROM cloudtrail WHERE {_FAILED} "
     "GROUP BY 1"),
    ("cis 4.6: how many console authentication failures", f"SELECT count(*) FROM cloudtrail WHERE {_FAILED}"),
    ("cis 4.3: console logins where mfa was not used",
     f"{_EVENT} WHERE eventname = 'ConsoleLogin' AND json_extract_scalar(additionaleventdata, '$.MFAUsed') = 'No'"),
])
def test_console_authentication_failures_and_cis_labels(engine, question: str, reference: str) -> None:
    assert "4." not in translate(question, DEMO_NOW)[0]
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("cloudtrail configuration changes", f"{_EVENT} WHERE {_TRAIL_CHANGES}"),
    ("cloudtrail config changes (create/update/delete trail, start/stop logging)", f"{_EVENT} WHERE {_TRAIL_CHANGES}"),
    ("trail changes per region", f"SELECT awsregion, count(*) FROM cloudtrail WHERE {_TRAIL_CHANGES} GROUP BY 1"),
    ("was logging stopped on any trail", f"{_EVENT} WHERE eventname = 'StopLogging'"),
])
def test_trail_changes_are_cis_4_5s_calls(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_a_verb_on_the_trail_keeps_to_its_own_calls() -> None:
    # "who modified the trail": the calls that change a trail in place, not the whole CIS list
    assert "CreateTrail" not in translate("who modified the trail", DEMO_NOW)[0]
    # bare logging stopped (no trail named): every log a call can stop
    assert "DeleteFlowLogs" in translate("was logging stopped", DEMO_NOW)[0]
    # one call in brackets still narrows the concept
    assert "= 'StopLogging'" in translate("trail changes (stop logging)", DEMO_NOW)[0]


@pytest.mark.parametrize(("question", "names"), [
    ("StartInstances and StopInstances per day", "'StartInstances', 'StopInstances'"),
    ("GetObject, PutObject and DeleteObject per hour", "'GetObject', 'PutObject', 'DeleteObject'"),
])
def test_named_calls_over_time_are_each_counted(engine, question: str, names: str) -> None:
    unit = "day" if "day" in question else "hour"
    reference = (f"SELECT date_trunc('{unit}', from_iso8601_timestamp(eventtime)) AS t, eventname, count(*) FROM "
                 f"cloudtrail WHERE eventname IN ({names}) GROUP BY 1, 2")
    assert same_rows(engine, question, reference) > 0


def test_a_concept_the_calls_explain_is_one_count() -> None:
    sql = translate("iam enumeration (ListUsers, ListRoles) per day", DEMO_NOW)[0]
    assert "GROUP BY\n  SUBSTR(eventtime, 1, 10)\nORDER" in sql


_SG_CHANGES = ("eventname IN ('AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', "
               "'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress', 'CreateSecurityGroup', 'DeleteSecurityGroup')")


@pytest.mark.parametrize(("question", "reference"), [
    # CIS 4.10's security group changes, said as rule changes or as attempts to change them
    ("sg rule changes per region", f"SELECT awsregion, count(*) FROM cloudtrail WHERE {_SG_CHANGES} GROUP BY 1"),
    ("security group rule changes", f"{_EVENT} WHERE {_SG_CHANGES}"),
    ("failed attempts to change security groups - who and when",
     f"SELECT useridentity.arn, eventtime FROM cloudtrail WHERE {_SG_CHANGES} AND errorcode IS NOT NULL"),
    # GuardDuty's detector: named by its id, and deleted with the place said in between
    ("guardduty detectors deleted - detector id, region, who",
     "SELECT json_extract_scalar(requestparameters, '$.detectorId'), awsregion, useridentity.arn FROM cloudtrail "
     "WHERE eventname = 'DeleteDetector'"),
    ("when was the GuardDuty detector in eu-west-1 deleted",
     "SELECT eventtime FROM cloudtrail WHERE eventname = 'DeleteDetector' AND awsregion = 'eu-west-1'"),
    # an EC2 key pair is an ssh key
    ("who imported ssh key pairs, in which regions",
     "SELECT DISTINCT useridentity.arn, awsregion FROM cloudtrail WHERE eventname = 'ImportKeyPair'"),
    # CIS 4.7: customer keys disabled or scheduled for deletion
    ("any kms keys disabled or scheduled for deletion?",
     f"{_EVENT} WHERE eventname IN ('DisableKey', 'ScheduleKeyDeletion')"),
])
def test_checklist_vocabulary(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) >= 0


def test_which_kms_keys_asks_for_the_keys() -> None:
    # the keys are a column of the request, not the events: refused rather than answered with the events
    with pytest.raises(TranslationError):
        translate("which kms keys were scheduled for deletion", DEMO_NOW)
