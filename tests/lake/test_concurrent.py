"""Two ingests of one folder at once (issue 18): every record once, every object in the manifest once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from workbench.lake import MANIFEST_FILE

from .helpers import ct_record, lake_rows, records_doc, write

_CHILD = textwrap.dedent("""
    import sys, time
    from workbench.lake import ingest
    go = float(sys.argv[3])
    time.sleep(max(0.0, go - time.time()))  # both start their check at the same moment
    summary = ingest([sys.argv[1]], sys.argv[2], workers=1)
    print(summary.total_records, summary.files_skipped)
""")


def _folder(tmp_path: Path, objects: int = 30, per_object: int = 200) -> Path:
    folder = tmp_path / "in"
    for n in range(objects):
        write(folder / f"ct{n:02d}.json.gz",
              records_doc([ct_record(i, eventID=f"o{n}-e{i}") for i in range(per_object)]), gz=True)
    return folder


def test_two_concurrent_ingests_of_one_folder_write_each_record_once(tmp_path: Path, lake: Path) -> None:
    import time

    folder = _folder(tmp_path)
    go = str(time.time() + 3.0)  # after both interpreters have imported the workbench
    children = [subprocess.Popen([sys.executable, "-c", _CHILD, str(folder), str(lake), go],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [child.communicate(timeout=120) for child in children]
    assert [child.returncode for child in children] == [0, 0], outputs
    totals = sorted(tuple(map(int, out.split())) for out, _ in outputs)
    assert totals == [(0, 30), (6000, 0)]  # one wrote everything, the other waited and skipped it all
    ids = [r["eventid"] for r in lake_rows(lake, "cloudtrail")]
    assert len(ids) == len(set(ids)) == 6000
    with sqlite3.connect(lake / MANIFEST_FILE) as db:
        assert db.execute("SELECT count(*), count(DISTINCT source) FROM objects").fetchone() == (30, 30)
    assert any("waiting for another ingest" in err for _, err in outputs)
