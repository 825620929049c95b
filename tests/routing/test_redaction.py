"""Upstream error bodies echo what they were sent; nothing configured as a secret may be stored or
shown from them: delivery attempts, parked deliveries, run reports, backups. A literal credential
header is refused at load, a referenced one is sent and redacted."""

from __future__ import annotations

import base64
import json
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.routing.conftest import Receiver, Request, store_alerts, write_config
from workbench.alerts import AlertStore
from workbench.backup import backup
from workbench.config import ConfigError, Settings, load_settings
from workbench.redaction import Redactor, redactor_for
from workbench.routing import deliver

pytestmark = pytest.mark.timeout(60)

SLACK_PATH = "/services/T0AAAA1111/B0BBBB2222/xoxWebhookS3cretPath42"
JIRA_TOKEN = "ATATT3xFfGF0-jira-api-token"


def echo(request: Request) -> bytes:
    """What a misbehaving proxy answers: the request line and its credential header, verbatim."""
    return json.dumps({"error": "invalid_token", "path": request.path,
                       "authorization": request.headers.get("authorization"),
                       "x-api-key": request.headers.get("x-api-key")}).encode()


def _stored_text(store: AlertStore) -> str:
    attempts = [a.model_dump_json() for a in store.delivery_attempts()]
    deliveries = [d.model_dump_json() for d in store.deliveries(limit=None)]
    return "\n".join(attempts + deliveries)


def test_echoed_webhook_path_and_basic_credential_are_never_stored(
        routed: Callable[..., Settings], receiver: Callable[..., Receiver], open_store: Callable[..., AlertStore],
        tmp_path: Path) -> None:
    slack = receiver(default=403, error_reply=echo)
    jira = receiver(default=401, error_reply=echo)
    settings = routed({"destinations": {
        "slack": {"type": "slack", "webhook_url": "${env:SLACK_URL}"},
        "tickets": {"type": "jira", "base_url": jira.url, "project": "SEC", "user": "bot@example.com",
                    "api_token": {"secret_env": "JIRA_TOKEN"}}}},
        env={"SLACK_URL": slack.url + SLACK_PATH, "JIRA_TOKEN": JIRA_TOKEN})
    store = open_store(settings)
    store_alerts(store, 2)
    run = deliver(settings, store)

    assert run.sent.parked == 4
    basic = base64.b64encode(f"bot@example.com:{JIRA_TOKEN}".encode()).decode()
    assert basic in jira.requests[0].headers["authorization"]  # really sent, and really echoed back
    assert SLACK_PATH in slack.requests[0].path
    stored = _stored_text(store) + "\n".join(run.sent.errors)
    assert "HTTP 403" in stored and "HTTP 401" in stored
    for secret in (SLACK_PATH, "xoxWebhookS3cretPath42", basic, JIRA_TOKEN):
        assert secret not in stored, secret

    archive = backup(tmp_path / "b.tar.gz", settings).destination
    with tarfile.open(archive) as tar:
        exported = tar.extractfile("store/alerts.jsonl").read().decode()  # type: ignore[union-attr]
    assert "HTTP 401" in exported and basic not in exported and "xoxWebhookS3cretPath42" not in exported


def test_a_literal_authorization_header_is_refused_at_load(workspace: Path) -> None:
    write_config(workspace, {"destinations": {"siem": {
        "type": "webhook", "url": "https://siem.example.com/in", "secret": "${env:HMAC}",
        "headers": {"Authorization": "Bearer abc.def.ghi", "X-Source": "mantissa"}}}})
    with pytest.raises(ConfigError) as err:
        load_settings(workspace, environ={"HMAC": "hmac-key-1"})
    message = str(err.value)
    assert "\n" not in message and "abc.def.ghi" not in message
    assert "routing.destinations.siem.headers.Authorization: a literal credential is refused" in message
    assert "{secret_env: SIEM_AUTHORIZATION}" in message and "X-Source" not in message


@pytest.mark.parametrize("headers", [{"X-Api-Key": "k-123456"}, {"Cookie": "session=abc"},
                                     {"X-Anything": "Basic Ym90OnRva2Vu"}], ids=["api-key", "cookie", "basic-value"])
def test_other_literal_credential_headers_are_refused(headers: dict[str, str], workspace: Path) -> None:
    write_config(workspace, {"destinations": {"siem": {
        "type": "webhook", "url": "https://siem.example.com/in", "secret": "${env:HMAC}", "headers": headers}}})
    with pytest.raises(ConfigError, match=f"headers.{next(iter(headers))}: a literal credential is refused"):
        load_settings(workspace, environ={"HMAC": "hmac-key-1"})


