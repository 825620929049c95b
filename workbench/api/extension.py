"""Registers the query API's handlers on a running Jupyter server."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def load(serverapp: Any) -> None:
    from workbench.api.handlers import handlers
    from workbench.api.service import ApiService
    from workbench.config import ConfigError, find_workspace, load_settings

    service, config_error = None, None
    try:
        # MANTISSA_WORKSPACE wins; else the workspace holding the server's root folder.
        settings = load_settings(find_workspace(Path(serverapp.root_dir)))
        service = ApiService(settings)
    except (ConfigError, ValueError, OSError) as exc:
        config_error = str(exc)
        serverapp.log.error("mantissa api: the workspace configuration does not load, the API answers 503: %s", exc)
    web_app = serverapp.web_app
    web_app.add_handlers(".*$", handlers(web_app.settings["base_url"], service, config_error))
    if service is not None:
        serverapp.log.info("mantissa api: serving /mantissa/api/ over workspace %s (engine %s)",
                           settings.workspace, settings.engine)
