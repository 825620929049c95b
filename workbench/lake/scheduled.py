"""Ingest with the workspace's settings: what `mantissa ingest` and the `ingest` playbook share.

The S3 client takes the Athena profile and region, and `s3_endpoint_url` (else the Athena
endpoint) for a local stand-in; its connection pool is sized for `s3_parallel` downloads.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workbench.config import Settings, load_settings
from workbench.lake.summary import IngestSummary


def s3_client(settings: Settings) -> Any:
    import boto3
    from botocore.config import Config

    session = boto3.Session(profile_name=settings.athena.profile, region_name=settings.athena.region)
    return session.client("s3", endpoint_url=settings.s3_endpoint_url or settings.athena.endpoint_url,
                          config=Config(max_pool_connections=max(10, settings.s3_parallel)))


def ingest_with_settings(paths: Sequence[str], settings: Settings, lake: Path | None = None,
                         **options: Any) -> IngestSummary:
    from workbench.lake.ingest import ingest

    client = s3_client(settings) if any(str(p).startswith("s3://") for p in paths) else None
    options.setdefault("quarantine_keep", settings.quarantine_keep)
    return ingest(list(paths), lake or settings.lake, s3_client=client, s3_lookback=settings.s3_lookback,
                  s3_parallel=settings.s3_parallel, **options)


def scheduled_ingest(sources: Sequence[str] | str | None, workspace: str | Path | None = None) -> IngestSummary:
    """The `ingest` playbook's step: fails (so the scheduled job fails) when a batch failed."""
    if isinstance(sources, str):
        sources = [sources]
    if not sources:
        raise ValueError("the ingest job has no sources: set `parameters: {sources: [s3://bucket/AWSLogs/...]}` "
                         "on the ingest job in schedule.yaml (your trail's bucket and prefix)")
    summary = ingest_with_settings(list(sources), load_settings(Path(workspace) if workspace else None),
                                   progress=False)
    print(summary.format())
    if summary.errors:
        raise RuntimeError(f"{len(summary.errors)} batches failed and will be retried next run: "
                           + summary.errors[0])
    return summary
