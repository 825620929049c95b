"""A loopback HTTP server speaking the Anthropic Messages API, for testing with the real SDK.

Replies come from a script (one text per request, in order); every request is kept so tests can
check what was sent — the system prompt, the repair messages, and that no log data left.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class MessagesAPI:
    def __init__(self) -> None:
        self.replies: list[str] = []
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.rstrip("/") != "/v1/messages":
                    self._send(404, {"type": "error", "error": {"type": "not_found_error", "message": self.path}})
                    return
                api.requests.append(body)
                api.headers.append({k.lower(): v for k, v in self.headers.items()})
                # Older SDKs send x-api-key, newer ones a bearer token; the real API takes both.
                bearer = (self.headers.get("authorization") or "").removeprefix("Bearer ")
                if "test-key" not in (self.headers.get("x-api-key"), bearer):
                    self._send(401, {"type": "error", "error": {"type": "authentication_error",
                                                                  "message": "invalid x-api-key"}})
                    return
                if not api.replies:
                    self._send(500, {"type": "error", "error": {"type": "api_error", "message": "no reply scripted"}})
                    return
                text = api.replies.pop(0)
                self._send(200, {
                    "id": f"msg_{len(api.requests)}", "type": "message", "role": "assistant",
                    "model": body.get("model", "claude"), "content": [{"type": "text", "text": text}],
                    "stop_reason": "end_turn", "stop_sequence": None,
                    "usage": {"input_tokens": 10, "output_tokens": 10},
                })

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> MessagesAPI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def sql_reply(sql: str, explanation: str = "Lists matching events.") -> str:
    return f"Explanation: {explanation}\n```sql\n{sql}\n```"
