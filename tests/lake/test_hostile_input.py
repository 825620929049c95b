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


BAD_TIMES = ["2026-12-05T25:99:99Z", "2026-12-05Tgarbage", "2026-12-05 10:00:00 UTC", "2026-12-05",
             "2026-02-30T10:00:00Z", "2026-12-05T10:00:60Z", "2026-12-05T10:00:00.Z", "٢٠٢٦-12-05T10:00:00Z",
             "2026-12-05T1٠:00:00Z", "2026-12-05T10:00:00+25:00", " 2026-12-05T10:00:00Z",
             "2026-12-05T10:00:00.٣٣٣Z", "2026-12-05T10:00:00.12xZ", "2026-12-05T10:00:00.123+"]
GOOD_TIMES = {"2026-12-05T10:00:00Z": "2026-12-05T10:00:00Z",
              "2026-12-05T10:00:00.123Z": "2026-12-05T10:00:00.123Z",
              "2026-12-05 10:00:00.000": "2026-12-05T10:00:00Z",
              "2026-12-05T10:00:00+00:00": "2026-12-05T10:00:00Z",
              "2026-12-05T23:30:00-02:00": "2026-12-06T01:30:00Z"}


def test_event_times_are_parsed_whole_and_bad_ones_quarantined_with_the_reason(tmp_path: Path, lake: Path) -> None:
    records = [ct_record(i, eventTime=t, eventID=f"bad-{i}") for i, t in enumerate(BAD_TIMES)]
    records += [ct_record(i, eventTime=t, eventID=f"good-{i}") for i, t in enumerate(GOOD_TIMES)]
    summary = ingest([write(tmp_path / "ct.json", '{"Records": ' + json.dumps(records) + "}")], lake)
    assert summary.records["cloudtrail"] == len(GOOD_TIMES)
    assert dict(summary.quarantined) == {"bad_event_time": len(BAD_TIMES)}
    stored = {r["eventid"]: r["eventtime"] for r in lake_rows(lake, "cloudtrail")}
    assert stored == {f"good-{i}": want for i, want in enumerate(GOOD_TIMES.values())}
    entries = list(quarantine_entries(lake))
    assert sorted(json.loads(e["raw"])["eventTime"] for e in entries) == sorted(BAD_TIMES)
    assert all("is not a valid time like '2024-03-04T05:06:07Z'" in e["detail"] for e in entries)


def test_a_finding_with_a_bad_updated_at_is_quarantined(tmp_path: Path, lake: Path) -> None:
    from .helpers import finding

    body = json.dumps([finding(1), finding(2, updated="2026-12-05T25:99:99.000Z")])
    summary = ingest([write(tmp_path / "gd.json", body)], lake)
    assert summary.records["guardduty"] == 1 and dict(summary.quarantined) == {"bad_event_time": 1}


def test_quarantine_keeps_the_first_entries_of_an_object_and_counts_the_rest(tmp_path: Path, lake: Path) -> None:
    # 8 KB of gzip that expands to 300,000 bad lines (at default settings: 100 kept)
    bomb = write(tmp_path / "in" / "bomb.jsonl.gz", json.dumps(ct_record(1)) + "\n" + "{x\n" * 300_000, gz=True)
    write(tmp_path / "in" / "small.jsonl", json.dumps(ct_record(2)) + "\n" + "{y\n" * 3)
    assert bomb.stat().st_size < 10_000
    summary = ingest([tmp_path / "in"], lake)
    assert summary.records["cloudtrail"] == 2
    assert dict(summary.quarantined) == {"invalid_json": 300_003}
    assert summary.quarantine_not_kept == 300_000 - 100
    entries = list(quarantine_entries(lake))
    by_source: dict[str, list[dict]] = {}
    for entry in entries:
        by_source.setdefault(Path(entry["source"]).name, []).append(entry)
    assert [e["line"] for e in by_source["bomb.jsonl.gz"][:100]] == list(range(2, 102))
    (note,) = by_source["bomb.jsonl.gz"][100:]
    assert note["reason"] == "not_kept" and note["not_kept"] == 299_900 and "quarantine_keep" in note["detail"]
    assert len(by_source["small.jsonl"]) == 3  # another object's entries are its own
    assert sum(p.stat().st_size for p in (lake / "_quarantine").iterdir()) < 100_000
    text = summary.format()
    assert "quarantined 300,003 entries" in text and "299,900 counted only, not kept" in text


