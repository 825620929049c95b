"""S3 side of a lake refresh: clear the staging prefix, and publish an hour's staged files.

Publishing copies (server-side, no download) the hour's staged objects into the lake's day folder
under deterministic names (`refresh-HHMM-NNNN.parquet`), then deletes the hour's refreshed objects
that the copy did not overwrite. Re-publishing an hour therefore replaces it: nothing doubles,
and an hour whose raw events vanished ends empty. Objects the refresh did not write (another
writer's files in the day folder) are never touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from workbench.lake.refresh.layout import day_folder, hour_prefix, lake_file_name

DELETE_BATCH = 1000  # DeleteObjects takes at most 1000 keys


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str  # '' or ending with '/'

    @classmethod
    def parse(cls, uri: str, setting: str) -> S3Location:
        parsed = urlparse(uri)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError(f"{setting} must be an s3://bucket/prefix/ URI, got {uri!r}")
        prefix = parsed.path.lstrip("/")
        return cls(parsed.netloc, prefix if not prefix or prefix.endswith("/") else prefix + "/")

    def child(self, relative: str) -> S3Location:
        return S3Location(self.bucket, self.prefix + relative.strip("/") + "/")

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def list_keys(client: Any, bucket: str, prefix: str) -> Iterator[tuple[str, int]]:
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            yield item["Key"], int(item["Size"])


def delete_keys(client: Any, bucket: str, keys: list[str]) -> None:
    for i in range(0, len(keys), DELETE_BATCH):
        chunk = keys[i:i + DELETE_BATCH]
        answer = client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True})
        if answer.get("Errors"):
            first = answer["Errors"][0]
            raise OSError(f"cannot delete s3://{bucket}/{first['Key']}: {first.get('Message', first.get('Code'))} "
                          f"({len(answer['Errors'])} objects not deleted); check the role's s3:DeleteObject")


def clear(client: Any, location: S3Location) -> int:
    """Delete everything under `location`; how many objects that was."""
    keys = [k for k, _ in list_keys(client, location.bucket, location.prefix)]
    delete_keys(client, location.bucket, keys)
    return len(keys)


def staged_slots(client: Any, staging: S3Location, hour: datetime) -> dict[str, list[tuple[str, int]]]:
    """The hour's staged objects by slot 'HHMM', each slot's keys in name order."""
    stem = f"{staging.prefix}slot={hour:%Y%m%d%H}"
    slots: dict[str, list[tuple[str, int]]] = {}
    for key, size in list_keys(client, staging.bucket, stem):
        name = key.rsplit("/", 1)[-1]
        if not name or name.startswith(("_", ".")):  # markers Athena and Hadoop writers leave
            continue
        slot = key[len(staging.prefix) + len("slot="):].split("/", 1)[0]
        slots.setdefault(slot[8:12], []).append((key, size))
    return {slot: sorted(keys) for slot, keys in sorted(slots.items())}


@dataclass(frozen=True)
class Published:
    files: int
    bytes: int
    removed: int


def publish_hour(client: Any, staging: S3Location, lake: S3Location, table: str, hour: datetime) -> Published:
    """Make the lake's files of `hour` exactly the staged ones (see the module docstring)."""
    folder = lake.prefix + day_folder(table, hour)
    written: set[str] = set()
    size_total = 0
    for slot, keys in staged_slots(client, staging, hour).items():
        for ordinal, (key, size) in enumerate(keys):
            target = folder + lake_file_name(slot, ordinal)
            client.copy_object(Bucket=lake.bucket, Key=target, CopySource={"Bucket": staging.bucket, "Key": key})
            written.add(target)
            size_total += size
    stale = [k for k, _ in list_keys(client, lake.bucket, folder + hour_prefix(hour)) if k not in written]
    delete_keys(client, lake.bucket, stale)
    return Published(files=len(written), bytes=size_total, removed=len(stale))
