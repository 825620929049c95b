"""The served OpenAPI document, exercised by schemathesis against a real Jupyter server: no 5xx,
every status documented, every response body matching its schema, no answer without identity.

Bounded: a few examples per operation and no Hypothesis deadline beyond the test's own timeout
(the machine is shared; a slow answer is not a failure here, the load benchmark measures speed).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.server import ApiServer

# positive_data_acceptance is left out on purpose: SQL that the schema accepts (any string) is
# refused by the guard, and a window string is checked by its grammar, both answered 400 by design.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          ignored_auth]
BOUNDS = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def fuzzed(make_server: Callable[..., ApiServer]) -> ApiServer:
    return make_server(alerts=5, requests_per_minute=100_000, max_rows=20, query_timeout="20s")


@pytest.fixture(scope="module")
def api_schema(fuzzed: ApiServer):  # noqa: ANN201 - schemathesis' schema type
    return schemathesis.openapi.from_url(f"{fuzzed.url}/mantissa/api/openapi.json", timeout=30)


OPERATIONS = [("POST", "/mantissa/api/query"), ("GET", "/mantissa/api/alerts"), ("GET", "/mantissa/api/alerts/{alert_id}"),
              ("GET", "/mantissa/api/health"), ("GET", "/mantissa/api/openapi.json")]


# One test per operation, driven by Hypothesis directly: schemathesis' pytest plugin
# (`from_fixture(...).parametrize()`) does not run under pytest 9 yet.
@pytest.mark.timeout(300)
@pytest.mark.parametrize("method,path", OPERATIONS, ids=[f"{m} {p.rsplit('/api/', 1)[1]}" for m, p in OPERATIONS])
def test_every_operation_answers_within_its_contract(api_schema, fuzzed: ApiServer, method: str,  # noqa: ANN001
                                                     path: str) -> None:
    operation = api_schema[path][method]
    auth = {"Authorization": f"Bearer {fuzzed.tokens['both']}"}

    @BOUNDS
    @given(case=operation.as_strategy())
    def run(case) -> None:  # noqa: ANN001
        case.call_and_validate(headers=auth, checks=CHECKS, timeout=60)

    before = len(fuzzed.history())
    run()
    # Every generated request reached the server and left its history row (none was lost on the way).
    assert len(fuzzed.history()) > before


@pytest.mark.timeout(300)
def test_stateful_paging_follows_next_token(api_schema, fuzzed: ApiServer) -> None:  # noqa: ANN001
    """Links in the document (listAlerts → next page) walked as a state machine."""
    auth = {"Authorization": f"Bearer {fuzzed.tokens['both']}"}

    class Workflow(api_schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case):  # noqa: ANN001, ANN202
            return {"headers": auth, "timeout": 60}

        def validate_response(self, response, case, additional_checks=None, **kwargs):  # noqa: ANN001, ANN202
            case.validate_response(response, checks=CHECKS)

    Workflow.run(settings=settings(max_examples=8, stateful_step_count=4, deadline=None, derandomize=True,
                                   database=None, suppress_health_check=list(HealthCheck)))
