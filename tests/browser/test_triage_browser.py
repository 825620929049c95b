"""A real browser: JupyterLab on 127.0.0.1, headless Chromium through Playwright, notebooks/triage.ipynb
run top to bottom, "Acknowledge" clicked in the rendered widget, and the alert store checked.

Chromium is Debian's package (`apt-get install chromium`; .ci/run installs it), driven through
`executable_path`; Playwright's own browser downloads are never used. The screenshot lands in
test-artifacts/ (gitignored). Without Chromium the test skips, saying so loudly.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ANALYST = "browser-analyst"
OPEN = ["new", "acknowledged", "investigating"]
KERNEL_IDLE = """() => {
  const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session
                 && widget.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle';
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def jupyterlab(demo_settings, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """JupyterLab serving a copy of notebooks/ with the demo workspace; killed whatever happens."""
    root = tmp_path / "lab"
    root.mkdir()
    shutil.copy(REPO / "notebooks" / "triage.ipynb", root / "triage.ipynb")
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "MANTISSA_WORKSPACE": str(demo_settings.workspace),
           "MANTISSA_STATE_PATH": str(demo_settings.state), "JUPYTERHUB_USER": ANALYST,
           "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    log = (tmp_path / "jupyterlab.log").open("w")
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
                pytest.fail(f"JupyterLab did not start:\n{(tmp_path / 'jupyterlab.log').read_text()[-3000:]}")
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


@pytest.mark.timeout(180)
def test_acknowledge_in_the_browser(jupyterlab: tuple[str, str], demo_settings) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"NO CHROMIUM AT {CHROMIUM}: the real-browser triage test did not run — install it with "
                    "`apt-get install -y chromium chromium-driver` (as .ci/run does)")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (dev extra)")
    from workbench.alerts import get_store

    with get_store(demo_settings) as store:
        target = store.list(status=OPEN, limit=1, order_by="-last_seen")[0]
    assert target.status.value == "new"
    base, token = jupyterlab
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "triage-browser.png"
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        try:
            page.goto(f"{base}/lab/tree/triage.ipynb?token={token}", timeout=40_000)
            # Wait for the notebook's kernel, so no cell is queued against a kernel still starting.
            page.wait_for_function(KERNEL_IDLE, timeout=40_000)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            title = page.locator(f"button[title='{target.id}']")
            title.wait_for(state="visible", timeout=60_000)
            no_news = page.get_by_role("button", name="No", exact=True)
            if no_news.is_visible():  # JupyterLab's "notify about news?" toast covers the corner
                no_news.click()
            title.click()
            acknowledge = page.get_by_role("button", name="Acknowledge", exact=True)
            acknowledge.wait_for(state="visible", timeout=30_000)
            acknowledge.click()
            deadline = time.monotonic() + 30
            while True:
                with get_store(demo_settings) as store:
                    stored = store.get(target.id)
                if stored.status.value == "acknowledged" or time.monotonic() > deadline:
                    break
                time.sleep(0.3)
            page.get_by_text(f"acknowledged 1 alert as {ANALYST}").wait_for(timeout=15_000)
            page.wait_for_timeout(500)  # let the last redraw land before the picture
            page.screenshot(path=str(shot), full_page=False)
        except Exception:
            # What the browser showed when it went wrong is the fastest way to see why.
            page.screenshot(path=str(ARTIFACTS / "triage-browser-failure.png"), full_page=False)
            raise
        finally:
            browser.close()
    assert stored.status.value == "acknowledged"
    assert (stored.audit[-1].who, stored.audit[-1].action) == (ANALYST, "acknowledged")
    assert shot.stat().st_size > 10_000
