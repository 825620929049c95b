"""The query API's HTTP face: tornado handlers inside Jupyter server, under `/mantissa/api/`.

Order of business in every request: Jupyter's own checks (host, origin, XSRF for cookie sessions),
then who is asking (an API token, else Jupyter's identity: its token, cookie or JupyterHub OAuth),
then the scope, then the rate limit, then the body. Nothing reaches an engine before all of them
pass. Every request is written to the query history with the identity, address and status.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import uuid
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar

from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.base.handlers import APIHandler
from tornado import web

from workbench.api.errors import ApiError, bad_request, forbidden, unauthorized
from workbench.api.service import ApiService, Caller, parse_query
from workbench.api.tokens import PREFIX
from workbench.history import QueryRecord
from workbench.timewindow import parse_duration

if TYPE_CHECKING:
    from workbench.api.tokens import TokenInfo

API_TOKEN = re.compile(rf"^\s*bearer\s+({PREFIX}\S+)\s*$", re.IGNORECASE)
# Jupyter's authorizer speaks actions on resources; a scope maps to one action on "mantissa".
ACTIONS = {"query": "execute", "alerts:read": "read", None: "read"}
ERROR_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "body_too_large", 415: "unsupported_media_type",
               429: "rate_limited", 500: "internal", 503: "unavailable", 504: "timeout"}


class MantissaHandler(APIHandler):
    """Identity, scope, rate limit, the JSON error shape and the history record, for every endpoint."""

    scope: ClassVar[str | None] = None  # the scope an API token needs; None: any identity
    public: ClassVar[bool] = False  # served without identity (the OpenAPI document)
    auth_resource = "mantissa"

    def initialize(self, service: ApiService | None, config_error: str | None = None) -> None:
        self.service = service
        self.config_error = config_error
        self.request_id = uuid.uuid4().hex
        self.identity: str | None = None
        self.scopes: tuple[str, ...] = ()
        self.status_recorded = False

    # -- Jupyter's checks, adjusted for API tokens -----------------------------------------------

    def _api_token(self) -> str | None:
        match = API_TOKEN.match(self.request.headers.get("Authorization", ""))
        return match.group(1) if match else None

    def check_xsrf_cookie(self) -> None:
        # A bearer header cannot be sent cross-site without a CORS preflight, so XSRF needs no cookie
        # check for it; a request with no identity at all is answered 401 before anything runs.
        if self._api_token() is not None:
            return None
        if hasattr(self, "_jupyter_current_user") and self._jupyter_current_user is None:
            return None
        return super().check_xsrf_cookie()

    async def prepare(self) -> None:  # type: ignore[override]
        self.set_header("X-Request-Id", self.request_id)
        self.set_header("Cache-Control", "no-store")
        await super().prepare()
        if self._finished:
            return
        try:
            if self.service is None:
                raise ApiError(503, "unavailable", "the workspace configuration does not load (the server log says "
                               "why); fix mantissa.yaml and restart the server")
            if self.public:
                return
            await self._authenticate()
            refusal = self.service.limiter.admit(self.identity or "")
            if refusal is not None:
                raise ApiError(429, refusal.error, refusal.message, refusal.retry_after)
        except ApiError as err:
            self.fail(err)

    async def _authenticate(self) -> None:
        assert self.service is not None
        token = self._api_token()
        if token is not None:
            info: TokenInfo | None = await asyncio.get_running_loop().run_in_executor(
                None, self.service.tokens.verify, token)
            if info is None:
                raise unauthorized("the API token is unknown, revoked or expired; ask for a new one "
                                   "(`mantissa api token create NAME --scope ...`)")
            self.identity, self.scopes = info.identity, info.scopes
            if self.scope is not None and self.scope not in info.scopes:
                raise forbidden(self.scope, info.identity)
            return
        user = self.current_user
        if not user:
            raise unauthorized()
        self.identity = getattr(user, "username", None) or str(user)
        allowed = self.authorizer.is_authorized(self, user, ACTIONS[self.scope], self.auth_resource)
        if inspect.isawaitable(allowed):
            allowed = await allowed
        if not allowed:
            raise forbidden(self.scope or "read", self.identity)
        self.scopes = ("query", "alerts:read")

    # -- answers --------------------------------------------------------------------------------

    def caller(self) -> Caller:
        return Caller(self.identity or "-", self.request.remote_ip or "-", self.request_id)

    def reply(self, data: dict[str, Any], status: int = 200) -> None:
        self.set_status(status)
        self.record_request(status)
        self.finish(json.dumps(data, ensure_ascii=False, allow_nan=False))

    def fail(self, err: ApiError) -> None:
        if self._finished:
            return
        self.clear_header("Content-Type")
        if err.retry_after is not None:
            self.set_header("Retry-After", str(err.retry_after))
        self.reply({"error": err.error, "message": err.message, "request_id": self.request_id}, err.status)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Errors raised outside our code (Jupyter's checks, tornado's 405) in the same shape, without
        their internals: a tornado HTTPError's own message only, anything else as `internal`."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = HTTPStatus(status_code).phrase if status_code in HTTPStatus._value2member_map_ else "error"
        if isinstance(exc, web.HTTPError) and exc.log_message and status_code < 500:
            message = exc.log_message % exc.args if exc.args else exc.log_message
        elif status_code >= 500:
            message = f"unexpected error; the server log holds request {self.request_id}"
        self.set_header("Content-Type", "application/json")
        self.set_header("X-Request-Id", self.request_id)  # send_error() cleared the headers
        self.record_request(status_code)
        self.finish(json.dumps({"error": ERROR_CODES.get(status_code, "error"), "message": message,
                                "request_id": self.request_id}))

    def record_request(self, status: int) -> None:
        """One history row for a request that ran no query (a query's own rows are written instead).
        Written before the answer is sent, so a caller that reads the history finds it."""
        if self.status_recorded or self.service is None:
            return
        self.status_recorded = True
        query = "?…" if self.request.query else ""  # parameters may carry a Jupyter token
        record = QueryRecord(kind="api", status=_word(status),
                             question=f"{self.request.method} {self.request.path}{query}")
        try:
            self.service.record(self.caller(), [record], status)
        except Exception:  # noqa: BLE001 - a history write failing must not fail the answer
            self.log.exception("mantissa api: could not record request %s in the query history", self.request_id)

    async def run(self, func: Any, *args: Any) -> Any:
        """`func(*args)` on the service's worker threads; unexpected failures are logged, answered 500."""
        assert self.service is not None
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.service.pool, func, *args)

    def unexpected(self, exc: BaseException) -> None:
        self.log.error("mantissa api: request %s failed", self.request_id, exc_info=exc)
        self.fail(ApiError(500, "internal", f"unexpected error; the server log holds request {self.request_id}"))


