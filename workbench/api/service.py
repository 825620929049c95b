"""What the query API does, apart from HTTP: run a query request, read alerts, report health.

Handlers (workbench/api/handlers.py) authenticate and parse; everything here runs on a worker
thread (engines and stores are synchronous), one `Session` and one alert store per thread, since a
DuckDB connection serves one statement at a time.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, model_validator

from workbench.api.errors import ApiError, bad_request
from workbench.api.ratelimit import RateLimiter
from workbench.api.rows import encode
from workbench.api.tokens import TokenStore
from workbench.history import HISTORY_FILE, QueryHistory, QueryRecord
from workbench.session import Session

if TYPE_CHECKING:
    from workbench.alerts import AlertStore
    from workbench.config import Settings

MAX_QUESTION_CHARS = 2_000
MAX_SQL_CHARS = 50_000
MAX_ALERT_PAGE = 500
HEALTH_TTL_S = 30.0


class QueryBody(BaseModel):
    """`POST /mantissa/api/query`'s body; openapi.json's QueryRequest says the same."""

    model_config = ConfigDict(extra="forbid")

    question: str | None = Field(None, min_length=1, max_length=MAX_QUESTION_CHARS)
    sql: str | None = Field(None, min_length=1, max_length=MAX_SQL_CHARS)
    window: str | None = Field(None, max_length=64)
    start: str | None = Field(None, max_length=64)
    end: str | None = Field(None, max_length=64)
    limit: int | None = Field(None, ge=1)
    engine: str | None = Field(None, max_length=64)
    dry_run: StrictBool = False

    @model_validator(mode="after")
    def _one_of(self) -> QueryBody:
        if (self.question is None) == (self.sql is None):
            raise ValueError("give exactly one of 'question' (English) or 'sql' (Athena SQL)")
        return self


def parse_query(data: Any) -> QueryBody:
    if not isinstance(data, dict):
        raise bad_request("the body must be a JSON object such as {\"sql\": \"SELECT ...\"}")
    try:
        return QueryBody.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = ("unknown field; the fields are question, sql, window, start, end, limit, engine, dry_run")
        raise bad_request(f"field '{where}': {message}") from None


class RecordingSession(Session):
    """A Session whose history records wait for the handler, which adds who, from where, and status."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.pending: list[QueryRecord] = []

    def _record(self, record: QueryRecord) -> None:
        self.pending.append(record)


@dataclass
class Caller:
    identity: str
    remote: str
    request_id: str


