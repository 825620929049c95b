from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

DEMO = ("2026-11-18T00:00:00Z", "2026-11-20T00:00:00Z")


@pytest.fixture()
def ip(demo_lake: SimpleNamespace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A real IPython InteractiveShell with the extension freshly loaded over the demo lake."""
    import os

    from IPython.testing.globalipapp import get_ipython

    for key in list(os.environ):
        if key.startswith("MANTISSA_") or key == "ANTHROPIC_API_KEY":
            monkeypatch.delenv(key)
    monkeypatch.setenv("MANTISSA_WORKSPACE", str(demo_lake.workspace))
    monkeypatch.setenv("MANTISSA_STATE_PATH", str(tmp_path / "state"))
    monkeypatch.setenv("JUPYTERHUB_USER", "analyst-7")
    shell = get_ipython()
    shell.run_line_magic("load_ext", "workbench")
    shell.run_line_magic("wb", f"window {DEMO[0]} {DEMO[1]}")
    try:
        yield shell
    finally:
        shell.run_line_magic("unload_ext", "workbench")
        for name in ("frame", "hits", "ip_addr", "ports", "since", "limit_n", "names"):
            shell.user_ns.pop(name, None)
