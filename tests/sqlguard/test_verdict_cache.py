"""Hostile: the read boundary's verdict is kept with the compiled SQL (state/cache/), keyed by the
exact SQL text and the package's source digest, so a scheduled run does not parse the pack again;
a query that differs by one condition is not that key, and is checked again."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench import sqlcache
from workbench.config import load_settings
from workbench.engines import EngineError
from workbench.engines import window as window_module
from workbench.sqlcache import compiled_sql

ALLOWED = "SELECT eventid FROM cloudtrail WHERE eventname = 'ConsoleLogin'"
CHANGED = ALLOWED + " AND length(read_text('/etc/passwd')) > 0"


def _fresh_process() -> None:
    """As a new kernel: every in-memory cache empty, the workspace's compiled SQL on disk."""
    sqlcache.forget()
    window_module.bind.cache_clear()


def test_a_changed_query_is_checked_again_although_the_compiled_sql_is_loaded(workspace: Path) -> None:
    settings = load_settings(workspace)
    with compiled_sql(settings):
        assert "cloudtrail" in window_module.bind(ALLOWED, None, "duckdb").sql
    assert list((settings.state / "cache").iterdir()), "the compiled SQL was not kept"
    _fresh_process()
    with compiled_sql(settings):
        assert "cloudtrail" in window_module.bind(ALLOWED, None, "duckdb").sql  # from the kept verdict
        for _ in range(2):  # refused each time: a refusal is never kept as an answer
            with pytest.raises(EngineError, match="read_text"):
                window_module.bind(CHANGED, None, "duckdb")
    _fresh_process()
    with compiled_sql(settings), pytest.raises(EngineError, match="read_text"):
        window_module.bind(CHANGED, None, "duckdb")
