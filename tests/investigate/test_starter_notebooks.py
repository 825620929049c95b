"""The newcomer's notebooks run top to bottom on the demo lake (executed by papermill in a real kernel)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from workbench.plots import PLOTLY_MIME

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["triage", "hunting"])
def test_notebook_runs_on_the_demo_lake(name: str, demo_settings, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import papermill

    monkeypatch.setenv("MANTISSA_WORKSPACE", str(demo_settings.workspace))
    monkeypatch.setenv("MANTISSA_STATE_PATH", str(demo_settings.state))  # this test's copy of the store
    out = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(str(REPO / "notebooks" / f"{name}.ipynb"), str(out), kernel_name="python3",
                               progress_bar=False, cwd=str(tmp_path),
                               kernel_manager_class="workbench.playbooks.runner.LocalKernelManager")
    nb = nbformat.read(str(out), as_version=4)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any(PLOTLY_MIME in o.get("data", {}) for o in outputs)  # the plots rendered
    if name == "triage":
        assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    else:
        text = "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
        assert "fixed [2026-11-18T00:00:00Z, 2026-11-20T00:00:00Z)" in text  # the picker set the magics' window
        assert "answered by offline" in text
