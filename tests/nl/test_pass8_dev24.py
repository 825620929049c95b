"""Classes the offline translator reads since pass 8 (wrong refusals of development set dev24, which asks about every
column of every table). Answered questions run through the guard and the local engine and are compared with a
reference query written here; refused ones assert the reason.
"""

from __future__ import annotations

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows

_LISTING = "eventtime, useridentity.arn, sourceipaddress, eventsource, eventname, errorcode, eventid"
_SSM_NAME = ("CASE WHEN eventsource = 'ssm.amazonaws.com' THEN coalesce(json_extract_scalar(requestparameters, '$.name'), "
             "json_format(json_extract(requestparameters, '$.names'))) END")


@pytest.mark.parametrize(("question", "reference"), [
    ("count by eventtype", "SELECT eventtype, count(*) FROM cloudtrail GROUP BY 1"),
    ("events per event type", "SELECT eventtype, count(*) FROM cloudtrail GROUP BY 1"),
    ("break down cloudtrail events by recipient account",
     "SELECT recipientaccountid, count(*) FROM cloudtrail GROUP BY 1"),
    ("count per readonly", "SELECT readonly, count(*) FROM cloudtrail GROUP BY 1"),
    ("3 most common error messages", "SELECT errormessage, count(*) AS n FROM cloudtrail WHERE errormessage IS NOT NULL "
                                     "GROUP BY 1 ORDER BY n DESC LIMIT 3"),
    ("distinct error messages for kms", "SELECT DISTINCT errormessage FROM cloudtrail WHERE eventsource = "
                                        "'kms.amazonaws.com' AND errormessage IS NOT NULL"),
    ("count per tls version", "SELECT tlsdetails.tlsversion, count(*) FROM cloudtrail "
                              "WHERE tlsdetails.tlsversion IS NOT NULL GROUP BY 1"),
    ("calls per vpc endpoint", "SELECT vpcendpointid, count(*) FROM cloudtrail WHERE vpcendpointid IS NOT NULL GROUP BY 1"),
    ("distinct principal ids of svc-reporting",
     "SELECT DISTINCT useridentity.principalid FROM cloudtrail WHERE useridentity.username = 'svc-reporting' "
     "OR useridentity.sessioncontext.sessionissuer.username = 'svc-reporting'"),
    ("list all distinct gd finding titles", "SELECT DISTINCT title FROM guardduty"),
    ("finding titles per severity", "SELECT severity, title, count(*) FROM guardduty GROUP BY 1, 2"),
])
def test_a_rarer_column_is_listed_and_grouped_by(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("whats the principal id of the svc-reporting user",
     "SELECT DISTINCT useridentity.principalid FROM cloudtrail WHERE useridentity.username = 'svc-reporting'"),
    ("what is the user agent of the svc-reporting user",
     "SELECT DISTINCT useragent FROM cloudtrail WHERE useridentity.username = 'svc-reporting'"),
    ("what was the source ip of the DeleteTrail call",
     "SELECT DISTINCT sourceipaddress FROM cloudtrail WHERE eventname = 'DeleteTrail'"),
    ("what's the region of the StopLogging call",
     "SELECT DISTINCT awsregion FROM cloudtrail WHERE eventname = 'StopLogging'"),
    ("region of the UpdateTrail call", "SELECT DISTINCT awsregion FROM cloudtrail WHERE eventname = 'UpdateTrail'"),
    ("public ip of the instance in the bitcoin finding",
     "SELECT DISTINCT json_extract_scalar(resource, '$.instanceDetails.networkInterfaces[0].publicIp') FROM guardduty "
     "WHERE type LIKE 'CryptoCurrency:EC2/BitcoinTool%'"),
])
def test_the_column_of_a_named_thing_is_its_values(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("how many calls went through vpc endpoint vpce-27f1dbbf26a096e19",
     "SELECT count(*) FROM cloudtrail WHERE vpcendpointid = 'vpce-27f1dbbf26a096e19'"),
    ("which users called through vpce-f367b243fa182b330",
     "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE vpcendpointid = 'vpce-f367b243fa182b330'"),
    ("show the AwsServiceEvent records from yesterday",
     f"SELECT {_LISTING} FROM cloudtrail WHERE eventtype = 'AwsServiceEvent' AND eventtime >= '2026-11-19T00:00:00Z'"),
    ("how many AwsConsoleSignIn events", "SELECT count(*) FROM cloudtrail WHERE eventtype = 'AwsConsoleSignIn'"),
    ("who got the 'Failed authentication' error message",
     "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE errormessage = 'Failed authentication'"),
    ("how many events with error message \"Access Denied\"",
     "SELECT count(*) FROM cloudtrail WHERE errormessage = 'Access Denied'"),
    ("show errors whose message mentions kms:Decrypt",
     f"SELECT {_LISTING} FROM cloudtrail WHERE errormessage LIKE '%kms:Decrypt%'"),
    ("which principals got errors where the message contains ec2:CreateTags",
     "SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE errormessage LIKE '%ec2:CreateTags%'"),
])
def test_a_value_of_a_rarer_column_is_its_filter(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("which instance types were requested in RunInstances calls",
     "SELECT DISTINCT json_extract_scalar(requestparameters, '$.instanceType') FROM cloudtrail "
     "WHERE eventname = 'RunInstances'"),
    ("what user names were created w/ CreateUser",
     "SELECT DISTINCT json_extract_scalar(requestparameters, '$.userName') FROM cloudtrail WHERE eventname = 'CreateUser'"),
    ("which policy arns got attached via AttachRolePolicy",
     "SELECT DISTINCT json_extract_scalar(requestparameters, '$.policyArn') FROM cloudtrail "
     "WHERE eventname = 'AttachRolePolicy'"),
    ("which key names got imported w/ ImportKeyPair",
     "SELECT DISTINCT json_extract_scalar(requestparameters, '$.keyName') FROM cloudtrail WHERE eventname = 'ImportKeyPair'"),
    ("which trail did StopLogging target",
     "SELECT DISTINCT json_extract_scalar(requestparameters, '$.name') FROM cloudtrail WHERE eventname = 'StopLogging'"),
    ("which bucket did PutBucketPolicy change",
     "SELECT DISTINCT json_extract_scalar(requestparameters, '$.bucketName') FROM cloudtrail "
     "WHERE eventname = 'PutBucketPolicy'"),
])
def test_the_verb_of_a_named_call_is_the_call(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["which instance types were deleted in RunInstances calls",
                                      "which trail did StopLogging create"])
