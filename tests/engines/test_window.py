"""The window rewrite: golden pairs, scoping rules, and the predicates' exact bounds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlglot
import yaml
from sqlglot import exp

from workbench.engines import EngineError
from workbench.engines.dialect import MantissaAthena
from workbench.engines.window import (
    bind,
    bound_to_window,
    bounds_sql,
    log_table_of,
    partition_predicate,
    read_from,
)
from workbench.timewindow import Window, parse_time

GOLDEN = yaml.safe_load((Path(__file__).parent / "golden" / "window_rewrite.yaml").read_text())


def _window(spec: list[str] | None) -> Window | None:
    return Window(parse_time(spec[0]), parse_time(spec[1])) if spec else None


@pytest.mark.parametrize("dialect", ["duckdb", "athena"])
@pytest.mark.parametrize("case", list(GOLDEN.values()), ids=list(GOLDEN))
def test_golden_pairs(case: dict, dialect: str) -> None:
    assert bound_to_window(case["in"], _window(case["window"]), write_dialect=dialect) == case[dialect]


@pytest.mark.parametrize("case", list(GOLDEN.values()), ids=list(GOLDEN))
def test_golden_athena_output_is_valid_athena_sql(case: dict) -> None:
    # What Athena receives must itself parse as Athena SQL.
    assert sqlglot.parse_one(case["athena"], read=MantissaAthena) is not None


def _log_tables(sql: str) -> list[str]:
    tree = sqlglot.parse_one(sql, read=MantissaAthena)
    return sorted(t.sql() for t in tree.find_all(exp.Table) if log_table_of(t) is not None)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT * FROM cloudtrail", ["cloudtrail"]),
        ("SELECT * FROM CloudTrail", ["CloudTrail"]),
        ("SELECT * FROM awsdatacatalog.mantissa.vpc_flow", ["awsdatacatalog.mantissa.vpc_flow"]),
        ("SELECT * FROM some_other_table", []),
        # A CTE named like a log table hides it in the main query, not inside its own body.
        ("WITH guardduty AS (SELECT * FROM guardduty) SELECT * FROM guardduty", ["guardduty"]),
        # Later CTEs see earlier ones.
        ("WITH cloudtrail AS (SELECT 1 AS x), b AS (SELECT * FROM cloudtrail) SELECT * FROM b", []),
        # A CTE in a subquery does not hide the table outside it.
        ("SELECT * FROM cloudtrail WHERE 1 IN (WITH cloudtrail AS (SELECT 1 AS x) SELECT x FROM cloudtrail)",
         ["cloudtrail"]),
        # A qualified name is never a CTE.
        ("WITH cloudtrail AS (SELECT 1 AS x) SELECT * FROM mantissa.cloudtrail", ["mantissa.cloudtrail"]),
        ("WITH RECURSIVE vpc_flow(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM vpc_flow WHERE n < 3) "
         "SELECT * FROM vpc_flow", []),
    ],
    ids=["plain", "mixed_case", "catalog_qualified", "other_table", "cte_body_reads_table",
         "later_cte_sees_earlier", "cte_scoped_to_subquery", "qualified_beats_cte", "recursive_cte"],
)
def test_which_references_are_log_tables(sql: str, expected: list[str]) -> None:
    assert _log_tables(sql) == expected


def test_bind_reports_tables_read() -> None:
    window = Window.last("1h", now=datetime(2026, 11, 28, 12, tzinfo=UTC))
    bound = bind("SELECT 1 FROM cloudtrail c JOIN vpc_flow v ON v.srcaddr = c.sourceipaddress",
                 window, write_dialect="duckdb")
    assert bound.tables == frozenset({"cloudtrail", "vpc_flow"})
    assert bound.window == window


def test_partition_predicate_spanning_a_leap_february() -> None:
    window = Window(datetime(2028, 1, 31, 23, tzinfo=UTC), datetime(2028, 3, 1, 1, tzinfo=UTC))
    predicate = partition_predicate(window).sql(dialect="athena")
    # February 2028 has 29 days, all covered, so it collapses to the month.
    assert predicate == (
        "((year = '2028' AND month = '01' AND day = '31') OR (year = '2028' AND month = '02') "
        "OR (year = '2028' AND month = '03' AND day = '01'))"
    )


def test_window_end_is_exclusive_at_midnight() -> None:
    window = Window(datetime(2026, 11, 27, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC))
    assert partition_predicate(window).sql() == "(year = '2026' AND month = '11' AND day = '27')"


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELEC eventname FROM cloudtrail", "cannot parse the SQL as Athena SQL"),
        ("SELECT 1; SELECT 2", "one SQL statement at a time"),
        ("   ", "no SQL statement"),
    ],
    ids=["syntax", "two_statements", "empty"],
)
def test_bad_sql_is_one_clear_error(sql: str, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        bound_to_window(sql, None, write_dialect="duckdb")


def test_unknown_write_dialect_suggests_closest() -> None:
    with pytest.raises(ValueError, match="did you mean 'duckdb'"):
        bound_to_window("SELECT 1", None, write_dialect="duckbd")


@pytest.mark.parametrize("dialect", ["duckdb", "athena"])
def test_a_new_window_splices_bounds_without_parsing_again(dialect: str) -> None:
    from workbench.engines.window import _template

    sql = ("SELECT c.eventname, count(*) AS n FROM cloudtrail c JOIN vpc_flow v ON c.sourceipaddress = v.srcaddr "
           "WHERE c.eventname = 'StopLogging' GROUP BY 1")
    first = Window(parse_time("2026-02-27T23:00:00Z"), parse_time("2026-03-01T01:00:00Z"))
    later = Window(parse_time("2026-03-01T00:15:00Z"), parse_time("2026-03-01T00:30:00Z"))
    bind(sql, first, dialect)
    misses = _template.cache_info().misses
    spliced = bind(sql, later, dialect)
    assert _template.cache_info().misses == misses  # the second window parsed nothing
    # The same text a whole-tree rewrite writes: the bounds of both tables, nothing else changed.
    assert spliced.sql == bound_to_window(sql, first, dialect).replace("'2026-02-27T23:00:00'", "'2026-03-01T00:15:00'")\
        .replace("'2026-03-01T01:00:00'", "'2026-03-01T00:30:00'").replace("1772233200", "1772324100")\
        .replace("1772326800", "1772325000").replace(
            "((year = '2026' AND month = '02' AND day IN ('27', '28')) OR (year = '2026' AND month = '03' AND day = '01'))",
            "(year = '2026' AND month = '03' AND day = '01')")
    assert spliced.tables == frozenset({"cloudtrail", "vpc_flow"})


def test_the_rewrite_marker_is_reserved() -> None:
    with pytest.raises(EngineError, match="reserved"):
        bind("SELECT eventname FROM cloudtrail WHERE eventname = '__mantissa_window_cloudtrail__'",
             Window(parse_time("2026-03-01T00:00:00Z"), parse_time("2026-03-01T01:00:00Z")), "duckdb")


def test_read_from_points_every_read_of_the_table_at_other_rows() -> None:
    sql = ("SELECT a.eventid FROM cloudtrail a JOIN cloudtrail b ON a.sourceipaddress = b.sourceipaddress "
           "WHERE a.eventname = 'CreateUser' AND b.eventname IN (SELECT eventname FROM cloudtrail)")
    rows = 'SELECT * FROM "_rows" WHERE "_tag"'
    text = read_from(sql, "cloudtrail", rows, "duckdb")
    assert text.count(rows) == 3 and "__mantissa" not in text
    # Bounded by a window instead, the same query reads the same places.
    window = Window(parse_time("2024-03-01T00:00:00Z"), parse_time("2024-03-02T00:00:00Z"))
    assert text == bind(sql, window, "duckdb").sql.replace(
        f"SELECT * FROM cloudtrail WHERE {bounds_sql('cloudtrail', window, 'duckdb')}", rows)


def test_read_from_refuses_a_query_that_does_not_read_the_table() -> None:
    with pytest.raises(EngineError, match="cannot point the query's reads of cloudtrail"):
        read_from("SELECT srcaddr FROM vpc_flow", "cloudtrail", "SELECT 1", "duckdb")
