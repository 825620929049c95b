"""Malformed input is quarantined with its reason and position, counted, and costs nothing else."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from workbench.lake import ingest, quarantine_entries

from .helpers import VPC_V2_HEADER, ct_record, finding, lake_rows, ndjson, records_doc, vpc_v2_line, write


def _entries(lake: Path) -> list[dict]:
    return list(quarantine_entries(lake))


def test_bad_lines_are_quarantined_and_the_rest_kept(tmp_path: Path, lake: Path) -> None:
    no_time = ct_record(3)
    del no_time["eventTime"]
    body = (json.dumps(ct_record(1)) + "\n"
            + '{"eventVersion": "1.09", "eventTime": \n'  # not JSON
            + json.dumps(no_time) + "\n"
            + json.dumps(ct_record(4, eventTime="yesterday")) + "\n"
            + "\n"
            + json.dumps(ct_record(5)) + "\n")
    summary = ingest([write(tmp_path / "ct.jsonl", body)], lake)
    assert summary.records["cloudtrail"] == 2
    assert dict(summary.quarantined) == {"invalid_json": 1, "missing_event_time": 1, "bad_event_time": 1}
    assert sorted(r["eventid"] for r in lake_rows(lake, "cloudtrail")) == ["evt-1", "evt-5"]
    by_reason = {e["reason"]: e for e in _entries(lake)}
    assert by_reason["invalid_json"]["line"] == 2
    assert by_reason["invalid_json"]["raw"] == '{"eventVersion": "1.09", "eventTime": '
    assert by_reason["missing_event_time"]["line"] == 3
    assert json.loads(by_reason["missing_event_time"]["raw"]) == no_time
    assert all(e["source"].endswith("ct.jsonl") for e in by_reason.values())
    assert "quarantined 3 entries" in summary.format() and "_quarantine" in summary.format()


def test_records_document_rejects_only_its_bad_records(tmp_path: Path, lake: Path) -> None:
    no_time = ct_record(2)
    del no_time["eventTime"]
    doc = records_doc([ct_record(1), no_time, "not a record", ct_record(3)])
    summary = ingest([write(tmp_path / "ct.json.gz", doc, gz=True)], lake)
    assert summary.records["cloudtrail"] == 2
    assert dict(summary.quarantined) == {"missing_event_time": 1, "not_an_object": 1}
    assert sorted(e["record"] for e in _entries(lake)) == [1, 2]


def _truncated(data: bytes) -> bytes:
    whole = gzip.compress(data)
    return whole[: len(whole) * 2 // 3]


def test_truncated_gzip_lines_keep_what_came_before(tmp_path: Path, lake: Path) -> None:
    lines = ndjson([ct_record(i, eventID=f"evt-{i}", pad="x" * 200) for i in range(400)]).encode()
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(_truncated(lines))
    summary = ingest([path], lake)
    kept = summary.records["cloudtrail"]
    assert 0 < kept < 400
    assert dict(summary.quarantined) == {"truncated_gzip": 1}
    ids = sorted(int(r["eventid"][4:]) for r in lake_rows(lake, "cloudtrail"))
    assert ids == list(range(kept))  # the complete lines before the cut, nothing else
    (entry,) = _entries(lake)
    assert entry["line"] == kept + 1 and entry["raw"]  # the partial line after the last complete one


def test_truncated_gzip_records_document_salvages_complete_records(tmp_path: Path, lake: Path) -> None:
    doc = records_doc([ct_record(i, pad="y" * 300) for i in range(300)]).encode()
    path = tmp_path / "cut.json.gz"
    path.write_bytes(_truncated(doc))
    summary = ingest([path], lake)
    assert 0 < summary.records["cloudtrail"] < 300
    assert dict(summary.quarantined) == {"truncated_gzip": 1}


def test_truncated_gzip_flow_log(tmp_path: Path, lake: Path) -> None:
    body = "\n".join([VPC_V2_HEADER] + [vpc_v2_line(i) for i in range(3000)]).encode()
    path = tmp_path / "flow.log.gz"
    path.write_bytes(_truncated(body))
    summary = ingest([path], lake)
    assert 0 < summary.records["vpc_flow"] < 3000
    assert dict(summary.quarantined) == {"truncated_gzip": 1}


def test_flow_line_with_wrong_field_count(tmp_path: Path, lake: Path) -> None:
    body = "\n".join([VPC_V2_HEADER, vpc_v2_line(1), "2 111111111111 eni-1 10.0.0.1", vpc_v2_line(2),
                      vpc_v2_line(3).replace("1709546403", "-", 1)]) + "\n"
    summary = ingest([write(tmp_path / "flow.log", body)], lake)
    assert summary.records["vpc_flow"] == 2
    assert dict(summary.quarantined) == {"wrong_field_count": 1, "missing_event_time": 1}
    assert {e["line"] for e in _entries(lake)} == {3, 5}


def test_findings_without_id_or_updated_at(tmp_path: Path, lake: Path) -> None:
    no_id, no_time = finding(2), finding(3)
    del no_id["id"]
    del no_time["updatedAt"]
    summary = ingest([write(tmp_path / "gd.json", json.dumps([finding(1), no_id, no_time]))], lake)
    assert summary.records["guardduty"] == 1
    assert dict(summary.quarantined) == {"missing_finding_id": 1, "missing_updated_at": 1}


def test_unreadable_and_unknown_objects_do_not_stop_the_rest(tmp_path: Path, lake: Path) -> None:
    folder = tmp_path / "in"
    write(folder / "good.json", records_doc([ct_record(1)]))
    write(folder / "notes.txt", "Dear diary, today nothing happened.\n")
    write(folder / "garbage.gz", b"\x1f\x8b\x08\x00 definitely not deflate data")
    (tmp_path / "mem").symlink_to("/proc/self/mem")  # a file every read of which fails (EIO)
    summary = ingest([folder, tmp_path / "mem"], lake)  # named explicitly: followed (in a folder it is not)
    assert summary.records["cloudtrail"] == 1
    assert dict(summary.quarantined) == {"unknown_format": 1, "corrupt_gzip": 1, "unreadable_file": 1}
    unreadable = [e for e in _entries(lake) if e["reason"] == "unreadable_file"]
    assert unreadable[0]["source"].endswith("mem")


def test_unrecognised_json_objects(tmp_path: Path, lake: Path) -> None:
    body = ndjson([{"hello": "world"}, 42, ct_record(1)])
    summary = ingest([write(tmp_path / "mixed.jsonl", body)], lake)
    assert summary.records["cloudtrail"] == 1
    assert dict(summary.quarantined) == {"unrecognised_record": 1, "not_an_object": 1}
