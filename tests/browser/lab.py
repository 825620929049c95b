"""JupyterLab on 127.0.0.1 and Debian's Chromium for the browser tests (no Playwright browser download).

`serve_lab(root, settings, tmp_path)` starts a server over `root` with the workspace's settings in its
environment and ends it, with the kernels it started, whatever happens.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ANALYST = "browser-analyst"
KERNEL_IDLE = """() => {
  const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session
                 && widget.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle';
}"""


def require_chromium() -> Any:
    """Playwright's sync API, or a loud skip saying what to install."""
    if not CHROMIUM.exists():
        pytest.skip(f"NO CHROMIUM AT {CHROMIUM}: the real-browser test did not run — install it with "
                    "`apt-get install -y chromium chromium-driver` (as .ci/run does)")
    return pytest.importorskip("playwright.sync_api", reason="pip install playwright (dev extra)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve_lab(root: Path, settings: Any, tmp_path: Path) -> Iterator[tuple[str, str]]:
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "MANTISSA_WORKSPACE": str(settings.workspace),
           "MANTISSA_STATE_PATH": str(settings.state), "JUPYTERHUB_USER": ANALYST,
           "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    log_path = tmp_path / "jupyterlab.log"
    log = log_path.open("w")
    lab = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly", f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
         *(["--allow-root"] if os.geteuid() == 0 else [])],  # CI containers run as root
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if lab.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"JupyterLab did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        yield base, token
    finally:
        # The server and the kernels it started share its process group: end them all, by that id.
        try:
            os.killpg(lab.pid, signal.SIGTERM)
            lab.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(lab.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            lab.wait(timeout=5)
        log.close()


def open_notebook(page: Any, base: str, token: str, name: str) -> None:
    """Open a notebook, wait for its kernel, run every cell."""
    page.goto(f"{base}/lab/tree/{name}?token={token}", timeout=40_000)
    # Wait for the notebook's kernel, so no cell is queued against a kernel still starting.
    page.wait_for_function(KERNEL_IDLE, timeout=40_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")


def dismiss_news(page: Any) -> None:
    no_news = page.get_by_role("button", name="No", exact=True)
    if no_news.is_visible():  # JupyterLab's "notify about news?" toast covers the corner
        no_news.click()
