"""How `run_playbook` starts and stops its kernel, and what the command imports to run papermill."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from workbench.playbooks import PlaybookError, PlaybookFailed, read_published, run_playbook

KERNELSPEC = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}


def write_playbook(workspace: Path, name: str, *cells: str) -> Path:
    params = new_code_cell('label = "x"')
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params, *(new_code_cell(c) for c in cells)], metadata=KERNELSPEC)
    path = workspace / "playbooks" / f"{name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def kernels() -> list[psutil.Process]:
    """This process's kernel children still running (a leaked kernel would be one of them)."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if "ipykernel_launcher" in " ".join(child.cmdline()) and child.status() != psutil.STATUS_ZOMBIE:
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


def test_kernel_is_stopped_at_once_after_the_last_cell(workspace: Path) -> None:
    # A graceful stop would run the kernel's exit handlers (and have the command wait for them).
    write_playbook(workspace, "exits",
                   'import atexit, os\n'
                   'atexit.register(lambda: open("exit-handler-ran.txt", "w").write("ran"))\n'
                   'from workbench.playbooks import publish\n'
                   'publish("exits", {"pid": os.getpid(), "cwd": os.getcwd()})')
    notebook = run_playbook("exits", {"label": "y"})
    kernel = read_published(notebook, "exits")[0]
    assert kernel["cwd"] == str(workspace)  # the kernel ran in the workspace
    assert not psutil.pid_exists(kernel["pid"])
    assert not (workspace / "exit-handler-ran.txt").exists()
    assert kernels() == []


def test_refused_parameter_and_failing_cell_leave_no_kernel(workspace: Path) -> None:
    write_playbook(workspace, "fails", 'raise RuntimeError("cell failed on purpose")')
    with pytest.raises(PlaybookError, match="unknown parameter 'lable'.*label"):
        run_playbook("fails", {"lable": "y"})  # the kernel was already starting when this was found
    assert kernels() == []
    with pytest.raises(PlaybookFailed, match="cell failed on purpose") as info:
        run_playbook("fails")
    assert info.value.notebook.is_file()
    assert kernels() == []


def test_unknown_kernel_is_named(workspace: Path) -> None:
    write_playbook(workspace, "any", "1")
    with pytest.raises(PlaybookError, match=r"no Jupyter kernel named 'pyhton3'.*ipykernel install"):
        run_playbook("any", kernel_name="pyhton3")
    assert not (workspace / "runs").exists()


def test_kernel_keeps_no_ipython_history(workspace: Path, tmp_path_factory: pytest.TempPathFactory,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # Cells hold the parameters; IPython's history database would keep them beyond the archive.
    ipython_dir = tmp_path_factory.mktemp("ipython")
    monkeypatch.setenv("IPYTHONDIR", str(ipython_dir))
    write_playbook(workspace, "history", "import os\nos.environ['IPYTHONDIR']")
    run_playbook("history", {"label": "kept only in the archive"})
    assert list(ipython_dir.rglob("history.sqlite")) == []


LEAN_RUN = """\
import sys
from workbench.playbooks import read_published, run_playbook
from workbench.playbooks.detect import summary_lines  # what `mantissa detect` prints with
notebook = run_playbook("lean", {"label": "y"})
assert read_published(notebook, "lean") == [{"ok": True}]
print(",".join(m for m in ("rfc3987_syntax", "rfc3986_validator", "isoduration", "webcolors", "pyarrow",
                           "boto3", "pandas", "httpx") if m in sys.modules))
import nbformat, pyarrow, rfc3987_syntax  # importable again
bad = nbformat.v4.new_notebook()
bad.cells.append({"cell_type": "code", "source": "1"})  # no outputs, no metadata
try:
    nbformat.validate(bad)
except nbformat.ValidationError:
    print("validation works")
"""


def test_command_runs_papermill_without_modules_it_never_uses(workspace: Path) -> None:
    # Settings that validate a table name and a routing destination, as a demo workspace's do.
    (workspace / "mantissa.yaml").write_text(
        "doctor: {freshness: {cloudtrail: 1d}}\n"
        "routing: {destinations: {trail: {type: jsonl, path: state/deliveries.jsonl}}, routes: [{to: trail}]}\n")
    write_playbook(workspace, "lean", 'from workbench.playbooks import publish\npublish("lean", {"ok": True})')
    done = subprocess.run([sys.executable, "-c", LEAN_RUN], capture_output=True, text=True, cwd=workspace,
                          env=dict(os.environ), timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["", "validation works"]
