"""The guard: a table-driven hostile corpus refused with a reason, every library hunt accepted."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
import yaml

from workbench.config import load_settings
from workbench.engines import get_engine
from workbench.hunts import load_hunts
from workbench.sqlguard import GuardError, guard, guard_for
from workbench.timewindow import Window

HOSTILE = yaml.safe_load((Path(__file__).parent / "hostile.yaml").read_text())
WINDOW = Window.between("2026-11-18T00:00:00Z", "2026-11-20T00:00:00Z")
RUNBOOK = ("suspicious_ip", "trace_principal", "privilege_escalation")
VALID = [
    "SELECT eventname, COUNT(*) AS n FROM cloudtrail GROUP BY eventname ORDER BY n DESC",
    "WITH denied AS (SELECT useridentity.arn AS who FROM cloudtrail WHERE errorcode = 'AccessDenied') "
    "SELECT who, COUNT(*) AS n FROM denied GROUP BY who",
    "SELECT c.eventname, v.dstport FROM mantissa.cloudtrail AS c JOIN vpc_flow AS v ON c.sourceipaddress = v.srcaddr",
    "SELECT r.arn FROM cloudtrail CROSS JOIN UNNEST(resources) AS t(r)",
    "SELECT type FROM guardduty UNION SELECT eventname FROM cloudtrail",
    "SELECT eventname FROM cloudtrail WHERE eventname = 'DROP TABLE cloudtrail; --'",
    "SELECT eventname FROM cloudtrail WHERE useragent = 'josé — ünïcode in a literal is data'",
    "SELECT json_extract_scalar(requestparameters, '$.userName') AS u FROM awsdatacatalog.mantissa.cloudtrail",
    "(SELECT srcaddr FROM vpc_flow WHERE action = 'REJECT')",
    "SELECT * FROM cloudtrail -- a trailing comment",
]


def _bound_hunts() -> list[tuple[str, str]]:
    out = []
    for name, hunt in load_hunts().items():
        values = {k: p.default if p.default is not None else (p.example or "x") for k, p in hunt.parameters.items()}
        out.append((name, hunt.bind(values)))
    return out


def test_corpus_is_big_enough() -> None:
    assert len(HOSTILE) >= 150
    assert {"statements", "write", "unicode", "unknown_table", "system_table", "not_select"} <= {c["code"] for c in HOSTILE}


@pytest.mark.parametrize("case", HOSTILE, ids=[f"{i:03d}-{c['code']}" for i, c in enumerate(HOSTILE)])
def test_hostile_statement_is_refused_with_a_reason(case: dict) -> None:
    with pytest.raises(GuardError) as info:
        guard(case["sql"], WINDOW)
    assert info.value.code == case["code"], info.value.reason
    assert len(info.value.reason) > 20 and "\n" not in info.value.reason


@pytest.mark.parametrize(("name", "sql"), _bound_hunts(), ids=[n for n, _ in _bound_hunts()])
def test_every_library_hunt_is_accepted(name: str, sql: str) -> None:
    guarded = guard(sql, WINDOW)
    assert guarded.tables and guarded.limit >= 1
    assert len(sqlglot.parse(guarded.sql, read="athena")) == 1


def test_library_has_the_runbook_and_ten_more() -> None:
    names = set(load_hunts())
    assert set(RUNBOOK) <= names and len(names) >= 13


@pytest.mark.parametrize("sql", VALID, ids=range(len(VALID)))
def test_valid_queries_pass(sql: str) -> None:
    guarded = guard(sql, WINDOW)
    tree = sqlglot.parse_one(guarded.sql, read="athena")
    assert not any(node.comments for node in tree.walk())  # comments never reach the engine


@pytest.mark.parametrize(
    ("sql", "row_limit", "expected", "note"),
    [
        ("SELECT * FROM cloudtrail", 500, 500, "LIMIT 500 added"),
        ("SELECT * FROM cloudtrail LIMIT 20", 500, 20, None),
        ("SELECT * FROM cloudtrail LIMIT 5000000", 500, 1000, "capped at 1,000"),
        ("SELECT * FROM cloudtrail LIMIT ALL", 500, 1000, "replaced by LIMIT 1,000"),
        ("SELECT * FROM cloudtrail FETCH FIRST 7 ROWS ONLY", 500, 7, None),
        ("SELECT * FROM cloudtrail", 5000, 1000, "LIMIT 1,000 added"),
    ],
    ids=["added", "kept", "capped", "limit-all", "fetch-first", "default-capped"],
)
def test_limit(sql: str, row_limit: int, expected: int, note: str | None) -> None:
    guarded = guard(sql, WINDOW, row_limit=row_limit, max_limit=1000)
    assert guarded.limit == expected
    assert sqlglot.parse_one(guarded.sql, read="athena").args["limit"].expression.name == str(expected)
    if note:
        assert any(note in n for n in guarded.notes), guarded.notes


def test_no_window_is_refused() -> None:
    with pytest.raises(GuardError, match="no time window"):
        guard("SELECT * FROM cloudtrail", None)


def test_scan_budget_uses_the_windows_parquet_bytes(demo_lake_settings) -> None:
    engine = get_engine("local", demo_lake_settings)
    scanned = engine.bytes_scanned(frozenset({"cloudtrail"}), WINDOW)
    assert scanned > 0
    ok = guard("SELECT eventname FROM cloudtrail", WINDOW, engine=engine, scan_budget=scanned)
    assert ok.scan_bytes == scanned
    with pytest.raises(GuardError) as info:
        guard("SELECT eventname FROM cloudtrail", WINDOW, engine=engine, scan_budget=scanned - 1)
    assert info.value.code == "budget" and "over the scan budget" in info.value.reason
    # A narrower window selects fewer files and fits.
    one_day = Window.between("2026-11-19T00:00:00Z", "2026-11-20T00:00:00Z")
    assert guard("SELECT eventname FROM cloudtrail", one_day, engine=engine, scan_budget=scanned - 1).scan_bytes < scanned


def test_guard_for_reads_limits_from_settings(workspace: Path) -> None:
    (workspace / "mantissa.yaml").write_text("guard:\n  max_limit: 50\n  scan_budget_bytes: 0\nrow_limit: 10\n")
    settings = load_settings(workspace)
    assert guard_for("SELECT * FROM cloudtrail LIMIT 99", WINDOW, settings).limit == 50
    assert guard_for("SELECT * FROM cloudtrail", WINDOW, settings).limit == 10
    engine = get_engine("local", settings)
    assert guard_for("SELECT * FROM cloudtrail", WINDOW, settings, engine=engine).scan_bytes == 0  # empty lake


ACCEPTED_SHAPES = [
    # A CTE is visible in its own query, in set operands under its WITH and in subqueries inside it.
    "WITH x AS (SELECT eventname FROM cloudtrail) SELECT * FROM x UNION ALL SELECT * FROM x",
    "SELECT * FROM cloudtrail WHERE eventname IN (WITH x AS (SELECT eventname FROM cloudtrail) SELECT eventname FROM x)",
    "WITH a AS (SELECT eventname FROM cloudtrail), b AS (SELECT * FROM a) SELECT * FROM b",
    "WITH x AS (SELECT eventname FROM cloudtrail) SELECT * FROM x WHERE eventname IN (SELECT eventname FROM x)",
    # Bounded generators and joins that do not multiply log rows.
    "SELECT sequence(1, 100) AS s FROM cloudtrail",
    "SELECT sequence(date '2026-01-01', date '2026-12-31') AS days FROM cloudtrail",
    "SELECT lpad(eventname, 40, ' ') AS padded FROM cloudtrail",
    "SELECT * FROM cloudtrail CROSS JOIN (SELECT count(*) AS n FROM vpc_flow) totals",
    "SELECT c.eventname FROM cloudtrail c JOIN vpc_flow v ON c.sourceipaddress = v.srcaddr",
    "SELECT \"eventname\" AS \"it's a name\" FROM cloudtrail WHERE eventname = 'caf\u00e9'",
]


@pytest.mark.parametrize("sql", ACCEPTED_SHAPES, ids=range(len(ACCEPTED_SHAPES)))
def test_honest_shapes_near_the_new_refusals_pass(sql: str) -> None:
    assert guard(sql, WINDOW).tables


def test_a_window_longer_than_max_window_is_refused_in_one_line() -> None:
    year = Window.between("2025-01-01T00:00:00Z", "2026-01-03T00:00:00Z")  # 367 days
    with pytest.raises(GuardError) as info:
        guard("SELECT eventname FROM cloudtrail", year, max_window="366d")
    assert info.value.code == "window" and "guard.max_window" in info.value.reason
    assert "\n" not in info.value.reason
    assert guard("SELECT eventname FROM cloudtrail", year, max_window="400d").tables == {"cloudtrail"}


def test_guard_for_takes_max_window_from_settings(workspace: Path) -> None:
    (workspace / "mantissa.yaml").write_text("guard:\n  max_window: 1d\n")
    with pytest.raises(GuardError, match=r"longer than guard.max_window \(1d\)"):
        guard_for("SELECT eventname FROM cloudtrail", WINDOW, load_settings(workspace))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Window.between("0001-01-02", "9999-12-30"), "more than any window may"),
        (lambda: Window.between("0001-01-01", "9999-12-31"), "more than any window may"),
        (lambda: Window.last("99999999999d"), "too long"),
        (lambda: Window.last("4000d"), "longer than any window may be"),
    ],
    ids=["red-team-window", "widest-dates", "overflowing-duration", "over-ten-years"],
)
def test_absurd_windows_are_one_value_error(make, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        make()
    assert "\n" not in str(info.value)


def test_parse_errors_never_name_sqlglot_classes() -> None:
    with pytest.raises(GuardError) as info:
        guard("SELECT * FROM glob('/root/*')", WINDOW)
    assert info.value.code == "parse" and "<class" not in info.value.reason and "sqlglot" not in info.value.reason
