"""Delivery guarantees: nothing lost across crashes, nothing sent twice, failures retried then parked."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.routing.conftest import HOSTILE, Receiver, store_alerts
from workbench.alerts import AlertStore
from workbench.alerts.model import utcnow
from workbench.config import Settings
from workbench.routing import build_router, deliver
from workbench.routing.service import sender_for

pytestmark = pytest.mark.timeout(90)

ROOT = {"type": "Root", "principalId": "111122223333", "arn": "arn:aws:iam::111122223333:root",
        "accountId": "111122223333"}


def root_event(event_id: str, when: str, user_agent: str) -> dict:
    return {"eventVersion": "1.08", "userIdentity": ROOT, "eventTime": when, "eventSource": "iam.amazonaws.com",
            "eventName": "CreateAccessKey", "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.24",
            "userAgent": user_agent, "requestParameters": None, "responseElements": None, "eventID": event_id,
            "readOnly": False, "eventType": "AwsApiCall", "managementEvent": True,
            "recipientAccountId": "111122223333", "eventCategory": "Management"}


def hook_config(hook: Receiver) -> dict:
    return {"destinations": {"siem": {"type": "webhook", "url": f"{hook.url}/in", "secret": "${env:HOOK_SECRET}"}}}


def test_crash_between_store_and_delivery_then_rerun_delivers_once(
        routed: Callable[..., Settings], receiver: Callable[..., Receiver], workspace: Path,
        backend: tuple[str, str | None]) -> None:
    """The real runner stores an alert and the process dies before routing; the next detection run
    (the detect playbook's steps) routes and sends it, once; running the same window again sends nothing."""
    from workbench.alerts import get_store
    from workbench.detect import run_detections
    from workbench.engines import get_engine
    from workbench.lake import write_records
    from workbench.playbooks.detect import run_detect, summary_lines
    from workbench.rules import load_rules

    hook = receiver()
    settings = routed(hook_config(hook), env={"HOOK_SECRET": "s3cret-hmac-key"}, backend=backend[0],
                      endpoint=backend[1])
    write_records("cloudtrail", [root_event("0b7e6a2c-0001-4c1e-9a51-5f3e0c1d2a01", "2026-03-02T09:16:40Z",
                                            HOSTILE)], settings.lake)
    rules_path = Path(__file__).resolve().parents[2] / "rules" / "aws" / "cloudtrail" / "root-account-usage.yaml"
    start, end = datetime(2026, 3, 2, 9, tzinfo=UTC), datetime(2026, 3, 2, 10, tzinfo=UTC)
    with get_engine("local", settings) as engine, get_store(settings) as store:
        run = run_detections(load_rules([rules_path]).rules, start, end, engine, store)
        assert len(run.alerts_new) == 1  # stored... and the process "dies" here, before any routing
        assert len(store.unrouted_alerts()) == 1 and store.deliveries() == []
    assert hook.requests == []

    report = run_detect(start=start, end=end, rules_path=str(rules_path), settings=settings)
    assert report.alerts == [] and report.deliveries["delivered"] == 1  # not new to this run, still owed
    [request] = hook.delivered()
    assert request.json["alert"]["id"] == run.alerts_new[0]
    assert request.json["alert"]["fields"]["useragent"] == HOSTILE

    again = run_detect(start=start, end=end, rules_path=str(rules_path), settings=settings)
    assert again.deliveries["queued"] == 0 and again.deliveries["attempts"] == 0 and len(hook.requests) == 1
    published = json.dumps(again.as_dict(), default=str)
    assert "s3cret-hmac-key" not in published and any(line.startswith("deliveries: 0 queued")
                                                      for line in summary_lines(again.as_dict()))


def test_sender_killed_mid_send_is_retried_once_its_lease_expires(
        routed: Callable[..., Settings], receiver: Callable[..., Receiver],
        open_store: Callable[..., AlertStore]) -> None:
    hook = receiver()
    settings = routed(hook_config(hook), env={"HOOK_SECRET": "k3y-k3y"})
    store = open_store(settings)
    store_alerts(store, 1)
    router = build_router(settings)
    router.route_pending(store)
    [queued] = store.deliveries()
    # A sender claims it and dies before sending: the claim holds for its lease, then lapses.
    assert store.claim_delivery(queued, timedelta(seconds=0.3)) is not None
    assert store.claim_delivery(queued, timedelta(seconds=0.3)) is None  # nobody else can take it meanwhile
    run = deliver(settings, store, router)
    assert run.sent.delivered == 1 and len(hook.requests) == 1
    assert store.get_delivery(queued.id).status == "delivered"


def test_only_the_failed_destination_is_retried_then_parked_then_redelivered(
        routed: Callable[..., Settings], receiver: Callable[..., Receiver], workspace: Path,
        open_store: Callable[..., AlertStore]) -> None:
    down = receiver(default=503)
    settings = routed({"max_attempts": 3, "destinations": {
        "siem": {"type": "webhook", "url": f"{down.url}/in", "secret": "${env:HOOK_SECRET}"},
        "trail": {"type": "jsonl", "path": "trail.jsonl"}}}, env={"HOOK_SECRET": "k3y-k3y"})
    store = open_store(settings)
    [alert_id] = store_alerts(store, 1)
    run = deliver(settings, store)
    assert run.sent.per_destination["trail"]["delivered"] == 1
    assert run.sent.per_destination["siem"]["failed"] == 2 and run.sent.per_destination["siem"]["parked"] == 1
    [parked] = store.deliveries(status="parked")
    assert parked.destination == "siem" and parked.attempts == 3 and "HTTP 503" in parked.last_error
    assert "gave up after 3 attempts" in parked.last_error

    down.default = 200  # the receiver is fixed
    requeued = store.requeue_deliveries(parked=True)
    assert [d.id for d in requeued] == [parked.id]
    again = deliver(settings, store)
    assert again.sent.delivered == 1 and again.sent.per_destination == {"siem": {"delivered": 1}}
    assert len((workspace / "trail.jsonl").read_text().splitlines()) == 1  # the jsonl one was not resent
    assert [r.status for r in down.requests] == [503, 503, 503, 200]
    stats = store.delivery_stats()
    assert stats["siem"]["attempts"] == 4 and stats["siem"]["parked"] == 1 and stats["siem"]["parked_now"] == 0


def test_client_error_parks_at_once_and_the_webhook_url_is_redacted(
        routed: Callable[..., Settings], receiver: Callable[..., Receiver],
        open_store: Callable[..., AlertStore]) -> None:
    gone = receiver(default=404)
    settings = routed({"destinations": {"slack": {"type": "slack", "webhook_url": "${env:SLACK_URL}"}}},
                      env={"SLACK_URL": f"{gone.url}/services/T0/B0/TOKEN-abc123"})
    store = open_store(settings)
    store_alerts(store, 2)
    run = deliver(settings, store)
    assert run.sent.parked == 2 and run.sent.attempts == 2  # 404: retrying cannot help
    for d in store.deliveries(status="parked"):
        assert "HTTP 404" in d.last_error and "TOKEN-abc123" not in d.last_error and "/***" in d.last_error
    assert not any("TOKEN-abc123" in e for e in run.sent.errors)


def test_an_unreachable_destination_is_retried_with_backoff_and_holds_its_queue(
        routed: Callable[..., Settings], open_store: Callable[..., AlertStore]) -> None:
    from tests.routing.conftest import free_port

    settings = routed({"send_budget_s": 0.3, "destinations": {
        "siem": {"type": "webhook", "url": f"http://127.0.0.1:{free_port()}/in", "secret": "${env:HOOK_SECRET}"}}},
        env={"HOOK_SECRET": "k3y-k3y"})
    store = open_store(settings)
    store_alerts(store, 5)
    run = deliver(settings, store)
    # The breaker keeps the other four waiting instead of charging each an attempt per pass.
    attempts = store.delivery_attempts()
    assert {a.alert_id for a in attempts} == {"a-0000"} and 1 <= len(attempts) <= 4
    assert all("could not reach" in a.error for a in attempts)
    assert run.open_after == 5 and run.sent.delivered == 0


def test_updates_resolves_and_reopen_cycles_are_each_sent_once(
        routed: Callable[..., Settings], workspace: Path, open_store: Callable[..., AlertStore]) -> None:
    settings = routed({"destinations": {"trail": {"type": "jsonl", "path": "trail.jsonl"}}})
    store = open_store(settings)
    [alert_id] = store_alerts(store, 1)
    deliver(settings, store)
    store.acknowledge(alert_id, actor="ana")  # a new version, but nothing to announce
    store.upsert_alert(store.get(alert_id), ["ev-2", "ev-3"])  # recurrence: count 3
    deliver(settings, store)
    store.upsert_alert(store.get(alert_id), ["ev-2", "ev-3"])  # the same events again: unchanged
    store.set_status(alert_id, "resolved", actor="ana")
    deliver(settings, store)
    store.upsert_alert(store.get(alert_id), ["ev-4"])  # it came back: reopened, a new cycle
    deliver(settings, store)
    deliver(settings, store)
    lines = [json.loads(x) for x in (workspace / "trail.jsonl").read_text().splitlines()]
    assert [(d["event"], d["alert"]["count"], d["alert"]["status"]) for d in lines] == [
        ("trigger", 1, "new"), ("update", 3, "acknowledged"), ("resolve", 3, "resolved"), ("trigger", 4, "new")]


def test_routes_pick_destinations_by_severity_rule_tag_and_account(
        routed: Callable[..., Settings], workspace: Path, open_store: Callable[..., AlertStore]) -> None:
    settings = routed({"destinations": {
        "pager": {"type": "jsonl", "path": "pager.jsonl"},
        "iam": {"type": "jsonl", "path": "iam.jsonl", "min_severity": "medium"},
        "prod": {"type": "jsonl", "path": "prod.jsonl"},
        "all": {"type": "jsonl", "path": "all.jsonl"}},
        "routes": [{"match": {"severity": ["critical"]}, "to": "pager"},
                   {"match": {"rule_id": "aws.iam.*", "tags": ["attack.t1098*"]}, "to": "iam"},
                   {"match": {"account": 999900001111}, "to": "prod"},
                   {"to": "all"}]})
    store = open_store(settings)
    store_alerts(store, 1, prefix="crit", severity="critical", rule_id="aws.root")
    store_alerts(store, 1, prefix="iam", severity="high", rule_id="aws.iam.policy", tags=["attack.t1098.001"])
    store_alerts(store, 1, prefix="iamlow", severity="low", rule_id="aws.iam.policy", tags=["attack.t1098"])
    store_alerts(store, 1, prefix="prod", severity="low", account="999900001111")
    deliver(settings, store)

    def ids(name: str) -> list[str]:
        path = workspace / f"{name}.jsonl"
        return sorted(json.loads(x)["alert"]["id"] for x in path.read_text().splitlines()) if path.exists() else []

    assert ids("pager") == ["crit-0000"]
    assert ids("iam") == ["iam-0000"]  # iamlow is below the destination's min_severity
    assert ids("prod") == ["prod-0000"]
    assert ids("all") == ["crit-0000", "iam-0000", "iamlow-0000", "prod-0000"]


def test_old_alerts_are_not_announced_when_routing_is_switched_on(
        routed: Callable[..., Settings], open_store: Callable[..., AlertStore]) -> None:
    settings = routed({"max_age": "1h", "destinations": {"trail": {"type": "jsonl"}}})
    store = open_store(settings)
    store_alerts(store, 2)
    router = build_router(settings)
    report = router.route_pending(store, now=utcnow() + timedelta(hours=2))
    assert report.skipped_old == 2 and report.queued == [] and store.unrouted_alerts() == []
    assert sender_for(settings, store, router).drain(1.0).attempts == 0


def test_two_senders_at_once_send_each_delivery_once(
        routed: Callable[..., Settings], receiver: Callable[..., Receiver],
        open_store: Callable[..., AlertStore], backend: tuple[str, str | None]) -> None:
    import threading

    hook = receiver()
    settings = routed(hook_config(hook), env={"HOOK_SECRET": "k3y-k3y"}, backend=backend[0], endpoint=backend[1])
    ids = store_alerts(open_store(settings), 12)
    stores = [open_store(settings), open_store(settings)]  # two processes' worth of connections
    threads = [threading.Thread(target=deliver, args=(settings, s)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(r.json["alert"]["id"] for r in hook.delivered()) == ids
