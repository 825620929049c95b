"""Wrong answers dev27's writer found on arrival (pass 10), each a class rather than one wording.

- "no-mfa console logins", "non-mfa sign-ins": the MFA flag, never a user named "no-mfa";
- "everything X did to <bucket>": the bucket the calls acted on, never a second user OR-ed with the first;
- "guardduty api calls (guardduty.amazonaws.com)": a service host glossing the rows' service is the event source,
  not the caller's address;
- "users that had both failed and successful logins": refused, since one row per outcome lists anyone with either;
- "the earliest event from X, full row": the one row, not its time;
- "which interfaces did X talk to": the interfaces, not the far ends;
- "who created users? show the CreateUser events": the events, as "list the events" asks.
"""

from __future__ import annotations

import pytest

from workbench.nl.base import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows

_NO_MFA = ("SELECT useridentity.username, count(*) FROM cloudtrail WHERE eventname = 'ConsoleLogin' "
           "AND json_extract_scalar(additionaleventdata, '$.MFAUsed') = 'No' AND useridentity.username IS NOT NULL "
           "GROUP BY useridentity.username")


@pytest.mark.parametrize(("question", "reference"), [
    ("how many no-mfa console logins per user", _NO_MFA),
    ("non-mfa console sign-ins per user, count", _NO_MFA),
    ("everything judy.byrne@tyrell.com did to tyrell-backups-33c922",
     "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail "
     "WHERE useridentity.arn LIKE '%/judy.byrne@tyrell.com' "
     "AND json_extract_scalar(requestparameters, '$.bucketName') = 'tyrell-backups-33c922'"),
    ("kms calls (kms.amazonaws.com) per event name",
     "SELECT eventname, count(*) FROM cloudtrail WHERE eventsource = 'kms.amazonaws.com' GROUP BY eventname"),
    ("oldest call we have from 192.0.2.88, the full row",
     "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail "
     "WHERE sourceipaddress = '192.0.2.88' ORDER BY eventtime, eventid LIMIT 1"),
    ("which network interfaces did 198.51.100.149 talk to",
     "SELECT DISTINCT interface_id FROM vpc_flow WHERE srcaddr = '198.51.100.149'"),
    # dev26: the question after a dash asks what the call was, as at the start ("what was the very first call …")
    ("203.0.113.171 - what was its very first call",
     "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail "
     "WHERE sourceipaddress = '203.0.113.171' ORDER BY eventtime, eventid LIMIT 1"),
    ("who made new access keys? show the CreateAccessKey events",
     "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail "
     "WHERE eventname = 'CreateAccessKey'"),
])
def test_read_as_the_writers_read_them(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_a_service_host_after_from_is_still_the_caller() -> None:
    assert "sourceipaddress = 'config.amazonaws.com'" in translate("calls from config.amazonaws.com", DEMO_NOW)[0]


@pytest.mark.parametrize("question", [
    "users that had both failed and successful console logins",
    "which roles had both successful and failed AssumeRole calls",
])
def test_both_outcomes_for_one_subject_is_refused(question: str) -> None:
    with pytest.raises(TranslationError, match="both"):
        translate(question, DEMO_NOW)
