"""Hostile input (issue 18): one bad record, value or file costs only itself; nothing leaves the folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.lake import MANIFEST_FILE, ingest, quarantine_entries

from .helpers import ct_record, lake_rows, write

DEPTH = 1100  # past orjson's 1024 levels and Python's recursion limit


def _deep(depth: int = DEPTH) -> str:
    return "[" * depth + "]" * depth


def _deep_record(i: int) -> str:
    """A CloudTrail record whose requestParameters nest `DEPTH` levels down (JSON text)."""
    good = json.dumps(ct_record(i))
    return good[:-1] + ', "requestParameters": {"a": ' + _deep() + "}}"


@pytest.mark.parametrize("gz", [False, True])
def test_a_record_nested_too_deep_costs_only_itself_in_a_records_document(tmp_path: Path, lake: Path,
                                                                          gz: bool) -> None:
    body = '{"Records": [' + ", ".join([json.dumps(ct_record(1)), _deep_record(2), json.dumps(ct_record(3))]) + "]}"
    summary = ingest([write(tmp_path / "ct.json", body, gz=gz)], lake)
    assert sorted(r["eventid"] for r in lake_rows(lake, "cloudtrail")) == ["evt-1", "evt-3"]
    assert dict(summary.quarantined) == {"too_deeply_nested": 1}
    (entry,) = quarantine_entries(lake)
    assert entry["record"] == 1 and "evt-2" in entry["raw"] and "nest" in entry["detail"]


def test_a_line_nested_too_deep_costs_only_itself_in_ndjson(tmp_path: Path, lake: Path) -> None:
    body = json.dumps(ct_record(1)) + "\n" + _deep_record(2) + "\n" + _deep() + "\n" + json.dumps(ct_record(3)) + "\n"
    summary = ingest([write(tmp_path / "ct.jsonl", body)], lake)
    assert sorted(r["eventid"] for r in lake_rows(lake, "cloudtrail")) == ["evt-1", "evt-3"]
    assert dict(summary.quarantined) == {"too_deeply_nested": 2}
    entries = sorted(quarantine_entries(lake), key=lambda e: e["line"])
    assert [e["line"] for e in entries] == [2, 3]
    assert entries[0]["raw"] == _deep_record(2) and entries[1]["raw"] == _deep()


def test_a_deep_array_of_findings_keeps_its_good_findings(tmp_path: Path, lake: Path) -> None:
    from .helpers import finding

    body = "[" + json.dumps(finding(1)) + ", " + _deep() + ", " + json.dumps(finding(2)) + "]"
    summary = ingest([write(tmp_path / "gd.json", body)], lake)
    assert sorted(r["id"] for r in lake_rows(lake, "guardduty")) == ["finding-1", "finding-2"]
    assert dict(summary.quarantined) == {"too_deeply_nested": 1}


def test_an_object_whose_records_were_quarantined_is_still_recorded_once(tmp_path: Path, lake: Path) -> None:
    import sqlite3

    src = write(tmp_path / "ct.jsonl", json.dumps(ct_record(1)) + "\n" + _deep_record(2) + "\n")
    ingest([src], lake)
    again = ingest([src], lake)
    assert again.files_skipped == 1 and len(lake_rows(lake, "cloudtrail")) == 1
    with sqlite3.connect(lake / MANIFEST_FILE) as db:
        assert db.execute("SELECT records, quarantined FROM objects").fetchall() == [(1, 1)]
