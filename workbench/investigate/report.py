"""Run the investigate playbook (papermill) and render it as a static HTML report without code cells.

    paths = render_investigation("root-account-usage-1a2b", hours_around=6)
    paths.html      # reports/investigations/<alert_id>.html — open in any browser, no network needed
    paths.notebook  # the executed notebook beside it (the archive under runs/ keeps its own copy)

The report is self-contained: the figures are interactive plotly with plotly.js inlined once, and
the HTML template loads nothing from a CDN (no require.js, MathJax or Mermaid).
"""

from __future__ import annotations

import copy
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.config import Settings

PLAYBOOK = "investigate"
REPORTS_DIR = Path("reports") / "investigations"
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
                         output_dir: Path | None = None, timeout: float | None = 600) -> ReportPaths:
    """Execute the playbook for one alert and write `<output_dir>/<alert_id>.html` and `.ipynb`."""
    from workbench.alerts import get_store
    from workbench.config import load_settings
    from workbench.playbooks import run_playbook

    settings = settings or load_settings()
    with get_store(settings) as store:
        store.get(alert_id)  # an unknown id fails here, with suggestions, before a kernel starts
    archived = run_playbook(PLAYBOOK, {"alert_id": alert_id, "hours_around": hours_around},
                            settings=settings, timeout=timeout)
    folder = Path(output_dir) if output_dir else settings.workspace / REPORTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stem = report_stem(alert_id)
    notebook = folder / f"{stem}.ipynb"
    shutil.copyfile(archived, notebook)
    html = folder / f"{stem}.html"
    html.write_text(notebook_to_html(notebook), encoding="utf-8")
    return ReportPaths(html=html, notebook=notebook, archived=archived)


def _plotly_outputs_to_html(nb: Any) -> Any:
    """Plotly MIME outputs → HTML divs; plotly.js inlined in the first one only."""
    import plotly.io as pio

    from workbench.plots import PLOTLY_MIME

    nb = copy.deepcopy(nb)
    included = False
    for cell in nb.cells:
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                continue  # kernel warnings are for the archive, not the reader
            data = output.get("data", {})
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


def _as_json(payload: Any) -> str:
    import json

    return payload if isinstance(payload, str) else json.dumps(payload)


def notebook_to_html(notebook: Path, title: str | None = None) -> str:
    """An executed notebook as one HTML page: outputs and markdown, no code, no network fetches
    (plotly MIME outputs become divs with plotly.js inlined once; kernel stderr is dropped).
    The reports render through this too; `title` defaults to the investigation's."""
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    nb = _plotly_outputs_to_html(nbformat.read(str(notebook), as_version=4))
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True,
                            extra_loaders=[jinja2.DictLoader({_TEMPLATE: _TEMPLATE_SOURCE})])
    exporter.template_file = _TEMPLATE
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title or f"Investigation {notebook.stem}"}})
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
