"""An API gateway that quotes the request's key in its error body: the key never reaches query
history (the NL provider's error is scrubbed at the source, and history scrubs every error)."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from workbench.config import load_settings
from workbench.history import HISTORY_FILE
from workbench.nl import TranslationError
from workbench.session import Session

from .conftest import DEMO_WINDOW

KEY = "proxy-key-4f1c9e7a2b"  # no recognisable shape: only knowing the configured key catches it


@pytest.fixture()
def echoing_api() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
            self.rfile.read(int(self.headers.get("content-length", 0)))
            sent = self.headers.get("x-api-key") or (self.headers.get("authorization") or "").removeprefix("Bearer ")
            data = json.dumps({"type": "error", "error": {
                "type": "invalid_request_error", "message": f"quota exceeded for key {sent}"}}).encode()
            self.send_response(400)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_an_echoed_api_key_never_reaches_history(workspace: Path, echoing_api: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WB_TEST_NL_KEY", KEY)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    (workspace / "mantissa.yaml").write_text(
        f"nl: {{provider: anthropic, base_url: '{echoing_api}', api_key_env: WB_TEST_NL_KEY, timeout_s: 5}}\n")
    session = Session(load_settings(workspace))
    session.set_window(DEMO_WINDOW)
    with pytest.raises(TranslationError) as err:
        session.ask("who logged in?")
    assert "answered 400" in str(err.value) and KEY not in str(err.value)
    con = sqlite3.connect(workspace / "state" / HISTORY_FILE)
    rows: list[Any] = con.execute("SELECT status, error FROM queries").fetchall()
    con.close()
    assert rows and rows[0][0] == "untranslated" and "quota exceeded" in rows[0][1]
    assert all(KEY not in (error or "") for _, error in rows)


def test_history_scrubs_any_error_it_stores(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.history import QueryHistory, QueryRecord
    from workbench.redaction import redactor_for

    monkeypatch.setenv("WB_TEST_NL_KEY", KEY)
    (workspace / "mantissa.yaml").write_text("nl: {api_key_env: WB_TEST_NL_KEY}\n")
    settings = load_settings(workspace)
    history = QueryHistory(settings.state / HISTORY_FILE, redactor_for(settings))
    history.record(QueryRecord(kind="athena", status="error", sql="SELECT 1",
                               error=f"gateway said: bad key {KEY}; Authorization: Basic Ym90OnRva2Vu"))
    [stored] = history.recent()
    assert stored.error == "gateway said: bad key ***; Authorization: Basic ***"
