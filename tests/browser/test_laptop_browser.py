"""A laptop screen (1280×800) in a real browser: JupyterLab on 127.0.0.1, Debian's headless Chromium.

The triage queue: every alert title readable (whole on the label, or whole in the tooltip), no column of
the queue off-screen, the detail pane on the first screen when an alert is opened, and Investigate
linking a report whose plotly figures draw (not blank until "Trust HTML"). A hunting result: ARNs
shortened with the full value on hover, times shown as times (CloudTrail's ISO strings and VPC flow
epoch seconds alike), nothing wrapping or falling off the right.

Screenshots land in test-artifacts/laptop-*.png (gitignored).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.browser.lab import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    dismiss_news,
    open_notebook,
    require_chromium,
    serve_lab,
)

WIDTH, HEIGHT = 1280, 800
TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$")
RESULTS_CELLS = [
    "from workbench.widgets import use_workspace\nsettings = use_workspace()\n%load_ext workbench\n"
    "%wb window 2026-11-18T00:00:00Z 2026-11-20T00:00:00Z",
    "%%athena\nSELECT eventtime, useridentity.arn AS principal, sourceipaddress, eventname, errorcode, useragent\n"
    "FROM cloudtrail WHERE useridentity.arn LIKE 'arn:aws:sts::%'\nORDER BY eventtime LIMIT 30",
    "%%athena\nSELECT start, \"end\", srcaddr, dstaddr, dstport, action FROM vpc_flow ORDER BY start LIMIT 10",
]


@pytest.fixture()
def laptop_lab(demo_settings, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """JupyterLab whose root is the demo workspace (so its reports are served under /files/), holding
    notebooks/triage.ipynb and a results notebook."""
    root = Path(demo_settings.workspace)
    shutil.copy(REPO / "notebooks" / "triage.ipynb", root / "triage.ipynb")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in RESULTS_CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "results.ipynb")
    try:
        with serve_lab(root, demo_settings, tmp_path) as (base, token):
            yield base, token, root
    finally:
        for name in ("triage.ipynb", "results.ipynb"):
            (root / name).unlink(missing_ok=True)


def _boxes(page: Any, selector: str) -> list[dict[str, float]]:
    return page.eval_on_selector_all(selector, """els => els.map(e => {
        const r = e.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height,
                text: e.innerText, title: e.getAttribute('title') || '', scrollW: e.scrollWidth, clientW: e.clientWidth,
                scrollH: e.scrollHeight, clientH: e.clientHeight};
    })""")


def _check_queue(page: Any) -> None:
    titles = _boxes(page, ".mw-triage button.mw-title")
    shown = [t for t in titles if t["width"] > 0]
    assert len(shown) >= 10
    for t in shown:
        whole = t["scrollW"] <= t["clientW"] + 1 and t["scrollH"] <= t["clientH"] + 1
        assert t["title"] and t["text"].strip() == t["title"].strip(), t  # the tooltip is the title itself
        assert whole, f"title cut on screen: {t['text']!r}"
    listing = page.eval_on_selector(".mw-triage .mw-grid", "e => [e.scrollWidth, e.clientWidth]")
    assert listing[0] <= listing[1] + 1, f"the queue scrolls sideways: {listing}"
    heads = _boxes(page, ".mw-triage .mw-head")
    assert len(heads) == 9
    for head in heads:
        assert 0 <= head["left"] and head["right"] <= WIDTH, f"column {head['text']!r} off-screen: {head}"
        assert head["scrollW"] <= head["clientW"] + 1, f"header {head['text']!r} cut"
    for bulk in _boxes(page, ".mw-triage .widget-hbox button"):
        if bulk["width"] > 0:
            assert bulk["scrollW"] <= bulk["clientW"] + 1 and bulk["right"] <= WIDTH, f"button cut: {bulk['text']!r}"


def _on_screen(box: dict[str, float]) -> bool:
    return box["width"] > 0 and 0 <= box["top"] and box["bottom"] <= HEIGHT and box["right"] <= WIDTH


@pytest.mark.timeout(420)
def test_triage_queue_and_report_on_a_laptop(laptop_lab: tuple[str, str, Path]) -> None:
    playwright_api = require_chromium()
    base, token, root = laptop_lab
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
        page = context.new_page()
        try:
            open_notebook(page, base, token, "triage.ipynb")
            page.locator(".mw-triage button.mw-title").first.wait_for(state="visible", timeout=90_000)
            dismiss_news(page)
            page.wait_for_timeout(500)
            page.eval_on_selector(".mw-triage", "e => e.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(300)
            page.screenshot(path=str(ARTIFACTS / "laptop-triage-1280.png"))
            _check_queue(page)

            # Open an alert from the middle of the list: its detail is on the first screen.
            page.locator(".mw-triage button.mw-title").nth(6).click()
            page.locator(".mw-detail-head").wait_for(state="visible", timeout=30_000)
            page.wait_for_timeout(500)
            head = _boxes(page, ".mw-detail-head")[0]
            acknowledge = _boxes(page, ".mw-detail button:text-is('Acknowledge')")[0]
            page.screenshot(path=str(ARTIFACTS / "laptop-triage-detail-1280.png"))
            assert _on_screen(head) and _on_screen(acknowledge), (head, acknowledge)
            # The queue is re-rendered after the detail shows; on a loaded machine that lags.
            page.locator(".mw-triage .mw-title.mw-open").first.wait_for(state="visible", timeout=30_000)
            assert page.locator(".mw-triage .mw-title.mw-open").count() == 1  # the open alert stays marked

            # Investigate: a counter while the playbook runs, then a link that opens the report with plots.
            page.get_by_role("tab", name="Investigate").click()
            page.locator(".mw-detail button:text-is('Investigate')").click()
            page.get_by_text("running the investigation playbook").wait_for(timeout=15_000)
            link = page.get_by_role("link", name="open the report")
            link.wait_for(timeout=240_000)
            assert re.match(r"^/files/reports/investigations/.+\.html$", link.get_attribute("href"))
            with context.expect_page(timeout=30_000) as opened:
                link.click()
            report = opened.value
            report.wait_for_load_state("load", timeout=60_000)
            report.locator(".js-plotly-plot .main-svg").first.wait_for(state="attached", timeout=60_000)
            drawn = report.eval_on_selector_all(".js-plotly-plot", "els => els.map(e => e.getBoundingClientRect().height)")
            assert drawn and all(h > 100 for h in drawn), drawn  # every figure drew (blank ones have no SVG)
            report.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
            report.wait_for_timeout(500)
            report.screenshot(path=str(ARTIFACTS / "laptop-report-1280.png"))  # the first figure, drawn
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "laptop-triage-failure.png"))
            raise
        finally:
            browser.close()


@pytest.mark.timeout(300)
def test_hunting_results_on_a_laptop(laptop_lab: tuple[str, str, Path]) -> None:
    playwright_api = require_chromium()
    base, token, _ = laptop_lab
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        try:
            open_notebook(page, base, token, "results.ipynb")
            page.locator("td[title*='epoch seconds']").first.wait_for(state="attached", timeout=90_000)
            dismiss_news(page)
            page.locator("td[title^='arn:aws:sts::']").first.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            page.screenshot(path=str(ARTIFACTS / "laptop-results-1280.png"))

            arns = _boxes(page, "td[title^='arn:aws:sts::']")
            assert arns
            for cell in arns:
                assert not cell["text"].startswith("arn:aws"), cell
                assert cell["title"].rsplit("/", 1)[-1] == cell["text"].rsplit("/", 1)[-1], cell  # session name kept
            page.hover("td[title^='arn:aws:sts::']")  # the browser's tooltip shows the title attribute
            times = [c for c in _boxes(page, "td") if TIME.match(c["text"].strip())]
            assert len(times) >= 30 + 20  # every eventtime, and every flow's start and end
            row_height = min(c["height"] for c in times)
            assert all(c["height"] <= row_height + 1 for c in times), "a time wrapped onto two lines"
            epoch = _boxes(page, "td[title*='epoch seconds']")
            assert len(epoch) == 20 and all(TIME.match(c["text"].strip()) for c in epoch)
            for box in _boxes(page, ".jp-OutputArea-output div[style*='overflow:auto']"):
                assert box["right"] <= WIDTH, f"a result box runs off the right: {box}"
            assert "NaN" not in page.inner_text(".jp-Notebook") and "None" not in page.inner_text(".jp-Notebook")
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "laptop-results-failure.png"))
            raise
        finally:
            browser.close()
