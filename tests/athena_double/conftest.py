"""Fixtures for the double's own tests: the demo lake uploaded to S3 with the project's DDL."""

from __future__ import annotations

import pytest

from tests.athena_double import AthenaDouble
from workbench.catalog.ddl import all_ddl


@pytest.fixture()
def lake_double(athena_double: AthenaDouble, demo_lake) -> AthenaDouble:  # noqa: ANN001 - SimpleNamespace
    """The double with the demo lake in its S3 and `mantissa.cloudtrail|vpc_flow|guardduty` created."""
    athena_double.upload(demo_lake.lake, athena_double.lake_location)
    for statement in all_ddl(athena_double.lake_location):
        execution = athena_double.query(statement)
        assert execution.state == "SUCCEEDED", execution.reason
    return athena_double
