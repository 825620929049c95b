"""Listing `s3://bucket/prefix` incrementally: per-stream watermarks, look-back, digests, in parallel.

AWS delivers CloudTrail, VPC Flow Logs and GuardDuty exports under
`.../AWSLogs/[o-org/]<account>/<service>/<region>/YYYY/MM/DD/<file>`, so within one
account/service/region folder (a *stream*) keys sort by delivery date. The stream is found by
walking the prefix with `Delimiter="/"` until a level of year folders; each stream is then listed
from a watermark (`StartAfter`) instead of from its beginning. The watermark is the last key up to
which every object is in the manifest; listing resumes at the start of the UTC day holding
`watermark time - lookback` (the time in the file name, else the date path), so an object delivered late into an already-listed day is still seen.
Objects listed again are skipped without a download when their key and ETag are in the manifest.

CloudTrail digest files (`CloudTrail-Digest/`) hold hashes for log validation, not records: they
are counted, never downloaded, never quarantined.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from workbench.lake.sources import Source, SourceNotFound, split_s3

YEAR = re.compile(r"^\d{4}/$")
DATE_PATH = re.compile(r"^(\d{4})/(\d{2})/(\d{2})/")
# The delivery time in CloudTrail, digest and VPC flow log file names: `..._20240304T0105Z_...`.
FILE_TIME = re.compile(r"_(\d{8}T\d{4})(?:\d{2})?Z[_.]")
MAX_DEPTH = 10  # a deeper folder tree is listed flat, without a watermark
DEFAULT_PARALLEL = 8


def is_digest(name: str) -> bool:
    """A CloudTrail digest file (log file integrity validation): `.../CloudTrail-Digest/...`."""
    return "/CloudTrail-Digest/" in name or "_CloudTrail-Digest_" in name.rsplit("/", 1)[-1]


@dataclass
class Listing:
    sources: list[Source] = field(default_factory=list)
    digests: int = 0
    # s3://bucket/stream/ → (key, ETag or None for a digest) of each object listed, in key order
    streams: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)


def _page_all(client: Any, **kwargs: Any) -> Any:
    yield from client.get_paginator("list_objects_v2").paginate(**kwargs)


def _level(client: Any, bucket: str, prefix: str) -> tuple[list[dict], list[str]]:
    """(objects, child folders) directly under `prefix`."""
    objects: list[dict] = []
    children: list[str] = []
    for page in _page_all(client, Bucket=bucket, Prefix=prefix, Delimiter="/"):
        objects += page.get("Contents", [])
        children += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    return objects, children


def _walk(pool: ThreadPoolExecutor, client: Any, bucket: str,
          prefix: str) -> tuple[list[str], list[dict], list[str]]:
    """(stream prefixes, objects found above any stream, prefixes to list flat). One level at a
    time, its folders listed in parallel: an organization has thousands of account/region folders."""
    streams: list[str] = []
    loose: list[dict] = []
    flat: list[str] = []
    frontier = [prefix]
    for _depth in range(MAX_DEPTH + 1):
        if not frontier:
            break
        below: list[str] = []
        for folder, (objects, children) in zip(frontier, pool.map(lambda f: _level(client, bucket, f), frontier),
                                               strict=True):
            if any(YEAR.match(c[len(folder):]) for c in children):
                streams.append(folder)  # objects beside the year folders are listed with the stream
                continue
            loose += objects
            below += children
        frontier = below
    flat += frontier  # deeper than MAX_DEPTH: listed whole, without a watermark
    return sorted(streams), loose, flat


def _start_after(stream: str, watermark: str | None, lookback: timedelta) -> str | None:
    """The key listing resumes after: just before the UTC day holding `watermark time - lookback`."""
    if not watermark or not watermark.startswith(stream):
        return None
    match = DATE_PATH.match(watermark[len(stream):])
    if not match:
        return None
    # The file name's delivery time when it has one; else the start of its day (re-lists more, misses less).
    stamp = FILE_TIME.search(watermark.rsplit("/", 1)[-1])
    when = (datetime.strptime(stamp[1], "%Y%m%dT%H%M") if stamp and stamp[1][:8] == "".join(match.groups())
            else datetime(int(match[1]), int(match[2]), int(match[3])))
    day = when - lookback
    # "YYYY/MM/DD/" sorts after every key of earlier days and before every key of that day.
    start = f"{stream}{day:%Y/%m/%d}/"
    return start if start < watermark else None


def list_s3(client: Any, uri: str, *, watermarks: Mapping[str, str] | None = None,
            lookback: timedelta = timedelta(hours=1), parallel: int = DEFAULT_PARALLEL) -> Listing:
    """Every object under `uri` not ruled out by a stream's watermark, in key order per stream.

    Raises `SourceNotFound` for a missing bucket, or a prefix with no objects at all.
    """
    bucket, prefix = split_s3(uri)
    watermarks = watermarks or {}

    def list_stream(stream: str) -> list[dict]:
        kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": stream}
        if start := _start_after(stream, watermarks.get(f"s3://{bucket}/{stream}"), lookback):
            kwargs["StartAfter"] = start
        return [o for page in _page_all(client, **kwargs) for o in page.get("Contents", [])]

    def list_flat(folder: str) -> list[dict]:
        return [o for page in _page_all(client, Bucket=bucket, Prefix=folder) for o in page.get("Contents", [])]

    # Accounts × regions are independent listings; boto3 clients are safe to share across threads.
    with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="ingest-list") as pool:
        try:
            streams, loose, flat = _walk(pool, client, bucket, prefix)
        except client.exceptions.NoSuchBucket as exc:
            raise SourceNotFound(f"{uri}: bucket {bucket!r} does not exist") from exc
        per_stream = list(pool.map(list_stream, streams))
        per_flat = list(pool.map(list_flat, flat))

    listing = Listing()
    any_object = False

    def add(obj: dict) -> bool:
        nonlocal any_object
        key = obj["Key"]
        if key.endswith("/"):
            return False  # a console "folder" marker, not an object
        any_object = True
        if is_digest(key):
            listing.digests += 1
            return False
        listing.sources.append(Source(f"s3://{bucket}/{key}", int(obj["Size"]), bucket=bucket, key=key,
                                      etag=obj.get("ETag")))
        return True

    for obj in loose:
        add(obj)
    for objects in per_flat:
        for obj in objects:
            add(obj)
    for stream, objects in zip(streams, per_stream, strict=True):
        listing.streams[f"s3://{bucket}/{stream}"] = [
            # None marks a digest (nothing to record); "" an object without an ETag, which holds the watermark.
            (o["Key"], (o.get("ETag") or "") if add(o) else None) for o in objects if not o["Key"].endswith("/")]
        # A stream listed from a watermark may have nothing new: the prefix is not empty.
        any_object = any_object or watermarks.get(f"s3://{bucket}/{stream}") is not None
    if not any_object:
        raise SourceNotFound(f"{uri}: no objects under this prefix")
    return listing
