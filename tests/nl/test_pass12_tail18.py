"""Pass 12, answerable CloudTrail questions of dev19–dev31 refused for one word said again or one verb not read:

- the outcome said again where the question restates itself ("who got denied the most? top 1 arn by denied calls",
  "was ivan.patel ever denied? count the denials", "… fail most often - name and failure count"): one filter;
- the one column of a distinct listing named again after the question ("? account ids only", "? group ids");
- an instance verb after the one who acted ("instance types svc-reporting launched", "what instance types did X
  launch"): the call, as "instance types launched by X" reads;
- "which buckets had their policy or ACL changed": the buckets' own policy, as beside a named bucket.
"""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import TranslationError, translate

from .conftest import DEMO_NOW, same_rows

_DENIED = "errorcode IN ('AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation')"


@pytest.mark.parametrize(("question", "reference"), [
    ("who got denied the most? top 1 arn by denied calls",
     f"SELECT useridentity.arn, count(*) AS denied FROM cloudtrail WHERE {_DENIED} GROUP BY useridentity.arn "
     "ORDER BY denied DESC LIMIT 1"),
    ("was ivan.patel ever denied? count the denials",
     f"SELECT count(*) AS denied FROM cloudtrail WHERE useridentity.username = 'ivan.patel' AND {_DENIED}"),
    ("top 4 api calls that fail most often - name and failure count",
     "SELECT eventname, count(*) AS failures FROM cloudtrail WHERE errorcode IS NOT NULL GROUP BY eventname "
     "ORDER BY failures DESC LIMIT 4"),
])
def test_the_outcome_said_again_is_one_filter(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", [
    "failed calls that were not denied",  # another outcome beside it: a different question, still refused
    "show me the failed api calls that weren't denials",
])
def test_an_outcome_beside_a_negation_is_not_swallowed(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("which accounts did github-actions-deploy act in? account ids only",
     "SELECT DISTINCT recipientaccountid FROM cloudtrail "
     "WHERE useridentity.sessioncontext.sessionissuer.username = 'github-actions-deploy'"),
    ("which security groups did svc-reporting open? group ids",
     "SELECT DISTINCT json_extract_scalar(requestparameters, '$.groupId') FROM cloudtrail "
     "WHERE useridentity.username = 'svc-reporting' AND eventname = 'AuthorizeSecurityGroupIngress'"),
])
def test_the_listed_column_named_again_is_the_same_column(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_another_column_named_after_the_question_is_not_blanked() -> None:
    with pytest.raises(TranslationError, match="ids"):
        translate("which accounts did github-actions-deploy act in? region ids only", DEMO_NOW)


@pytest.mark.parametrize("question", [
    "instance types svc-reporting launched",
    "what instance types did svc-reporting launch",
    "the instance types svc-reporting launched with RunInstances",
])
def test_an_instance_verb_after_the_actor_names_the_call(engine, question: str) -> None:
    reference = ("SELECT DISTINCT json_extract_scalar(requestparameters, '$.instanceType') AS instance_type FROM cloudtrail "
                 "WHERE eventname = 'RunInstances' AND useridentity.username = 'svc-reporting'")
    assert same_rows(engine, question, reference) > 0


def test_the_policy_of_the_buckets_asked_is_the_bucket_policy(engine) -> None:
    question = "which buckets had their policy or ACL changed by judy.byrne@tyrell.com"
    assert "PutBucketPolicy" in translate(question, DEMO_NOW)[0]
    reference = ("SELECT DISTINCT json_extract_scalar(requestparameters, '$.bucketName') FROM cloudtrail "
                 "WHERE useridentity.arn LIKE '%/judy.byrne@tyrell.com' AND eventname IN ('PutBucketPolicy', 'PutBucketAcl')")
    assert same_rows(engine, question, reference) > 0


def test_objects_put_into_buckets_are_uploads(engine) -> None:
    question = "which buckets did judy.byrne@tyrell.com put objects into"
    reference = ("SELECT DISTINCT json_extract_scalar(requestparameters, '$.bucketName') AS bucket FROM cloudtrail "
                 "WHERE useridentity.arn LIKE '%/judy.byrne@tyrell.com' AND eventname = 'PutObject'")
    assert same_rows(engine, question, reference) > 0


def test_crypto_currency_in_two_words_is_the_finding_family(engine) -> None:
    reference = "SELECT updatedat, severity, type, title, resourcetype, id FROM guardduty WHERE type LIKE 'CryptoCurrency:%'"
    assert same_rows(engine, "any crypto currency findings?", reference) > 0


def test_last_access_to_a_bucket_is_its_last_time(engine) -> None:
    reference = ("SELECT max(eventtime) AS last_access FROM cloudtrail "
                 "WHERE json_extract_scalar(requestparameters, '$.bucketName') = 'tyrell-ci-artifacts-c405fb'")
    assert same_rows(engine, "last access to tyrell-ci-artifacts-c405fb", reference) > 0
    # "access denied", "access key" stay what they were: never the time of an access
    assert "AccessDenied" in translate("first access denied error for lena.garcia", DEMO_NOW)[0]


@pytest.mark.parametrize(("question", "reference"), [
    ("which instances ran as the orders-api-ec2 role (session names)",
     "SELECT DISTINCT regexp_extract(useridentity.arn, '[^/]+$') AS session FROM cloudtrail "
     "WHERE useridentity.sessioncontext.sessionissuer.username = 'orders-api-ec2'"),
    ("what instances did the etl-batch-ec2 role run on (session names)",
     "SELECT DISTINCT regexp_extract(useridentity.arn, '[^/]+$') FROM cloudtrail "
     "WHERE useridentity.sessioncontext.sessionissuer.username = 'etl-batch-ec2'"),
    ("how many sessions did AWSReservedSSO_AdministratorAccess_85ccfaefe7c2dc08 have (distinct session names)",
     "SELECT count(DISTINCT regexp_extract(useridentity.arn, '[^/]+$')) AS sessions FROM cloudtrail "
     "WHERE useridentity.sessioncontext.sessionissuer.username = 'AWSReservedSSO_AdministratorAccess_85ccfaefe7c2dc08'"),
])
def test_instances_glossed_as_session_names_are_the_session_names(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("did 203.0.113.77 show up in the vpc flow logs at all? either direction",
     "SELECT start, srcaddr, srcport, dstaddr, dstport, protocol, packets, bytes, action, interface_id FROM vpc_flow "
     "WHERE srcaddr = '203.0.113.77' OR dstaddr = '203.0.113.77'"),
    ("when did 203.0.113.77 first appear in vpc flow logs, either direction",
     "SELECT min(start) FROM vpc_flow WHERE srcaddr = '203.0.113.77' OR dstaddr = '203.0.113.77'"),
])
def test_either_direction_beside_an_address_with_no_side_restates_it(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_either_direction_beside_a_side_stays_refused() -> None:
    with pytest.raises(TranslationError, match="direction"):
        translate("flows from 203.0.113.77, either direction", DEMO_NOW)


@pytest.mark.parametrize(("question", "service"), [
    ("is anyone using lightsail", "lightsail"),
    ("how many bedrock InvokeModel calls were there", "bedrock"),
])
def test_lightsail_and_bedrock_are_services(question: str, service: str) -> None:
    assert f"eventsource = '{service}.amazonaws.com'" in translate(question, DEMO_NOW)[0]


def test_a_kms_key_is_the_key_the_request_names_never_an_access_key(engine) -> None:
    question = "which kms key ids did billing-lambda call GenerateDataKey on"
    reference = ("SELECT DISTINCT json_extract_scalar(requestparameters, '$.keyId') FROM cloudtrail "
                 "WHERE useridentity.sessioncontext.sessionissuer.username = 'billing-lambda' AND eventname = 'GenerateDataKey'")
    assert same_rows(engine, question, reference) > 0
    assert "accesskeyid" not in translate("which kms keys did billing-lambda use", DEMO_NOW)[0]
    assert "'CreateKey'" in translate("new kms keys", DEMO_NOW)[0]  # a verb on the key itself: the call