def test_quarantine_keep_is_a_setting_of_the_cli(workspace: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tests.helpers import area_app
    from workbench.cli import lake as lake_cli
    from workbench.config import load_settings

    write(tmp_path / "bad.jsonl", json.dumps(ct_record(1)) + "\n" + "{z\n" * 50)
    (workspace / "mantissa.yaml").write_text("quarantine_keep: 5\n")
    result = CliRunner().invoke(area_app(lake_cli.register), ["ingest", str(tmp_path / "bad.jsonl"), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "45 counted only" in result.output
    kept = [e for e in quarantine_entries(load_settings(workspace).lake) if e["reason"] == "invalid_json"]
    assert len(kept) == 5
    write(tmp_path / "bad2.jsonl", json.dumps(ct_record(2)) + "\n" + "{w\n" * 50)
    result = CliRunner().invoke(area_app(lake_cli.register), ["ingest", str(tmp_path / "bad2.jsonl"), "--no-progress",
                                                     "--quarantine-keep", "0"])
    assert "50 counted only" in result.output


def test_symlinks_leading_out_of_the_folder_are_refused_and_reported(tmp_path: Path, lake: Path) -> None:
    folder = tmp_path / "in"
    write(folder / "good.json", '{"Records": ' + json.dumps([ct_record(1)]) + "}")
    outside = tmp_path / "private"
    write(outside / "secret.txt", "aws_secret_access_key = do-not-copy-me\n")
    write(outside / "trail.json", '{"Records": ' + json.dumps([ct_record(2)]) + "}")
    (folder / "secret.json").symlink_to(outside / "secret.txt")
    (folder / "trail.json").symlink_to(outside / "trail.json")
    (folder / "sub").mkdir()
    (folder / "sub" / "up.json").symlink_to("../../private/trail.json")  # relative, still outside
    (folder / "linked-dir").symlink_to(outside, target_is_directory=True)
    (folder / "loop").symlink_to(folder / "loop")
    (folder / "inside.json").symlink_to(folder / "good.json")  # inside: read (the same bytes: skipped)
    (folder / "dangling.json").symlink_to(folder / "gone.json")
    summary = ingest([folder], lake)
    assert [r["eventid"] for r in lake_rows(lake, "cloudtrail")] == ["evt-1"]
    assert not (lake / "_quarantine").exists()
    assert sorted(Path(p).name for p in summary.symlinks_refused) == ["linked-dir", "loop", "secret.json",
                                                                       "trail.json", "up.json"]
    assert summary.files_read == 1 and summary.files_skipped == 1
    assert "refused 5 symbolic links leading outside the folder" in summary.format()
    for path in lake.rglob("*"):
        assert not path.is_file() or b"do-not-copy-me" not in path.read_bytes()


def test_a_symlink_named_explicitly_is_followed(tmp_path: Path, lake: Path) -> None:
    target = write(tmp_path / "private" / "trail.json", '{"Records": ' + json.dumps([ct_record(3)]) + "}")
    (tmp_path / "link.json").symlink_to(target)
    summary = ingest([tmp_path / "link.json"], lake)
    assert summary.records["cloudtrail"] == 1 and summary.symlinks_refused == []


def test_a_flow_line_with_odd_digits_costs_only_itself(tmp_path: Path, lake: Path) -> None:
    from .helpers import VPC_V2_HEADER, vpc_v2_line

    superscript = vpc_v2_line(2).replace(" 443 ", " ²³ ")  # str.isdigit() says yes, int() says no
    odd_start = vpc_v2_line(3).replace("1709546403", "١٧٠٩٥٤٦٤٠٣")
    body = "\n".join([VPC_V2_HEADER, vpc_v2_line(1), superscript, odd_start, vpc_v2_line(4)]) + "\n"
    summary = ingest([write(tmp_path / "flow.log", body)], lake)
    assert summary.records["vpc_flow"] == 3 and summary.errors == []
    assert dict(summary.quarantined) == {"bad_event_time": 1}
    rows = {r["srcport"]: r for r in lake_rows(lake, "vpc_flow")}
    assert json.loads(rows[40002]["extra"]) == {"dstport": "²³"}  # kept as delivered, in extra


def test_a_record_that_fails_half_way_leaves_nothing_in_the_next_row(tmp_path: Path, lake: Path) -> None:
    # The deep value is met after errorCode and sourceIPAddress were stored in the row being
    # filled; the record after it has neither, and must not inherit them.
    deep = json.dumps({**ct_record(2), "errorCode": "AccessDenied", "sourceIPAddress": "203.0.113.66"})
    deep = deep[:-1] + ', "requestParameters": {"a": ' + _deep() + "}}"
    following = ct_record(3)
    del following["sourceIPAddress"]
    body = '{"Records": [' + ", ".join([json.dumps(ct_record(1)), deep, json.dumps(following)]) + "]}"
    summary = ingest([write(tmp_path / "ct.json", body)], lake)
    assert dict(summary.quarantined) == {"too_deeply_nested": 1}
    rows = {r["eventid"]: r for r in lake_rows(lake, "cloudtrail")}
    assert sorted(rows) == ["evt-1", "evt-3"]
    assert rows["evt-3"]["errorcode"] is None and rows["evt-3"]["sourceipaddress"] is None
