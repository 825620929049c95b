"""Answers are normalised per kind: the spellings a trainee may use for the right answer all match,
and near misses do not."""

from __future__ import annotations

import pytest

from workbench.training.tasks import FORMATS, NORMALISERS, canonical, digest

SAME = [
    ("ip", "203.0.113.7", " 203.0.113.7 "),
    ("ip", "2001:db8::1", "2001:0DB8:0000:0000:0000:0000:0000:0001"),
    ("principal", "olivia.dubois", "arn:aws:iam::900071647470:user/olivia.dubois"),
    ("principal", "olivia.dubois", "Olivia.Dubois"),
    ("principal", "olivia.dubois", "arn:aws:iam::900071647470:user/engineering/olivia.dubois"),
    ("principal", "zoe.byrne@massive.com",
     "arn:aws:sts::472246053217:assumed-role/AWSReservedSSO_PowerUserAccess_b44ee3610cfcdb56/zoe.byrne@massive.com"),
    ("principal", "svc-reporting", "'svc-reporting'"),
    ("api_call", "CreateAccessKey", "iam:CreateAccessKey"),
    ("api_call", "CreateAccessKey", "iam.amazonaws.com:createaccesskey"),
    ("api_call", "GetCallerIdentity", "GetCallerIdentity()"),
    ("bucket", "duff-data-lake-3bcbd1", "s3://duff-data-lake-3bcbd1/exports/"),
    ("bucket", "duff-data-lake-3bcbd1", "arn:aws:s3:::duff-data-lake-3bcbd1"),
    ("access_key", "AKIAHWSOQCNRP576YUYW", "akiahwsoqcnrp576yuyw"),
    ("resource", "i-ca87de0163f997498", "arn:aws:ec2:us-east-1:123456789012:instance/i-ca87de0163f997498"),
    ("resource", "duff-dev-trail", "arn:aws:cloudtrail:us-east-1:123456789012:trail/duff-dev-trail"),
    ("list", "ap-northeast-2,eu-north-1,sa-east-1", "sa-east-1, ap-northeast-2 eu-north-1"),
    ("list", "g4dn.12xlarge,p3.16xlarge", "[p3.16xlarge; g4dn.12xlarge; p3.16xlarge]"),
    ("number", "407", "407.0"),
    ("number", "1407", "1,407"),
    ("yes_no", "No", "false"),
    ("yes_no", "yes", "Y"),
]

DIFFERENT = [
    ("ip", "203.0.113.7", "203.0.113.70"),
    ("principal", "olivia.dubois", "arn:aws:iam::900071647470:user/olivia.dubois2"),
    ("api_call", "CreateAccessKey", "CreateLoginProfile"),
    ("bucket", "duff-data-lake-3bcbd1", "duff-data-lake"),
    ("list", "ap-northeast-2,eu-north-1,sa-east-1", "ap-northeast-2,eu-north-1"),
    ("number", "407", "406"),
    ("yes_no", "No", "maybe"),
]


@pytest.mark.parametrize(("kind", "truth", "typed"), SAME, ids=[f"{k}:{t}" for k, _, t in SAME])
def test_equivalent_spellings_match(kind: str, truth: str, typed: str) -> None:
    assert canonical(kind, typed) == canonical(kind, truth)


@pytest.mark.parametrize(("kind", "truth", "typed"), DIFFERENT, ids=[f"{k}:{t}" for k, _, t in DIFFERENT])
def test_near_misses_do_not(kind: str, truth: str, typed: str) -> None:
    assert canonical(kind, typed) != canonical(kind, truth)


def test_every_kind_has_a_format_and_unknown_kinds_name_the_closest() -> None:
    assert set(FORMATS) == set(NORMALISERS)
    with pytest.raises(ValueError, match="did you mean 'principal'"):
        canonical("principle", "alice")


def test_digest_depends_on_salt_task_and_answer() -> None:
    base = digest("s1", "initial_access_ip", "203.0.113.7")
    assert len(base) == 64 and "203.0.113.7" not in base
    assert base == digest("s1", "initial_access_ip", "203.0.113.7")
    assert base != digest("s2", "initial_access_ip", "203.0.113.7")
    assert base != digest("s1", "scanner_ip", "203.0.113.7")
    assert base != digest("s1", "initial_access_ip", "203.0.113.8")
