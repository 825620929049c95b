"""Real receivers on 127.0.0.1 (HTTP and SMTP) that record what arrives and fail on demand, and
workspaces whose mantissa.yaml routes to them."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from workbench.alerts import Alert, AlertStore, get_store
from workbench.config import Settings, load_settings

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
HOSTILE = "<!channel> <script>alert(1)</script> *bold* _it_ [link|http://evil.example] {code} &amp;"
FAST = {"backoff_initial_s": 0.05, "backoff_max_s": 0.2, "send_budget_s": 5.0, "timeout_s": 2.0}


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int  # what the receiver answered

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each request with the next status in `plan` (then `default`), records it."""

    url: str
    plan: list[int] = field(default_factory=list)
    default: int = 200
    reply: Callable[[Request], bytes] = lambda r: b"ok"
    error_reply: Callable[[Request], bytes] | None = None  # the body of a non-2xx answer
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, n: int, status: int = 500) -> None:
        with self.lock:
            self.plan = [status] * n

    def delivered(self) -> list[Request]:
        return [r for r in self.requests if 200 <= r.status < 300]


@pytest.fixture()
def receiver() -> Iterator[Callable[..., Receiver]]:
    """Factory: `receiver()` starts one HTTP receiver on 127.0.0.1:<free port>; all stop at teardown."""
    servers: list[ThreadingHTTPServer] = []

    def start(**kwargs: Any) -> Receiver:
        state: dict[str, Receiver] = {}

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server hook name
                rec = state["rec"]
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with rec.lock:
                    status = rec.plan.pop(0) if rec.plan else rec.default
                    request = Request("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body, status)
                    rec.requests.append(request)
                payload = rec.reply(request) if 200 <= status < 300 else (
                    rec.error_reply(request) if rec.error_reply else b'{"error": "unavailable"}')
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                return None

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        rec = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}", **kwargs)
        state["rec"] = rec
        return rec

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def smtp_server() -> Iterator[Any]:
    """aiosmtpd on 127.0.0.1: `.port`, `.messages` (email.message.EmailMessage), `.envelopes`."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self) -> None:
            self.messages: list[Any] = []
            self.envelopes: list[Any] = []

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            self.envelopes.append(envelope)
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port  # type: ignore[attr-defined]
    try:
        yield handler
    finally:
        controller.stop()


def write_config(workspace: Path, routing: dict[str, Any], **extra: Any) -> None:
    (workspace / "mantissa.yaml").write_text(yaml.safe_dump({"routing": {**FAST, **routing}, **extra}))


@pytest.fixture()
def routed(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Settings]:
    """`routed(routing_section, env={...}, backend=...)` → settings of a workspace routing there."""

    def make(routing: dict[str, Any], env: dict[str, str] | None = None, backend: str = "sqlite",
             endpoint: str | None = None) -> Settings:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        store: dict[str, Any] = {"backend": backend}
        if endpoint:
            store |= {"endpoint_url": endpoint, "table_prefix": f"t{uuid.uuid4().hex[:10]}-"}
        write_config(workspace, routing, store=store)
        return load_settings(workspace)

    return make


@pytest.fixture(params=["sqlite", "dynamodb"])
def backend(request: pytest.FixtureRequest) -> tuple[str, str | None]:
    """Both store backends: (name, moto endpoint or None)."""
    if request.param == "dynamodb":
        return "dynamodb", request.getfixturevalue("aws_env")
    return "sqlite", None


@pytest.fixture()
def open_store() -> Iterator[Callable[[Settings], AlertStore]]:
    opened: list[AlertStore] = []

    def make(settings: Settings) -> AlertStore:
        store = get_store(settings)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


def make_alert(alert_id: str = "a-0001", **overrides: Any) -> Alert:
    data: dict[str, Any] = {
        "id": alert_id, "rule_id": "aws.console_login_failures", "title": f"Failed console logins ({alert_id})",
        "severity": "high", "first_seen": T0, "last_seen": T0 + timedelta(minutes=5),
        "group_keys": {"principal": "arn:aws:iam::111122223333:user/alice"},
        "fields": {"sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.15"},
        "tags": ["attack.t1110"], "account": "111122223333",
    }
    data.update(overrides)
    return Alert.model_validate(data)


def store_alerts(store: AlertStore, n: int, prefix: str = "a", **overrides: Any) -> list[str]:
    ids = []
    for i in range(n):
        alert = make_alert(f"{prefix}-{i:04d}", **overrides)
        store.upsert_alert(alert, [f"{prefix}-ev-{i}"])
        ids.append(alert.id)
    return ids
