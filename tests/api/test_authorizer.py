"""Jupyter identities are subject to the server's authorizer (JupyterHub maps its OAuth scopes
there): an authorizer denying `execute` on `mantissa` turns queries into 403, reads stay allowed;
API tokens keep their own scopes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.server import ApiServer
from tests.api.test_query_api import DAY, QUERY, assert_error, records_of


@pytest.fixture(scope="module")
def read_only(make_server: Callable[..., ApiServer]) -> ApiServer:
    return make_server(alerts=2, server_args=("--ServerApp.authorizer_class=tests.api.authz.ReadOnlyMantissa",))


def test_authorizer_decides_for_jupyter_identities(read_only: ApiServer) -> None:
    jupyter = read_only.client(jupyter=True)
    refusal = assert_error(jupyter.post(QUERY, json={"sql": "SELECT count(*) FROM cloudtrail", **DAY}), 403,
                           "forbidden")
    assert all(r.executed_sql is None for r in records_of(read_only, refusal["request_id"]))
    assert jupyter.get("/mantissa/api/alerts").status_code == 200
    assert jupyter.get("/mantissa/api/health").status_code == 200
    # An API token is not a Jupyter identity: its scopes decide.
    token = read_only.client(read_only.tokens["query"])
    assert token.post(QUERY, json={"sql": "SELECT count(*) FROM cloudtrail", **DAY}).status_code == 200
