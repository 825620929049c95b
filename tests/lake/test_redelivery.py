"""The complete version of an object whose truncated copy was ingested adds only what was missing
(issue 18): the records salvaged from the cut copy are not written a second time."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from workbench.lake import ingest

from .helpers import VPC_V2_HEADER, ct_record, lake_rows, ndjson, records_doc, vpc_v2_line


def _ndjson(n: int) -> bytes:
    return ndjson([ct_record(i, eventID=f"evt-{i}", pad="x" * 200) for i in range(n)]).encode()


def _document(n: int) -> bytes:
    return records_doc([ct_record(i, eventID=f"evt-{i}", pad="y" * 300) for i in range(n)]).encode()


def _flows(n: int) -> bytes:
    return "\n".join([VPC_V2_HEADER] + [vpc_v2_line(i) for i in range(n)]).encode() + b"\n"


def _cut(data: bytes, fraction: float) -> bytes:
    whole = gzip.compress(data)
    return whole[: int(len(whole) * fraction)]


def _ids(lake: Path, table: str) -> list[str]:
    if table == "vpc_flow":
        return [str(r["srcport"]) for r in lake_rows(lake, table)]
    return [r["eventid"] for r in lake_rows(lake, table)]


@pytest.mark.parametrize(("table", "body", "n"), [("cloudtrail", _ndjson, 400), ("cloudtrail", _document, 300),
                                                  ("vpc_flow", _flows, 3000)])
def test_the_complete_version_of_a_cut_object_adds_only_the_rest(tmp_path: Path, lake: Path, table: str,
                                                                 body, n: int) -> None:  # noqa: ANN001
    path = tmp_path / "in" / "object.gz"
    path.parent.mkdir()
    data = body(n)
    path.write_bytes(_cut(data, 0.5))
    first = ingest([path], lake)
    kept = first.records[table]
    assert 0 < kept < n and first.quarantined
    path.write_bytes(gzip.compress(data, compresslevel=1))  # re-delivered whole (compressed otherwise)
    second = ingest([path], lake)
    assert second.records[table] == n - kept and second.records_already_kept == kept
    assert f"skipped {kept:,} records kept earlier from a truncated copy" in second.format()
    ids = _ids(lake, table)
    assert len(ids) == len(set(ids)) == n


def test_cut_twice_then_whole(tmp_path: Path, lake: Path) -> None:
    path = tmp_path / "ct.jsonl.gz"
    data = _ndjson(600)
    for fraction in (0.3, 0.7):
        path.write_bytes(_cut(data, fraction))
        ingest([path], lake)
    path.write_bytes(gzip.compress(data))
    ingest([path], lake)
    ingest([path], lake)  # and once more: the same bytes, skipped by the manifest
    ids = _ids(lake, "cloudtrail")
    assert len(ids) == len(set(ids)) == 600


@pytest.mark.parametrize(("table", "body", "n", "reason"), [("cloudtrail", _ndjson, 50, "invalid_json"),
                                                            ("vpc_flow", _flows, 50, "wrong_field_count")])
def test_a_plain_file_cut_mid_line_then_whole(tmp_path: Path, lake: Path, table: str, body, n: int,  # noqa: ANN001
                                              reason: str) -> None:
    path = tmp_path / "object.log"
    data = body(n)
    path.write_bytes(data[: len(data) // 2 + 7])
    first = ingest([path], lake)
    assert dict(first.quarantined) == {reason: 1}
    path.write_bytes(data)
    ingest([path], lake)
    ids = _ids(lake, table)
    assert len(ids) == len(set(ids)) == n


def test_another_object_under_the_same_name_is_read_whole(tmp_path: Path, lake: Path) -> None:
    path = tmp_path / "ct.jsonl.gz"
    path.write_bytes(_cut(_ndjson(400), 0.5))
    first = ingest([path], lake)
    other = ndjson([ct_record(i, eventID=f"other-{i}", pad="z" * 200) for i in range(400)]).encode()
    path.write_bytes(gzip.compress(other))
    second = ingest([path], lake)
    assert second.records["cloudtrail"] == 400 and second.records_already_kept == 0
    assert len(_ids(lake, "cloudtrail")) == first.records["cloudtrail"] + 400


def test_a_redelivery_into_a_busy_lake_in_parallel_workers(tmp_path: Path, lake: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    data = {f"ct{n}.jsonl.gz": ndjson([ct_record(i, eventID=f"o{n}-{i}", pad="p" * 100) for i in range(300)]).encode()
            for n in range(4)}
    for name, body in data.items():
        (folder / name).write_bytes(_cut(body, 0.4))
    ingest([folder], lake, workers=2, batch_bytes=1)
    for name, body in data.items():
        (folder / name).write_bytes(gzip.compress(body))
    ingest([folder], lake, workers=2, batch_bytes=1)
    ids = _ids(lake, "cloudtrail")
    assert len(ids) == len(set(ids)) == 1200
    assert json.loads(json.dumps(sorted(ids)))[:1] == ["o0-0"]
