"""`mantissa query` prints log values inert: in table and CSV output a userName carrying OSC 8/0/52
or CSI sequences comes out escaped; JSON output keeps the exact value (the encoder escapes it)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from workbench.cli import app

DAY = date(2026, 11, 27)
WINDOW = ["--start", "2026-11-27T00:00:00Z", "--end", "2026-11-28T00:00:00Z"]
USER = "mallory\x1b]8;;https://evil.example/\x1b\\ok\x1b]8;;\x1b\\\x1b]0;title\x07\x1b]52;c;cm0gLXJm\x07\r\u202e"
SQL = "SELECT eventid, useragent FROM cloudtrail ORDER BY eventid"


def test_table_and_csv_escape_control_characters_json_keeps_them(lake: Path, write_rows: Callable[..., Path]) -> None:
    write_rows(lake, "cloudtrail", DAY, [
        {"eventtime": "2026-11-27T10:00:00Z", "eventname": "GetCallerIdentity", "eventid": "1", "useragent": USER},
        {"eventtime": "2026-11-27T11:00:00Z", "eventname": "GetCallerIdentity", "eventid": "2",
         "useragent": "aws-cli/2.15 Zoë"}])
    runner = CliRunner()
    for fmt in ("table", "csv"):
        result = runner.invoke(app, ["query", SQL, *WINDOW, "--format", fmt])
        assert result.exit_code == 0, result.output
        assert not any(ch in result.stdout for ch in "\x1b\x07\r\u202e"), repr(result.stdout)
        assert "mallory\\x1b]8;;https://evil.example/" in result.stdout and "aws-cli/2.15 Zoë" in result.stdout
    csv = pd.read_csv(io.StringIO(runner.invoke(app, ["query", SQL, *WINDOW, "-f", "csv"]).stdout))
    assert len(csv) == 2  # still one record per row: the carriage return did not split it
    exact = runner.invoke(app, ["query", SQL, *WINDOW, "-f", "json"])
    assert "\x1b" not in exact.stdout and json.loads(exact.stdout)[0]["useragent"] == USER