def test_a_verb_the_named_call_disagrees_with_is_refused(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("console sign ins that didnt use mfa",
     f"SELECT {_LISTING} FROM cloudtrail WHERE eventname = 'ConsoleLogin' "
     "AND json_extract_scalar(additionaleventdata, '$.MFAUsed') = 'No'"),
    ("list guardduty api calls", f"SELECT {_LISTING} FROM cloudtrail WHERE eventsource = 'guardduty.amazonaws.com'"),
    ("how many calls to guardduty", "SELECT count(*) FROM cloudtrail WHERE eventsource = 'guardduty.amazonaws.com'"),
    ("which aws services invoked calls on our behalf (invokedby)?",
     "SELECT DISTINCT useridentity.invokedby FROM cloudtrail WHERE useridentity.invokedby IS NOT NULL"),
    ("how many events landed in account 569653782390",
     "SELECT count(*) FROM cloudtrail WHERE recipientaccountid = '569653782390'"),
    ("readonly vs write call counts", "SELECT readonly, count(*) FROM cloudtrail GROUP BY 1"),
    ("read-only vs write events per readonly", "SELECT readonly, count(*) FROM cloudtrail GROUP BY 1"),
    ("which instance owns eni-48c937d2827e0322e",
     "SELECT DISTINCT instance_id FROM vpc_flow WHERE interface_id = 'eni-48c937d2827e0322e'"),
    ("earliest flow start time from 198.51.100.149", "SELECT min(start) FROM vpc_flow WHERE srcaddr = '198.51.100.149'"),
    ("outbound bytes from 10.10.17.92 to 52.216.x.x (s3 range) on nov 18",
     "SELECT sum(bytes) FROM vpc_flow WHERE srcaddr = '10.10.17.92' AND dstaddr LIKE '52.216.%' "
     "AND flow_direction = 'egress' AND start >= 1794960000 AND start < 1795046400"),
    ("how many events came from a browser user agent (Mozilla)?",
     "SELECT count(*) FROM cloudtrail WHERE lower(useragent) LIKE '%mozilla%'"),
    ("sg ids that got an ingress rule for 0.0.0.0/0",
     "SELECT DISTINCT json_extract_scalar(requestparameters, '$.groupId') FROM cloudtrail "
     "WHERE eventname = 'AuthorizeSecurityGroupIngress' AND requestparameters LIKE '%0.0.0.0/0%'"),
    ("which detector ids were deleted, in what regions",
     "SELECT DISTINCT json_extract_scalar(requestparameters, '$.detectorId'), awsregion FROM cloudtrail "
     "WHERE eventname = 'DeleteDetector'"),
])
def test_a_rarer_phrasing_reads_as_the_words_it_means(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize(("question", "reference"), [
    ("which ssm parameters were read the most? top 2",
     f"SELECT {_SSM_NAME}, count(*) AS n FROM cloudtrail WHERE eventname IN ('GetParameter', 'GetParameters') "
     "GROUP BY 1 ORDER BY n DESC LIMIT 2"),
    ("which ssm parameters were read",
     f"SELECT DISTINCT {_SSM_NAME} FROM cloudtrail WHERE eventname IN ('GetParameter', 'GetParameters')"),
    ("calls per ssm parameter",
     f"SELECT {_SSM_NAME}, count(*) FROM cloudtrail WHERE eventsource = 'ssm.amazonaws.com' AND {_SSM_NAME} IS NOT NULL "
     "GROUP BY 1"),
])
def test_an_ssm_parameter_is_the_name_its_reads_carry(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0
