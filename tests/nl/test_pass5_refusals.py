"""False refusals that recurred across dev8-dev10: questions read whole once the class is known.

Each answered class runs through the guard and the local engine against a reference query written
here; a neighbour that still carries a condition the translator does not read stays refused.
"""

from __future__ import annotations

import pytest

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows

_GETS = ("SELECT {col} FROM cloudtrail WHERE eventname = 'GetObject' "
         "AND json_extract_scalar(requestparameters, '$.bucketName') = 'tyrell-data-lake-33c922'")


@pytest.mark.parametrize(("question", "column"), [
    ("which principals read files from tyrell-data-lake-33c922", "DISTINCT useridentity.arn"),
    ("source ips that fetched objects out of tyrell-data-lake-33c922", "DISTINCT sourceipaddress"),
    ("how many objects did anyone download from tyrell-data-lake-33c922", "count(*)"),
])
def test_objects_read_from_a_bucket_are_what_the_read_takes(engine, question: str, column: str) -> None:
    assert same_rows(engine, question, _GETS.format(col=column)) > 0


def test_listing_objects_is_not_a_read() -> None:
    with pytest.raises(TranslationError):
        translate("who listed objects in tyrell-data-lake-33c922", DEMO_NOW)


@pytest.mark.parametrize(("question", "ports"), [
    ("flows from 198.51.100.149 to database ports (1433, 3306, 5432)", "1433, 3306, 5432"),
    ("did 198.51.100.149 try our db (5432 or 3306)", "5432, 3306"),
    ("rejected remote desktop (3389) flows from 198.51.100.149", "3389"),
])
def test_ports_in_brackets_are_ports(engine, question: str, ports: str) -> None:
    reference = ("SELECT start, srcaddr, srcport, dstaddr, dstport, protocol, packets, bytes, action, interface_id "
                 f"FROM vpc_flow WHERE srcaddr = '198.51.100.149' AND dstport IN ({ports})")
    if "rejected" in question:
        reference += " AND action = 'REJECT'"
    assert same_rows(engine, question, reference) > 0


def test_a_year_in_brackets_is_not_a_port() -> None:
    with pytest.raises(TranslationError):
        translate("flows to 10.10.0.69 (2026)", DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("distinct access key ids used by lena.garcia",
     "SELECT DISTINCT useridentity.accesskeyid FROM cloudtrail WHERE useridentity.username = 'lena.garcia' "
     "AND useridentity.accesskeyid <> ''"),
    ("what instance ids appear in port probe findings",
     "SELECT DISTINCT json_extract_scalar(resource, '$.instanceDetails.instanceId') FROM guardduty "
     "WHERE type LIKE '%PortProbe%'"),
])
def test_ids_of_a_kind_asked_for_are_that_kind(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0
