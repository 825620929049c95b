"""`mantissa alerts deliveries` and `mantissa alerts redeliver` (and resolve telling destinations)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from tests.helpers import area_app
from tests.routing.conftest import Receiver, store_alerts
from workbench.alerts import get_store
from workbench.cli.alerts import register
from workbench.config import Settings

pytestmark = pytest.mark.timeout(60)

app = area_app(register)
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["alerts", *args])
    return result.exit_code, result.stdout, result.stderr


def test_deliveries_parked_then_redeliver(routed: Callable[..., Settings],
                                          receiver: Callable[..., Receiver]) -> None:
    hook = receiver(default=500)
    settings = routed({"max_attempts": 2, "destinations": {
        "siem": {"type": "webhook", "url": f"{hook.url}/in/SECRETPATH", "secret": "${env:HOOK_SECRET}"}}},
        env={"HOOK_SECRET": "k3y-k3y"})
    with get_store(settings) as store:
        ids = store_alerts(store, 2)

    code, out, _ = invoke("redeliver")  # no option: route and send what is owed
    assert code == 0 and "deliveries: 2 queued, 0 delivered" in out and "2 parked in all" in out

    code, out, _ = invoke("deliveries", "--status", "parked")
    assert code == 0 and out.splitlines()[0].startswith("DELIVERY ")
    assert all(i in out for i in ids) and "HTTP 500" in out and "SECRETPATH" not in out
    assert "2 shown; 2 parked" in out and "redeliver --all-parked" in out

    hook.default = 200
    with get_store(settings) as store:
        first = store.deliveries(alert_id=ids[0])[0].id
    code, out, _ = invoke("redeliver", "--id", first)
    assert code == 0 and "requeued 1 deliveries" in out and "1 delivered" in out and "1 parked in all" in out
    code, out, _ = invoke("redeliver", "--all-parked")
    assert code == 0 and "requeued 1 deliveries" in out and "0 parked in all" in out
    assert len(hook.delivered()) == 2

    code, out, _ = invoke("deliveries", "--stats")
    assert code == 0 and "siem" in out and out.splitlines()[1].split()[0] == "DESTINATION"
    row = out.splitlines()[2].split()
    assert row[:5] == ["siem", "6", "2", "4", "2"]  # attempts, delivered, failures, parked

    code, _, err = invoke("redeliver", "--id", "d-missing")
    assert code == 2 and "unknown delivery 'd-missing'" in err
    code, _, err = invoke("deliveries", "--status", "parkd")
    assert code == 2 and "did you mean 'parked'" in err


def test_resolve_tells_the_destinations(routed: Callable[..., Settings], receiver: Callable[..., Receiver],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    pd = receiver(default=202, reply=lambda r: b'{"status": "success"}')
    settings = routed({"destinations": {"pager": {"type": "pagerduty", "secret_env": "PD_KEY",
                                                  "events_url": f"{pd.url}/v2/enqueue"}}},
                      env={"PD_KEY": "pd-key-0123"})
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    with get_store(settings) as store:
        [alert_id] = store_alerts(store, 1)
    invoke("redeliver")
    code, out, _ = invoke("resolve", alert_id)
    assert code == 0 and f"{alert_id}: resolved" in out and "1 delivered" in out
    assert [r.json["event_action"] for r in pd.delivered()] == ["trigger", "resolve"]
    code, out, _ = invoke("deliveries", "--alert", alert_id)
    assert out.count("delivered") == 2 and "pd-key-0123" not in out
