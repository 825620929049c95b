"""Every magic and its errors, in a real IPython InteractiveShell over the demo lake."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from workbench.history import QueryHistory
from workbench.magics import WorkbenchMagics

METADATA = "mantissa"


def run_cell(ip: Any, cell: str) -> tuple[Any, Any]:
    """Run a cell as a notebook would; returns (ExecutionResult, captured output)."""
    with capture_output() as captured:
        result = ip.run_cell(cell)
    return result, captured


def texts(captured: Any) -> list[str]:
    return [o.data.get("text/plain", "") for o in captured.outputs]


def assert_one_line_usage_error(result: Any, captured: Any, *fragments: str) -> None:
    assert isinstance(result.error_in_exec, UsageError), result.error_in_exec
    message = str(result.error_in_exec)
    assert "\n" not in message and "Traceback" not in captured.stdout + captured.stderr
    for fragment in fragments:
        assert fragment in message, message


def history(ip: Any) -> QueryHistory:
    magics = ip.magics_manager.registry["WorkbenchMagics"]
    return magics.session.history


# -- loading ------------------------------------------------------------------------------------


def test_load_registers_and_unload_removes(ip: Any) -> None:
    assert {"ask", "hunt", "wb"} <= set(ip.magics_manager.magics["line"])
    assert {"athena", "ask"} <= set(ip.magics_manager.magics["cell"])
    ip.run_line_magic("unload_ext", "workbench")
    assert "hunt" not in ip.magics_manager.magics["line"] and "athena" not in ip.magics_manager.magics["cell"]
    assert "WorkbenchMagics" not in ip.magics_manager.registry
    ip.run_line_magic("load_ext", "workbench")
    assert isinstance(ip.magics_manager.registry["WorkbenchMagics"], WorkbenchMagics)


def test_magics_never_write_into_the_namespace_uninvited(ip: Any) -> None:
    before = set(ip.user_ns)
    with capture_output():
        ip.run_cell_magic("athena", "", "SELECT eventname FROM cloudtrail LIMIT 3")
        ip.run_line_magic("ask", "failed console logins")
        ip.run_line_magic("hunt", "privilege_escalation")
        ip.run_line_magic("wb", "")
    assert set(ip.user_ns) == before
    with capture_output():
        ip.run_line_magic("ask", "-o hits failed console logins")
    assert set(ip.user_ns) - before == {"hits"} and len(ip.user_ns["hits"]) > 0


# -- %%athena -----------------------------------------------------------------------------------


def test_athena_binds_placeholders_from_the_namespace(ip: Any, demo_lake: Any) -> None:
    leak = demo_lake.truth.scenario("leaked-key")
    ip.user_ns.update(ip_addr=leak.attacker_ips[0], names=["CreateUser", "AttachUserPolicy"],
                      since=datetime(2026, 11, 18, tzinfo=UTC), limit_n=1)
    result, captured = run_cell(ip, (
        "%%athena -o frame\n"
        "SELECT eventname, eventid FROM cloudtrail\n"
        "WHERE sourceipaddress = :ip_addr AND eventname IN (:names) AND eventtime >= :since AND 1 = :limit_n"
    ))
    assert result.success
    frame = ip.user_ns["frame"]
    assert set(frame["eventname"]) == {"CreateUser", "AttachUserPolicy"}
    assert set(frame["eventid"]) <= set(leak.event_ids)
    status = texts(captured)[-1]
    for part in ("local:", "rows in", "scanned", "~$", "query id"):
        assert part in status


def test_athena_placeholder_injection_stays_a_literal(ip: Any) -> None:
    ip.user_ns["ip_addr"] = "x' OR '1'='1"
    result, _ = run_cell(ip, "%%athena -o frame\nSELECT eventid FROM cloudtrail WHERE sourceipaddress = :ip_addr")
    assert result.success and len(ip.user_ns["frame"]) == 0


def test_athena_output_carries_provenance_metadata(ip: Any) -> None:
    _, captured = run_cell(ip, "%%athena\nSELECT eventsource, COUNT(*) AS n FROM cloudtrail GROUP BY eventsource")
    meta = captured.outputs[-1].metadata[METADATA]
    assert meta["user"] == "analyst-7" and meta["engine"] == "local" and meta["kind"] == "athena"
    assert meta["rows"] > 0 and meta["bytes_scanned"] > 0 and meta["query_id"]
    assert "LIMIT" in meta["executed_sql"] and "year" in meta["executed_sql"]  # window-bounded, limited
    recorded = history(ip).recent(1)[0]
    assert recorded.query_id == meta["query_id"] and recorded.user == "analyst-7"


@pytest.mark.parametrize(
    ("cell", "fragments"),
    [
        ("%%athena\nSELECT * FROM clouttrail", ("unknown table 'clouttrail'", "did you mean 'cloudtrail'")),
        ("%%athena\nSELECT eventnam FROM cloudtrail", ("eventnam", "did you mean 'eventname'")),
        ("%%athena\nDROP TABLE cloudtrail", ("guard refused", "read-only SELECT")),
        ("%%athena\nSELECT 1 FROM cloudtrail; DELETE FROM cloudtrail", ("guard refused", "one statement")),
        ("%%athena\nSELECT eventid FROM cloudtrail WHERE sourceipaddress = :nowhere", ("no variable named nowhere",)),
        ("%%athena --window 3x\nSELECT eventid FROM cloudtrail", ("cannot read duration",)),
        ("%%athena --limit 0\nSELECT eventid FROM cloudtrail", ("--limit must be between",)),
        ("%%athena --engine duckdb\nSELECT eventid FROM cloudtrail", ("unknown engine 'duckdb'",)),
        ("%%athena --engine athena\nSELECT eventid FROM cloudtrail", ("OUTPUT_LOCATION",)),
    ],
    ids=["unknown-table", "unknown-column", "ddl", "stacked", "missing-variable", "bad-window", "bad-limit",
         "unknown-engine", "athena-not-configured"],
)
def test_athena_user_mistakes_are_one_line(ip: Any, cell: str, fragments: tuple[str, ...]) -> None:
    result, captured = run_cell(ip, cell)
    assert_one_line_usage_error(result, captured, *fragments)


def test_guard_refusals_are_recorded(ip: Any) -> None:
    run_cell(ip, "%%athena\nSELECT * FROM information_schema.tables")
    recorded = history(ip).recent(1)[0]
    assert recorded.status == "refused" and "information_schema" in recorded.error


def test_unsafe_skips_the_guard_but_not_the_window(ip: Any) -> None:
    result, captured = run_cell(ip, "%%athena\nSELECT 1 AS one")
    assert_one_line_usage_error(result, captured, "reads no log table")
    result, captured = run_cell(ip, "%%athena --unsafe -o frame\nSELECT 1 AS one")
    assert result.success and ip.user_ns["frame"]["one"].tolist() == [1]
    assert "--unsafe" in texts(captured)[-1]


def test_athena_dry_run_shows_sql_and_runs_nothing(ip: Any) -> None:
    result, captured = run_cell(ip, "%%athena --dry-run --start 2026-11-19 --end 2026-11-20\nSELECT eventid FROM cloudtrail")
    assert result.success
    shown = texts(captured)
    assert "LIMIT 10000" in shown[0] and "dry run" in shown[-1]
    assert captured.outputs[0].metadata[METADATA]["status"] == "dry-run"
    assert "'19'" in captured.outputs[0].metadata[METADATA]["executed_sql"]


# -- %ask ---------------------------------------------------------------------------------------


def test_ask_shows_sql_explanation_frame_and_provider(ip: Any, demo_lake: Any) -> None:
    brute = demo_lake.truth.scenario("console-brute-force")
    result, captured = run_cell(ip, "%ask -o frame count failed logins per source IP")
    assert result.success
    sql_shown, status = texts(captured)[0], texts(captured)[-1]
    assert "json_extract_scalar" in sql_shown.lower() and "per source ip" in sql_shown.lower()
    assert "<span" in captured.outputs[0].data["text/html"]  # highlighted
    assert "answered by offline" in status
    frame = ip.user_ns["frame"]
    assert frame.iloc[0]["sourceipaddress"] == brute.attacker_ips[0]
    meta = captured.outputs[-1].metadata[METADATA]
    assert meta["question"] == "count failed logins per source IP" and meta["provider"] == "offline"


def test_a_question_ending_in_a_question_mark_is_asked_not_looked_up(ip: Any, demo_lake: Any) -> None:
    brute = demo_lake.truth.scenario("console-brute-force")
    result, captured = run_cell(ip, "%ask -o frame which source IPs had the most failed console logins?")
    assert result.success, captured.stdout
    assert "not found" not in captured.stdout
    assert ip.user_ns["frame"].iloc[0]["sourceipaddress"] == brute.attacker_ips[0]
    # indented inside a block, too; and the magic's own help (`%ask?`) is still IPython's
    result, _ = run_cell(ip, "if True:\n    %ask -o frame any GuardDuty findings?")
    assert result.success and len(ip.user_ns["frame"])
    assert "pinfo" in ip.transform_cell("%ask?") and "pinfo" in ip.transform_cell("%ask??")
    assert "run_line_magic('ask', 'any findings?')" in ip.transform_cell("%ask any findings?")
    assert "run_cell_magic('ask'" in ip.transform_cell("%%ask\nany findings?")


def test_unloading_removes_the_question_mark_transformer(ip: Any) -> None:
    from workbench.magics.questionmark import keep_question_marks

    assert keep_question_marks in ip.input_transformers_cleanup
    ip.run_line_magic("unload_ext", "workbench")
    try:
        assert keep_question_marks not in ip.input_transformers_cleanup
    finally:
        ip.run_line_magic("load_ext", "workbench")


def test_ask_as_a_cell_magic(ip: Any) -> None:
    result, captured = run_cell(ip, "%%ask -o frame\nhigh severity\nGuardDuty findings")
    assert result.success and (ip.user_ns["frame"]["severity"] >= 7).all()


def test_ask_dry_run_and_explain(ip: Any) -> None:
    result, captured = run_cell(ip, "%ask --dry-run IAM changes yesterday")
    assert result.success and "dry run" in texts(captured)[-1]
    result, captured = run_cell(ip, "%ask --explain")
    explained = texts(captured)[0]
    assert "Answered by offline" in explained and "iam.amazonaws.com" in explained
    assert "[2026-11-19T00:00:00Z, 2026-11-20T00:00:00Z)" in explained


@pytest.mark.parametrize(
    ("cell", "fragments"),
    [
        ("%ask what is the meaning of life", ("cannot translate", "Try:")),
        ("%ask", ("ask a question",)),
    ],
    ids=["untranslatable", "empty"],
)
def test_ask_mistakes_are_one_line(ip: Any, cell: str, fragments: tuple[str, ...]) -> None:
    result, captured = run_cell(ip, cell)
    assert_one_line_usage_error(result, captured, *fragments)


def test_explain_before_any_query(ip: Any) -> None:
    ip.run_line_magic("unload_ext", "workbench")
    ip.run_line_magic("load_ext", "workbench")
    result, captured = run_cell(ip, "%ask --explain")
    assert_one_line_usage_error(result, captured, "no query to explain yet")


def test_ask_without_credentials_says_what_to_set(ip: Any) -> None:
    run_cell(ip, "%wb provider anthropic")
    result, captured = run_cell(ip, "%ask failed console logins")
    assert_one_line_usage_error(result, captured, "set ANTHROPIC_API_KEY")


def test_ask_through_anthropic_over_loopback(ip: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.nl.messages_api import MessagesAPI, sql_reply

    with MessagesAPI() as api:
        api.replies = [sql_reply("SELECT eventname FROM cloudtrail WHERE eventname = 'ConsoleLogin'",
                                 "Every console login.")]
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
        monkeypatch.setenv("MANTISSA_NL__BASE_URL", api.url)
        ip.run_line_magic("unload_ext", "workbench")
        ip.run_line_magic("load_ext", "workbench")
        run_cell(ip, "%wb window 2026-11-18T00:00:00Z 2026-11-20T00:00:00Z")
        result, captured = run_cell(ip, "%ask every console login")
    assert result.success, result.error_in_exec
    assert "answered by anthropic" in texts(captured)[-1] and "Every console login." in texts(captured)[0]


# -- %hunt --------------------------------------------------------------------------------------


def test_hunt_lists_the_library(ip: Any) -> None:
    _, captured = run_cell(ip, "%hunt")
    listing = texts(captured)[0]
    assert "suspicious_ip" in listing and "vpc_port_scan" in listing


def test_hunt_runs_with_parameters_and_finds_the_attack(ip: Any, demo_lake: Any) -> None:
    leak = demo_lake.truth.scenario("leaked-key")
    result, captured = run_cell(ip, f"%hunt -o frame suspicious_ip ip={leak.attacker_ips[0]}")
    assert result.success
    assert set(ip.user_ns["frame"]["eventid"]) & set(leak.event_ids)
    assert captured.outputs[-1].metadata[METADATA]["kind"] == "hunt"


def test_hunt_default_parameters(ip: Any, demo_lake: Any) -> None:
    scan = demo_lake.truth.scenario("port-scan")
    result, _ = run_cell(ip, "%hunt -o frame vpc_port_scan min_ports=20")
    assert result.success and ip.user_ns["frame"]["srcaddr"].tolist() == scan.attacker_ips[:1]


@pytest.mark.parametrize(
    ("cell", "fragments"),
    [
        ("%hunt suspicous_ip ip=1.2.3.4", ("did you mean 'suspicious_ip'",)),
        ("%hunt suspicious_ip", ("needs ip", "e.g. %hunt suspicious_ip")),
        ("%hunt suspicious_ip addr=1.2.3.4", ("no parameter 'addr'",)),
        ("%hunt suspicious_ip 1.2.3.4", ("key=value",)),
    ],
    ids=["unknown", "missing-parameter", "unknown-parameter", "not-key-value"],
)
def test_hunt_mistakes_are_one_line(ip: Any, cell: str, fragments: tuple[str, ...]) -> None:
    result, captured = run_cell(ip, cell)
    assert_one_line_usage_error(result, captured, *fragments)


# -- %wb ----------------------------------------------------------------------------------------


def test_wb_shows_and_sets_the_session(ip: Any) -> None:
    _, captured = run_cell(ip, "%wb")
    shown = texts(captured)[0]
    assert "engine" in shown and "fixed [2026-11-18T00:00:00Z" in shown and "offline (default)" in shown
    _, captured = run_cell(ip, "%wb window 6h")
    assert "last 6h" in texts(captured)[0]
    _, captured = run_cell(ip, "%wb limit 5")
    result, _ = run_cell(ip, "%%athena -o frame\nSELECT eventid FROM cloudtrail")
    assert len(ip.user_ns["frame"]) <= 5
    _, captured = run_cell(ip, "%wb provider offline")
    assert "NL provider  offline" in texts(captured)[0]
    _, captured = run_cell(ip, "%wb engine local")
    assert "engine       local" in texts(captured)[0]


def test_wb_history_lists_queries_and_refusals(ip: Any) -> None:
    run_cell(ip, "%%athena\nSELECT eventid FROM cloudtrail LIMIT 1")
    run_cell(ip, "%%athena\nDELETE FROM cloudtrail")
    import pandas as pd

    with pd.option_context("display.max_columns", None, "display.width", 100_000, "display.max_colwidth", None):
        _, captured = run_cell(ip, "%wb history 2")
    listing = texts(captured)[0]
    assert "refused" in listing and "only a read-only SELECT" in listing and "analyst-7" in listing
    assert [r.status for r in history(ip).recent(2)] == ["refused", "ok"]


@pytest.mark.parametrize(
    ("cell", "fragments"),
    [
        ("%wb engine duckb", ("unknown engine 'duckb'",)),
        ("%wb window yesterday-ish", ("cannot read duration",)),
        ("%wb limit 0", ("row limit must be between",)),
        ("%wb provider claude", ("unknown NL provider 'claude'",)),
        ("%wb frobnicate", ("cannot read '%wb frobnicate'",)),
    ],
    ids=["engine", "window", "limit", "provider", "command"],
)
def test_wb_mistakes_are_one_line(ip: Any, cell: str, fragments: tuple[str, ...]) -> None:
    result, captured = run_cell(ip, cell)
    assert_one_line_usage_error(result, captured, *fragments)


# -- issue 18: the red team's cells ------------------------------------------------------------

RED_TEAM_WINDOW = "--start 2026-12-05T00:00:00Z --end 2026-12-05T01:00:00Z"


@pytest.mark.parametrize("unsafe", ["", " --unsafe"], ids=["guarded", "unsafe"])
def test_out_of_scope_cte_name_reads_no_file(ip: Any, tmp_path: Any, unsafe: str) -> None:
    secret = tmp_path / "x" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("k,v\n1,hunter2-do-not-print\n")
    cell = (f'%%athena{unsafe} {RED_TEAM_WINDOW}\nSELECT t.* FROM (WITH "{secret}" AS (SELECT 1 AS k FROM cloudtrail) '
            f'SELECT k FROM "{secret}") y CROSS JOIN "{secret}" t')
    result, captured = run_cell(ip, cell)
    assert_one_line_usage_error(result, captured, "not a plain name" if not unsafe else "reads only log tables")
    assert "hunter2" not in captured.stdout + captured.stderr + str(result.error_in_exec)


@pytest.mark.parametrize(
    ("cell", "fragment"),
    [
        ("%%athena --unsafe --start 0001-01-02 --end 9999-12-30\nSELECT count(*) FROM cloudtrail", "narrow it"),
        ("%%athena --start 2024-01-01 --end 2026-01-01\nSELECT count(*) FROM cloudtrail", "guard.max_window"),
        ("%%athena --unsafe --start 2024-01-01 --end 2026-01-01\nSELECT count(*) FROM cloudtrail", "guard.max_window"),
        ("%ask failed console logins between 0001-01-01 and 9999-12-31", "past the dates a window can hold"),
    ],
    ids=["absurd-unsafe", "over-max-window", "over-max-window-unsafe", "ask-overflow"],
)
def test_absurd_windows_are_one_line(ip: Any, cell: str, fragment: str) -> None:
    result, captured = run_cell(ip, cell)
    assert_one_line_usage_error(result, captured, fragment)


def test_unsafe_help_says_what_it_skips_and_what_it_never_skips() -> None:
    text = " ".join((WorkbenchMagics.athena.__doc__ or "").split())
    assert "skip the guard's shape and cost checks" in text and "never skipped" in text
    assert "window still bounds every scan" not in text
