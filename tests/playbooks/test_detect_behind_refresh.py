"""`detection.behind_refresh`: the scheduled catch-up stops at the hours the lake refresh published."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.playbooks.test_detect_playbook import REPO, ROOT_RULE
from workbench.config import load_settings
from workbench.lake.refresh.checkpoint import HourDone, checkpoint_store
from workbench.lake.refresh.watermark import refreshed_until


def _refreshed(settings, *hours: str) -> None:
    store = checkpoint_store(settings)
    for hour in hours:
        store.mark(HourDone(table="cloudtrail", hour=hour, files=1, bytes=1, query_id="q", finished=hour))


def test_catch_up_behind_the_refresh_runs_only_published_hours_and_no_lookback(lake_workspace: Path) -> None:
    from workbench.alerts import get_store
    from workbench.playbooks.detect import run_detect, summary_lines

    (lake_workspace / "mantissa.yaml").write_text("detection: {behind_refresh: true, lookback: 0m}\n")
    settings = load_settings()
    rules = str(REPO / "rules" / "aws" / "cloudtrail" / f"{ROOT_RULE}.yaml")
    at = datetime(2026, 3, 2, 11, 40, tzinfo=UTC)
    waiting = run_detect(rules_path=rules, settings=settings, now=at)
    assert waiting.runs == []  # nothing published yet, and the summary says so (not "checkpointed")
    assert "the lake refresh has not yet published an hour" in summary_lines(waiting.as_dict())[0]
    assert run_detect(rules_path=rules, settings=settings, now=at, dry_run=True).runs == []

    _refreshed(settings, "2026-03-02T08", "2026-03-02T09")
    first = run_detect(rules_path=rules, settings=settings, now=at)
    # No checkpoint: the last full window before the refreshed hours end (10:00), not before now.
    assert [(r.window_start.strftime("%H:%M"), r.window_end.strftime("%H:%M")) for r in first.runs] == [
        ("09:45", "10:00")]
    caught_up = run_detect(rules_path=rules, settings=settings, now=at)
    assert caught_up.runs == []  # caught up with the refresh
    assert "window before 2026-03-02T10:00:00Z (detection.behind_refresh" in summary_lines(caught_up.as_dict())[0]
    _refreshed(settings, "2026-03-02T11")  # 10:00 not published: a gap holds detection at 10:00
    assert run_detect(rules_path=rules, settings=settings, now=at).runs == []
    _refreshed(settings, "2026-03-02T10")
    later = run_detect(rules_path=rules, settings=settings, now=at)
    assert [r.window_start.strftime("%H:%M") for r in later.runs] == ["10:00", "10:15", "10:30", "10:45", "11:00",
                                                                      "11:15"]
    with get_store(settings) as store:  # up to now's last full window: 11:30 is before 12:00
        assert store.get_checkpoint(ROOT_RULE) == datetime(2026, 3, 2, 11, 30, tzinfo=UTC)


def test_refreshed_until_takes_every_refreshed_table_and_starts_at_the_refresh(workspace: Path) -> None:
    (workspace / "mantissa.yaml").write_text("refresh: {tables: [cloudtrail, guardduty]}\n")
    settings = load_settings()
    _refreshed(settings, "2026-03-02T08", "2026-03-02T09", "2026-03-02T10")
    assert refreshed_until(settings) is None  # guardduty has no hour yet
    checkpoint_store(settings).mark(HourDone(table="guardduty", hour="2026-03-02T08", files=1, bytes=1,
                                             query_id="q", finished="x"))
    eight, nine = datetime(2026, 3, 2, 8, tzinfo=UTC), datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert refreshed_until(settings) == nine
    assert refreshed_until(settings, since=datetime(2026, 3, 1, tzinfo=UTC)) == nine  # before the refresh began
    assert refreshed_until(settings, since=eight.replace(minute=45)) == nine
