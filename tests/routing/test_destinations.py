"""Each destination over its real protocol to a receiver on 127.0.0.1 (HTTP, SMTP, SNS on moto)."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.routing.conftest import Receiver, store_alerts
from workbench.alerts import AlertStore
from workbench.config import Settings
from workbench.routing import deliver
from workbench.routing.destinations.http import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

pytestmark = pytest.mark.timeout(60)


def slack_alert_ids(receiver: Receiver) -> list[str]:
    found = []
    for request in receiver.delivered():
        context = request.json["blocks"][2]["elements"][0]["text"]
        found.append(re.search(r"alert `([^`]+)`", context).group(1))
    return found


def test_slack_answering_500_then_200_delivers_every_alert_exactly_once(
        routed: Callable[..., Settings], receiver: Callable[..., Receiver], open_store: Callable[..., AlertStore],
        backend: tuple[str, str | None]) -> None:
    slack = receiver()
    slack.fail_next(3, status=500)
    settings = routed({"destinations": {"slack-sec": {"type": "slack", "webhook_url": "${env:SLACK_URL}"}}},
                      env={"SLACK_URL": f"{slack.url}/services/T0/B0/s3cr3tpath"}, backend=backend[0],
                      endpoint=backend[1])
    store = open_store(settings)
    ids = store_alerts(store, 4)

    run = deliver(settings, store)

    assert [r.status for r in slack.requests[:3]] == [500, 500, 500]
    assert sorted(slack_alert_ids(slack)) == ids  # each once, after recovery
    assert run.sent.delivered == 4 and run.sent.failed == 3 and run.open_after == 0
    assert all(r.path == "/services/T0/B0/s3cr3tpath" for r in slack.requests)
    # Re-running routing and sending over the same state sends nothing more.
    again = deliver(settings, store)
    assert again.sent.attempts == 0 and len(slack.requests) == 7
    stats = store.delivery_stats()["slack-sec"]
    assert (stats["attempts"], stats["delivered"], stats["failures"], stats["parked"]) == (7, 4, 3, 0)
    assert stats["latency_ms_p50"] is not None and stats["open_now"] == 0


def test_pagerduty_trigger_then_resolve_with_the_same_dedup_key(
        routed: Callable[..., Settings], receiver: Callable[..., Receiver],
        open_store: Callable[..., AlertStore]) -> None:
    def accepted(request: object) -> bytes:
        return json.dumps({"status": "success", "message": "Event processed",
                           "dedup_key": request.json["dedup_key"]}).encode()  # type: ignore[attr-defined]

    pd = receiver(default=202, reply=accepted)
    settings = routed({"base_url": "https://wb.example.com/team/",
                       "destinations": {"pager": {"type": "pagerduty", "secret_env": "PD_KEY",
                                                  "events_url": f"{pd.url}/v2/enqueue"}}},
                      env={"PD_KEY": "R0UT1NGKEY0123456789"})
    store = open_store(settings)
    [alert_id] = store_alerts(store, 1)
    deliver(settings, store)
    # A recurrence is not a new page: PagerDuty takes trigger and resolve by default.
    store.upsert_alert(store.get(alert_id), ["a-ev-extra"])
    deliver(settings, store)
    store.set_status(alert_id, "resolved", actor="ana")
    deliver(settings, store)

    sent = [r.json for r in pd.delivered()]
    assert [s["event_action"] for s in sent] == ["trigger", "resolve"]
    assert {s["dedup_key"] for s in sent} == {alert_id}
    assert {s["routing_key"] for s in sent} == {"R0UT1NGKEY0123456789"}
    trigger = sent[0]
    assert trigger["payload"]["severity"] == "error" and trigger["payload"]["component"] == "aws.console_login_failures"
    assert trigger["payload"]["custom_details"]["source_ip"] == "203.0.113.7"
    assert trigger["links"] == [{"href": f"https://wb.example.com/team/reports/investigations/{alert_id}.html",
                                 "text": "Investigation report"}]
    assert [d.remote_id for d in store.deliveries(alert_id=alert_id) if d.kind == "trigger"] == [alert_id]


def test_webhook_signature_verifies_over_the_raw_body(
        routed: Callable[..., Settings], receiver: Callable[..., Receiver],
        open_store: Callable[..., AlertStore]) -> None:
    hook = receiver()
    secret = "whsec-5f1e0c7a9b"
    settings = routed({"destinations": {"siem": {"type": "webhook", "url": f"{hook.url}/ingest",
                                                 "secret": "${env:HOOK_SECRET}", "headers": {"X-Team": "sec"}}}},
                      env={"HOOK_SECRET": secret})
    store = open_store(settings)
    [alert_id] = store_alerts(store, 1)
    before = int(time.time())
    deliver(settings, store)

    [request] = hook.delivered()
    assert verify(secret, request.body, request.headers[SIGNATURE_HEADER.lower()])
    assert not verify(secret, request.body + b" ", request.headers[SIGNATURE_HEADER.lower()])
    assert not verify("another-secret", request.body, request.headers[SIGNATURE_HEADER.lower()])
    assert before - 1 <= int(request.headers[TIMESTAMP_HEADER.lower()]) <= int(time.time()) + 1
    doc = request.json
    assert doc["event"] == "trigger" and doc["alert"]["id"] == alert_id and doc["alert"]["count"] == 1
    assert request.headers["x-mantissa-delivery"] == doc["delivery_id"] and request.headers["x-team"] == "sec"
    assert secret not in request.body.decode()


def test_sns_publishes_the_alert_document(routed: Callable[..., Settings], aws_env: str,
                                          open_store: Callable[..., AlertStore]) -> None:
    import boto3

    sns = boto3.client("sns", endpoint_url=aws_env, region_name="us-east-1")
    sqs = boto3.client("sqs", endpoint_url=aws_env, region_name="us-east-1")
    topic = sns.create_topic(Name="mantissa-alerts-test")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="mantissa-alerts-sub")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    settings = routed({"destinations": {"bus": {"type": "sns", "topic_arn": topic, "endpoint_url": aws_env}}})
    store = open_store(settings)
    [alert_id] = store_alerts(store, 1)
    run = deliver(settings, store)
    assert run.sent.delivered == 1

    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
    envelope = json.loads(messages[0]["Body"])
    doc = json.loads(envelope["Message"])
    assert doc["alert"]["id"] == alert_id and doc["event"] == "trigger"
    assert envelope["Subject"].startswith("[HIGH] Failed console logins")
    assert envelope["MessageAttributes"]["severity"]["Value"] == "high"
    [delivery] = store.deliveries(alert_id=alert_id)
    assert delivery.remote_id == envelope["MessageId"]


def test_email_over_smtp_with_login_plain_text_and_html(
        routed: Callable[..., Settings], open_store: Callable[..., AlertStore], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from tests.routing.conftest import free_port

    logins: list[tuple[bytes, bytes]] = []
    received: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
            received.append(envelope.content)  # type: ignore[attr-defined]
            return "250 OK"

    def authenticator(server: object, session: object, envelope: object, mechanism: str, data: object) -> AuthResult:
        logins.append((data.login, data.password))  # type: ignore[attr-defined]
        return AuthResult(success=data.password == b"smtp-pa55")  # type: ignore[attr-defined]

    controller = Controller(Handler(), hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        settings = routed({"destinations": {"mail": {
            "type": "email", "host": "127.0.0.1", "port": controller.port, "sender": "mantissa@example.com",
            "to": ["soc@example.com", "lead@example.com"], "username": "mantissa",
            "password": {"secret_env": "SMTP_PASSWORD"}}}}, env={"SMTP_PASSWORD": "smtp-pa55"})
        store = open_store(settings)
        [alert_id] = store_alerts(store, 1)
        run = deliver(settings, store)
    finally:
        controller.stop()
    assert run.sent.delivered == 1 and logins == [(b"mantissa", b"smtp-pa55")]
    from email import message_from_bytes, policy

    msg = message_from_bytes(received[0], policy=policy.default)
    assert msg["Subject"] == f"[mantissa] [HIGH] Failed console logins ({alert_id})"
    assert msg["To"] == "soc@example.com, lead@example.com"
    plain = msg.get_body(("plain",)).get_content()
    html_part = msg.get_body(("html",)).get_content()
    assert "Source IP" in plain and "203.0.113.7" in plain and "<" not in plain.split("\n")[0]
    assert "<table>" in html_part and "203.0.113.7" in html_part


def test_email_refused_recipient_is_parked_and_a_busy_server_retried(
        routed: Callable[..., Settings], open_store: Callable[..., AlertStore]) -> None:
    from aiosmtpd.controller import Controller

    from tests.routing.conftest import free_port

    answers = ["451 4.3.2 try again later", "550 5.1.1 no such mailbox"]
    seen: list[str] = []

    class Handler:
        async def handle_RCPT(self, server: object, session: object, envelope: object, address: str,
                              options: list) -> str:  # noqa: N802
            seen.append(address)
            return answers.pop(0) if answers else "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings = routed({"destinations": {"mail": {
            "type": "email", "host": "127.0.0.1", "port": controller.port, "sender": "m@example.com",
            "to": "soc@example.com"}}})
        store = open_store(settings)
        store_alerts(store, 1)
        run = deliver(settings, store)
    finally:
        controller.stop()
    [parked] = store.deliveries(status="parked")
    # 451 is "come back later" (retried), 550 is a refusal retrying cannot change (parked at once).
    assert run.sent.attempts == 2 and parked.attempts == 2 and seen == ["soc@example.com"] * 2
    assert "refused every recipient" in parked.last_error and "not retryable" in parked.last_error


def test_jira_creates_an_issue_and_comments_on_resolve(
        routed: Callable[..., Settings], receiver: Callable[..., Receiver],
        open_store: Callable[..., AlertStore]) -> None:
    jira = receiver(default=201, reply=lambda r: b'{"id": "10042", "key": "SEC-42"}')
    settings = routed({"destinations": {"tickets": {
        "type": "jira", "base_url": jira.url, "project": "SEC", "user": "bot@example.com",
        "api_token": "${env:JIRA_TOKEN}", "issue_type": "Bug"}}}, env={"JIRA_TOKEN": "atl-t0ken"})
    store = open_store(settings)
    [alert_id] = store_alerts(store, 1)
    deliver(settings, store)
    store.set_status(alert_id, "resolved", actor="ana")
    deliver(settings, store)

    create, comment = jira.delivered()
    assert create.path == "/rest/api/2/issue" and comment.path == "/rest/api/2/issue/SEC-42/comment"
    expected = "Basic " + base64.b64encode(b"bot@example.com:atl-t0ken").decode()
    assert create.headers["authorization"] == comment.headers["authorization"] == expected
    fields = create.json["fields"]
    assert fields["project"] == {"key": "SEC"} and fields["issuetype"] == {"name": "Bug"}
    assert fields["summary"] == f"[HIGH] Failed console logins ({alert_id})"
    assert "mantissa" in fields["labels"] and "attack.t1110" in fields["labels"]
    assert "Resolved" in comment.json["body"]
    assert {d.kind: d.remote_id for d in store.deliveries(alert_id=alert_id)} == {"trigger": "SEC-42",
                                                                                   "resolve": "SEC-42"}


def test_jsonl_appends_one_document_per_event(routed: Callable[..., Settings], workspace: Path,
                                              open_store: Callable[..., AlertStore]) -> None:
    settings = routed({"destinations": {"trail": {"type": "jsonl", "path": "out/deliveries.jsonl"}}})
    store = open_store(settings)
    ids = store_alerts(store, 3)
    deliver(settings, store)
    store.upsert_alert(store.get(ids[0]), ["a-ev-more"])  # a recurrence: jsonl takes updates
    store.set_status(ids[1], "resolved", actor="ana")
    deliver(settings, store)
    lines = [json.loads(line) for line in (workspace / "out" / "deliveries.jsonl").read_text().splitlines()]
    assert [(d["event"], d["alert"]["id"]) for d in lines] == [
        *[("trigger", i) for i in ids], ("update", ids[0]), ("resolve", ids[1])]
    assert lines[3]["alert"]["count"] == 2
