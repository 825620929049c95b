"""Acceptance: over fourteen days of synthetic history, the bundled first-seen rules catch the
leaked-key and crypto-mining scenarios of the following week and stay quiet on its background."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from workbench.config import Settings
from workbench.detect.runner import run_detections
from workbench.resources import search_paths
from workbench.rules import load_rules
from workbench.timewindow import parse_time

HISTORY_END, WEEK_END = "2026-11-21T00:00:00Z", "2026-11-28T00:00:00Z"


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict]:
    from workbench.synth import synthesize

    workspace = tmp_path_factory.mktemp("first-seen")
    # Background only for the history; then a week with the two scenarios. Scale 0.3 keeps it quick.
    synthesize(workspace / "lake", days=14, seed=42, end=HISTORY_END, scenarios=[], replace=True, scale=0.3)
    synthesize(workspace / "lake", days=7, seed=42, end=WEEK_END, scenarios=["leaked-key", "crypto-mining"],
               scale=0.3)
    return Settings(workspace=workspace), json.loads((workspace / "ground_truth.json").read_text())


@pytest.mark.slow
def test_first_seen_rules_catch_the_scenarios_and_not_the_background(week) -> None:
    from workbench.alerts import get_store
    from workbench.engines import get_engine

    settings, truth = week
    rules = [r for r in load_rules(search_paths("rules", settings)).rules if r.new_terms and r.enabled]
    assert len(rules) >= 5
    attackers = {ip: s["name"] for s in truth["scenarios"] for ip in s["attacker_ips"]}
    with get_engine("local", settings) as engine, get_store(settings) as store:
        run = run_detections(rules, parse_time(HISTORY_END), parse_time(WEEK_END), engine, store,
                             lookback=timedelta(0))
        assert run.failed == []
        alerts = store.list(limit=1000)
    caught: dict[str, set[str]] = {}
    for alert in alerts:
        scenario = {attackers[r["sourceipaddress"]] for r in alert.evidence.rows if r.get("sourceipaddress") in attackers}
        assert scenario, f"background alert: {alert.rule_id}: {alert.title}"
        caught.setdefault(scenario.pop(), set()).add(alert.rule_id)
    assert "first-seen-access-key-network" in caught["leaked-key"]
    assert "first-seen-access-key-network" in caught["crypto-mining"]
    assert "first-seen-account-region" in caught["crypto-mining"]
    regions = {a.group_keys["awsregion"] for a in alerts if a.rule_id == "first-seen-account-region"}
    assert len(regions) >= 2 and "us-east-1" not in regions
