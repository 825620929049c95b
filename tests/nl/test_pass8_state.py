"""Questions about what an account *is* (MFA enabled, which roles it may assume) rather than what it *did*: the logs hold
the sign-ins and calls, not IAM's state, so these are refused with the question the logs can answer. Questions about
events that used or changed MFA stay answered, checked against reference queries on the demo lake.
"""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import TranslationError, translate

from .conftest import DEMO_NOW, same_rows

IAM_STATE = "IAM state"


@pytest.mark.parametrize("question", [
    "is mfa enabled for heidi.smith",
    "does heidi.smith have mfa enabled",
    "does heidi.smith have mfa?",
    "which users have mfa enabled",
    "which iam users have no mfa device",
    "users without an mfa device",
    "is mfa turned on for the root account",
    "which users have no mfa",
    "which roles can be assumed by 4.216.91.232",
    "which roles can svc-reporting assume",
])
def test_whether_an_account_has_mfa_or_may_assume_a_role_is_refused(question: str) -> None:
    # answered before as the events whose session used MFA, or the roles actually assumed: rows about what happened,
    # presented as the account's configuration
    with pytest.raises(TranslationError, match=IAM_STATE) as refusal:
        translate(question, DEMO_NOW)
    assert "sign-ins without MFA" in str(refusal.value)


MFA_SIGN_INS = ("SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid "
                "FROM cloudtrail WHERE eventname = 'ConsoleLogin' "
                "AND json_extract_scalar(additionaleventdata, '$.MFAUsed') = 'No'")


@pytest.mark.parametrize("question", ["console logins without mfa", "console sign-ins without mfa"])
def test_sign_ins_without_mfa_stay_answered(engine, question: str) -> None:
    assert same_rows(engine, question, MFA_SIGN_INS) > 0


def test_who_changed_mfa_stays_answered(engine) -> None:
    # the demo lake has no MFA device changes, so the answer is the reference's empty result, not a refusal
    question = "who deactivated an mfa device"
    assert "DeactivateMFADevice" in translate(question, DEMO_NOW)[0]
    assert same_rows(engine, question, "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname IN "
                                       "('DeactivateMFADevice', 'DeleteVirtualMFADevice')") == 0


def test_the_call_named_keeps_that_call() -> None:
    assert "eventname = 'AssumeRole'" in translate("AssumeRole calls from 4.216.91.232, which roles", DEMO_NOW)[0]
