"""verbs.py folded into actions.py's verb × object grammar: a deactivated access key (UpdateAccessKey) and an added
ingress rule (AuthorizeSecurityGroupIngress) are calls of the grammar itself, so the early pass reads them in every
form it reads other pairs (passives, "new X", lists), not only the late pass's few wordings.
"""

from __future__ import annotations

import pytest

from workbench.nl.offline.actions import _LATE_OBJECTS, _event
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows

_WHO = "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname = '{}'"


@pytest.mark.parametrize(("question", "event"), [
    ("which users create ingress rules", "AuthorizeSecurityGroupIngress"),
    ("who created new security group ingress rules", "AuthorizeSecurityGroupIngress"),
    ("who added security group ingress rules", "AuthorizeSecurityGroupIngress"),
])
def test_added_ingress_rules_are_a_grammar_call(engine, question: str, event: str) -> None:
    assert same_rows(engine, question, _WHO.format(event)) > 0


# the demo lake holds no UpdateAccessKey call: the reading is asserted on the SQL
@pytest.mark.parametrize(("question", "events"), [
    ("who deactivated an access key", "= 'UpdateAccessKey'"), ("who disabled access keys", "= 'UpdateAccessKey'"),
    ("access keys that got deactivated", "= 'UpdateAccessKey'"),
    ("who deactivated mfa devices and access keys", "IN ('DeactivateMFADevice', 'UpdateAccessKey')"),
])
def test_a_deactivated_access_key_is_update_access_key(question: str, events: str) -> None:
    assert f"eventname {events}" in " ".join(translate(question, DEMO_NOW)[0].split())


@pytest.mark.parametrize("question", ["new ingress rules", "ingress rules that got created",
                                      "security group ingress rule that got created"])
def test_added_ingress_rules_listed(engine, question: str) -> None:
    reference = ("SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid "
                 "FROM cloudtrail WHERE eventname = 'AuthorizeSecurityGroupIngress'")
    assert same_rows(engine, question, reference) > 0


def test_every_late_pair_is_a_known_call() -> None:
    assert all(_event(v.verb, o.noun) for o in _LATE_OBJECTS for v in o.verbs)
