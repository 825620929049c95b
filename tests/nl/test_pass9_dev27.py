"""Pass 9, fix 27: the instance a CloudTrail call acted on is the one its request names, each call in its own field
(dev9 l100, dev12 o083, dev17 t046, dev25 a088 / a089); beside a call that names no instance it stays refused."""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import TranslationError, translate

from .conftest import DEMO_NOW, same_rows

_SSH = "json_extract_scalar(requestparameters, '$.instanceId')"
_STATE = "json_extract_scalar(requestparameters, '$.instancesSet.items[0].instanceId')"
_LISTING = "eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid"


@pytest.mark.parametrize("question", [
    "who called SendSSHPublicKey and for which instance",
    "who called SendSSHPublicKey, and on which instance id",
])
def test_which_instance_beside_instance_connect_is_the_request_instance_id(engine, question: str) -> None:
    reference = f"SELECT DISTINCT useridentity.arn, {_SSH} FROM cloudtrail WHERE eventname = 'SendSSHPublicKey'"
    assert same_rows(engine, question, reference) > 0


def test_a_listing_with_the_instance_id_adds_the_column(engine) -> None:
    question = "SendSSHPublicKey events w/ the instance id"
    reference = f"SELECT {_LISTING}, {_SSH} FROM cloudtrail WHERE eventname = 'SendSSHPublicKey'"
    assert same_rows(engine, question, reference) > 0


def test_the_state_calls_name_their_instance_in_the_instance_set(engine) -> None:
    question = "StopInstances calls per instance id"
    assert "instancesSet.items[0]" in translate(question, DEMO_NOW)[0]
    reference = f"SELECT {_STATE}, count(*) FROM cloudtrail WHERE eventname = 'StopInstances' GROUP BY 1"
    assert same_rows(engine, question, reference) > 0


def test_a_session_manager_session_names_its_target(engine) -> None:
    question = "ssm StartSession - who, target instance, when"
    reference = ("SELECT useridentity.arn, json_extract_scalar(requestparameters, '$.target'), eventtime FROM cloudtrail "
                 "WHERE eventsource = 'ssm.amazonaws.com' AND eventname = 'StartSession'")
    assert same_rows(engine, question, reference) >= 0  # the lake may hold no session; the reading is compared


@pytest.mark.parametrize("question", [
    "RunInstances calls with the instance id",
    "which instances did CreateUser target",
    # ("what instances did the etl-batch-ec2 role run on (session names)": the gloss names the column, the role's session
    # names, read so since pass 12 (test_pass12_tail18.py; dev19 v117, dev31 ag055))
    "SendSSHPublicKey and StopInstances calls per instance",
    # the instance as the caller (its role sessions) is no request's field: refused as before
    "api calls made by instance i-9bb7939b0bfe31f31 (its instance role sessions), denied ones only",
    "GetCommandInvocation calls: instance and time",
])
def test_the_instance_beside_a_call_that_names_none_or_two_fields_is_refused(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("earliest vpc flow start time for src 198.51.100.149",
     "SELECT min(start) FROM vpc_flow WHERE srcaddr = '198.51.100.149'"),
    ("first and last flow start for src 198.51.100.149",
     "SELECT min(start), max(start) FROM vpc_flow WHERE srcaddr = '198.51.100.149'"),
])
def test_a_first_or_last_flow_start_is_the_first_or_last_flow(engine, question: str, reference: str) -> None:
    """'earliest vpc flow start time', 'first and last flow start': the start column is the time they are read by
    (dev3 c150, dev9 l073, dev25 a007)."""
    assert same_rows(engine, question, reference) == 1


@pytest.mark.parametrize(("question", "reference"), [
    ("ssh keys pushed to i-9bb7939b0bfe31f31",
     f"SELECT {_LISTING} FROM cloudtrail WHERE eventname = 'SendSSHPublicKey' "
     "AND requestparameters LIKE '%i-9bb7939b0bfe31f31%'"),
    ("who pushed an ssh key to i-9bb7939b0bfe31f31",
     "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE eventname = 'SendSSHPublicKey' "
     "AND requestparameters LIKE '%i-9bb7939b0bfe31f31%'"),
    ("SendSSHPublicKey events - who pushed a key, to which instance",
     f"SELECT DISTINCT useridentity.arn, {_SSH} FROM cloudtrail WHERE eventname = 'SendSSHPublicKey'"),
])
def test_an_ssh_key_pushed_is_instance_connect(engine, question: str, reference: str) -> None:
    """A key pushed to an instance is SendSSHPublicKey (dev d201, dev9 l100, dev13 p156), no key pair imported."""
    assert same_rows(engine, question, reference) > 0
