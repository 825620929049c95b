"""Workspaces with real alerts (see tests/widgets/demo_site.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.widgets.demo_site import demo_site, fresh_copy, hostile_site  # noqa: F401


@pytest.fixture()
def demo_settings(demo_site: SimpleNamespace, tmp_path: Path):  # noqa: F811
    """The demo site with this test's own copy of the alert store."""
    return fresh_copy(demo_site, tmp_path)


@pytest.fixture()
def hostile_settings(hostile_site: SimpleNamespace, tmp_path: Path):  # noqa: F811
    return fresh_copy(hostile_site, tmp_path)