def _word(status: int) -> str:
    return "ok" if status < 400 else ERROR_CODES.get(status, "error")


class QueryHandler(MantissaHandler):
    scope = "query"

    @allow_unauthenticated  # our prepare() decides: an API token or Jupyter's identity
    async def post(self) -> None:
        assert self.service is not None
        try:
            body = parse_query(self._json_body())
            refusal = self.service.limiter.check_bytes(self.caller().identity)
            if refusal is not None:
                raise ApiError(429, refusal.error, refusal.message, refusal.retry_after)
        except ApiError as err:
            self.fail(err)
            return
        backstop = parse_duration(self.service.limits.query_timeout).total_seconds() + 30
        try:
            answer, records = await asyncio.wait_for(self.run(self.service.query, body, self.caller()), backstop)
        except ApiError as err:
            self._record(getattr(err, "records", []), err.status)
            self.fail(err)
            return
        except TimeoutError:
            self.fail(ApiError(504, "timeout", "the query did not answer in time and was abandoned; narrow it"))
            return
        except Exception as exc:  # noqa: BLE001 - answered as 500 without internals, logged in full
            self.unexpected(exc)
            return
        self.service.limiter.add_bytes(self.caller().identity, answer["bytes_scanned"])
        self._record(records, 200)
        self.reply(answer)

    def _record(self, records: list[QueryRecord], status: int) -> None:
        if records and self.service is not None:
            self.service.record(self.caller(), records, status)
            self.status_recorded = True

    def _json_body(self) -> Any:
        assert self.service is not None
        limit = self.service.limits.max_body_bytes
        declared = self.request.headers.get("Content-Length", "0")
        if (declared.isdigit() and int(declared) > limit) or len(self.request.body) > limit:
            raise ApiError(413, "body_too_large", f"the body is over {limit:,} bytes (api.max_body_bytes); "
                           "send a shorter question or query")
        ctype = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise ApiError(415, "unsupported_media_type", "send the body as JSON with "
                           "`Content-Type: application/json`")
        try:
            return json.loads(self.request.body.decode("utf-8"))
        except UnicodeDecodeError:
            raise bad_request("the body is not UTF-8 text", "bad_json") from None
        except json.JSONDecodeError as exc:
            raise bad_request(f"the body is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                              "bad_json") from None


class AlertsHandler(MantissaHandler):
    scope = "alerts:read"

    @allow_unauthenticated
    async def get(self) -> None:
        assert self.service is not None
        # `token` is Jupyter's own (?token=...); not a filter.
        params = {k: self.get_query_argument(k) for k in self.request.query_arguments if k != "token"}
        await self._answer(self.service.alerts, params)

    async def _answer(self, func: Any, *args: Any) -> None:
        try:
            self.reply(await self.run(func, *args))
        except ApiError as err:
            self.fail(err)
        except Exception as exc:  # noqa: BLE001 - answered as 500 without internals, logged in full
            self.unexpected(exc)


class AlertHandler(AlertsHandler):
    @allow_unauthenticated
    async def get(self, alert_id: str) -> None:  # type: ignore[override]
        assert self.service is not None
        if len(alert_id) > 256:
            self.fail(bad_request("alert id: at most 256 characters"))
            return
        await self._answer(self.service.alert, alert_id)


class HealthHandler(AlertsHandler):
    scope = None

    @allow_unauthenticated
    async def get(self) -> None:  # type: ignore[override]
        assert self.service is not None
        await self._answer(self.service.health)


class OpenApiHandler(MantissaHandler):
    public = True

    @allow_unauthenticated
    def get(self) -> None:
        from workbench.api.openapi import document

        self.reply(document(self.base_url))


class NotFoundHandler(MantissaHandler):
    public = True

    @allow_unauthenticated
    def get(self, _rest: str) -> None:
        self.fail(ApiError(404, "not_found", "no such endpoint; GET /mantissa/api/openapi.json lists them"))

    post = put = delete = patch = get  # type: ignore[assignment]


def handlers(base_url: str, service: ApiService | None, config_error: str | None) -> list[tuple]:
    from jupyter_server.utils import url_path_join

    args = {"service": service, "config_error": config_error}
    root = url_path_join(base_url, "mantissa", "api")
    return [
        (url_path_join(root, "query"), QueryHandler, args),
        (url_path_join(root, "alerts"), AlertsHandler, args),
        (url_path_join(root, "alerts", "([^/]+)"), AlertHandler, args),
        (url_path_join(root, "health"), HealthHandler, args),
        (url_path_join(root, "openapi.json"), OpenApiHandler, args),
        (url_path_join(root, "(.*)"), NotFoundHandler, args),
    ]
