"""The package enables its Jupyter server extension by config, and the extension is loadable."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = "jupyter-config/jupyter_server_config.d/workbench.json"


def test_config_file_enables_the_extension_and_is_installed_by_the_package() -> None:
    enabled = json.loads((ROOT / CONFIG).read_text())
    assert enabled == {"ServerApp": {"jpserver_extensions": {"workbench.api": True}}}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    data_files = project["tool"]["setuptools"]["data-files"]
    assert data_files["etc/jupyter/jupyter_server_config.d"] == [CONFIG]
    assert "api/openapi.json" in project["tool"]["setuptools"]["package-data"]["workbench"]


def test_extension_points_name_the_module_jupyter_loads() -> None:
    from jupyter_server.extension.utils import get_loader, get_metadata

    import workbench.api

    module, points = get_metadata("workbench.api")
    assert module is workbench.api and points == [{"module": "workbench.api"}]
    assert get_loader(workbench.api) is workbench.api._load_jupyter_server_extension
