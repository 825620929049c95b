"""Links from a widget to a file the kernel wrote (an investigation report), that open it with working plots.

A relative link in a widget resolves against JupyterLab's page (`/lab/tree/…`), so Lab opens the report
in its HTML viewer, which runs no scripts until someone clicks "Trust HTML": every plotly figure stays
blank. The Jupyter server also serves files raw under `<base_url>files/<path>`, in a sandbox that
lets the page's own scripts run on a unique origin (jupyter_server sets `sandbox allow-scripts`), so
the report's inlined plotly.js draws and cannot touch the notebook server. That URL needs the server's
base URL and root folder, which the kernel learns from the server's runtime file (the same list
`jupyter server list` prints), picking the server that started this kernel.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote


def _servers() -> list[dict[str, Any]]:
    try:
        from jupyter_server.serverapp import list_running_servers
    except ImportError:  # a kernel outside a Jupyter server (VS Code, a script): no server to ask
        return []
    try:
        return list(list_running_servers())
    except OSError:
        return []


def files_url(path: Path, servers: list[dict[str, Any]] | None = None, parent_pid: int | None = None) -> str | None:
    """`<base_url>files/<path under the server's root>` from the server that runs this kernel, or None
    when no running server's root folder holds `path`."""
    path = Path(path).resolve()
    parent_pid = os.getppid() if parent_pid is None else parent_pid
    holding = []
    for info in _servers() if servers is None else servers:
        root = info.get("root_dir") or info.get("notebook_dir")
        if not root:
            continue
        try:
            relative = path.relative_to(Path(root).expanduser().resolve())
        except ValueError:
            continue
        holding.append((info.get("pid") != parent_pid, info, relative))
    if not holding:
        return None
    _, info, relative = min(holding, key=lambda found: found[0])  # this kernel's own server first
    base = info.get("base_url") or "/"
    return f"{base.rstrip('/')}/files/{quote(relative.as_posix())}"
