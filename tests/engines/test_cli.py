"""`mantissa query` from the shell: table/csv/json output, stats on stderr, one-line errors."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from workbench.cli import app

DAY = date(2026, 11, 27)
WINDOW = ["--start", "2026-11-27T00:00:00Z", "--end", "2026-11-28T00:00:00Z"]
SQL = ("SELECT eventname, count(*) AS n FROM cloudtrail GROUP BY eventname ORDER BY n DESC, eventname")


@pytest.fixture()
def lake_with_events(lake: Path, write_rows: Callable[..., Path]) -> Path:
    names = ["ConsoleLogin", "ConsoleLogin", "GetObject", "ListBuckets", "ConsoleLogin", "GetObject"]
    write_rows(lake, "cloudtrail", DAY, [
        {"eventtime": f"2026-11-27T{10 + i:02d}:00:00Z", "eventname": n, "eventid": str(i)}
        for i, n in enumerate(names)
    ])
    # A day outside the window must not be counted.
    write_rows(lake, "cloudtrail", date(2026, 11, 26), [{"eventtime": "2026-11-26T10:00:00Z", "eventname": "X"}])
    return lake


def _invoke(*args: str, stdin: str | None = None):  # noqa: ANN202 - click's Result
    return CliRunner().invoke(app, list(args), input=stdin)


def test_csv_output_is_machine_readable_and_stats_go_to_stderr(lake_with_events: Path) -> None:
    result = _invoke("query", SQL, *WINDOW, "--format", "csv")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert frame.to_dict("records") == [
        {"eventname": "ConsoleLogin", "n": 3}, {"eventname": "GetObject", "n": 2},
        {"eventname": "ListBuckets", "n": 1},
    ]
    assert result.stderr.startswith("local: 3 rows in ")
    assert "window [2026-11-27T00:00:00Z, 2026-11-28T00:00:00Z)" in result.stderr


def test_json_output(lake_with_events: Path) -> None:
    result = _invoke("query", SQL, *WINDOW, "-f", "json", "--limit-rows", "2")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"eventname": "ConsoleLogin", "n": 3}, {"eventname": "GetObject", "n": 2}]
    assert "(showing 2)" in result.stderr


def test_table_output(lake_with_events: Path) -> None:
    result = _invoke("query", SQL, *WINDOW)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["eventname", "n"]
    assert lines[1].split() == ["ConsoleLogin", "3"]
    assert len(lines) == 4


def test_sql_from_stdin_and_default_window(lake_with_events: Path) -> None:
    # guardduty has no files yet: a relative window over an empty table is one row, n = 0.
    result = _invoke("query", "-", "--window", "7d", "-f", "csv", stdin="SELECT count(*) AS n FROM guardduty")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines() == ["n", "0"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "SELEC * FROM cloudtrail"], "error: guard refused the query: not valid Athena SQL"),
        (["query", "SELECT eventnme FROM cloudtrail"], "did you mean 'eventname'?"),
        (["query", "SELECT 1", "--engine", "duckb"], "unknown engine 'duckb'"),
        (["query", "SELECT 1", "--engine", "lcoal"], "did you mean 'local'?"),
        (["query", "SELECT 1", "--window", "yesterday"], "cannot read duration 'yesterday'"),
        (["query", "SELECT 1", "--window", "1h", "--start", "2026-11-27"], "either --window or --start/--end"),
    ],
    ids=["bad_sql", "bad_column", "unknown_engine", "engine_typo", "bad_window", "window_and_start"],
)
def test_user_errors_are_one_line_without_traceback(lake: Path, args: list[str], message: str) -> None:
    result = _invoke(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_a_missing_lake_is_one_warning_line_and_the_query_still_answers(workspace: Path) -> None:
    with pytest.warns(UserWarning) as caught:
        result = _invoke("query", "SELECT count(*) AS n FROM cloudtrail", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["n", "0"]
    [warning] = [w for w in caught if "lake folder" in str(w.message)]
    assert str(workspace / "lake") in str(warning.message) and "mantissa ingest" in str(warning.message)


def test_the_cli_prints_user_warnings_as_one_line(tmp_path: Path) -> None:
    """Run as the installed command runs: the warning is `warning: …` on stderr, no source line."""
    done = subprocess.run([sys.executable, "-c", "from workbench.cli import app; app()", "query",
                           "SELECT count(*) AS n FROM cloudtrail", "--format", "csv"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "MANTISSA_WORKSPACE": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    warning_lines = [line for line in done.stderr.splitlines() if "lake folder" in line]
    assert len(warning_lines) == 1 and warning_lines[0].startswith("warning: local engine: lake folder")
    assert "local.py" not in done.stderr


# -- the guard (issue 18: `mantissa query` called the engine directly) ---------------------------


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("COPY (SELECT * FROM cloudtrail) TO '{out}'", "only a read-only SELECT may run"),
        ("SELECT * FROM read_text('/etc/passwd')", "table function"),
        ("SELECT * FROM read_parquet('{lake}/cloudtrail/*/*/*/*.parquet')", "table function"),
        ('SELECT * FROM "{lake}/cloudtrail/*/*/*/*.parquet"', "unknown table"),
        ("SELECT * FROM cloudtrail a CROSS JOIN cloudtrail b", "without a column condition"),
    ],
    ids=["copy-to", "read-text", "read-parquet-glob", "quoted-glob", "cross-join"],
)
def test_query_runs_the_guard(lake_with_events: Path, tmp_path: Path, sql: str, message: str) -> None:
    out = tmp_path / "written.csv"
    result = _invoke("query", sql.format(out=out, lake=lake_with_events), *WINDOW)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: guard refused the query: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    assert not out.exists() and "root:" not in result.output


def test_guarded_query_says_what_the_guard_did(lake_with_events: Path) -> None:
    result = _invoke("query", "SELECT eventname FROM cloudtrail", *WINDOW, "-f", "csv")
    assert result.exit_code == 0, result.output
    assert "LIMIT 10,000 added" in result.stderr and "scan " in result.stderr


@pytest.mark.parametrize(
    "sql",
    ["SELECT content FROM read_text('/etc/passwd')",
     "COPY (SELECT * FROM cloudtrail) TO '{lake}/cloudtrail/evil.csv'",
     "SELECT * FROM read_parquet('{lake}/cloudtrail/*/*/*/*.parquet')",
     'SELECT * FROM "{lake}/cloudtrail/*/*/*/*.parquet"'],
    ids=["read-text", "copy-into-lake", "read-parquet-glob", "quoted-glob"],
)
def test_unsafe_never_skips_the_boundary_or_the_sandbox(lake_with_events: Path, sql: str) -> None:
    result = _invoke("query", sql.format(lake=lake_with_events), *WINDOW, "--unsafe")
    assert result.exit_code == 2, result.output
    assert "every query reads only log tables" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "root:" not in result.output
    assert not (lake_with_events / "cloudtrail" / "evil.csv").exists()


def test_unsafe_skips_the_shape_checks_and_keeps_the_window(lake_with_events: Path) -> None:
    sql = "SELECT count(*) AS n FROM cloudtrail a CROSS JOIN cloudtrail b"
    result = _invoke("query", sql, *WINDOW, "--unsafe", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["n", "36"]  # 6 x 6 events of the window; the day before is not read
    assert "--unsafe: the guard's shape and cost checks were skipped" in result.stderr
    wide = _invoke("query", sql, "--start", "2024-01-01", "--end", "2026-01-01", "--unsafe")
    assert wide.exit_code == 2 and "longer than guard.max_window (366d)" in wide.stderr


def test_unsafe_help_says_what_it_skips_and_keeps() -> None:
    result = CliRunner().invoke(app, ["query", "--help"], env={"COLUMNS": "400", "TERMINAL_WIDTH": "400"})
    text = " ".join(result.output.split())
    assert "skip the guard's shape and cost checks" in text
    assert "never skipped: the read boundary" in text and "sandbox" in text
