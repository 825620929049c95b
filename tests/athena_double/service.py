"""The Athena service the double models: query executions, their lifecycle, workgroups, catalog.

A query is QUEUED when submitted, RUNNING once a worker takes it (at most `capacity` at a time,
as the account's active-query quota), sleeps the configured `latency` (interruptible), executes,
and ends SUCCEEDED, FAILED (StateChangeReason and AthenaError carry Athena's text) or CANCELLED.
Each worker thread keeps one DuckDB connection for all the statements it runs.
"""

from __future__ import annotations

import csv
import io
import threading
import time
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import duckdb
from sqlglot import exp

from tests.athena_double.catalog import Catalog
from tests.athena_double.executor import Executor, Outcome, QueryFailed, bind_parameters, parse
from tests.athena_double.s3store import S3Store, split_uri
from tests.athena_double.semantics import install_macros
from tests.athena_double.writes import Writer

TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")
ENGINE_VERSION = {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"}


class ServiceError(Exception):
    """An API call Athena refuses (HTTP 400): `code` is the exception name botocore raises."""

    def __init__(self, message: str, code: str = "InvalidRequestException") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class QueryExecution:
    id: str
    query: str
    database: str
    catalog: str
    workgroup: str
    output: str
    parameters: list[str]
    submitted: float = field(default_factory=time.time)
    state: str = "QUEUED"
    reason: str | None = None
    category: int = 0
    started: float | None = None
    completed: float | None = None
    engine_ms: int = 0
    bytes_scanned: int = 0
    statement_type: str = "DML"
    substatement_type: str = "SELECT"
    outcome: Outcome | None = None
    cancelled: threading.Event = field(default_factory=threading.Event)
    connection: duckdb.DuckDBPyConnection | None = None
    busy: bool = False  # a worker holds it (stays True after a stop until DuckDB lets go)

    def as_dict(self) -> dict[str, Any]:
        status: dict[str, Any] = {"State": self.state, "SubmissionDateTime": self.submitted}
        if self.completed is not None:
            status["CompletionDateTime"] = self.completed
        if self.reason:
            status["StateChangeReason"] = self.reason
        if self.state == "FAILED":
            status["AthenaError"] = {"ErrorCategory": self.category or 2, "ErrorType": 1000 if self.category == 2 else 401,
                                     "Retryable": False, "ErrorMessage": self.reason or ""}
        end = self.completed or time.time()
        queued = int(((self.started or end) - self.submitted) * 1000)
        suffix = ".csv" if self.statement_type == "DML" and self.substatement_type == "SELECT" else ".txt"
        return {
            "QueryExecutionId": self.id, "Query": self.query, "StatementType": self.statement_type,
            "SubstatementType": self.substatement_type,
            "ResultConfiguration": {"OutputLocation": f"{self.output.rstrip('/')}/{self.id}{suffix}"},
            "ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": {"Enabled": False}},
            "QueryExecutionContext": {"Database": self.database, "Catalog": self.catalog},
            "Status": status,
            "Statistics": {
                "EngineExecutionTimeInMillis": self.engine_ms, "DataScannedInBytes": self.bytes_scanned,
                "TotalExecutionTimeInMillis": int((end - self.submitted) * 1000),
                "QueryQueueTimeInMillis": queued, "ServicePreProcessingTimeInMillis": 0,
                "QueryPlanningTimeInMillis": 0, "ServiceProcessingTimeInMillis": 0,
                "ResultReuseInformation": {"ReusedPreviousResult": False},
            },
            "WorkGroup": self.workgroup, "EngineVersion": ENGINE_VERSION,
            **({"ExecutionParameters": self.parameters} if self.parameters else {}),
        }


