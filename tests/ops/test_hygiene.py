"""Lake hygiene over a real synthetic lake: stats from Parquet footers agree with DuckDB's count;
prune removes only whole days older than the cutoff, and empty month/year folders with them."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from workbench.catalog import TABLES
from workbench.lake.hygiene import day_partitions, lake_stats, prune
from workbench.lake.manifest import Manifest


def count_rows(lake: Path, table: str) -> int:
    files = sorted(str(p) for p in (lake / table).glob("year=*/month=*/day=*/*.parquet"))
    if not files:
        return 0
    con = duckdb.connect()
    try:
        return con.execute(f"SELECT count(*) FROM read_parquet({files})").fetchone()[0]  # type: ignore[index]
    finally:
        con.close()


@pytest.fixture()
def lake(demo_lake: SimpleNamespace, tmp_path: Path) -> Path:
    copy = tmp_path / "lake"
    shutil.copytree(demo_lake.lake, copy)
    return copy


def test_stats_match_the_data(lake: Path) -> None:
    stats = {s.table: s for s in lake_stats(lake)}
    assert list(stats) == list(TABLES)
    for name, row in stats.items():
        parquet = sorted((lake / name).glob("year=*/month=*/day=*/*.parquet"))
        assert row.events == count_rows(lake, name)
        assert row.files == len(parquet)
        assert row.bytes == sum(p.stat().st_size for p in parquet)
        days = sorted({date(int(p.parts[-4][5:]), int(p.parts[-3][6:]), int(p.parts[-2][4:])) for p in parquet})
        assert (row.days, row.first_day, row.last_day) == (len(days), days[0], days[-1])
        assert row.problems == []


def test_stats_report_odd_folders_and_bad_files(lake: Path) -> None:
    (lake / "cloudtrail" / "misc").mkdir()
    readable = count_rows(lake, "vpc_flow")
    first = day_partitions(lake, "vpc_flow")[0].path
    (first / "broken.parquet").write_bytes(b"not parquet")
    stats = {s.table: s for s in lake_stats(lake)}
    assert "misc: not a year= partition folder" in stats["cloudtrail"].problems[0]
    assert "broken.parquet: unreadable Parquet footer" in stats["vpc_flow"].problems[0]
    assert stats["vpc_flow"].events == readable, "the other files still count"


def test_prune_removes_only_whole_old_days(lake: Path) -> None:
    before = {t: day_partitions(lake, t) for t in TABLES}
    oldest = min(p.day for parts in before.values() for p in parts)
    # "now" such that exactly the oldest day ends before the cutoff: 400 days after its end, plus 1h.
    now = datetime.combine(oldest + timedelta(days=1), datetime.min.time(), UTC) + timedelta(days=400, hours=1)
    manifest = Manifest(lake)
    manifest.record([("ab" * 32, "s3://trail/AWSLogs/old.json.gz", 10, 5, 0)])
    manifest.close()
    manifest_before = Manifest(lake).sources()
    assert manifest_before

    dry = prune(lake, "400d", now=now, dry_run=True)
    assert {(r.table, r.day) for r in dry.removed} == {(t, oldest) for t, parts in before.items()
                                                       if parts and parts[0].day == oldest}
    assert {t: day_partitions(lake, t) for t in TABLES} == before, "a dry run removes nothing"

    events_before = {t: count_rows(lake, t) for t in TABLES}
    done = prune(lake, "400d", now=now)
    assert [(r.table, r.day, r.events) for r in done.removed] == [(r.table, r.day, r.events) for r in dry.removed]
    for table in TABLES:
        removed = sum(r.events for r in done.removed if r.table == table)
        assert count_rows(lake, table) == events_before[table] - removed
        assert [p.day for p in day_partitions(lake, table)] == [p.day for p in before[table] if p.day != oldest]
    assert Manifest(lake).sources() == manifest_before, "manifest entries stay: re-ingest must not resurrect"
    assert done.lines()[0].startswith(f"removed {done.removed[0].table} {oldest.isoformat()}: ")


def test_prune_keeps_a_day_straddling_the_cutoff(tmp_path: Path) -> None:
    from tests.ops.test_doctor import write_day

    write_day(tmp_path, "cloudtrail", date(2025, 1, 31))
    write_day(tmp_path, "cloudtrail", date(2025, 2, 1))
    cutoff_now = datetime(2025, 2, 1, 12, 0, tzinfo=UTC) + timedelta(days=10)  # cutoff inside Feb 1
    report = prune(tmp_path / "lake", "10d", now=cutoff_now)
    assert [(r.table, r.day) for r in report.removed] == [("cloudtrail", date(2025, 1, 31))]
    assert not (tmp_path / "lake" / "cloudtrail" / "year=2025" / "month=01").exists(), "empty month removed"
    assert (tmp_path / "lake" / "cloudtrail" / "year=2025" / "month=02" / "day=01").is_dir()


@pytest.mark.parametrize("value", ["0d", "-3d", "soon"], ids=["zero", "negative", "not-a-duration"])
def test_prune_rejects_bad_retention(value: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        prune(tmp_path, value)
