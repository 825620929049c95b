"""Same answers on both engines: where Trino and a plain DuckDB translation differ, the local engine
follows Athena. Each case is pinned on the local engine here, and on the Athena test double
(tests/engines/test_athena_double_exec.py) over the same rows — same rows or the same error.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from workbench.engines import EngineError
from workbench.engines.local import LocalEngine
from workbench.timewindow import Window

DAY = date(2026, 11, 27)
WINDOW = Window(datetime(2026, 11, 27, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC))

# A user's call from an address, and a call an AWS service made on its behalf (CloudTrail then puts
# the service's name where the address would be): the second is what breaks a careless CAST.
EVENTS = [
    {"eventid": "e1", "eventtime": "2026-11-27T10:00:00Z", "eventname": "GetObject",
     "eventsource": "s3.amazonaws.com", "sourceipaddress": "203.0.113.5"},
    {"eventid": "e2", "eventtime": "2026-11-27T11:00:00Z", "eventname": "AssumeRole",
     "eventsource": "sts.amazonaws.com", "sourceipaddress": "cloudtrail.amazonaws.com"},
    {"eventid": "e3", "eventtime": "2026-11-27T12:00:00Z", "eventname": "GetObject",
     "eventsource": "s3.amazonaws.com", "sourceipaddress": "2001:db8::1"},
]

# (id, Athena SQL over the rows above ordered by eventid, Athena's answer: a column or an error)
CASES: list[tuple[str, str, list | str]] = [
    ("cast-ipaddress-non-ip-fails",
     "SELECT CAST(sourceipaddress AS IPADDRESS) AS v FROM cloudtrail ORDER BY eventid",
     "Cannot cast value to IPADDRESS: cloudtrail.amazonaws.com"),
    ("try-cast-ipaddress-non-ip-null",
     "SELECT CAST(TRY_CAST(sourceipaddress AS IPADDRESS) AS VARCHAR) AS v FROM cloudtrail ORDER BY eventid",
     ["203.0.113.5", None, "2001:db8::1"]),
    ("cidr-contains-non-ip-fails",
     "SELECT contains('203.0.113.0/24', CAST(sourceipaddress AS IPADDRESS)) AS v FROM cloudtrail ORDER BY eventid",
     "Cannot cast value to IPADDRESS: cloudtrail.amazonaws.com"),
    ("cidr-contains-ip-only",
     "SELECT contains('203.0.113.0/24', CAST(sourceipaddress AS IPADDRESS)) AS v FROM cloudtrail "
     "WHERE eventsource = 's3.amazonaws.com' ORDER BY eventid",
     [True, False]),
    ("regexp-extract-no-match-null",
     r"SELECT regexp_extract(sourceipaddress, '^(\d+)\.', 1) AS v FROM cloudtrail ORDER BY eventid",
     ["203", None, None]),
    ("regexp-extract-whole-no-match-null",
     "SELECT regexp_extract(sourceipaddress, 'amazonaws') AS v FROM cloudtrail ORDER BY eventid",
     [None, "amazonaws", None]),
    ("subscript-past-end-fails",
     "SELECT split(sourceipaddress, '.')[4] AS v FROM cloudtrail ORDER BY eventid",
     "Array subscript must be less than or equal to array length: 4 > 3"),
    ("subscript-zero-fails",
     "SELECT split(sourceipaddress, '.')[0] AS v FROM cloudtrail ORDER BY eventid",
     "SQL array indices start at 1"),
    ("subscript-in-range",
     "SELECT split(sourceipaddress, '.')[1] AS v FROM cloudtrail ORDER BY eventid",
     ["203", "cloudtrail", "2001:db8::1"]),
    # A computed subscript: sqlglot keeps an added literal 0-based in the tree (`+ 1` as `+ 0`), so
    # the position checked must be the one printed, not the tree's.
    ("subscript-computed-past-end-fails",
     "SELECT split(sourceipaddress, '.')[cardinality(split(sourceipaddress, '.')) + 1] AS v FROM cloudtrail "
     "ORDER BY eventid",
     "Array subscript must be less than or equal to array length: "),
    ("subscript-computed-last",
     "SELECT split(sourceipaddress, '.')[cardinality(split(sourceipaddress, '.'))] AS v FROM cloudtrail "
     "ORDER BY eventid",
     ["5", "com", "2001:db8::1"]),
    ("subscript-computed-from-a-column-fails",
     "SELECT split(sourceipaddress, '.')[length(eventid)] AS v FROM cloudtrail ORDER BY eventid",
     "Array subscript must be less than or equal to array length: 2 > 1"),
    ("element-at-past-end-null",
     "SELECT element_at(split(sourceipaddress, '.'), 4) AS v FROM cloudtrail ORDER BY eventid",
     ["5", None, None]),
]
IDS = [case[0] for case in CASES]


def check(run, sql: str, expected: list | str) -> None:  # noqa: ANN001 - engine.run of either engine
    """Run `sql`; the column `v` must equal `expected`, or the run must fail naming `expected`."""
    if isinstance(expected, str):
        with pytest.raises(EngineError, match=expected.replace("[", r"\[").replace("(", r"\(")):
            run(sql, WINDOW)
        return
    frame = run(sql, WINDOW).frame
    got = [None if v is None or (not isinstance(v, str | bool) and pd.isna(v)) else v for v in frame["v"]]
    assert got == expected


@pytest.fixture()
def with_events(local: LocalEngine, lake: Path, write_rows) -> Iterator[LocalEngine]:  # noqa: ANN001
    write_rows(lake, "cloudtrail", DAY, EVENTS)
    yield local


@pytest.mark.parametrize(("sql", "expected"), [case[1:] for case in CASES], ids=IDS)
def test_local_engine_answers_as_athena(with_events: LocalEngine, sql: str, expected: list | str) -> None:
    check(with_events.run, sql, expected)


def test_a_hostile_value_in_the_cast_error_stays_one_line_of_data(
        local: LocalEngine, lake: Path, write_rows) -> None:  # noqa: ANN001
    """The IPADDRESS error quotes the row's value, as Athena's does: attacker-written log text must
    stay one line of data (no second line to pose as our own output, no SQL run from it)."""
    hostile = "x'); DROP TABLE cloudtrail; --\nmantissa: all rules passed\x1b[2J"
    write_rows(lake, "cloudtrail", DAY, [{**EVENTS[0], "sourceipaddress": hostile}])
    with pytest.raises(EngineError) as caught:
        local.run("SELECT CAST(sourceipaddress AS IPADDRESS) AS v FROM cloudtrail", WINDOW)
    message = str(caught.value)
    assert "\n" not in message and "all rules passed" not in message
    assert "Cannot cast value to IPADDRESS: x'); DROP TABLE cloudtrail; --" in message
    # the table is still there: the value was data in an error message, never SQL
    assert local.run("SELECT count(*) AS n FROM cloudtrail", WINDOW).frame["n"].tolist() == [1]
