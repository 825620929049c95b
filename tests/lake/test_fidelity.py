"""Nothing is dropped: every delivered field is readable from its column or from `extra`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.catalog import CLOUDTRAIL_JSON_COLUMNS, GUARDDUTY_JSON_COLUMNS
from workbench.lake import ingest, write_records

from .helpers import arrow_rows, ct_record, finding, ndjson, records_doc, recover_problems, write

ODD_RECORDS = [
    pytest.param(ct_record(1, brandNewField={"a": [1, 2]}, extra="mine"), id="unknown-top-level-and-extra-named"),
    pytest.param(ct_record(2, userIdentity={"type": "IAMUser", "userName": "bob", "accesKeyId": "typo",
                                            "sessionContext": {"attributes": {"mfaAuthenticated": False,
                                                                              "newAttr": 1}}}),
                 id="unknown-nested-struct-members"),
    pytest.param(ct_record(3, eventtime="2024-03-04T01:00:00Z"), id="second-spelling-of-a-column"),
    pytest.param(ct_record(4, readOnly=False, apiVersion=20150331, sessionCredentialFromConsole=True),
                 id="bool-and-number-in-string-columns"),
    pytest.param(ct_record(5, resources=[{"ARN": "arn:aws:s3:::b", "accountId": "1", "type": "AWS::S3::Bucket",
                                          "extraKey": "x"}, "odd"]), id="resources-with-odd-members"),
    pytest.param(ct_record(6, tlsDetails={"tlsVersion": "TLSv1.2", "clientProvidedHostHeader": "h"},
                           addendum="not an object"), id="struct-of-wrong-shape"),
    pytest.param(ct_record(7, requestParameters="already text", responseElements=[1, "two"],
                           additionalEventData={"ünïcode": "✓", "big": 2**70}), id="json-columns-any-value"),
    pytest.param(ct_record(8, userIdentity={"type": "WebIdentityUser", "sessionContext": {
        "webIdFederationData": {"federatedProvider": "cognito", "attributes": {"aud": "x", "n": 1}}}}),
        id="map-member"),
]


@pytest.mark.parametrize("record", ODD_RECORDS)
def test_cloudtrail_fields_are_recoverable(tmp_path: Path, lake: Path, record: dict) -> None:
    ingest([write(tmp_path / "ct.jsonl", ndjson([record]))], lake)
    (row,) = arrow_rows(lake, "cloudtrail")
    assert recover_problems(record, row, CLOUDTRAIL_JSON_COLUMNS) == []


def test_extra_names_unknown_fields_by_original_path(tmp_path: Path, lake: Path) -> None:
    record = ct_record(1, brandNewField=1, userIdentity={"type": "IAMUser", "sessionContext": {"newThing": "x"}})
    ingest([write(tmp_path / "ct.json", records_doc([record]))], lake)
    (row,) = arrow_rows(lake, "cloudtrail")
    assert json.loads(row["extra"]) == {"brandNewField": 1, "userIdentity.sessionContext.newThing": "x"}


def test_known_fields_do_not_reach_extra(tmp_path: Path, lake: Path) -> None:
    ingest([write(tmp_path / "ct.json", records_doc([ct_record(1)]))], lake)
    (row,) = arrow_rows(lake, "cloudtrail")
    assert row["extra"] is None


def test_guardduty_fields_are_recoverable(lake: Path) -> None:
    odd = finding(2)
    odd["newTopLevel"] = {"k": "v"}
    odd["severity"] = "high"  # not a number: kept in extra, the column stays null
    write_records("guardduty", [finding(1), odd], lake)
    rows = {r["id"]: r for r in arrow_rows(lake, "guardduty")}
    assert recover_problems(finding(1), rows["finding-1"], GUARDDUTY_JSON_COLUMNS) == []
    assert recover_problems(odd, rows["finding-2"], GUARDDUTY_JSON_COLUMNS) == []
    assert rows["finding-2"]["severity"] is None


def test_a_rare_first_spelling_does_not_capture_the_column(lake: Path) -> None:
    lower = {k.lower(): v for k, v in ct_record(1).items()}  # the first record uses lower-case keys
    records = [lower, ct_record(2), ct_record(3, eventtime="2024-03-04T09:00:00Z")]
    write_records("cloudtrail", records, lake)
    rows = {r["eventid"]: r for r in arrow_rows(lake, "cloudtrail")}
    for record in records:
        ident = record.get("eventID") or record.get("eventid")
        assert recover_problems(record, rows[ident], CLOUDTRAIL_JSON_COLUMNS) == []
    assert rows["evt-2"]["extra"] is None
    assert json.loads(rows["evt-3"]["extra"]) == {"eventTime": "2024-03-04T03:00:00Z"}


def test_event_times_are_stored_in_one_spelling(tmp_path: Path) -> None:
    """Window bounds compare times as text, so every spelling of an instant becomes CloudTrail's own."""
    records = [
        {"eventTime": "2022-09-27 17:09:18.000", "eventID": "space"},
        {"eventTime": "2026-11-20T23:30:00-05:00", "eventID": "offset"},
        {"eventTime": "2026-11-20T10:00:00Z", "eventID": "canonical"},
    ]
    write_records("cloudtrail", records, tmp_path / "lake")
    rows = {r["eventid"]: r for r in arrow_rows(tmp_path / "lake", "cloudtrail")}
    assert rows["space"]["eventtime"] == "2022-09-27T17:09:18Z"
    assert json.loads(rows["space"]["extra"]) == {"eventtime_as_delivered": "2022-09-27 17:09:18.000"}
    assert rows["offset"]["eventtime"] == "2026-11-21T04:30:00Z"
    assert (rows["offset"]["year"], rows["offset"]["month"], rows["offset"]["day"]) == ("2026", "11", "21")
    assert rows["canonical"]["eventtime"] == "2026-11-20T10:00:00Z" and rows["canonical"]["extra"] is None