class ApiService:
    def __init__(self, settings: Settings) -> None:
        from workbench.redaction import redactor_for

        # The API's own deadline: a caller's query is stopped sooner than a rule's (api.query_timeout).
        self.settings = settings.model_copy(update={"query_timeout": settings.api.query_timeout})
        self.limits = settings.api
        self.history = QueryHistory(settings.state / HISTORY_FILE, redactor_for(settings))
        self.tokens = TokenStore.for_settings(settings)
        self.limiter = RateLimiter(self.limits.requests_per_minute, self.limits.bytes_per_day, self._scanned_today)
        self.pool = ThreadPoolExecutor(self.limits.workers, thread_name_prefix="mantissa-api")
        self._local = threading.local()
        self._health: tuple[float, dict[str, Any]] | None = None
        self._health_lock = threading.Lock()

    # -- per-thread resources -------------------------------------------------------------------

    def session(self) -> RecordingSession:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = RecordingSession(self.settings)
        session.pending = []
        return session

    def store(self) -> AlertStore:
        store = getattr(self._local, "store", None)
        if store is None:
            from workbench.alerts import get_store

            store = self._local.store = get_store(self.settings)
        return store

    def _scanned_today(self, identity: str, day: datetime) -> int:
        since = day.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with sqlite3.connect(self.history.path, timeout=10) as con:
            row = con.execute("SELECT COALESCE(SUM(bytes_scanned), 0) FROM queries WHERE user = ? AND at >= ?",
                              [identity, since]).fetchone()
        return int(row[0])

    # -- history --------------------------------------------------------------------------------

    def record(self, caller: Caller, records: list[QueryRecord], status: int) -> None:
        for record in records:
            record.user, record.remote = caller.identity, caller.remote
            record.request_id, record.http_status = caller.request_id, status
            self.history.record(record)

    # -- query ----------------------------------------------------------------------------------

    def query(self, body: QueryBody, caller: Caller) -> tuple[dict[str, Any], list[QueryRecord]]:
        """The answer, and the history records it made. Errors are ApiErrors carrying the records."""
        from workbench.engines import EngineError, QueryTimeout
        from workbench.nl import TranslationError
        from workbench.registry import UnknownPluginError
        from workbench.session import SessionError
        from workbench.sqlguard import GuardError

        session = self.session()
        guard_cap = self.settings.guard.max_limit
        wanted = body.limit or self.settings.row_limit
        if wanted > guard_cap:
            raise bad_request(f"field 'limit': at most {guard_cap:,} (guard.max_limit)")
        cap = min(wanted, self.limits.max_rows)
        # One row past the cap tells a full answer from a cut one.
        run_limit = min(cap + 1, guard_cap)
        try:
            if body.engine is not None:
                session.set_engine(body.engine)
                engine = body.engine
            else:
                engine = self.settings.engine
            explicit = body.window or body.start or body.end
            window = session.window(body.window, body.start, body.end) if explicit else None
            if body.question is not None:
                outcome = session.ask(body.question, window=window, dry_run=body.dry_run, engine=engine,
                                      limit=run_limit)
            else:
                outcome = session.run_sql(body.sql or "", kind="api", window=window, limit=run_limit,
                                          dry_run=body.dry_run, engine=engine)
        except GuardError as exc:
            raise _with(ApiError(400, "guard_refused", exc.reason), session) from None
        except QueryTimeout:
            raise _with(ApiError(504, "timeout", f"the query ran past {self.limits.query_timeout} and was stopped "
                                 "(api.query_timeout); narrow the window or the question"), session) from None
        except EngineError:
            # The engine's own text can name files and internals; the analyst sees it in the history.
            raise _with(ApiError(422, "query_failed", f"the engine could not run the query; request "
                                 f"{caller.request_id} in the query history holds the reason; check column "
                                 "and table names (cloudtrail, vpc_flow, guardduty) or send it with dry_run"),
                        session) from None
        except TranslationError as exc:
            raise _with(ApiError(422, "untranslated", _one_line(str(exc))), session) from None
        except UnknownPluginError as exc:
            raise _with(bad_request(f"field 'engine': {_one_line(str(exc))}"), session) from None
        except (SessionError, ValueError) as exc:
            raise _with(bad_request(_one_line(str(exc))), session) from None
        return self._answer(outcome, cap, caller), session.pending

    def _answer(self, outcome: Any, cap: int, caller: Caller) -> dict[str, Any]:
        record = outcome.record
        answer: dict[str, Any] = {
            "request_id": caller.request_id,
            "dry_run": outcome.result is None,
            "engine": record.engine,
            "window": {"start": _z(outcome.window.start), "end": _z(outcome.window.end)},
            "sql": outcome.sql,
            "executed_sql": record.executed_sql,
            "query_id": record.query_id,
            "bytes_scanned": record.bytes_scanned or 0,
            "cost_usd": record.cost_usd or 0.0,
            "elapsed_s": record.elapsed_s,
            "provider": outcome.translation.provider if outcome.translation else None,
            "notes": list(outcome.notes),
            "columns": [],
            "rows": [],
            "row_count": 0,
            "truncated": False,
        }
        if outcome.result is not None:
            columns, rows, truncated = encode(outcome.result.frame, cap, self.limits.max_result_bytes)
            answer.update(columns=columns, rows=rows, row_count=len(rows), truncated=truncated)
        return answer

    # -- alerts ---------------------------------------------------------------------------------

    def alerts(self, params: dict[str, str]) -> dict[str, Any]:
        from workbench.alerts import AlertStoreError

        allowed = {"status", "severity", "min_severity", "rule_id", "assignee", "since", "until", "text",
                   "limit", "order_by", "page_token", "unassigned"}
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise bad_request(f"query parameter '{unknown[0]}': unknown; use {', '.join(sorted(allowed))}")
        try:
            limit = int(params.get("limit", "50"))
        except ValueError:
            raise bad_request(f"query parameter 'limit': '{params['limit'][:20]}' is not a whole number") from None
        if not 1 <= limit <= MAX_ALERT_PAGE:
            raise bad_request(f"query parameter 'limit': between 1 and {MAX_ALERT_PAGE}")
        flag = params.get("unassigned", "false").lower()
        if flag not in ("true", "false", "1", "0"):
            raise bad_request("query parameter 'unassigned': true or false")
        status = params.get("status")
        try:
            page = self.store().list(
                status=status.split(",") if status else None, severity=params.get("severity") or None,
                min_severity=params.get("min_severity") or None, rule_id=params.get("rule_id") or None,
                assignee=params.get("assignee") or None, since=params.get("since") or None,
                until=params.get("until") or None, text=params.get("text") or None, limit=limit,
                order_by=params.get("order_by") or "-last_seen", page_token=params.get("page_token") or None,
                unassigned=flag in ("true", "1"))
        except AlertStoreError as exc:
            raise ApiError(503, "store_unavailable", _one_line(str(exc))) from None
        except ValueError as exc:
            raise bad_request(_one_line(str(exc))) from None
        return {"alerts": [_summary(a) for a in page], "next_token": page.next_token}

    def alert(self, alert_id: str) -> dict[str, Any]:
        from workbench.alerts import AlertNotFound

        try:
            return self.store().get(alert_id).model_dump(mode="json")
        except AlertNotFound as exc:
            raise ApiError(404, "not_found", _one_line(str(exc))) from None

    # -- health ---------------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """`mantissa doctor`'s checks as JSON, cached briefly: each run queries the lake and the store."""
        with self._health_lock:
            if self._health and time.monotonic() - self._health[0] < HEALTH_TTL_S:
                return self._health[1]
            from workbench.doctor import run_doctor

            checks = [{"name": r.name, "level": r.level, "detail": self._hide_paths(r.detail),
                       "fix": self._hide_paths(r.fix)} for r in run_doctor(self.settings.workspace)]
            report = {"ok": all(c["level"] != "fail" for c in checks), "checks": checks}
            self._health = (time.monotonic(), report)
            return report

    def _hide_paths(self, text: str) -> str:
        """The server's folders are nobody else's business: they read as <lake>, <state>, <workspace>."""
        s = self.settings
        for path, name in ((s.lake, "<lake>"), (s.state, "<state>"), (s.runs, "<runs>"), (s.workspace, "<workspace>")):
            text = text.replace(str(path), name)
        return text

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def _with(error: ApiError, session: RecordingSession) -> ApiError:
    error.records = list(session.pending)  # type: ignore[attr-defined]
    return error


def _one_line(text: str) -> str:
    return " ".join(text.split())[:500]


def _z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _summary(alert: Any) -> dict[str, Any]:
    data = alert.model_dump(mode="json", include={"id", "rule_id", "title", "severity", "status", "assignee",
                                                  "first_seen", "last_seen", "count", "tags", "account",
                                                  "group_keys", "updated_at"})
    return data
