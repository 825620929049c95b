"""Classes of wrong readings found by development set dev20: an arrow between two addresses, an action word
beside an identity word, what packets carried, and a follow-up naming only a new value. Answered questions are
compared with a reference query on the demo lake; refused ones assert the reason.
"""

from __future__ import annotations

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows

_FLOWS = "SELECT start, srcaddr, srcport, dstaddr, dstport, protocol, packets, bytes, action, interface_id FROM vpc_flow "


@pytest.mark.parametrize("question", [
    "show traffic 68.62.167.181 -> 10.10.0.69",
    "flows 68.62.167.181→10.10.0.69",
    "traffic 68.62.167.181 => 10.10.0.69",
    "flows 68.62.167.181 > 10.10.0.69",
    "traffic from 68.62.167.181 --> 10.10.0.69",
    "flows 10.10.0.69 <- 68.62.167.181",
])
def test_an_arrow_between_addresses_points_from_source_to_destination(engine, question: str) -> None:
    reference = _FLOWS + "WHERE srcaddr = '68.62.167.181' AND dstaddr = '10.10.0.69'"
    assert same_rows(engine, question, reference) > 0


_EVENTS = "SELECT eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid FROM cloudtrail "
_BUCKET = "json_extract_scalar(requestparameters, '$.bucketName') = 'tyrell-backups-33c922'"


# convention (tests/nl/README.md): an anonymous caller's "reads" of a bucket are every request it made there, the
# listings too (dev3 f041, dev5 h062, dev9 l067); a named caller's S3 reads are GetObject
@pytest.mark.parametrize(("question", "reference"), [
    ("anonymous reads on tyrell-backups-33c922",
     _EVENTS + f"WHERE useridentity.accountid = 'anonymous' AND {_BUCKET}"),
    ("anonymous read requests on tyrell-backups-33c922",
     _EVENTS + f"WHERE useridentity.accountid = 'anonymous' AND {_BUCKET}"),
    ("how many anonymous reads on tyrell-backups-33c922",
     f"SELECT count(*) FROM cloudtrail WHERE useridentity.accountid = 'anonymous' AND {_BUCKET}"),
    ("were there anonymous reads of tyrell-backups-33c922",
     _EVENTS + f"WHERE useridentity.accountid = 'anonymous' AND {_BUCKET}"),
])
def test_anonymous_reads_are_every_anonymous_request(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["root user downloads from tyrell-backups-33c922", "iam user uploads to tyrell-backups-33c922",
                                      "user failures", "iam role deletions", "role writes to tyrell-backups-33c922"])
def test_an_action_noun_after_user_or_role_is_never_a_name(question: str) -> None:
    try:
        sql = translate(question, DEMO_NOW)[0]
    except TranslationError:
        return  # refusing is fine; filtering on a user or role named after the action is not
    for word in ("downloads", "uploads", "failures", "deletions", "writes"):
        assert f"'{word}'" not in sql and f"/{word}'" not in sql, sql


@pytest.mark.parametrize("question", [
    "what was in the packets from 198.51.100.149",
    "what did the packets from 198.51.100.149 contain",
    "what was inside the packets sent to 10.0.0.5",
    "show the packet data from 198.51.100.149",
    "what data was in the packets 10.0.0.5 sent",
])
def test_what_packets_carried_is_missing_data(question: str) -> None:
    with pytest.raises(TranslationError, match="data these tables do not hold.*Traffic Mirroring"):
        translate(question, DEMO_NOW)


def test_how_many_packets_is_still_a_count() -> None:
    assert "SUM(packets)" in translate("how many packets did 198.51.100.149 send", DEMO_NOW)[0]


@pytest.mark.parametrize("question", [
    "and what about judy.byrne@tyrell.com?",
    "what about 10.0.0.5?",
    "how about heidi.smith",
    "same for tyrell-backups-33c922",
    "and for 198.51.100.149?",
    "ok thanks, same query but for heidi.smith",
])
def test_a_follow_up_naming_only_a_new_value_is_ambiguous(question: str) -> None:
    with pytest.raises(TranslationError, match="ambiguous: .* follow-up to an earlier question"):
        translate(question, DEMO_NOW)


def test_and_for_inside_a_question_is_not_a_follow_up() -> None:
    assert "CreateAccessKey" in translate("who created access keys and for which user", DEMO_NOW)[0]


@pytest.mark.parametrize("question", [
    "was 198.51.100.149 ever allowed in",
    "was 198.51.100.149 ever let in",
    "was 198.51.100.149 allowed through",
    "has 198.51.100.149 been let through",
])
def test_an_address_let_in_is_the_source_of_accepted_flows(engine, question: str) -> None:
    reference = _FLOWS + "WHERE action = 'ACCEPT' AND srcaddr = '198.51.100.149'"
    same_rows(engine, question, reference)


_GRANTS = ("SELECT DISTINCT useridentity.arn, json_extract_scalar(requestparameters, '$.userName') FROM cloudtrail "
           "WHERE eventname = 'AttachUserPolicy' AND json_extract_scalar(requestparameters, '$.policyArn') LIKE '%/{}'")


@pytest.mark.parametrize(("question", "policy"), [
    ("IAMFullAccess - who attached it, to which user", "IAMFullAccess"),
    ("IAMFullAccess: who attached it and to which user", "IAMFullAccess"),
    ("AdministratorAccess — who attached it, and to which user?", "AdministratorAccess"),
])
def test_a_policy_named_before_the_question_is_what_it_refers_to(engine, question: str, policy: str) -> None:
    same_rows(engine, question, _GRANTS.format(policy))
