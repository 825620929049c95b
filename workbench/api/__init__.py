"""The query API: `POST /mantissa/api/query` and read-only alerts and health, served by Jupyter itself.

A jupyter_server extension, enabled by the package's `jupyter_server_config.d/workbench.json` (or
`jupyter server --ServerApp.jpserver_extensions="{'workbench.api': True}"`). Callers use Jupyter's
identity (its token, cookie, or JupyterHub OAuth) or a per-caller API token (`mantissa api token`).
"""

from __future__ import annotations

from typing import Any


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "workbench.api"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    # Imported here: a plain `import workbench` (a kernel, the CLI) never pays for tornado handlers.
    from workbench.api.extension import load

    load(serverapp)
