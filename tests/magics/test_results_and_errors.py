"""What an analyst sees from a query: the results table (ARNs, times, missing values, zero rows) and SQL
errors worded like Athena's, in a real IPython shell over the demo lake."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.magics.test_magics import assert_one_line_usage_error, run_cell
from workbench.resulttable import MAX_CELL, ResultTable, cell, render_frame, short_arn

LIBRARY_WORDS = ("sqlglot", "<class", "Binder Error", "Conversion Error", "INTEGER_LITERAL", "DuckDB",
                 "Required keyword")


def htmls(captured: Any) -> list[str]:
    return [o.data.get("text/html", "") for o in captured.outputs]


def titles(markup: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"title='([^']*)'", markup)]


# -- SQL errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "fragments"),
    [
        ("SELECT eventname FROM cloudtrail WHERE", ("SYNTAX_ERROR at line 1:34", "near 'WHERE'",
                                                   "WHERE has no condition", "e.g. WHERE eventname = ")),
        ("SELECT eventname\nFROM cloudtrail\nWHERE", ("line 3:1", "WHERE has no condition")),
        ("SELECT eventname FROM cloudtrail WHERE eventname = 'x' AND", ("AND has no condition on its right",)),
        ("SELECT count(eventname FROM cloudtrail", ("SYNTAX_ERROR at line 1:", "'(' is not closed")),
        ("SELECT eventname FROM cloudtrail WHERE errorcode > 3",
         ("TYPE_MISMATCH at line 1:40", "near 'errorcode > 3'", "errorcode is varchar", "errorcode > '3'")),
        ("SELECT eventname FROM cloudtrail WHERE eventname = 5", ("TYPE_MISMATCH at line 1:40", "eventname = '5'")),
        ("SELECT eventname FROM cloudtrail\nWHERE eventtime < date '2026-11-19'",
         ("TYPE_MISMATCH at line 2:7", "from_iso8601_timestamp(eventtime) <")),
        ("SELECT eventname, count(*) AS n FROM cloudtrail",
         ("'eventname' must be an aggregate expression or appear in the GROUP BY clause (line 1:8)",
          "add GROUP BY eventname")),
        ("SELECT sum(eventname) FROM cloudtrail", ("at line 1:8", "sum() does not take (varchar (text))", "CAST")),
    ],
    ids=["where-without-condition", "where-on-line-3", "dangling-and", "unclosed-paren", "varchar-vs-integer",
         "text-column-equals-number", "varchar-vs-date", "missing-group-by", "sum-of-text"],
)
def test_sql_errors_read_like_athena(ip: Any, sql: str, fragments: tuple[str, ...]) -> None:
    result, captured = run_cell(ip, "%%athena\n" + sql)
    assert_one_line_usage_error(result, captured, *fragments)
    message = str(result.error_in_exec)
    for word in LIBRARY_WORDS:
        assert word not in message, message


def test_hunt_errors_are_worded_from_the_hunts_own_sql(ip: Any, tmp_path: Any) -> None:
    from workbench.magics.errors import explain_sql_error
    from workbench.sqlguard import GuardError

    refused = GuardError("parse", "not valid Athena SQL at line 2, column 5: Required keyword: 'this' missing "
                         "for <class 'sqlglot.expressions.query.Where'>", "SELECT 1\nWHERE")
    assert explain_sql_error(refused) == ("SYNTAX_ERROR at line 2:1, near 'WHERE': WHERE has no condition after it "
                                          "at the end of the query — add one, e.g. WHERE eventname = 'ConsoleLogin', "
                                          "or delete WHERE")


def test_unknown_engine_errors_lose_the_library_label() -> None:
    from workbench.engines import EngineError
    from workbench.magics.errors import explain_sql_error

    text = explain_sql_error(EngineError("local engine (DuckDB): Binder Error: Referenced table \"x\" is odd"), "")
    assert text == 'the query failed on the local engine: Referenced table "x" is odd'


def test_guard_refusals_that_are_not_syntax_keep_their_wording(ip: Any) -> None:
    result, captured = run_cell(ip, "%%athena\nDROP TABLE cloudtrail")
    assert_one_line_usage_error(result, captured, "guard refused", "read-only SELECT")


# -- the results table --------------------------------------------------------------------------


def test_arns_are_shortened_with_the_full_value_on_hover(ip: Any) -> None:
    result, captured = run_cell(ip, "%%athena -o frame\nSELECT useridentity.arn AS arn, eventtime, eventname "
                                    "FROM cloudtrail WHERE useridentity.arn LIKE 'arn:aws:sts::%' LIMIT 20")
    assert result.success
    table = htmls(captured)[0]
    arns = set(ip.user_ns["frame"]["arn"])
    assert arns and arns <= set(titles(table))  # every full ARN is a tooltip
    for arn in arns:
        shown = short_arn(arn)
        assert shown and not shown.startswith("arn:aws") and f">{shown}<" in table
        assert shown.split("/")[-1] == arn.split("/")[-1]  # the session name is what stays visible
    assert "T" not in re.findall(r">(\d{4}-\d\d-\d\d.\d\d:\d\d:\d\dZ)<", table)[0]  # a time, not an ISO token
    assert "white-space:nowrap" in table  # times and ARNs never wrap


def test_vpc_flow_times_render_as_times_and_keep_epoch_on_hover(ip: Any) -> None:
    result, captured = run_cell(ip, "%%athena -o frame\nSELECT srcaddr, dstport, start, \"end\" FROM vpc_flow LIMIT 5")
    assert result.success
    frame, table = ip.user_ns["frame"], htmls(captured)[0]
    first = int(frame["start"].iloc[0])
    assert frame["start"].dtype.kind == "i"  # the DataFrame keeps Athena's bigint; only the view changes
    assert f">{datetime.fromtimestamp(first, UTC):%Y-%m-%d %H:%M:%S}Z<" in table
    assert f"start = {first} (epoch seconds)" in titles(table)
    assert f">{first}<" not in table
    assert f">{int(frame['dstport'].iloc[0])}<" in table  # a port is a number, not a time


def test_zero_rows_says_so_with_the_window_and_sql(ip: Any) -> None:
    result, captured = run_cell(ip, "%%athena\nSELECT eventid FROM cloudtrail WHERE eventname = 'NoSuchCall'")
    assert result.success
    table = htmls(captured)[0]
    assert "<b>0 rows over [2026-11-18T00:00:00Z, 2026-11-20T00:00:00Z)</b>" in table
    assert "NoSuchCall" in table and "<table" not in table


def test_one_missing_value_style() -> None:
    frame = pd.DataFrame({"a": [None, "x"], "b": [np.nan, 1.5], "c": pd.to_datetime([None, "2026-11-19"], utc=True),
                          "d": pd.array([pd.NA, 3], dtype="Int64")})
    table = render_frame(frame)
    assert "NaN" not in table and "None" not in table and "NaT" not in table and "&lt;NA&gt;" not in table
    assert table.count("missing (NULL)") == 4
    assert cell(np.datetime64("NaT")).kind == cell(float("nan")).kind == cell(None).kind == "missing"


def test_long_text_is_cut_with_the_whole_value_on_hover() -> None:
    agent = "Mozilla/5.0 (X11; Linux x86_64) " * 4 + "kali"
    table = render_frame(pd.DataFrame({"useragent": [agent]}))
    assert agent in titles(table) and f">{agent[:MAX_CELL - 1]}…<" in table


def test_log_text_is_escaped_in_cells_and_tooltips() -> None:
    payload = "<img src=x onerror=alert(1)>'\"" + "x" * 80
    table = render_frame(pd.DataFrame({"useragent": [payload], "arn": [f"arn:aws:iam::111122223333:user/{payload}"]}))
    assert "<img" not in table and "onerror=alert(1)&gt;" in table
    assert payload in titles(table)  # the tooltip holds the text as written, as text


def test_more_rows_than_shown_says_how_to_get_them() -> None:
    bundle = ResultTable(pd.DataFrame({"n": range(120)}), max_rows=50).bundle()
    assert "showing the first 50 of 120 rows" in bundle["text/html"] and bundle["text/html"].count("<tr>") == 51
    assert "showing the first 50 of 120 rows" in bundle["text/plain"]


def test_hunt_list_shows_every_usage_line_in_full(ip: Any) -> None:
    _, captured = run_cell(ip, "%hunt")
    table = htmls(captured)[0]
    magics = ip.magics_manager.registry["WorkbenchMagics"]
    for hunt in magics.session.hunts().values():
        usage = f"%hunt {hunt.usage()}"
        assert html.escape(usage, quote=True) in table, usage


def test_history_has_no_empty_columns(ip: Any) -> None:
    run_cell(ip, "%%athena\nSELECT eventid FROM cloudtrail LIMIT 1")
    run_cell(ip, "%%athena\nDELETE FROM cloudtrail")
    _, captured = run_cell(ip, "%wb history 2")
    table = htmls(captured)[0]
    headers = re.findall(r"<th [^>]*>([^<]*)</th>", table)
    assert "provider" not in headers and "status" in headers  # no NL question ran: no provider column
    assert "NaN" not in table and "None" not in table
    assert "only a read-only SELECT" in table  # the refusal reason is wrapped, not cut
