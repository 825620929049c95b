"""Fixtures: a real Jupyter server with the query API over the session's demo lake, per module."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from tests.api.server import DEMO_END, DEMO_START, ApiServer, start_server, stop_server

__all__ = ["DEMO_END", "DEMO_START", "ApiServer"]


@pytest.fixture(scope="module")
def make_server(demo_lake: SimpleNamespace, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[Callable[..., ApiServer]]:
    started: list[ApiServer] = []

    def make(alerts: int = 0, server_args: tuple[str, ...] = (), config: dict[str, Any] | None = None,
             **api: Any) -> ApiServer:
        server = start_server(tmp_path_factory.mktemp("api"), demo_lake.lake, api, alerts, server_args, config)
        started.append(server)
        return server

    yield make
    for server in started:
        stop_server(server)


@pytest.fixture(scope="module")
def server(make_server: Callable[..., ApiServer]) -> ApiServer:
    """Generous limits: the tests here are about behaviour, not limits."""
    return make_server(alerts=7, requests_per_minute=100_000, max_rows=50, query_timeout="60s")
