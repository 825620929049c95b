"""Statements on Athena, run the way an operator can trust: a few at a time, each with a deadline,
stopped on SIGINT/SIGTERM, results paged, each one costed, the run held to a scan budget.

boto3 directly (StartQueryExecution / GetQueryExecution / GetQueryResults / StopQueryExecution)
rather than pyathena's async cursor: one loop on the calling thread holds every query id it has
started, so a deadline, the budget or a signal stops exactly those from one place, and no worker
thread can be left waiting on a query nobody will stop. Polling costs one GetQueryExecution per
statement in flight per tick (five by default), far under the API's rate limit.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.cost import billed_bytes, query_cost_usd, share_evenly
from workbench.engines.base import EngineError, QueryTimeout, _human_bytes

log = logging.getLogger(__name__)

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
PAGE_ROWS = 1000  # GetQueryResults' largest page
STOP_WAIT_S = 15.0  # how long a stopped statement may take to reach CANCELLED before we move on
THROTTLED = frozenset({"TooManyRequestsException", "ThrottlingException"})
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StatementError(EngineError):
    """A statement did not answer; the message is one line naming its query id. Carries what
    Athena still bills (a cancelled statement is charged for what it scanned)."""

    def __init__(self, message: str, *, query_id: str | None = None, bytes_scanned: int = 0,
                 cost_usd: float = 0.0) -> None:
        super().__init__(message)
        self.query_id, self.bytes_scanned, self.cost_usd = query_id, bytes_scanned, cost_usd


class StatementTimeout(StatementError, QueryTimeout):
    """Stopped at its deadline (athena.statement_timeout, query_timeout or the run's deadline).
    A QueryTimeout too, so callers that answer a timeout (the API's 504) treat both engines alike."""


class StatementNotRun(StatementError):
    """Never submitted: the run's scan budget was spent, its deadline passed or it was interrupted."""


@dataclass(frozen=True)
class Statement:
    sql: str
    serves: tuple[str, ...] = ()
    """What the statement answers (rule ids): its bytes and cost are shared out equally among them."""
    fetch: bool = True
    """False for DDL: nothing to page through."""
    billed: bool = True
    """False for DDL, which Athena does not charge."""


@dataclass
class StatementResult:
    statement: Statement
    state: str  # SUCCEEDED | FAILED | CANCELLED | TIMED_OUT | NOT_RUN
    query_id: str | None = None
    frame: pd.DataFrame | None = None
    bytes_scanned: int = 0
    billed_bytes: int = 0
    cost_usd: float = 0.0
    elapsed_s: float = 0.0
    error: StatementError | None = None

    @property
    def ok(self) -> bool:
        return self.state == "SUCCEEDED"

    def shares(self) -> dict[str, dict[str, float]]:
        """Per rule served: its equal share of the bytes scanned, billed bytes and cost."""
        served = list(dict.fromkeys(self.statement.serves))
        n = len(served)
        scanned, billed = share_evenly(self.bytes_scanned, n), share_evenly(self.billed_bytes, n)
        return {rule: {"bytes_scanned": scanned[i], "billed_bytes": billed[i], "cost_usd": self.cost_usd / n}
                for i, rule in enumerate(served)}


@dataclass
class _Flight:
    index: int
    query_id: str
    started: float
    due: float
    why: str  # what the deadline is, for the message


@dataclass
class RunOptions:
    database: str
    workgroup: str
    output_location: str
    price_per_tb_usd: float
    poll_interval: float
    statement_timeout_s: float
    max_concurrent: int
    scan_budget_bytes: int | None = None
    timeout_setting: str = "athena.statement_timeout"


@dataclass
class ScanLedger:
    """The bytes billed so far to one run (a detection window is several batches), which its scan
    budget is checked against."""

    spent: int = 0


@dataclass
class _Run:
    """One call's bookkeeping: what is queued, in flight, answered; `ledger.spent` what is billed."""

    statements: Sequence[Statement]
    results: list[StatementResult | None]
    queue: deque[int]
    ledger: ScanLedger
    running: dict[int, _Flight] = field(default_factory=dict)
    signal: int | None = None


class StatementRunner:
    """Runs statements on one Athena client; see the module docstring."""

    def __init__(self, client: Any, options: RunOptions) -> None:
        self.client = client
        self.options = options

    # ---- the loop ---------------------------------------------------------------------------------
    def run(self, statements: Sequence[Statement], *, concurrency: int | None = None,
            deadline: float | None = None, ledger: ScanLedger | None = None) -> list[StatementResult]:
        """Every statement's result, in order. At most `concurrency` (default athena.max_concurrent)
        in flight; each stopped at its own deadline or at `deadline` (time.monotonic()), whichever
        comes first. On SIGINT/SIGTERM everything running is stopped, then the signal is delivered
        again to the handler that was there before (a scheduler's SIGTERM still ends the process).
        `ledger` carries the billed bytes of earlier batches of the same run (default: this call's own)."""
        limit = max(1, concurrency or self.options.max_concurrent)
        run = _Run(statements, [None] * len(statements), deque(range(len(statements))), ledger or ScanLedger())
        with _stopping_on_signals(run):
            try:
                self._loop(run, limit, deadline)
            finally:  # an exception (no credentials, a bug) must not leave queries running
                self._stop_all(run, "the run ended early")
        if run.signal is not None:
            signal.raise_signal(run.signal)  # the previous handler is back: it decides what happens
        return [r if r is not None else self._not_run(run.statements[i], "the run ended early")
                for i, r in enumerate(run.results)]

    def _loop(self, run: _Run, limit: int, deadline: float | None) -> None:
        while run.queue or run.running:
            if run.signal is not None:
                self._stop_all(run, f"the run was interrupted ({signal.Signals(run.signal).name})")
                self._skip_queued(run, f"the run was interrupted ({signal.Signals(run.signal).name})")
                return
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                self._stop_all(run, "the run's deadline passed", timeout=True)
                self._skip_queued(run, "the run's deadline passed")
                return
            throttled = self._submit(run, limit, deadline)
            for flight in list(run.running.values()):
                self._check(run, flight)
            if run.running or throttled:
                _sleep(self.options.poll_interval, run)

    def _submit(self, run: _Run, limit: int, deadline: float | None) -> bool:
        """Submit what the limit and the budget allow; True when Athena said to wait (throttled)."""
        budget = self.options.scan_budget_bytes
        while run.queue and len(run.running) < limit:
            if budget is not None and run.ledger.spent >= budget:
                reason = (f"this run's scan budget of {_human_bytes(budget)} is spent "
                          f"({_human_bytes(run.ledger.spent)} billed); raise athena.run_scan_budget_bytes or narrow the window")
                log.warning("Athena: %d statements not submitted: %s", len(run.queue), reason)
                self._skip_queued(run, reason)
                return False
            index = run.queue[0]
            try:
                query_id = self._start(run.statements[index])
            except _Throttled:
                return True  # Athena's own queue is full: try again next tick
            run.queue.popleft()
            if isinstance(query_id, StatementError):
                run.results[index] = StatementResult(run.statements[index], "FAILED", error=query_id)
                continue
            started = time.monotonic()
            due = started + self.options.statement_timeout_s
            why = (f"over its deadline of {self.options.statement_timeout_s:g}s ({self.options.timeout_setting}); "
                   f"narrow the window or raise {self.options.timeout_setting}")
            if deadline is not None and deadline < due:
                due, why = deadline, "the run's deadline passed"
            run.running[index] = _Flight(index, query_id, started, due, why)
        return False

    def _check(self, run: _Run, flight: _Flight) -> None:
        execution = self._execution(flight.query_id)
        state = execution["Status"]["State"]
        if state in TERMINAL:
            del run.running[flight.index]
            run.results[flight.index] = result = self._finish(run.statements[flight.index], flight, execution)
            run.ledger.spent += result.billed_bytes
        elif time.monotonic() >= flight.due:
            self._stop(run, flight, flight.why, timeout=True)

    # ---- one statement ----------------------------------------------------------------------------
    def _start(self, statement: Statement) -> str | StatementError:
        from botocore.exceptions import ClientError, ParamValidationError

        try:
            response = self.client.start_query_execution(
                QueryString=statement.sql,
                # the Glue catalog named as pyathena names it (Athena ignores its case)
                QueryExecutionContext={"Database": self.options.database, "Catalog": "awsdatacatalog"},
                WorkGroup=self.options.workgroup,
                ResultConfiguration={"OutputLocation": self.options.output_location},
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in THROTTLED:
                raise _Throttled from None
            message = _one_line(exc.response.get("Error", {}).get("Message") or str(exc))
            return StatementError(f"Athena refused the statement ({code}): {message}")
        except ParamValidationError as exc:  # botocore's own check, before any request
            return StatementError(f"Athena refused the statement: {_one_line(str(exc))}")
        return str(response["QueryExecutionId"])

    def _execution(self, query_id: str) -> dict[str, Any]:
        return self.client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]

    def _finish(self, statement: Statement, flight: _Flight, execution: dict[str, Any],
                stopped_because: str | None = None, timeout: bool = False) -> StatementResult:
        from botocore.exceptions import BotoCoreError, ClientError

        state = execution["Status"]["State"]
        scanned = int(execution.get("Statistics", {}).get("DataScannedInBytes") or 0)
        charged = state != "FAILED" and statement.billed  # failures are free; cancellations are not
        billed = billed_bytes(scanned, billed=charged)
        cost = query_cost_usd(scanned, self.options.price_per_tb_usd, billed=charged)
        elapsed = time.monotonic() - flight.started
        result = StatementResult(statement, state, flight.query_id, bytes_scanned=scanned, billed_bytes=billed,
                                 cost_usd=cost, elapsed_s=elapsed)
        facts = {"query_id": flight.query_id, "bytes_scanned": scanned, "cost_usd": cost}
        if state == "SUCCEEDED" and stopped_because is None:
            if statement.fetch:
                try:
                    result.frame = self._fetch(flight.query_id)
                except (BotoCoreError, ClientError) as exc:  # the rows are lost, not the run
                    result.state = "FAILED"
                    result.error = StatementError(f"Athena query {flight.query_id} SUCCEEDED but its results could "
                                                  f"not be read: {_one_line(str(exc))}; re-run the window", **facts)
            return result
        reason = _one_line(execution["Status"].get("StateChangeReason") or "no reason given")
        if stopped_because is not None:
            result.state = "TIMED_OUT" if timeout else "CANCELLED"
            kind = StatementTimeout if timeout else StatementError
            result.error = kind(f"Athena query {flight.query_id} stopped after {elapsed:.1f}s: {stopped_because}",
                                **facts)
        elif state == "FAILED":
            error_type = execution["Status"].get("AthenaError", {}).get("ErrorCategory")
            category = {1: "system", 2: "user", 3: "other"}.get(error_type, "")
            result.error = StatementError(f"Athena query {flight.query_id} FAILED"
                                          f"{f' ({category} error)' if category else ''}: {reason}", **facts)
        else:
            result.error = StatementError(f"Athena query {flight.query_id} was CANCELLED outside this run "
                                          f"({reason}); re-run the window", **facts)
        return result

    def _fetch(self, query_id: str) -> pd.DataFrame:
        """Every row, page by page (GetQueryResults pages hold at most 1,000 rows)."""
        from pyathena.converter import DefaultTypeConverter

        converter = DefaultTypeConverter()
        columns: list[tuple[str, str]] = []
        rows: list[list[Any]] = []
        token: str | None = None
        first = True
        while True:
            kwargs: dict[str, Any] = {"QueryExecutionId": query_id, "MaxResults": PAGE_ROWS}
            if token:
                kwargs["NextToken"] = token
            page = self.client.get_query_results(**kwargs)
            result_set = page["ResultSet"]
            if first:
                columns = [(c["Name"], c["Type"]) for c in result_set["ResultSetMetadata"]["ColumnInfo"]]
            data = [[cell.get("VarCharValue") for cell in row["Data"]] for row in result_set.get("Rows", [])]
            # A SELECT's first page starts with the column labels (DDL output does not).
            if first and data and data[0] == [name for name, _ in columns]:
                data = data[1:]
            rows.extend([converter.convert(kind, value) for (_, kind), value in zip(columns, row, strict=False)]
                        for row in data)
            first = False
            token = page.get("NextToken")
            if not token:
                break
        return pd.DataFrame.from_records(rows, columns=[name for name, _ in columns])

    # ---- stopping ---------------------------------------------------------------------------------
    def _stop(self, run: _Run, flight: _Flight, because: str, timeout: bool = False) -> None:
        """StopQueryExecution, then wait (bounded) for Athena to say it stopped, for its final bytes."""
        from botocore.exceptions import BotoCoreError, ClientError

        run.running.pop(flight.index, None)
        execution: dict[str, Any] = {"Status": {"State": "CANCELLED"}}
        try:
            self.client.stop_query_execution(QueryExecutionId=flight.query_id)
            give_up = time.monotonic() + STOP_WAIT_S
            while True:
                execution = self._execution(flight.query_id)
                if execution["Status"]["State"] in TERMINAL or time.monotonic() >= give_up:
                    break
                time.sleep(min(self.options.poll_interval, 0.2))
        except (BotoCoreError, ClientError) as exc:  # we still report the statement as stopped
            log.warning("Athena: stopping query %s: %s", flight.query_id, _one_line(str(exc)))
        if execution["Status"]["State"] == "SUCCEEDED":  # it finished before the stop arrived
            result = self._finish(run.statements[flight.index], flight, execution)
        else:
            result = self._finish(run.statements[flight.index], flight, execution, because, timeout)
        run.results[flight.index] = result
        run.ledger.spent += result.billed_bytes

    def _stop_all(self, run: _Run, because: str, timeout: bool = False) -> None:
        for flight in list(run.running.values()):
            self._stop(run, flight, because, timeout)

    def _skip_queued(self, run: _Run, reason: str) -> None:
        while run.queue:
            index = run.queue.popleft()
            run.results[index] = self._not_run(run.statements[index], reason)

    @staticmethod
    def _not_run(statement: Statement, reason: str) -> StatementResult:
        return StatementResult(statement, "NOT_RUN", error=StatementNotRun(f"not run: {reason}"))


class _Throttled(Exception):
    """Athena said too many queries are active: wait a tick and submit again."""


def _one_line(text: str, limit: int = 400) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _sleep(seconds: float, run: _Run) -> None:
    """Sleep in short slices so a signal is acted on within ~50 ms, not a whole poll interval."""
    until = time.monotonic() + seconds
    while run.signal is None:
        left = until - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.05))


@contextmanager
def _stopping_on_signals(run: _Run) -> Iterator[None]:
    """SIGINT and SIGTERM only mark the run while it lasts (the loop then stops its queries); the
    previous handlers are restored after. Only the main thread may install handlers: elsewhere the
    run relies on its deadlines."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def mark(signum: int, _frame: object) -> None:
        run.signal = signum

    previous = {sig: signal.signal(sig, mark) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
