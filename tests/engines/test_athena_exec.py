"""Athena execution an operator can trust, against the executing Athena double (tests/athena_double):
concurrency limit, deadlines (StopQueryExecution), SIGTERM, isolation, pages, cost, budget, and the
Athena/DuckDB differences answered the same on both engines."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.engines.conftest import MakeAthena, cloudtrail_lake
from tests.engines.test_athena_semantics import CASES, DAY, EVENTS, WINDOW, check
from workbench.cost import ATHENA_MINIMUM_BYTES, query_cost_usd
from workbench.detect.runner import run_detections
from workbench.engines.athenarun import Statement, StatementError, StatementNotRun, StatementTimeout
from workbench.rules import Rule


# ---- concurrency, isolation -----------------------------------------------------------------------
def test_no_more_statements_in_flight_than_the_limit(athena_double: Any, make_athena: MakeAthena) -> None:
    athena_double.latency = 0.3
    engine = make_athena(max_concurrent=3)
    answers = engine.run_statements([f"SELECT {i} AS n" for i in range(10)])
    assert [a.frame["n"].tolist() for a in answers] == [[i] for i in range(10)]  # in the order given
    assert athena_double.max_concurrent <= 3
    assert athena_double.max_concurrent >= 2  # they did overlap
    assert len(athena_double.executions) == 10


def test_one_failed_statement_fails_alone_with_one_line_naming_its_query(
        athena_double: Any, make_athena: MakeAthena) -> None:
    # Athena's reasons can span lines (and quote log text): the message keeps them on one.
    athena_double.fail_next("SYNTAX_ERROR: line 1:8: Column 'nope' cannot be resolved\n\tat line 2")
    answers = make_athena(max_concurrent=1).run_statements(["SELECT 1 AS n", "SELECT 2 AS n", "SELECT 3 AS n"])
    failed = answers[0]
    assert failed.state == "FAILED" and failed.frame is None
    message = str(failed.error)
    assert "\n" not in message
    assert message.startswith(f"Athena query {failed.query_id} FAILED")
    assert "Column 'nope' cannot be resolved at line 2" in message
    assert failed.cost_usd == 0.0  # Athena does not bill a failed query
    assert [a.frame["n"].tolist() for a in answers[1:]] == [[2], [3]]


def test_a_query_stopped_by_someone_else_says_so_in_one_line(athena_double: Any, make_athena: MakeAthena) -> None:
    athena_double.latency = 5.0
    client = athena_double.client()

    def stop_when_running() -> None:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            running = [e.id for e in athena_double.executions if e.state == "RUNNING"]
            if running:
                client.stop_query_execution(QueryExecutionId=running[0])
                return
            time.sleep(0.01)

    import threading

    stopper = threading.Thread(target=stop_when_running)
    stopper.start()
    answer = make_athena().run_statements(["SELECT 1 AS n"])[0]
    stopper.join()
    assert answer.state == "CANCELLED"
    assert str(answer.error) == (f"Athena query {answer.query_id} was CANCELLED outside this run "
                                 f"({athena_double.service.get(answer.query_id).reason or 'no reason given'}); "
                                 "re-run the window")


# ---- deadlines ------------------------------------------------------------------------------------
def test_a_statement_past_its_deadline_is_stopped_on_athena(athena_double: Any, make_athena: MakeAthena) -> None:
    athena_double.latency = 10.0
    engine = make_athena(statement_timeout="1s")
    began = time.monotonic()
    answer = engine.run_statements(["SELECT 1 AS n"])[0]
    assert time.monotonic() - began < 5
    assert answer.state == "TIMED_OUT"
    assert isinstance(answer.error, StatementTimeout)
    assert str(answer.error).startswith(f"Athena query {answer.query_id} stopped after ")
    assert "athena.statement_timeout" in str(answer.error)
    assert athena_double.service.get(answer.query_id).state == "CANCELLED"


def test_query_timeout_applies_when_it_is_the_stricter(athena_double: Any, make_athena: MakeAthena) -> None:
    athena_double.latency = 10.0
    engine = make_athena(top={"query_timeout": "1s"}, statement_timeout="5m")
    with pytest.raises(StatementTimeout, match=r"over its deadline of 1s \(query_timeout\)"):
        engine.run("SELECT 1 AS n")
    assert [e.state for e in athena_double.executions] == ["CANCELLED"]


def test_a_rule_past_its_deadline_fails_with_a_timeout_error(
        athena_double: Any, make_athena: MakeAthena, athena_tables: Callable, tmp_path: Path) -> None:
    athena_tables(cloudtrail_lake(tmp_path, EVENTS, DAY))
    rule = Rule.from_dict({
        "id": "test-slow-rule", "title": "a rule Athena takes too long over", "severity": "low",
        "description": "reads every event", "query": "SELECT eventtime, eventid FROM cloudtrail",
        "alert": {"title": "event {eventid}"}})
    athena_double.latency = 10.0
    record = run_detections([rule], WINDOW.start, WINDOW.end, make_athena(statement_timeout="1s"), None)
    outcome = record.rules[0]
    assert outcome.status == "failed"
    assert outcome.error is not None and outcome.error.startswith("StatementTimeout: Athena query ")
    query_id = outcome.error.split()[3]
    assert athena_double.service.get(query_id).state == "CANCELLED"


def test_sigterm_stops_the_queries_a_detection_run_started(
        athena_double: Any, athena_tables: Callable, workspace: Path) -> None:
    athena_tables(None)  # the tables exist over an empty lake: every rule's statement is valid
    setup = {e.id for e in athena_double.executions}
    athena_double.latency = 60.0
    env = {k: v for k, v in os.environ.items() if not k.startswith("MANTISSA_")}
    env.update({f"MANTISSA_ATHENA__{k.upper()}": str(v) for k, v in athena_double.athena_settings().items()})
    env.update({"MANTISSA_WORKSPACE": str(workspace), "MANTISSA_ENGINE": "athena",
                "MANTISSA_ATHENA__MAX_CONCURRENT": "3"})
    process = subprocess.Popen(
        [sys.executable, "-c", "from workbench.cli import app; app()", "detect", "--no-notebook", "--dry-run",
         "--start", "2026-11-27T10:00Z", "--end", "2026-11-27T10:15Z"],
        env=env, cwd=workspace, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not any(e.state == "RUNNING" for e in athena_double.executions):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the detection run never started a statement"
            time.sleep(0.05)
        time.sleep(0.5)  # the run is waiting on Athena now
        running = [e.id for e in athena_double.executions if e.state == "RUNNING"]
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGTERM  # the default handler ended it, after the stops
    states = {e.id: e.state for e in athena_double.executions if e.id not in setup}
    assert running and all(states[i] == "CANCELLED" for i in running)
    assert set(states.values()) == {"CANCELLED"}, states  # nothing left running, nothing finished
    assert len(states) <= 3  # athena.max_concurrent held in the subprocess too


# ---- pages, cost, budget --------------------------------------------------------------------------
def test_results_beyond_one_page_are_all_read(
        athena_double: Any, make_athena: MakeAthena, athena_tables: Callable, tmp_path: Path) -> None:
    rows = [{"eventid": f"id-{i:05d}", "eventtime": f"2026-11-27T10:{i // 60 % 60:02d}:{i % 60:02d}Z",
             "eventname": "GetObject", "eventsource": "s3.amazonaws.com"} for i in range(2500)]
    athena_tables(cloudtrail_lake(tmp_path, rows, DAY))
    result = make_athena().run("SELECT eventid FROM cloudtrail ORDER BY eventid", WINDOW)
    assert result.frame["eventid"].tolist() == [r["eventid"] for r in rows]


def test_a_tiny_query_is_billed_ten_megabytes(
        athena_double: Any, make_athena: MakeAthena, athena_tables: Callable, tmp_path: Path) -> None:
    athena_tables(cloudtrail_lake(tmp_path, EVENTS, DAY))
    engine = make_athena()
    result = engine.run("SELECT eventid FROM cloudtrail", WINDOW)
    scanned = athena_double.service.get(result.query_id).bytes_scanned
    assert 0 < scanned < ATHENA_MINIMUM_BYTES
    assert result.bytes_scanned == scanned
    assert result.cost_usd == pytest.approx(ATHENA_MINIMUM_BYTES / 1024**4 * engine.settings.price_per_tb_usd)
    assert result.cost_usd == query_cost_usd(scanned, engine.settings.price_per_tb_usd)


def test_statement_cost_is_shared_equally_by_the_rules_it_serves(athena_double: Any, make_athena: MakeAthena) -> None:
    answer = make_athena().run_statements([Statement("SELECT 1 AS n", serves=("rule-a", "rule-b", "rule-c"))])[0]
    shares = answer.shares()
    assert list(shares) == ["rule-a", "rule-b", "rule-c"]
    assert sum(s["billed_bytes"] for s in shares.values()) == answer.billed_bytes == ATHENA_MINIMUM_BYTES
    assert sum(s["cost_usd"] for s in shares.values()) == pytest.approx(answer.cost_usd)


def test_the_run_stops_submitting_once_its_scan_budget_is_spent(
        athena_double: Any, make_athena: MakeAthena) -> None:
    engine = make_athena(max_concurrent=1, run_scan_budget_bytes=15 * 1024**2)  # 1.5 statements' minimum
    answers = engine.run_statements([f"SELECT {i} AS n" for i in range(5)])
    assert [a.state for a in answers] == ["SUCCEEDED", "SUCCEEDED", "NOT_RUN", "NOT_RUN", "NOT_RUN"]
    assert len(athena_double.executions) == 2
    assert isinstance(answers[2].error, StatementNotRun)
    assert "scan budget of 15.0 MB is spent (20.0 MB billed)" in str(answers[2].error)
    assert "athena.run_scan_budget_bytes" in str(answers[2].error)


def test_batches_inside_one_run_share_its_scan_budget(athena_double: Any, make_athena: MakeAthena) -> None:
    engine = make_athena(max_concurrent=1, run_scan_budget_bytes=25 * 1024**2)  # 2.5 statements' minimum
    with engine.run_scope():  # what a detection window does around its census, scans and lone rules
        first = engine.run_statements(["SELECT 1 AS n", "SELECT 2 AS n"])
        second = engine.run_statements(["SELECT 3 AS n", "SELECT 4 AS n"])
    assert [a.state for a in first + second] == ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "NOT_RUN"]
    # Outside a run scope each batch has the budget to itself.
    assert [a.state for a in engine.run_statements(["SELECT 5 AS n", "SELECT 6 AS n"])] == ["SUCCEEDED"] * 2


def test_ddl_is_not_billed(athena_double: Any, make_athena: MakeAthena) -> None:
    ids = make_athena().run_ddl(["CREATE DATABASE IF NOT EXISTS scratch"])
    assert athena_double.service.get(ids[0]).state == "SUCCEEDED"
    answer = make_athena().run_statements([Statement("CREATE DATABASE IF NOT EXISTS scratch2", fetch=False,
                                                     billed=False)])[0]
    assert answer.ok and answer.cost_usd == 0.0 and answer.billed_bytes == 0


def test_a_statement_athena_refuses_fails_alone(athena_double: Any, make_athena: MakeAthena) -> None:
    engine = make_athena()
    answers = engine.run_statements(["", "SELECT 7 AS n"])  # Athena refuses an empty QueryString
    assert isinstance(answers[0].error, StatementError) and answers[0].query_id is None
    assert "Athena refused the statement" in str(answers[0].error)
    assert answers[1].frame["n"].tolist() == [7]


# ---- same answers on both engines ------------------------------------------------------------------
@pytest.mark.parametrize(("sql", "expected"), [pytest.param(*case[1:], id=case[0]) for case in CASES])
def test_the_double_answers_as_the_local_engine(
        athena_double: Any, make_athena: MakeAthena, athena_tables: Callable, tmp_path: Path,
        sql: str, expected: list | str) -> None:
    athena_tables(cloudtrail_lake(tmp_path, EVENTS, DAY))
    check(make_athena().run, sql, expected)


def test_sigint_stops_running_statements_then_interrupts_as_before(
        athena_double: Any, make_athena: MakeAthena) -> None:
    import threading

    athena_double.latency = 30.0
    # Python's own handler, whatever an earlier test of the run left installed: the run hands the signal back to the
    # handler it found, and one that does not raise (session 17's full run) would make this test prove nothing
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    previous = signal.getsignal(signal.SIGINT)

    def interrupt_when_running() -> None:
        # first the run's own handler: a SIGINT before it is installed meets the default handler at whatever line
        # the main thread is on (building the boto3 client on a loaded machine), where it may be swallowed
        installed = time.monotonic() + 60
        while time.monotonic() < installed and signal.getsignal(signal.SIGINT) is previous:
            time.sleep(0.01)
        # generous: on a loaded machine the two submissions took over 10 s to reach RUNNING (session 16), and a
        # SIGINT before both run leaves the second unsubmitted rather than cancelled; still under the 30 s latency
        deadline = time.monotonic() + 25
        while time.monotonic() < deadline and sum(e.state == "RUNNING" for e in athena_double.executions) < 2:
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGINT)

    trigger = threading.Thread(target=interrupt_when_running)
    trigger.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            make_athena(max_concurrent=2).run_statements(["SELECT 1 AS n", "SELECT 2 AS n", "SELECT 3 AS n"])
        trigger.join()
        assert signal.getsignal(signal.SIGINT) is previous  # the handler is put back
    finally:
        signal.signal(signal.SIGINT, inherited)
    assert [e.state for e in athena_double.executions] == ["CANCELLED", "CANCELLED"]  # the third never went
