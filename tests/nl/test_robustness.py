"""Classes of wording the offline translator reads as analysts type them (issue 25, generalisation).

Sentence case, greetings and request preambles, misspellings within one edit of the rules' own
vocabulary (never across a prefix: "unsuccessful" is not "successful"), lower-case API names,
"to or from", sized time buckets, a second sum, Identity Center users, and exposure narrowed by
what was exposed. New SQL shapes go through the guard and the local engine.
"""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from workbench.nl import TranslationError
from workbench.nl.offline.normalise import normalise
from workbench.nl.offline.spelling import closest
from workbench.nl.offline.translator import translate
from workbench.sqlguard import guard

from .conftest import DEMO_NOW, DEMO_WINDOW


def _sql(question: str) -> str:
    return translate(question, DEMO_NOW)[0]


@pytest.mark.parametrize(
    ("typed", "plain"),
    [("Hey, EC2 instances launched yesterday? thanks", "EC2 instances launched yesterday?"),
     ("Quick q: how many console logins did heidi.smith make", "how many console logins did heidi.smith make"),
     ("Bob.byrne activity", "bob.byrne activity"),
     ("can you show me when was StopLogging called", "when was StopLogging called"),
     ("i need buckets touched by terraform-runner-aed5", "buckets touched by terraform-runner-aed5"),
     ("# of console logins", "number of console logins")],
)
def test_greetings_case_and_preambles_do_not_change_what_is_asked(typed: str, plain: str) -> None:
    assert normalise(typed) == plain


def test_case_of_codes_and_finding_types_is_kept() -> None:
    assert "Client.UnauthorizedOperation" in normalise("Client.UnauthorizedOperation errors")
    assert normalise("Recon:EC2/PortProbeUnprotectedPort findings").startswith("Recon:EC2/")


@pytest.mark.parametrize(("typo", "word"), [("servcie", "service"), ("assmued", "assumed"), ("faild", "failed"),
                                            ("atmpered", "tampered"), ("logis", "logins"), ("yesteray", "yesterday")])
def test_a_word_one_edit_from_the_vocabulary_is_that_word(typo: str, word: str) -> None:
    assert closest(typo) == word


@pytest.mark.parametrize("word", ["unsuccessful", "heidi", "mallory", "subject"])
def test_a_word_with_a_prefix_or_far_from_the_vocabulary_is_kept(word: str) -> None:
    assert closest(word) == word


def test_unsuccessful_never_reads_as_successful() -> None:
    sql = _sql("unsuccessful calls by lena.garcia")
    assert "NOT errorcode IS NULL" in sql


def test_a_typo_is_read_the_same_as_the_word() -> None:
    assert _sql("count errors by servcie") == _sql("count errors by service")
    assert _sql("which roles were assmued by 192.0.2.238") == _sql("which roles were assumed by 192.0.2.238")


def test_an_api_name_in_lower_case_is_the_call() -> None:
    assert "'SendCommand'" in _sql("list all sendcommand and startsession events")


def test_to_or_from_keeps_both_sides() -> None:
    sql = _sql("show connections to or from 10.10.0.69")
    assert "srcaddr = '10.10.0.69'" in sql and "dstaddr = '10.10.0.69'" in sql


def test_a_prefixed_error_code_is_the_code_not_a_name_or_a_column() -> None:
    sql = _sql("how many Client.UnauthorizedOperation errors yesterday")
    assert "errorcode = 'Client.UnauthorizedOperation'" in sql and "useragent" not in sql and "username" not in sql


def test_a_second_sum_is_kept() -> None:
    sql = _sql("total bytes and packets from 203.0.113.77")
    assert "SUM(bytes)" in sql and "SUM(packets)" in sql


def test_exposure_of_buckets_is_only_bucket_grants() -> None:
    sql = _sql("public exposure events on buckets")
    assert "PutBucketPolicy" in sql and "AuthorizeSecurityGroupIngress" not in sql


def test_an_assumed_name_is_the_role_assumed() -> None:
    sql = _sql("how many times was billing-lambda assumed")
    assert "roleArn" in sql and "useridentity.username" not in sql


def test_a_bucket_shaped_object_of_a_verb_is_a_bucket() -> None:
    sql = _sql("did terraform-runner-aed5 touch tyrell-invoices-33c922?")
    assert "bucketName') = 'tyrell-invoices-33c922'" in sql.replace("JSON_EXTRACT_SCALAR", "json_extract_scalar")


def test_a_request_to_act_behind_a_greeting_is_still_refused() -> None:
    with pytest.raises(TranslationError, match="workbench.respond"):
        translate("hey, block 203.0.113.42 please", DEMO_NOW)
    with pytest.raises(TranslationError, match="workbench.respond"):
        translate("can you disable the access key AKIAI43QP3EFNXRR7C6A", DEMO_NOW)


@pytest.mark.parametrize(
    "question",
    ["flows from 198.51.100.149 in 15 minute buckets", "failed console logins every 15 mins",
     "most active identity center user", "total bytes and packets from 203.0.113.77",
     "Client.UnauthorizedOperation errors per identity center user"],
)
def test_new_shapes_pass_the_guard_and_run(question: str, engine) -> None:
    guarded = guard(_sql(question), DEMO_WINDOW).sql
    tree = sqlglot.parse_one(guarded, read="athena")
    assert isinstance(tree, exp.Select)
    frame = engine.run(guarded, DEMO_WINDOW).frame
    assert len(frame) >= 1
