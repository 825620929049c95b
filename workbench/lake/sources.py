"""Where objects come from: local files, folders (recursive) and `s3://bucket/prefix` (boto3)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
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
    etag: str | None = None  # from the listing: with the key, says an object is unchanged without a download


def split_s3(uri: str) -> tuple[str, str]:
    rest = uri[len("s3://"):]
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise SourceNotFound(f"{uri}: no bucket named (expected s3://bucket/prefix)")
    return bucket, prefix


def s3_client_from_env(endpoint_url: str | None = None) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=endpoint_url or os.environ.get("MANTISSA_S3_ENDPOINT_URL") or None)


S3Lister = Callable[[Any, str], list[Source]]


def expand(paths: Iterable[str | Path], s3_client: Any = None,
           refused: list[str] | None = None, s3_lister: S3Lister | None = None) -> tuple[list[Source], Any]:
    """Every object under `paths`, in a stable order; raises `SourceNotFound` naming a missing one.

    Inside a folder, a symbolic link is read only when it resolves to a file inside that same
    folder: a link out of it (`evidence.json -> /etc/shadow`, `-> ~/.aws/credentials`) would copy
    its target into the lake or the quarantine. Such links are appended to `refused`, not read; a
    path named explicitly is the caller's choice and is followed. `s3://` URIs are listed by
    `s3_lister` (default: everything under the prefix, see workbench/lake/s3list.py).
    """
    if s3_lister is None:
        from workbench.lake.s3list import list_s3

        def s3_lister(client: Any, uri: str) -> list[Source]:
            return list_s3(client, uri).sources

    out: list[Source] = []
    for raw in paths:
        text = str(raw)
        if text.startswith("s3://"):
            s3_client = s3_client or s3_client_from_env()
            out += s3_lister(s3_client, text)
            continue
        path = Path(text).expanduser()
        if path.is_file():
            out.append(Source(str(path), path.stat().st_size, path=path))
        elif path.is_dir():
            out += _folder(path, refused if refused is not None else [])
        else:
            raise SourceNotFound(f"{text}: no such file or folder (check the path, or use s3://bucket/prefix)")
    return out, s3_client


def _folder(folder: Path, refused: list[str]) -> list[Source]:
    root = folder.resolve()
    found: list[Source] = []
    # os.walk does not descend into linked folders; a link to one is judged like a link to a file.
    for parent, dirs, files in os.walk(folder, followlinks=False):
        for name in sorted(files) + sorted(d for d in dirs if os.path.islink(os.path.join(parent, d))):
            child = Path(parent) / name
            if child.is_symlink():
                try:
                    target = child.resolve()
                except (OSError, RuntimeError):  # a loop of links
                    refused.append(str(child))
                    continue
                if not target.is_relative_to(root):
                    refused.append(str(child))
                    continue
                if not target.is_file():
                    continue  # a link to a folder inside: its files are walked where they are
                # Read the resolved file, so a link swapped after this check is not followed.
                found.append(Source(str(child), target.stat().st_size, path=target))
            elif child.is_file():
                found.append(Source(str(child), child.stat().st_size, path=child))
    return sorted(found, key=lambda s: Path(s.name))


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


Fetched = tuple[Path, str, bool]


def fetch_all(sources: Iterable[Source], spool: Path, client: Any,
              parallel: int = 1) -> Iterator[tuple[Source, Fetched | Exception]]:
    """(source, `fetch` result or the exception it raised), in order. Downloads run `parallel` at a
    time (boto3 clients are thread-safe) and at most 2 × `parallel` ahead of the consumer, so the
    spool holds a bounded number of objects whatever the prefix size."""
    if parallel <= 1:
        for source in sources:
            try:
                yield source, fetch(source, spool, client)
            except Exception as exc:  # noqa: BLE001 - reported by the caller, per object
                yield source, exc
        return
    pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="ingest-fetch")
    pending: list[tuple[Source, Future]] = []
    try:
        for source in sources:
            pending.append((source, pool.submit(fetch, source, spool, client)))
            while len(pending) >= 2 * parallel:
                yield _settled(*pending.pop(0))
        while pending:
            yield _settled(*pending.pop(0))
    finally:
        for _, future in pending:
            future.cancel()
        pool.shutdown(wait=True)
        for _, future in pending:  # downloaded but never handed out (the consumer stopped): drop copies
            if future.done() and not future.cancelled() and future.exception() is None:
                path, _, temporary = future.result()
                if temporary:
                    path.unlink(missing_ok=True)


def _settled(source: Source, future: Future) -> tuple[Source, Fetched | Exception]:
    try:
        return source, future.result()
    except Exception as exc:  # noqa: BLE001 - reported by the caller, per object
        return source, exc
