"""The investigation report of the demo lake's top alert in a real browser (Debian's Chromium through
Playwright, no browser download): small, its brief on the first screen at 1280×800, its plots drawn
from the shared local plotly.js, and the brief printing on at most two A4 pages.

Screenshots and the brief's PDF land in test-artifacts/ (gitignored). Without Chromium the test skips,
saying so loudly.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.test_triage_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from workbench.alerts import get_store
from workbench.investigate import render_investigation
from workbench.investigate.brief import BRIEF_CLASS

MAX_BYTES = 1_500_000
# Keep the brief's cell and what comes before it; drop every later cell (the detail sections).
ONLY_THE_BRIEF = """(cls) => {
  const brief = document.querySelector('.' + cls);
  const cell = brief.closest('.jp-Cell');
  let next = cell.nextElementSibling;
  while (next) { const after = next.nextElementSibling; next.remove(); next = after; }
}"""


def _pages(pdf: bytes) -> int:
    # Chromium writes one "/Type /Page" dictionary per page (and "/Type /Pages" for the tree).
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.fixture()
def top_report(demo_settings, tmp_path: Path):
    with get_store(demo_settings) as store:
        alerts = store.list(limit=None)
    top = max(alerts, key=lambda a: (a.severity.rank, a.count, a.last_seen))  # as the demo picks it
    out = tmp_path / "reports" / "investigations"
    settings = demo_settings.model_copy(update={"runs_path": tmp_path / "runs"})
    return render_investigation(top.id, hours_around=6, settings=settings, output_dir=out)


def test_investigation_report_in_chromium(top_report) -> None:
    html = top_report.html
    size = html.stat().st_size
    assert size <= MAX_BYTES, f"{html.name} is {size:,} bytes"
    if not CHROMIUM.exists():
        pytest.skip(f"NO CHROMIUM AT {CHROMIUM}: the investigation report's browser test did not run — install "
                    "it with `apt-get install -y chromium` (as .ci/run does)")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (dev extra)")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(html.as_uri(), wait_until="load")
            # The plots are drawn: plotly.js came from reports/assets/ beside the report.
            page.wait_for_function("() => document.querySelectorAll('.plotly-graph-div .main-svg').length >= 3",
                                   timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / "investigation-first-screen.png"), full_page=False)
            brief = page.locator(f".{BRIEF_CLASS}")
            box = brief.bounding_box()
            assert box is not None and box["y"] < 400, box
            # The first screen holds the brief's headline and its first answers.
            for heading in ("What happened", "Who", "From where"):
                top = page.locator(f".{BRIEF_CLASS} h4", has_text=heading).first.bounding_box()
                assert top is not None and top["y"] + top["height"] <= 800, (heading, top)
            assert "hours_around" not in page.inner_text("body")  # no parameter names in prose
            assert page.locator(".jp-InputArea-editor").count() == 0  # no code
            page.evaluate(ONLY_THE_BRIEF, BRIEF_CLASS)
            page.emulate_media(media="print")
            pdf = page.pdf(format="A4", print_background=True)
            (ARTIFACTS / "investigation-brief.pdf").write_bytes(pdf)
        finally:
            browser.close()
    pages = _pages(pdf)
    assert 1 <= pages <= 2, f"the brief prints on {pages} A4 pages"