def result_csv(outcome: Outcome) -> bytes:
    """Athena's result file: every value quoted, NULL as an empty unquoted field."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow([c[0] for c in outcome.columns])
    for row in outcome.rows:
        out.write(",".join("" if v is None else '"' + v.replace('"', '""') + '"' for v in row) + "\n")
    return out.getvalue().encode("utf-8")


class AthenaService:
    def __init__(self, store: S3Store, capacity: int = 20) -> None:
        self.store = store
        self.catalog = Catalog()
        self.executor = Executor(self.catalog, store)
        self.lock = threading.RLock()
        self.executions: dict[str, QueryExecution] = {}
        self.order: list[str] = []
        self.tokens: dict[str, str] = {}
        self.workgroups: dict[str, dict[str, Any]] = {"primary": {}}
        self.latency = 0.0
        self.failures: deque[str] = deque()
        self.running = 0
        self.max_running = 0
        self._local = threading.local()
        self.pool = ThreadPoolExecutor(max_workers=capacity, thread_name_prefix="athena-double")
        self.capacity = capacity

    # -- controls ------------------------------------------------------------------------------------

    def reset_observations(self) -> None:
        with self.lock:
            self.max_running = self.running
            self.failures.clear()

    def _connection(self) -> duckdb.DuckDBPyConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = duckdb.connect(":memory:")
            connection.execute("SET threads = 2")
            connection.execute("SET TimeZone = 'UTC'")  # Athena's session time zone, whatever the host's
            install_macros(connection)
            self._local.connection = connection
        return connection

    # -- lifecycle -----------------------------------------------------------------------------------

    def start(self, request: dict[str, Any]) -> str:
        query = request.get("QueryString") or ""
        if not query.strip() or len(query) > 262144:
            raise ServiceError("QueryString must be between 1 and 262144 characters")
        token = request.get("ClientRequestToken")
        workgroup = request.get("WorkGroup") or "primary"
        config = self.get_workgroup(workgroup)["Configuration"]
        output = ((request.get("ResultConfiguration") or {}).get("OutputLocation")
                  or config.get("ResultConfiguration", {}).get("OutputLocation"))
        if not output:
            raise ServiceError("No output location provided. An output location is required either through "
                               "the Workgroup result configuration setting or as an API input.")
        if not output.startswith("s3://"):
            raise ServiceError(f"outputLocation is not a valid S3 path. Provided {output}")
        context = request.get("QueryExecutionContext") or {}
        with self.lock:
            if token and token in self.tokens:
                return self.tokens[token]
            execution = QueryExecution(
                id=str(uuid.uuid4()), query=query, database=(context.get("Database") or "default").lower(),
                catalog=context.get("Catalog") or "AwsDataCatalog", workgroup=workgroup, output=output,
                parameters=list(request.get("ExecutionParameters") or []))
            self.executions[execution.id] = execution
            self.order.append(execution.id)
            if token:
                self.tokens[token] = execution.id
        self.pool.submit(self._run, execution)
        return execution.id

    def _finish(self, execution: QueryExecution, state: str, reason: str | None = None, category: int = 0) -> None:
        with self.lock:
            if execution.state in TERMINAL:
                return
            if execution.state == "RUNNING":  # a stopped query stops counting at once, as on Athena
                self.running -= 1
            execution.state, execution.reason, execution.category = state, reason, category
            execution.completed = time.time()

    def _run(self, execution: QueryExecution) -> None:
        with self.lock:
            if execution.state != "QUEUED":
                return
            execution.state, execution.started, execution.busy = "RUNNING", time.time(), True
            self.running += 1
            self.max_running = max(self.max_running, self.running)
            injected = self.failures.popleft() if self.failures else None
            latency = self.latency
        try:
            if execution.cancelled.wait(latency):
                return
            if injected is not None:
                self._finish(execution, "FAILED", injected, 2)
                return
            self._execute(execution)
        finally:
            execution.busy = False

    def _execute(self, execution: QueryExecution) -> None:
        connection = self._connection()
        clock = time.perf_counter()
        try:
            bucket, _ = split_uri(execution.output)
            if not self.store.bucket_exists(bucket):
                raise QueryFailed(f"Unable to verify/create output bucket {bucket}", category=2)
            with self.lock:
                execution.connection = connection
            outcome = self.statement(execution, connection)
            if outcome.statement_type == "DML" and outcome.substatement_type == "SELECT":
                self.store.put(f"{execution.output.rstrip('/')}/{execution.id}.csv", result_csv(outcome), "text/csv")
            else:
                self.store.put(f"{execution.output.rstrip('/')}/{execution.id}.txt",
                               "\n".join("\t".join(v or "" for v in r) for r in outcome.rows).encode(), "text/plain")
        except duckdb.InterruptException:
            self._finish(execution, "CANCELLED")
            return
        except QueryFailed as exc:
            with self.lock:
                execution.engine_ms = int((time.perf_counter() - clock) * 1000)
            self._finish(execution, "FAILED", exc.reason, exc.category)
            return
        except Exception as exc:  # noqa: BLE001 - a bug in the double must show as a FAILED query, not a hang
            self._finish(execution, "FAILED", f"GENERIC_INTERNAL_ERROR: {type(exc).__name__}: {exc}", 1)
            return
        finally:
            with self.lock:
                execution.connection = None
        with self.lock:
            execution.outcome = outcome
            execution.bytes_scanned = outcome.bytes_scanned
            execution.engine_ms = int((time.perf_counter() - clock) * 1000)
            execution.statement_type, execution.substatement_type = outcome.statement_type, outcome.substatement_type
        self._finish(execution, "SUCCEEDED")

    def statement(self, execution: QueryExecution, connection: duckdb.DuckDBPyConnection) -> Outcome:
        sql = execution.query
        if sql.strip().upper().startswith("MSCK"):
            return self.writer(execution).msck_repair(sql, execution.database)
        tree = parse(sql)
        if execution.parameters or any(p.this is None for p in tree.find_all(exp.Placeholder)):
            tree = bind_parameters(tree, execution.parameters)
        if isinstance(tree, exp.Create):
            return self.writer(execution).create(sql, tree, execution.database, connection, execution.id)
        if isinstance(tree, exp.Drop):
            return self.writer(execution).drop(tree, execution.database)
        if isinstance(tree, exp.Insert):
            return self.writer(execution).insert(sql, tree, execution.database, connection, execution.id)
        if isinstance(tree, exp.Query):
            return self.executor.run_select(sql, tree, execution.database, connection)
        raise QueryFailed(f"NOT_SUPPORTED: line 1:1: the Athena double does not run {type(tree).__name__} "
                          "statements (SELECT, CTAS, INSERT INTO, CREATE/DROP, MSCK REPAIR TABLE)")

    def writer(self, execution: QueryExecution) -> Writer:
        return Writer(self.executor, execution.output)

    def stop(self, query_id: str) -> None:
        execution = self.get(query_id)
        with self.lock:
            if execution.state in TERMINAL:
                return
            execution.cancelled.set()
        self._finish(execution, "CANCELLED")
        threading.Thread(target=self._interrupt, args=(execution,), daemon=True).start()

    def _interrupt(self, execution: QueryExecution, timeout: float = 10.0) -> None:
        """Interrupt DuckDB until the worker leaves the statement: an interrupt that lands between
        two of its DuckDB calls (view creation, then the query) would otherwise be lost."""
        deadline = time.monotonic() + timeout
        while execution.busy and time.monotonic() < deadline:
            with self.lock:
                connection = execution.connection
            if connection is not None:
                connection.interrupt()
            time.sleep(0.02)

    def get(self, query_id: str) -> QueryExecution:
        with self.lock:
            execution = self.executions.get(query_id or "")
        if execution is None:
            raise ServiceError(f"QueryExecution {query_id} was not found")
        return execution

    # -- results ---------------------------------------------------------------------------------------

    def results(self, query_id: str, max_results: int | None, token: str | None) -> dict[str, Any]:
        execution = self.get(query_id)
        if max_results is not None and not 1 <= max_results <= 1000:
            raise ServiceError(f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to "
                               "satisfy constraint: Member must have value less than or equal to 1000")
        if execution.state in ("QUEUED", "RUNNING"):
            raise ServiceError(f"Query has not yet finished. Current state: {execution.state}")
        if execution.state != "SUCCEEDED" or execution.outcome is None:
            raise ServiceError(f"Query did not finish successfully. Final query state: {execution.state}"
                               + (f"\n{execution.reason}" if execution.reason else ""))
        outcome = execution.outcome
        rows = ([[c[0] for c in outcome.columns]] if outcome.header else []) + outcome.rows
        start = 0
        if token:
            try:
                token_id, _, offset = token.partition(":")
                start = int(offset)
                assert token_id == query_id and 0 < start <= len(rows)
            except (ValueError, AssertionError):
                raise ServiceError("Invalid NextToken: give the NextToken of the previous GetQueryResults "
                                   "call for the same query") from None
        end = start + (max_results or 1000)
        page = {"ResultSet": {
            "Rows": [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]} for row in rows[start:end]],
            "ResultSetMetadata": {"ColumnInfo": [
                {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": name, "Label": name,
                 "Type": kind, "Precision": precision, "Scale": scale, "Nullable": "UNKNOWN",
                 "CaseSensitive": kind == "varchar"} for name, kind, precision, scale in outcome.columns]},
        }, "UpdateCount": 0 if outcome.substatement_type == "SELECT" else len(outcome.rows)}
        if end < len(rows):
            page["NextToken"] = f"{query_id}:{end}"
        return page

    # -- workgroups and the catalog API --------------------------------------------------------------

    def get_workgroup(self, name: str) -> dict[str, Any]:
        with self.lock:
            config = self.workgroups.get(name)
        if config is None:
            raise ServiceError(f"WorkGroup {name} is not found.")
        return {"Name": name, "State": "ENABLED", "Configuration": config, "Description": "",
                "CreationTime": 0.0}

    def list_executions(self, workgroup: str | None, max_results: int | None, token: str | None) -> dict[str, Any]:
        with self.lock:
            ids = [i for i in reversed(self.order) if workgroup in (None, self.executions[i].workgroup)]
        start = int(token) if token else 0
        end = start + min(max_results or 50, 50)
        out: dict[str, Any] = {"QueryExecutionIds": ids[start:end]}
        if end < len(ids):
            out["NextToken"] = str(end)
        return out

    def close(self) -> None:
        with self.lock:
            for execution in self.executions.values():
                if execution.state not in TERMINAL:
                    execution.cancelled.set()
                    if execution.connection is not None:
                        execution.connection.interrupt()
        self.pool.shutdown(wait=True, cancel_futures=True)
