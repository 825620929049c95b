"""A real browser: JupyterLab on 127.0.0.1, headless Chromium through Playwright, notebooks/triage.ipynb
run top to bottom, "Acknowledge" clicked in the rendered widget, and the alert store checked.

Chromium is Debian's package (`apt-get install chromium`; .ci/run installs it), driven through
`executable_path`; Playwright's own browser downloads are never used. The screenshot lands in
test-artifacts/ (gitignored). Without Chromium the test skips, saying so loudly.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.lab import (
    ANALYST,
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    dismiss_news,
    open_notebook,
    require_chromium,
    serve_lab,
)

OPEN = ["new", "acknowledged", "investigating"]


@pytest.fixture()
def jupyterlab(demo_settings, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """JupyterLab serving a copy of notebooks/triage.ipynb with the demo workspace; killed whatever happens."""
    root = tmp_path / "lab"
    root.mkdir()
    shutil.copy(REPO / "notebooks" / "triage.ipynb", root / "triage.ipynb")
    with serve_lab(root, demo_settings, tmp_path) as served:
        yield served


@pytest.mark.timeout(180)
def test_acknowledge_in_the_browser(jupyterlab: tuple[str, str], demo_settings) -> None:
    playwright_api = require_chromium()
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
            open_notebook(page, base, token, "triage.ipynb")
            # The row's tooltip is the alert's whole title; titles can repeat, the newest row comes first.
            title = page.locator("button.mw-title", has_text=target.title).first
            title.wait_for(state="visible", timeout=60_000)
            dismiss_news(page)
            title.click()
            # The detail pane's button (the bulk bar's, for ticked rows, has the same label).
            acknowledge = page.locator(".mw-detail").get_by_role("button", name="Acknowledge", exact=True)
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
