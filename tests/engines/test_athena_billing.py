"""The query history and the daily budget use Athena's billed figures (rounded up to the MB, 10 MB
at least per statement), over the executing Athena double."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.engines.conftest import MakeAthena, cloudtrail_lake
from tests.engines.test_athena_semantics import DAY, EVENTS, WINDOW
from workbench.alerts import get_store
from workbench.config import CostSettings
from workbench.cost import ATHENA_MINIMUM_BYTES, BYTES_PER_TB, check_budget, day_cost
from workbench.detect.runner import run_detections
from workbench.rules import Rule
from workbench.session import Session

MINIMUM_USD = ATHENA_MINIMUM_BYTES / BYTES_PER_TB * 5.0  # $5/TB, the default price
# Under one statement's minimum, far over what its real bytes would cost: only the billed figure crosses it.
BUDGET_USD = MINIMUM_USD * 0.9


def _statements(athena_double: Any, before: set[str]) -> list[Any]:
    return [e for e in athena_double.executions if e.id not in before]


def test_a_hunting_query_is_recorded_at_its_billed_cost_and_counts_against_the_budget(
        athena_double: Any, make_athena: MakeAthena, athena_tables: Callable, tmp_path: Path) -> None:
    athena_tables(cloudtrail_lake(tmp_path, EVENTS, DAY))
    engine = make_athena(top={"cost": CostSettings(daily_budget_usd=BUDGET_USD)})
    session = Session(engine.settings, engine="athena")
    outcome = session.run_sql("SELECT eventid, eventname FROM cloudtrail", window=WINDOW)
    session.close()
    assert outcome.result is not None and outcome.result.rows == 3
    record = session.history.recent(limit=1)[0]
    assert record.query_id == outcome.result.query_id
    assert 0 < record.bytes_scanned < ATHENA_MINIMUM_BYTES  # what Athena read…
    assert record.cost_usd == pytest.approx(MINIMUM_USD)  # …and what it bills
    with get_store(engine.settings) as store:
        budget = check_budget(engine.settings, store)
    assert budget.action == "raised"
    assert budget.spent_usd == pytest.approx(MINIMUM_USD)


def test_a_detection_run_records_each_statement_at_its_billed_cost(
        athena_double: Any, make_athena: MakeAthena, athena_tables: Callable, tmp_path: Path) -> None:
    athena_tables(cloudtrail_lake(tmp_path, EVENTS, DAY))
    before = {e.id for e in athena_double.executions}
    engine = make_athena()
    rules = [Rule.from_dict({
        "id": f"test-rule-{name.lower()}", "title": f"{name} seen", "severity": "low", "description": name,
        "query": f"SELECT eventtime, eventid FROM cloudtrail WHERE eventname = '{name}'",
        "alert": {"title": "event {eventid}"}}) for name in ("GetObject", "AssumeRole")]
    with get_store(engine.settings) as store:
        record = run_detections(rules, WINDOW.start, WINDOW.end, engine, store)
        spent = day_cost(engine.settings, store, datetime.now(UTC).date())
    assert record.status == "ok", record.as_dict()["errors"]
    ran = [e for e in _statements(athena_double, before) if e.state == "SUCCEEDED"]
    assert ran and all(0 < e.bytes_scanned < ATHENA_MINIMUM_BYTES for e in ran)
    # Every statement is billed its 10 MB minimum, and the rules' shares add up to exactly that.
    assert sum(r.cost_usd for r in record.rules) == pytest.approx(len(ran) * MINIMUM_USD)
    assert spent.detection_usd == pytest.approx(len(ran) * MINIMUM_USD)
    assert spent.detection_bytes == sum(e.bytes_scanned for e in ran)
