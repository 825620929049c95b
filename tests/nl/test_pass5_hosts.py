"""Instance words on CloudTrail questions since pass 5: 'instance type' is CloudTrail's own column.

'what instance types …' read the GuardDuty column 'instance' and refused as another log source; and
'what sorts of X' was a listing that dropped X.
"""

from __future__ import annotations

import pytest

from .conftest import same_rows

_LAUNCHED_TYPES = ("SELECT DISTINCT json_extract_scalar(requestparameters, '$.instanceType') FROM cloudtrail "
                   "WHERE eventname = 'RunInstances' AND (useridentity.username = 'svc-reporting' OR "
                   "useridentity.sessioncontext.sessionissuer.username = 'svc-reporting')")


@pytest.mark.parametrize("question", [
    "which instance types has svc-reporting tried to launch",
    "what sorts of instance types did svc-reporting try to launch",
    "list the distinct instance types svc-reporting was trying to launch",
])
def test_instance_types_are_cloudtrails_own_column(engine, question: str) -> None:
    assert same_rows(engine, question, _LAUNCHED_TYPES) > 0


def test_what_sorts_of_names_the_column_listed(engine) -> None:
    reference = ("SELECT DISTINCT eventname FROM cloudtrail WHERE useridentity.username = 'svc-reporting' OR "
                 "useridentity.sessioncontext.sessionissuer.username = 'svc-reporting'")
    assert same_rows(engine, "what sorts of event names has svc-reporting called", reference) > 0


@pytest.mark.parametrize("question", [
    "what instances did 198.51.100.149 probe",
    "which instances has 198.51.100.149 contacted",
    "which instances did 198.51.100.149 connect to",
])
def test_instances_an_address_reached_are_instance_ids(engine, question: str) -> None:
    reference = "SELECT DISTINCT instance_id FROM vpc_flow WHERE srcaddr = '198.51.100.149' AND instance_id IS NOT NULL"
    assert same_rows(engine, question, reference) > 0
