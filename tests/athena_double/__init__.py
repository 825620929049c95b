"""An Amazon Athena test double that executes SQL (issue 19, part 5).

A loopback HTTP server that speaks Athena's API as the locked botocore does; each statement is
transpiled from Athena (Trino) SQL to DuckDB and runs over objects fetched from the moto S3
server. See `service` (lifecycle), `executor` and `writes` (statements), `readers` (formats and
the DataScannedInBytes model), `semantics` (Trino behaviours kept), `catalog` (projection).
The `athena_double` fixture in tests/conftest.py hands tests an `AthenaDouble`.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.athena_double.catalog import Catalog
from tests.athena_double.s3store import S3Store, split_uri
from tests.athena_double.server import AthenaServer
from tests.athena_double.service import AthenaService, QueryExecution


class DoubleServer:
    """The session's server: one HTTP endpoint and its service, over one moto S3 endpoint."""

    def __init__(self, s3_endpoint_url: str, capacity: int = 20) -> None:
        self.s3_endpoint_url = s3_endpoint_url
        self._cache = tempfile.TemporaryDirectory(prefix="athena-double-")
        self.store = S3Store(s3_endpoint_url, Path(self._cache.name))
        self.service = AthenaService(self.store, capacity=capacity)
        self.server = AthenaServer(self.service).start()
        self.endpoint_url = self.server.endpoint_url

    def close(self) -> None:
        self.server.stop()
        self._cache.cleanup()


class AthenaDouble:
    """What a test holds: endpoints, fresh buckets, controls and observations of the double.

    `latency` (seconds a statement stays RUNNING before it executes), `fail_next(reason)`,
    `max_concurrent` (most RUNNING at once since the test began), `statements` (query texts in
    submission order), `executions` (the service's records), `upload(...)`, `settings(...)`.
    """

    region = "us-east-1"

    def __init__(self, server: DoubleServer) -> None:
        self._server = server
        self.service = server.service
        self.endpoint_url = server.endpoint_url
        self.s3_endpoint_url = server.s3_endpoint_url
        suffix = uuid.uuid4().hex[:10]
        self.lake_bucket = f"double-lake-{suffix}"
        self.results_bucket = f"double-results-{suffix}"
        self.lake_location = f"s3://{self.lake_bucket}/lake/"
        self.output_location = f"s3://{self.results_bucket}/queries/"
        for bucket in (self.lake_bucket, self.results_bucket):
            server.store.ensure_bucket(bucket)
        # A fresh catalog per test: tables never leak from one test into the next.
        self.service.catalog = Catalog()
        self.service.executor.catalog = self.service.catalog
        self._first = len(self.service.order)
        self.latency = 0.0
        self.service.reset_observations()

    # -- controls --------------------------------------------------------------------------------

    @property
    def latency(self) -> float:
        return self.service.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.service.latency = float(seconds)

    def fail_next(self, reason: str) -> None:
        """The next statement to start RUNNING ends FAILED with this StateChangeReason."""
        with self.service.lock:
            self.service.failures.append(reason)

    @property
    def max_concurrent(self) -> int:
        return self.service.max_running

    @property
    def running(self) -> int:
        return self.service.running

    @property
    def executions(self) -> list[QueryExecution]:
        with self.service.lock:
            return [self.service.executions[i] for i in self.service.order[self._first:]]

    @property
    def statements(self) -> list[str]:
        return [e.query for e in self.executions]

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Until no statement of this test is QUEUED or RUNNING (e.g. after a client gave up)."""
        deadline = time.monotonic() + timeout
        while any(e.state in ("QUEUED", "RUNNING") for e in self.executions):
            if time.monotonic() > deadline:
                raise TimeoutError("statements still running on the Athena double after "
                                   f"{timeout}s: {[e.id for e in self.executions if e.state == 'RUNNING']}")
            time.sleep(0.01)

    # -- S3 -------------------------------------------------------------------------------------

    @property
    def s3(self) -> Any:
        return self._server.store.client

    def upload(self, local: Path | str, uri: str | None = None) -> str:
        """Copy a file, or a folder's files (keeping relative paths), under `uri` (default: the lake)."""
        local = Path(local)
        uri = uri or self.lake_location
        bucket, prefix = split_uri(uri)
        if local.is_file():
            key = prefix if prefix and not prefix.endswith("/") else f"{prefix}{local.name}"
            self.s3.upload_file(str(local), bucket, key)
            return f"s3://{bucket}/{key}"
        files = [p for p in sorted(local.rglob("*")) if p.is_file()]
        if not files:
            raise ValueError(f"nothing to upload under {local}: give a folder holding the lake's files")
        base = prefix.rstrip("/") + "/" if prefix else ""
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda p: self.s3.upload_file(str(p), bucket, base + p.relative_to(local).as_posix()),
                          files))
        return f"s3://{bucket}/{base}"

    def put(self, uri: str, body: bytes) -> None:
        self._server.store.put(uri, body)

    # -- clients -------------------------------------------------------------------------------

    def client(self) -> Any:
        import boto3

        return boto3.client("athena", endpoint_url=self.endpoint_url, region_name=self.region)

    def connect(self, **options: Any) -> Any:
        """A pyathena connection to the double (results to this test's bucket, fast polling)."""
        import pyathena

        defaults = {"s3_staging_dir": self.output_location, "region_name": self.region,
                    "endpoint_url": self.endpoint_url, "poll_interval": 0.01, "schema_name": "default"}
        return pyathena.connect(**{**defaults, **options})

    def athena_settings(self, database: str = "mantissa") -> dict[str, Any]:
        """The `athena:` section that points workbench at the double."""
        return {"endpoint_url": self.endpoint_url, "output_location": self.output_location,
                "region": self.region, "poll_interval": 0.01, "database": database,
                "lake_location": self.lake_location}

    def settings(self, base: Any = None, database: str = "mantissa") -> Any:
        """`base` (a workbench Settings; default: load_settings()) with engine athena at the double."""
        from workbench.config import load_settings

        base = base if base is not None else load_settings()
        athena = base.athena.model_copy(update=self.athena_settings(database))
        return base.model_copy(update={"athena": athena})

    def env(self, monkeypatch: Any, database: str = "mantissa") -> None:
        """The same, as MANTISSA_ATHENA__* variables (for the CLI and load_settings())."""
        for key, value in self.athena_settings(database).items():
            monkeypatch.setenv(f"MANTISSA_ATHENA__{key.upper()}", str(value))

    def query(self, sql: str, database: str = "default", timeout: float = 120.0) -> QueryExecution:
        """Run one statement through the API and wait for it to end (SUCCEEDED or not).

        The bound is generous: reading the demo lake's raw gzip records through the CloudTrail serde took over 30 s
        on a 2-core machine running four other jobs, and failed a full run that had nothing wrong."""
        client = self.client()
        query_id = client.start_query_execution(
            QueryString=sql, QueryExecutionContext={"Database": database},
            ResultConfiguration={"OutputLocation": self.output_location})["QueryExecutionId"]
        deadline = time.monotonic() + timeout
        while True:
            state = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]["State"]
            if state in ("SUCCEEDED", "FAILED", "CANCELLED"):
                return self.service.get(query_id)
            if time.monotonic() > deadline:
                raise TimeoutError(f"query {query_id} still {state} after {timeout}s")
            time.sleep(0.005)


__all__ = ["AthenaDouble", "DoubleServer"]
