"""An executed notebook is the audit record (and goes into backups): a configured secret that a
cell prints, or that an error quotes, is replaced before the archive is kept."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from workbench.config import load_settings
from workbench.playbooks import PlaybookFailed, run_playbook

pytestmark = pytest.mark.timeout(120)

SLACK_PATH = "/services/T0AAAA1111/B0BBBB2222/nbS3cretPathValue4242"


def test_secrets_in_outputs_and_tracebacks_are_scrubbed(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NB_SLACK_URL", "https://hooks.slack.com" + SLACK_PATH)
    (workspace / "mantissa.yaml").write_text(
        "routing:\n  destinations:\n    chat: {type: slack, webhook_url: '${env:NB_SLACK_URL}'}\n")
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.cells = [
        nbformat.v4.new_code_cell("workspace = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import os\nprint('sending to', os.environ['NB_SLACK_URL'])\n"
                                  "print('receiver said: bad path ' + os.environ['NB_SLACK_URL'][23:])\n"
                                  "print('evidence: https://example.org/keep/this/path')"),
        nbformat.v4.new_code_cell("raise RuntimeError('HTTP 404 from ' + os.environ['NB_SLACK_URL'])"),
    ]
    source = workspace / "leaky.ipynb"
    nbformat.write(book, source)

    with pytest.raises(PlaybookFailed) as failed:
        run_playbook(source, settings=load_settings(workspace), output_dir=workspace / "runs")
    assert "HTTP 404 from https://hooks.slack.com/***" in str(failed.value) and SLACK_PATH not in str(failed.value)
    kept = failed.value.notebook
    text = kept.read_text()
    assert "nbS3cretPathValue4242" not in text and SLACK_PATH not in text
    outputs = json.dumps([c.get("outputs", []) for c in json.loads(text)["cells"]])
    assert "sending to https://hooks.slack.com/***" in outputs and "bad path ***" in outputs
    assert "https://example.org/keep/this/path" in outputs  # other URLs are evidence: kept
    assert "RuntimeError" in outputs
