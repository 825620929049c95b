"""The engine at scale: Amazon Athena over the S3 lake.

The window-bounded Athena SQL runs as written. Statements go through `StatementRunner`
(workbench/engines/athenarun.py): a few in flight at once (athena.max_concurrent), each stopped at
its deadline (athena.statement_timeout and query_timeout) or on SIGINT/SIGTERM, results paged,
each billed as Athena bills (rounded up to the MB, 10 MB minimum), the run held to
athena.run_scan_budget_bytes. A batch of rules runs concurrently; one statement's failure is its
rules' alone. boto3 and pyathena (for its type converter) are imported on first use.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from workbench.config import Settings
from workbench.engines.athenarun import RunOptions, ScanLedger, Statement, StatementResult, StatementRunner
from workbench.engines.base import ENGINES, Engine, EngineError, Execution, Result, batch_windows
from workbench.engines.window import BoundQuery
from workbench.timewindow import Window, parse_duration

SETTING = "MANTISSA_ATHENA__"


def _import_pyathena() -> Any:
    try:
        import pyathena
    except ImportError:  # pragma: no cover - pyathena is a declared dependency
        raise EngineError(
            "the athena engine needs pyathena: pip install 'pyathena>=3.0' "
            "(or pip install mantissa-workbench, which includes it)"
        ) from None
    return pyathena


def _credentials_hint() -> str:
    return (
        "no AWS credentials found: set AWS_PROFILE (or MANTISSA_ATHENA__PROFILE in the environment, "
        "athena.profile in mantissa.yaml), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    )


@ENGINES.register("athena")
class AthenaEngine(Engine):
    name = "athena"
    dialect = "athena"
    BILLS_PER_QUERY_MINIMUM = True

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.athena = settings.athena
        self._client: Any = None
        self._ledger: ScanLedger | None = None  # set inside run_scope(): the run's billed bytes so far

    def _check_settings(self) -> None:
        if not self.athena.output_location:
            raise EngineError(
                "the athena engine needs an S3 location for query results: set "
                f"{SETTING}OUTPUT_LOCATION=s3://bucket/prefix/ (or athena.output_location in "
                "mantissa.yaml)"
            )
        if not self.athena.output_location.startswith("s3://"):
            raise EngineError(
                f"athena.output_location must be an s3:// URI, got {self.athena.output_location!r}: "
                f"set {SETTING}OUTPUT_LOCATION=s3://bucket/prefix/"
            )

    @property
    def client(self) -> Any:
        """The boto3 Athena client (made on first use; clients are safe to share between threads)."""
        if self._client is None:
            self._check_settings()
            _import_pyathena()  # its type converter reads the result pages
            import boto3
            from botocore.config import Config
            from botocore.exceptions import BotoCoreError, NoRegionError

            try:
                session = boto3.session.Session(profile_name=self.athena.profile, region_name=self.athena.region)
                self._client = session.client(
                    "athena", endpoint_url=self.athena.endpoint_url or None,
                    config=Config(retries={"mode": "standard", "max_attempts": 5},
                                  max_pool_connections=max(10, self.athena.max_concurrent * 2)))
            except NoRegionError:
                raise EngineError(
                    f"no AWS region for Athena: set {SETTING}REGION (athena.region in mantissa.yaml) "
                    "or AWS_DEFAULT_REGION"
                ) from None
            except BotoCoreError as exc:  # e.g. an unknown profile name
                raise EngineError(f"cannot connect to Athena: {exc} (check {SETTING}PROFILE)") from None
        return self._client

    def runner(self) -> StatementRunner:
        timeouts = {"athena.statement_timeout": parse_duration(self.athena.statement_timeout).total_seconds(),
                    "query_timeout": parse_duration(self.settings.query_timeout).total_seconds()}
        setting, timeout = min(timeouts.items(), key=lambda kv: kv[1])  # the stricter one applies
        return StatementRunner(self.client, RunOptions(
            database=self.athena.database, workgroup=self.athena.workgroup,
            output_location=str(self.athena.output_location), price_per_tb_usd=self.settings.price_per_tb_usd,
            poll_interval=self.athena.poll_interval, statement_timeout_s=timeout, timeout_setting=setting,
            max_concurrent=self.athena.max_concurrent, scan_budget_bytes=self.athena.run_scan_budget_bytes))

    def run_statements(self, statements: Sequence[Statement | str], *, concurrency: int | None = None,
                       deadline: float | None = None) -> list[StatementResult]:
        """Run Athena statements as they are (already window-bounded), up to `concurrency` at once
        (default athena.max_concurrent), each stopped at its deadline or at `deadline`
        (time.monotonic()). Each answer is a StatementResult: rows or a one-line error naming the
        query id, bytes scanned and billed, cost (shared out equally among the rules it serves)."""
        from botocore.exceptions import NoCredentialsError

        given = [s if isinstance(s, Statement) else Statement(s) for s in statements]
        if not given:
            return []
        try:
            return self.runner().run(given, concurrency=concurrency, deadline=deadline, ledger=self._ledger)
        except NoCredentialsError:
            raise EngineError(_credentials_hint()) from None

    @contextmanager
    def run_scope(self) -> Iterator[None]:
        """One run (a detection window): every batch inside counts against one
        athena.run_scan_budget_bytes. Outside a scope each batch has the budget to itself."""
        outer, self._ledger = self._ledger, self._ledger or ScanLedger()
        try:
            yield
        finally:
            self._ledger = outer

    def _execute(self, sql: str, bound: BoundQuery) -> Execution:
        answer = self.run_statements([Statement(sql)])[0]
        if answer.error is not None:
            raise answer.error
        return Execution(frame=answer.frame, query_id=str(answer.query_id), bytes_scanned=answer.bytes_scanned)

    def run_batch(self, queries: Sequence[str], window: Window | None = None, *,
                  windows: Sequence[Window | None] | None = None,
                  candidates: Sequence[int | None] | None = None) -> list[Result | Exception]:
        """Every query as its own statement, run concurrently (Athena shares no scan between
        statements, so nothing is gained by combining them here; the pack plan does that)."""
        per_query = batch_windows(queries, window, windows)
        answers: list[Result | Exception | None] = [None] * len(queries)
        bound: dict[int, str] = {}
        for i, (sql, w) in enumerate(zip(queries, per_query, strict=True)):
            try:
                bound[i] = self.bind(sql, w).sql
            except Exception as exc:  # noqa: BLE001 - a query that cannot be bound fails alone
                answers[i] = exc
        started = time.perf_counter()
        ran = self.run_statements([Statement(bound[i]) for i in bound]) if bound else []
        for i, answer in zip(bound, ran, strict=True):
            if answer.error is not None:
                answers[i] = answer.error
                continue
            execution = Execution(frame=answer.frame, query_id=str(answer.query_id),  # type: ignore[arg-type]
                                  bytes_scanned=answer.bytes_scanned)
            answers[i] = self._result(queries[i], bound[i], execution, answer.elapsed_s, per_query[i],
                                      extra={"billed_bytes": answer.billed_bytes,
                                             "batch_wall_s": time.perf_counter() - started})
        return answers  # type: ignore[return-value]

    def run_ddl(self, statements: list[str]) -> list[str]:
        """Run DDL (CREATE DATABASE / CREATE EXTERNAL TABLE …) in order, one at a time (a table
        needs its database); returns the query ids. DDL is not billed."""
        ids = []
        for answer in self.run_statements([Statement(s, fetch=False, billed=False) for s in statements],
                                          concurrency=1):
            if answer.error is not None:
                raise answer.error
            ids.append(str(answer.query_id))
        return ids

    def close(self) -> None:
        self._client = None
