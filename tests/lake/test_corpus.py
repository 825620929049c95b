"""The public Panther corpus (../shared): every field of every real-shaped event survives ingest."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from workbench.catalog import CLOUDTRAIL_JSON_COLUMNS, GUARDDUTY_JSON_COLUMNS
from workbench.lake import ingest, quarantine_entries

from .helpers import arrow_rows, recover_problems

pytestmark = pytest.mark.shared


def _events(corpus: Path, source: str) -> list[dict]:
    out = []
    for line in corpus.read_text().splitlines():
        item = json.loads(line)
        if item["source"] == source:
            out.append(item["event"])
    return out


def _has_time(event: dict, name: str) -> bool:
    return any(k.lower() == name for k in event)


def _dated(event: dict) -> bool:
    """An eventTime a partition can be derived from (the corpus also has 'redacted' and '...')."""
    times = [v for k, v in event.items() if k.lower() == "eventtime"]
    return bool(times) and isinstance(times[0], str) and re.match(r"\d{4}-\d{2}-\d{2}", times[0]) is not None


def test_every_cloudtrail_field_survives(corpus_path: Path, tmp_path: Path) -> None:
    events = _events(corpus_path, "cloudtrail")
    # Tag each event so its row can be found again; the tag itself must come back through `extra`.
    tagged = [{**e, "corpusIndex": i} for i, e in enumerate(events)]
    src = tmp_path / "corpus-cloudtrail.jsonl"
    src.write_text("".join(json.dumps(e) + "\n" for e in tagged))
    summary = ingest([src], tmp_path / "lake")

    timed = [e for e in tagged if _dated(e)]
    untimed = [e for e in tagged if not _has_time(e, "eventtime")]
    assert summary.records["cloudtrail"] == len(timed)
    assert dict(summary.quarantined) == {"missing_event_time": len(untimed),
                                         "bad_event_time": len(tagged) - len(timed) - len(untimed)}
    rows = {json.loads(r["extra"])["corpusIndex"]: r for r in arrow_rows(tmp_path / "lake", "cloudtrail")}
    problems = {i: recover_problems(e, rows[e["corpusIndex"]], CLOUDTRAIL_JSON_COLUMNS)
                for i, e in enumerate(timed)}
    assert {i: p for i, p in problems.items() if p} == {}
    # Events without a usable event time are quarantined whole, every field intact, not lost.
    quarantined = {json.loads(q["raw"])["corpusIndex"]: json.loads(q["raw"])
                   for q in quarantine_entries(tmp_path / "lake")}
    assert quarantined == {e["corpusIndex"]: e for e in tagged if not _dated(e)}


def test_guardduty_findings_survive(corpus_path: Path, tmp_path: Path) -> None:
    events = _events(corpus_path, "guardduty")
    src = tmp_path / "findings.json"
    src.write_text(json.dumps(events))
    summary = ingest([src], tmp_path / "lake")
    assert summary.records["guardduty"] == len(events) and not summary.quarantined
    rows = arrow_rows(tmp_path / "lake", "guardduty")
    for event in events:
        matches = [r for r in rows if r["id"] == event["id"]
                   and event["updatedAt"] in (r["updatedat"], json.loads(r["extra"] or "{}").get("updatedat_as_delivered"))
                   and not recover_problems(event, r, GUARDDUTY_JSON_COLUMNS)]
        assert matches, f"finding {event['id']} not recoverable"
