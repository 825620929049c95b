"""One demo workspace for the report tests: synth + hunts + detection (+ routing to jsonl), then some
triage through the store and some queries through the hunting session, so every source has rows."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

DEMO_END = "2026-11-20T00:00:00Z"


@pytest.fixture(scope="session")
def report_site(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    from workbench.alerts import get_store
    from workbench.demo import run_demo
    from workbench.session import Session
    from workbench.sqlguard import GuardError
    from workbench.timewindow import Window

    workspace = tmp_path_factory.mktemp("reports") / "demo"
    demo = run_demo(workspace, days=2, seed=7, end=DEMO_END, echo=lambda s: None)
    settings = demo["settings"]
    with get_store(settings) as store:
        alerts = store.list(limit=None, order_by="rule_id")
        # Two analysts: one acknowledges then resolves, the other calls a few false positives.
        by_rule: dict[str, list] = {}
        for alert in alerts:
            by_rule.setdefault(alert.rule_id, []).append(alert)
        noisy = max(by_rule.values(), key=len)  # the rule with most alerts gets the false positives
        for alert in noisy[:3]:
            store.acknowledge(alert.id, actor="bea")
            store.set_status(alert.id, "false_positive", actor="bea", reason="scanner we run ourselves")
        others = [a for a in alerts if a.rule_id != noisy[0].rule_id][:3]
        for alert in others:
            store.acknowledge(alert.id, actor="ana")
        store.set_status(others[0].id, "resolved", actor="ana", reason="key rotated")
    session = Session(settings, window=Window.between("2026-11-18T00:00:00Z", DEMO_END), provider="offline")
    session.run_sql("SELECT eventname, count(*) AS n FROM cloudtrail GROUP BY eventname")
    session.run_sql("SELECT srcaddr, sum(bytes) AS b FROM vpc_flow GROUP BY srcaddr")
    session.ask("failed console logins")
    with pytest.raises(GuardError):
        session.run_sql("DELETE FROM cloudtrail")
    session.close()
    return SimpleNamespace(settings=settings, workspace=workspace, demo=demo, noisy_rule=noisy[0].rule_id,
                           lake=Path(settings.lake))
