"""`mantissa --help`, `--version` and `alerts list` start without the data stack (lazy imports).

Not a timed test: benchmarks/cli_startup.py measures the seconds; this pins the cause.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

HEAVY = ("pandas", "numpy", "pyarrow", "duckdb", "sqlglot", "plotly", "boto3", "papermill", "nbformat")


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["alerts", "list"], ["rules", "--help"],
                                  ["query", "--help"]])
def test_light_commands_import_none_of_the_data_stack(args: list[str], tmp_path: Path) -> None:
    probe = ("import sys\nfrom workbench.cli import app\n"
             f"sys.argv = ['mantissa', *{args!r}]\n"
             "try:\n    app()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
             f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_version_option_and_command_print_the_installed_version() -> None:
    from workbench.cli import app

    expected = f"mantissa-workbench {version('mantissa-workbench')}"
    assert CliRunner().invoke(app, ["--version"]).output.strip() == expected
    assert CliRunner().invoke(app, ["version"]).output.strip() == expected