def test_a_referenced_header_is_sent_and_redacted_from_errors(
        routed: Callable[..., Settings], receiver: Callable[..., Receiver],
        open_store: Callable[..., AlertStore]) -> None:
    siem = receiver(default=400, error_reply=echo)
    settings = routed({"destinations": {"siem": {
        "type": "webhook", "url": f"{siem.url}/in", "secret": "${env:HMAC}",
        "headers": {"X-Api-Key": {"secret_env": "SIEM_KEY"}, "X-Source": "mantissa"}}}},
        env={"HMAC": "hmac-key-1", "SIEM_KEY": "siem-api-key-77"})
    store = open_store(settings)
    store_alerts(store, 1)
    deliver(settings, store)
    assert siem.requests[0].headers["x-api-key"] == "siem-api-key-77"
    assert siem.requests[0].headers["x-source"] == "mantissa"
    stored = _stored_text(store)
    assert "HTTP 400" in stored and "siem-api-key-77" not in stored


def test_redactor_knows_every_piece_that_comes_back() -> None:
    redact = Redactor(["https://hooks.slack.com/services/T0/B0/abcdefXYZ1234567890abc"])
    redact.add_basic("bot", "tok-ABCDEF")
    basic = base64.b64encode(b"bot:tok-ABCDEF").decode()
    echoed = (f"bad path /services/T0/B0/abcdefXYZ1234567890abc (Authorization: Basic {basic}); "
              f"segment abcdefXYZ1234567890abc; raw {basic}")
    assert redact.known(echoed) == "bad path *** (Authorization: Basic ***); segment ***; raw ***"
    plain = base64.b64encode(b"\0bot\0tok-ABCDEF").decode()  # SMTP AUTH PLAIN, as a server may echo it
    assert redact.known(f"535 rejected {plain}") == "535 rejected ***"
    # By shape, for credentials nobody registered (scrub keeps other URLs whole).
    shaped = ("x-api-key: sk-ant-api03-Zz9 Bearer eyJhbGciOi.x.y token=abc123 "
              "https://s3.amazonaws.com/b/k?X-Amz-Credential=AKIA/x&X-Amz-Signature=f00d&v=1")
    assert redact.scrub(shaped) == ("x-api-key: *** Bearer *** token=*** "
                                    "https://s3.amazonaws.com/b/k?X-Amz-Credential=***&X-Amz-Signature=***&v=1")


def test_redactor_for_settings_knows_configured_secrets(workspace: Path) -> None:
    write_config(workspace, {"destinations": {
        "pager": {"type": "pagerduty", "secret_env": "PD_KEY"},
        "hook": {"type": "webhook", "url": {"secretsmanager": "prod/pd-url"}, "secret": "secretsmanager:prod/h"},
        "tickets": {"type": "jira", "base_url": "https://team.atlassian.net", "project": "SEC",
                    "user": "bot@example.com", "api_token": "${env:JIRA_TOKEN}"}}},
        nl={"api_key_env": "MY_NL_KEY"})
    env = {"PD_KEY": "pd-routing-key-0001", "JIRA_TOKEN": JIRA_TOKEN, "MY_NL_KEY": "nl-key-abcdef"}
    redactor = redactor_for(load_settings(workspace, environ=env), env)
    basic = base64.b64encode(f"bot@example.com:{JIRA_TOKEN}".encode()).decode()
    text = f"pd-routing-key-0001 {JIRA_TOKEN} {basic} nl-key-abcdef"
    assert redactor.known(text) == "*** *** *** ***"
    for reference in ("'prod/pd-url'", "secretsmanager:prod/h"):  # names of secrets are not secrets
        assert redactor.known(f"could not give {reference}") == f"could not give {reference}"


def test_deliveries_listing_redacts_errors_stored_before_redaction_knew_them(
        routed: Callable[..., Settings], receiver: Callable[..., Receiver], workspace: Path) -> None:
    from typer.testing import CliRunner

    from tests.helpers import area_app
    from workbench.alerts import get_store
    from workbench.cli.alerts import register

    hook = receiver(default=400)
    settings = routed({"max_attempts": 1, "destinations": {"slack": {"type": "slack", "webhook_url": "${env:SLACK_URL}"}}},
                      env={"SLACK_URL": hook.url + SLACK_PATH})
    with get_store(settings) as store:
        store_alerts(store, 1)
        deliver(settings, store)
        [parked] = store.deliveries(status="parked")
        # As an older version stored it: the echoed path, raw, and a terminal escape for good measure.
        store.restore_delivery(parked.model_copy(update={
            "last_error": f"HTTP 400: bad path {SLACK_PATH}\x1b]0;x\x07", "updated_at": parked.updated_at.replace(
                year=parked.updated_at.year + 1)}))
    result = CliRunner().invoke(area_app(register), ["alerts", "deliveries"])
    assert result.exit_code == 0, result.output
    assert "HTTP 400: bad path ***" in result.output
    assert "xoxWebhookS3cretPath42" not in result.output and "\x1b" not in result.output
