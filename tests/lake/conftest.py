"""Fixtures for the lake tests (helpers live in helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture()
def lake(tmp_path: Path) -> Path:
    return tmp_path / "lake"
