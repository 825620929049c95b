"""A real Jupyter server on 127.0.0.1 with the query API, for the tests and benchmarks/api_load.py.

`start_server(root, lake, api_limits)` starts `jupyter server` in a subprocess with its own token, a
free port, an isolated Jupyter config/data/runtime folder, and a workspace whose lake is `lake` and
whose state (history, tokens, alerts) is fresh. Startup waits at most STARTUP_S; teardown
terminates the process and kills it if it lingers.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml

STARTUP_S = 60
JUPYTER = Path(sys.executable).with_name("jupyter")
T0 = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
# The demo lake (tests/conftest.py demo_lake) covers 2026-11-18 .. 2026-11-20.
DEMO_START, DEMO_END = "2026-11-18T00:00:00Z", "2026-11-20T00:00:00Z"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ApiServer:
    url: str  # http://127.0.0.1:PORT
    jupyter_token: str
    workspace: Path
    process: subprocess.Popen
    log: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, token: str | None = None, jupyter: bool = False, **kwargs: Any) -> httpx.Client:
        headers = {}
        if jupyter:
            headers["Authorization"] = f"token {self.jupyter_token}"
        elif token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, **kwargs)

    def settings(self) -> Any:
        from workbench.config import load_settings

        return load_settings(self.workspace, environ={})

    def history(self) -> list[Any]:
        from workbench.history import HISTORY_FILE, QueryHistory

        return QueryHistory(self.settings().state / HISTORY_FILE).recent(10_000)


def build_alert(alert_id: str, minutes: int = 0, **overrides: Any) -> Any:
    from workbench.alerts import Alert

    data: dict[str, Any] = {
        "id": alert_id, "rule_id": "aws.console_login_failures", "title": f"Failed logins ({alert_id})",
        "severity": "high", "first_seen": T0 + timedelta(minutes=minutes),
        "last_seen": T0 + timedelta(minutes=minutes + 5),
        "group_keys": {"principal": "arn:aws:iam::111122223333:user/alice"},
        "fields": {"sourceIPAddress": "203.0.113.7"}, "tags": ["attack.t1110"], "account": "111122223333",
        "evidence": {"rows": [{"eventID": f"e-{alert_id}", "eventName": "ConsoleLogin"}],
                     "sql": "SELECT eventid FROM cloudtrail", "query_id": "q-1", "bytes_scanned": 1024},
    }
    data.update(overrides)
    return Alert.model_validate(data)


def start_server(root: Path, lake: Path, api: dict[str, Any], alerts: int = 0,
                 server_args: tuple[str, ...] = (), config: dict[str, Any] | None = None) -> ApiServer:
    workspace = root / "workspace"
    workspace.mkdir(parents=True)
    config = {"lake_path": str(lake), "state_path": "state", "nl": {"provider": "offline"}, "api": api,
              **(config or {})}
    (workspace / "mantissa.yaml").write_text(yaml.safe_dump(config))
    from workbench.alerts import get_store
    from workbench.api.tokens import TokenStore
    from workbench.config import load_settings

    settings = load_settings(workspace, environ={})
    with get_store(settings) as store:
        for i in range(alerts):
            store.upsert_alert(build_alert(f"a-{i:04d}", minutes=i, severity=("high", "low", "critical")[i % 3]),
                               [f"ev-{i}"], actor="test")
    tokens = TokenStore.for_settings(settings)
    issued = {
        "query": tokens.create("querier", ["query"]).token,
        "alerts": tokens.create("reader", ["alerts:read"]).token,
        "both": tokens.create("both", ["query", "alerts:read"]).token,
    }
    jupyter_token = secrets.token_hex(24)
    port = free_port()
    home = root / "jupyter"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MANTISSA_", "JUPYTER", "JPY_"))}
    env |= {"MANTISSA_WORKSPACE": str(workspace), "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "JUPYTER_PLATFORM_DIRS": "1", "HOME": str(home),
            # So a test can name a class of its own (an authorizer) in server_args.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]),
                                                         os.environ.get("PYTHONPATH")]))}
    log = root / "server.log"
    process = subprocess.Popen(
        [str(JUPYTER), "server", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={jupyter_token}", f"--ServerApp.root_dir={workspace}",
         # Only the extension under test: JupyterLab and friends would double the startup time.
         "--ServerApp.jpserver_extensions={'workbench.api': True, 'jupyterlab': False, 'jupyter_lsp': False, "
         "'notebook_shim': False, 'jupyter_server_terminals': False}", *server_args],
        cwd=workspace, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    server = ApiServer(f"http://127.0.0.1:{port}", jupyter_token, workspace, process, log, issued)
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter server exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{server.url}/mantissa/api/openapi.json", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"jupyter server not answering after {STARTUP_S}s:\n{log.read_text()[-3000:]}")


def stop_server(server: ApiServer) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(10)
