"""Lint warns where one unexpected row fails the whole query on Athena (and on the local engine,
which follows it): CAST(x AS IPADDRESS) and arr[n]. TRY_CAST and element_at pass."""

from __future__ import annotations

import pytest

from workbench.rules.sqlcheck import analyze


@pytest.mark.parametrize(("sql", "warned"), [
    ("SELECT CAST(sourceipaddress AS IPADDRESS) AS ip FROM cloudtrail", "use TRY_CAST"),
    ("SELECT eventid FROM cloudtrail WHERE contains('10.0.0.0/8', CAST(sourceipaddress AS IPADDRESS))",
     "use TRY_CAST"),
    ("SELECT split(useragent, '/')[2] AS version FROM cloudtrail", "use element_at(array, n)"),
    ("SELECT resources[1].arn AS first_arn FROM cloudtrail", "use element_at(array, n)"),
    ("SELECT TRY_CAST(sourceipaddress AS IPADDRESS) AS ip FROM cloudtrail", None),
    ("SELECT CAST('10.0.0.1' AS IPADDRESS) AS ip FROM cloudtrail", None),
    ("SELECT element_at(split(useragent, '/'), 2) AS version FROM cloudtrail", None),
], ids=["cast", "cast-in-cidr-test", "subscript", "struct-subscript", "try-cast", "literal", "element-at"])
def test_query_breaking_values_are_warned(sql: str, warned: str | None) -> None:
    problems = analyze(sql).of("athena")
    if warned is None:
        assert problems == []
    else:
        assert [p.level for p in problems] == ["warning"]
        assert warned in problems[0].message
