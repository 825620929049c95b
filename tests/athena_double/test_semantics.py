"""Where Trino answers differently from a plain DuckDB translation, the double answers as Athena."""

from __future__ import annotations

import pytest

from tests.athena_double import AthenaDouble


@pytest.mark.parametrize(("sql", "reason"), [
    ("SELECT CAST('not-an-ip' AS IPADDRESS)", "INVALID_CAST_ARGUMENT: Cannot cast value to IPADDRESS: not-an-ip"),
    ("SELECT contains('10.0.0.0/8', CAST('10.0.0.999' AS IPADDRESS))",
     "INVALID_CAST_ARGUMENT: Cannot cast value to IPADDRESS: 10.0.0.999"),
    ("SELECT split('a/b', '/')[3]", "Array subscript must be less than or equal to array length: 3 > 2"),
    ("SELECT split('a/b', '/')[0]", "SQL array indices start at 1"),
    ("SELECT ARRAY[1, 2][-1]", "Array subscript is negative: -1"),
])
def test_athena_errors_fail_the_query(athena_double: AthenaDouble, sql: str, reason: str) -> None:
    execution = athena_double.query(sql)
    assert execution.state == "FAILED"
    assert reason in execution.reason


def test_the_lenient_forms_stay_null_and_valid_values_pass(athena_double: AthenaDouble) -> None:
    execution = athena_double.query(
        "SELECT TRY_CAST('not-an-ip' AS IPADDRESS), element_at(ARRAY[1, 2], 5), "
        "regexp_extract('no digits', '[0-9]+'), regexp_extract('port 443', '[0-9]+'), "
        "contains('10.0.0.0/8', CAST('10.1.2.3' AS IPADDRESS)), split('a/b', '/')[2], "
        "CAST(NULL AS ARRAY(VARCHAR))[0]")
    assert execution.state == "SUCCEEDED", execution.reason
    assert execution.outcome.rows == [[None, None, None, "443", "true", "b", None]]


def test_ip_cast_over_table_rows_fails_on_the_first_bad_value(lake_double: AthenaDouble) -> None:
    ok = lake_double.query("SELECT count(*) FROM vpc_flow WHERE contains('10.0.0.0/8', CAST(srcaddr AS IPADDRESS))",
                           database="mantissa")
    assert ok.state == "SUCCEEDED", ok.reason
    bad = lake_double.query("SELECT CAST(sourceipaddress AS IPADDRESS) FROM cloudtrail", database="mantissa")
    # CloudTrail's sourceipaddress holds service names (e.g. 'cloudformation.amazonaws.com') too.
    assert bad.state == "FAILED" and "Cannot cast value to IPADDRESS" in bad.reason
