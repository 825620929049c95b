"""The query API's one error shape: `{"error": code, "message": what to do, "request_id": id}`.

Messages are written for the caller: they never carry a traceback, a server path or an engine's
internal text (the guard's one-line reason is the only SQL-level detail a caller sees).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ApiError(Exception):
    status: int
    error: str  # a stable, machine-readable code (documented in openapi.json)
    message: str
    retry_after: int | None = None  # seconds, sent as Retry-After (429)

    def __str__(self) -> str:
        return f"{self.status} {self.error}: {self.message}"


def unauthorized(message: str = "no identity: send `Authorization: Bearer <API token>` (mantissa api token "
                 "create) or `Authorization: token <Jupyter token>`") -> ApiError:
    return ApiError(401, "unauthorized", message)


def forbidden(scope: str, who: str) -> ApiError:
    return ApiError(403, "forbidden", f"'{who}' lacks the '{scope}' scope this endpoint needs; issue a token with "
                    f"`mantissa api token create NAME --scope {scope}`")


def bad_request(message: str, error: str = "bad_request") -> ApiError:
    return ApiError(400, error, message)
