"""Where objects come from: local files, folders (recursive) and `s3://bucket/prefix` (boto3)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class SourceNotFound(FileNotFoundError):
    """A path given to ingest does not exist; the message names it."""


@dataclass(frozen=True)
class Source:
    name: str  # what the summary and quarantine call it: the local path or the s3:// URI
    size: int
    path: Path | None = None
    bucket: str | None = None
    key: str | None = None


def split_s3(uri: str) -> tuple[str, str]:
    rest = uri[len("s3://"):]
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise SourceNotFound(f"{uri}: no bucket named (expected s3://bucket/prefix)")
    return bucket, prefix


def s3_client_from_env(endpoint_url: str | None = None) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=endpoint_url or os.environ.get("MANTISSA_S3_ENDPOINT_URL") or None)


def expand(paths: Iterable[str | Path], s3_client: Any = None) -> tuple[list[Source], Any]:
    """Every object under `paths`, in a stable order; raises `SourceNotFound` naming a missing one."""
    out: list[Source] = []
    for raw in paths:
        text = str(raw)
        if text.startswith("s3://"):
            s3_client = s3_client or s3_client_from_env()
            out += list(_s3_objects(s3_client, text))
            continue
        path = Path(text).expanduser()
        if path.is_file():
            out.append(Source(str(path), path.stat().st_size, path=path))
        elif path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                out.append(Source(str(child), child.stat().st_size, path=child))
        else:
            raise SourceNotFound(f"{text}: no such file or folder (check the path, or use s3://bucket/prefix)")
    return out, s3_client


def _s3_objects(client: Any, uri: str) -> Iterator[Source]:
    bucket, prefix = split_s3(uri)
    found = False
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                if obj["Key"].endswith("/"):
                    continue  # a console "folder" marker, not an object
                found = True
                yield Source(f"s3://{bucket}/{obj['Key']}", int(obj["Size"]), bucket=bucket, key=obj["Key"])
    except client.exceptions.NoSuchBucket as exc:
        raise SourceNotFound(f"{uri}: bucket {bucket!r} does not exist") from exc
    if not found:
        raise SourceNotFound(f"{uri}: no objects under this prefix")


def fetch(source: Source, spool: Path, client: Any) -> tuple[Path, str, bool]:
    """(local file, sha256, whether the file is a temporary copy to delete after ingest)."""
    if source.path is not None:
        with open(source.path, "rb") as handle:
            return source.path, hashlib.file_digest(handle, "sha256").hexdigest(), False
    spool.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    target = spool / hashlib.sha1(source.name.encode()).hexdigest()
    body = client.get_object(Bucket=source.bucket, Key=source.key)["Body"]
    with open(target, "wb") as handle:
        for chunk in body.iter_chunks(1 << 20):
            digest.update(chunk)
            handle.write(chunk)
    return target, digest.hexdigest(), True
