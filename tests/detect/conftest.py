"""Fixtures for detection tests: a throwaway lake, the local engine and a real SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from workbench.alerts import get_store
from workbench.config import Settings, load_settings
from workbench.engines import get_engine


@pytest.fixture()
def env(workspace: Path) -> Iterator[tuple[Settings, Any, Any]]:
    settings = load_settings(workspace)
    engine = get_engine("local", settings)
    store = get_store(settings)
    yield settings, engine, store
    engine.close()
    store.close()
