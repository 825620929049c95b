"""The double's view of S3: list, fetch (to local files, cached by ETag) and put, against moto.

DuckDB's httpfs extension cannot be installed here, so every object a query reads is copied to a
local folder first; the ETag keys the copy, so a second query over the same lake reads the disk.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config


@dataclass(frozen=True)
class S3Object:
    bucket: str
    key: str
    size: int
    etag: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def split_uri(uri: str) -> tuple[str, str]:
    """`s3://bucket/prefix` → (bucket, prefix); anything else is the caller's bad input."""
    if not uri.startswith("s3://") or len(uri) <= 5:
        raise ValueError(f"not an s3:// URI: {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def _hidden(key: str) -> bool:
    # Hive (and so Athena) skips objects whose name starts with '_' or '.', and folder markers.
    name = key.rsplit("/", 1)[-1]
    return not name or name.startswith(("_", "."))


class S3Store:
    def __init__(self, endpoint_url: str, cache_dir: Path) -> None:
        self.client: Any = boto3.client(
            "s3", endpoint_url=endpoint_url, region_name="us-east-1", aws_access_key_id="testing",
            aws_secret_access_key="testing", config=Config(max_pool_connections=32))
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._fetched: dict[tuple[str, str], tuple[str, Path]] = {}
        self.fetch_count = 0  # objects actually downloaded (cache misses), for tests of the cache

    def list(self, uri: str) -> list[S3Object]:
        """Every visible object under the prefix, recursively (a missing bucket is empty, as Athena reads it)."""
        bucket, prefix = split_uri(uri)
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        out: list[S3Object] = []
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
                out.extend(S3Object(bucket, o["Key"], o["Size"], o["ETag"].strip('"'))
                           for o in page.get("Contents", []) if not _hidden(o["Key"]))
        except self.client.exceptions.NoSuchBucket:
            return []
        return out

    def fetch(self, obj: S3Object) -> Path:
        """A local copy of the object, downloaded once per ETag."""
        with self._lock:
            cached = self._fetched.get((obj.bucket, obj.key))
            if cached and cached[0] == obj.etag and cached[1].exists():
                return cached[1]
        # Content-addressed (the ETag), keeping the name for its extension (.gz tells DuckDB to inflate).
        local = self.cache_dir / "objects" / obj.etag / obj.key.rsplit("/", 1)[-1]
        if not local.exists():
            local.parent.mkdir(parents=True, exist_ok=True)
            # One partial file per download: two statements running at once may fetch the same
            # object, and a shared name let one rename the other's file away from under it.
            partial = local.with_name(f"{local.name}.{uuid.uuid4().hex}.part")
            self.client.download_file(obj.bucket, obj.key, str(partial))
            partial.replace(local)
            with self._lock:
                self.fetch_count += 1
        with self._lock:
            self._fetched[(obj.bucket, obj.key)] = (obj.etag, local)
        return local

    def put(self, uri: str, body: bytes, content_type: str = "binary/octet-stream") -> None:
        bucket, key = split_uri(uri)
        self.client.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)

    def bucket_exists(self, bucket: str) -> bool:
        try:
            self.client.head_bucket(Bucket=bucket)
        except self.client.exceptions.ClientError:
            return False
        return True

    def ensure_bucket(self, bucket: str) -> None:
        try:
            self.client.create_bucket(Bucket=bucket)
        except (self.client.exceptions.BucketAlreadyOwnedByYou, self.client.exceptions.BucketAlreadyExists):
            pass
