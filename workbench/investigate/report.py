"""Run the investigate playbook (papermill) and render it as a static HTML report without code cells.

    paths = render_investigation("root-account-usage-1a2b", hours_around=6)
    paths.html      # reports/investigations/<alert_id>.html — open in any browser, no network needed
    paths.notebook  # the executed notebook beside it (the archive under runs/ keeps its own copy)

The report needs no network: the figures are interactive plotly, and plotly.js (4.8 MB, three times
the rest of a report) is written once to `reports/assets/` and loaded from there by a relative
link, so every report stays small; the HTML template loads nothing from a CDN (no require.js,
MathJax or Mermaid). A report copied elsewhere without `assets/` says so where its plots would be.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.config import Settings

PLAYBOOK = "investigate"
REPORTS_DIR = Path("reports") / "investigations"
ASSETS = "assets"  # beside the report folders: reports/assets/plotly-<version>.min.js
_TEMPLATE = "mantissa_report.html.j2"
# The lab template minus the blocks that fetch scripts from the internet.
_TEMPLATE_SOURCE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
"""


@dataclass(frozen=True)
class ReportPaths:
    html: Path
    notebook: Path  # beside the HTML
    archived: Path  # the playbook run's audit record under runs/


def report_stem(alert_id: str) -> str:
    """A file name from an alert id (ids are rule ids plus a hash, but never trust a name for a path)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", alert_id).strip("._") or "alert"


def render_investigation(alert_id: str, hours_around: float = 6, *, settings: Settings | None = None,
                         output_dir: Path | None = None, timeout: float | None = 600,
                         progress: Any = None, self_contained: bool = False) -> ReportPaths:
    """Execute the playbook for one alert and write `<output_dir>/<alert_id>.html` and `.ipynb`.
    `progress(line)` hears each step, and turns on papermill's cell bar (on stderr).
    `self_contained` inlines plotly.js (4.8 MB more) instead of linking `reports/assets/`: the triage
    widget opens its report through the Jupyter server's sandboxed `/files/` tab, whose opaque origin
    fetches no other file with the login cookie, so a linked plotly.js would never load there."""
    from workbench.alerts import get_store
    from workbench.config import load_settings
    from workbench.playbooks import run_playbook

    say = progress or (lambda _line: None)
    settings = settings or load_settings()
    with get_store(settings) as store:
        store.get(alert_id)  # an unknown id fails here, with suggestions, before a kernel starts
    say(f"investigation of {alert_id}: running playbooks/investigate.ipynb (starting a kernel) …")
    archived = run_playbook(PLAYBOOK, {"alert_id": alert_id, "hours_around": hours_around},
                            settings=settings, timeout=timeout, progress=progress is not None)
    say(f"investigation of {alert_id}: rendering HTML …")
    folder = Path(output_dir) if output_dir else settings.workspace / REPORTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stem = report_stem(alert_id)
    notebook = folder / f"{stem}.ipynb"
    shutil.copyfile(archived, notebook)
    html = folder / f"{stem}.html"
    src = None if self_contained else plotly_src(html, folder.parent / ASSETS)
    html.write_text(notebook_to_html(notebook, plotly_src=src), encoding="utf-8")
    return ReportPaths(html=html, notebook=notebook, archived=archived)


def plotly_asset(assets: Path) -> Path:
    """plotly.js for every report under one root, written once per plotly version (atomically)."""
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    path = assets / f"plotly-{get_plotlyjs_version()}.min.js"
    if not path.is_file():
        assets.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(get_plotlyjs(), encoding="utf-8")
        os.replace(temporary, path)
    return path


def plotly_src(html: Path, assets: Path) -> str:
    """The relative link from `html` to the shared plotly.js (written if missing)."""
    return Path(os.path.relpath(plotly_asset(assets), html.parent)).as_posix()


_PRINT_CSS = ("<style>@media print{.jp-Cell,.jp-Cell-outputWrapper,.jp-OutputArea,.jp-OutputArea-child,"
              ".jp-OutputArea-output{break-inside:auto!important;page-break-inside:auto!important}"
              "tr{break-inside:avoid}h2,h3,h4{break-after:avoid}}</style>")
_PLOTLY_MISSING = ("<script>window.Plotly||document.addEventListener('DOMContentLoaded',function(){"
                   "document.querySelectorAll('.plotly-graph-div').forEach(function(d){d.textContent="
                   "'This plot needs {src} beside this report (the reports folder keeps it in assets/).';"
                   "d.style.cssText+=';height:auto;padding:8px;border:1px dashed #999;opacity:.8'})})</script>")


def _plotly_outputs_to_html(nb: Any, inline: bool = True) -> Any:
    """Plotly MIME outputs → HTML divs; plotly.js inlined in the first one only when `inline`.
    Published figures (the renderer's machine-readable copy) are dropped: the page shows them already."""
    import plotly.io as pio

    from workbench.playbooks.runner import MIME_PREFIX
    from workbench.plots import PLOTLY_MIME

    nb = copy.deepcopy(nb)
    included = not inline
    for cell in nb.cells:
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                continue  # kernel warnings are for the archive, not the reader
            data = output.get("data", {})
            if any(key.startswith(MIME_PREFIX) for key in data):
                continue
            if PLOTLY_MIME in data:
                figure = pio.from_json(_as_json(data[PLOTLY_MIME]), skip_invalid=True)
                data.clear()
                data["text/html"] = pio.to_html(figure, full_html=False, include_plotlyjs=not included,
                                                config={"displaylogo": False, "responsive": True})
                included = True
            kept.append(output)
        if cell.get("cell_type") == "code":
            cell["outputs"] = kept
    return nb


def _js_text(text: str) -> str:
    """Text safe inside a single-quoted JS string in a <script> block (no quote, backslash or tag)."""
    return "".join(ch if ch.isalnum() or ch in "./-_ " else f"\\u{ord(ch):04x}" for ch in text)


def _as_json(payload: Any) -> str:
    import json

    return payload if isinstance(payload, str) else json.dumps(payload)


def notebook_to_html(notebook: Path, title: str | None = None, plotly_src: str | None = None) -> str:
    """An executed notebook as one HTML page: outputs and markdown, no code, no network fetches
    (plotly MIME outputs become divs; kernel stderr is dropped). plotly.js is loaded from the
    relative `plotly_src` (see `plotly_src()`), else inlined once. The reports render through this
    too; `title` defaults to the investigation's."""
    import html as htmllib

    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    if plotly_src is not None and (re.match(r"^[a-z][a-z0-9+.-]*:", plotly_src, re.I) or "//" in plotly_src):
        raise ValueError(f"plotly_src {plotly_src!r}: must be a relative path to a local file (no URL)")
    nb = _plotly_outputs_to_html(nbformat.read(str(notebook), as_version=4), inline=plotly_src is None)
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True,
                            extra_loaders=[jinja2.DictLoader({_TEMPLATE: _TEMPLATE_SOURCE})])
    exporter.template_file = _TEMPLATE
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title or f"Investigation {notebook.stem}"}})
    # Printing: let a long cell (the brief, a table) flow across pages instead of jumping whole to the
    # next one, and keep table rows in one piece.
    body = body.replace("</head>", _PRINT_CSS + "</head>", 1)
    if plotly_src is not None and "plotly-graph-div" in body:  # a page without plots loads no plotly.js
        src = htmllib.escape(plotly_src, quote=True)
        head = (f'<script charset="utf-8" src="{src}"></script>'
                + _PLOTLY_MISSING.replace("{src}", _js_text(plotly_src)))
        body = body.replace("</head>", head + "</head>", 1)
    return body


def investigate_top(settings: Settings, alerts: list[Any], echo: Any = print,
                    hours_around: float = 6) -> ReportPaths | None:
    """The demo's last step: render the report of the highest-severity alert and print its path."""
    if not alerts:
        return None
    top = max(alerts, key=lambda a: (a.severity.rank, a.count, a.last_seen))
    echo(f"\n4. Investigation: the investigate playbook on the highest-severity alert, {top.id}")
    try:
        paths = render_investigation(top.id, hours_around, settings=settings)
    except Exception as exc:  # the demo's earlier steps stand on their own; say what failed and go on
        echo(f"   investigation failed: {exc}")
        return None
    echo(f"   report (HTML, no code): {paths.html}")
    echo(f"   executed notebook beside it: {paths.notebook}")
    return paths
