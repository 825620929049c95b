"""Bad routing config fails when the settings load, with the key named; Secrets Manager references."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.routing.conftest import write_config
from workbench.config import ConfigError, load_settings
from workbench.routing import build_router
from workbench.routing.secrets import Redactor

SLACK = {"type": "slack", "webhook_url": "${env:SLACK_URL}"}
ENV = {"SLACK_URL": "https://hooks.slack.com/services/T0/B0/abc"}


@pytest.mark.parametrize(("routing", "environ", "expected"), [
    ({"destinations": {"slack-sec": {"type": "slak", "webhook_url": "${env:SLACK_URL}"}}}, ENV,
     "routing.destinations.slack-sec.type: unknown destination type 'slak' — did you mean 'slack'?"),
    ({"destinations": {"slack-sec": {"webhook_url": "${env:SLACK_URL}"}}}, ENV,
     "routing.destinations.slack-sec.type: missing"),
    ({"destinations": {"slack-sec": SLACK}}, {},
     "routing.destinations.slack-sec.webhook_url: environment variable SLACK_URL is not set"),
    ({"destinations": {"pager": {"type": "pagerduty", "secret_env": "PD_KEY"}}}, {},
     "routing.destinations.pager.routing_key: environment variable PD_KEY is not set"),
    ({"destinations": {"pager": {"type": "pagerduty"}}}, {},
     "routing.destinations.pager.routing_key: missing; give a reference"),
    ({"destinations": {"slack-sec": {"type": "slack", "webhook_url": "https://hooks.slack.com/services/x"}}}, {},
     "routing.destinations.slack-sec.webhook_url: a secret must be a reference, not a literal"),
    ({"destinations": {"slack-sec": SLACK}}, {"SLACK_URL": "ftp://files.example.com/hook"},
     "routing.destinations.slack-sec.webhook_url: URL scheme 'ftp' cannot be delivered to"),
    ({"destinations": {"slack-sec": SLACK}}, {"SLACK_URL": "hooks.slack.com/services/x"},
     "routing.destinations.slack-sec.webhook_url: URL scheme none cannot be delivered to"),
    ({"destinations": {"slack-sec": SLACK}}, {"SLACK_URL": "http://hooks.example.com/services/x"},
     "routing.destinations.slack-sec.webhook_url: URL carries a secret over plain http"),
    ({"destinations": {"hook": {"type": "webhook", "url": "file:///etc/passwd", "secret": "${env:S}"}}},
     {"S": "k"}, "routing.destinations.hook.url: URL scheme 'file' cannot be delivered to"),
    ({"destinations": {"slack-sec": {**SLACK, "channel": "#sec"}}}, ENV,
     "routing.destinations.slack-sec.channel: unknown key"),
    ({"destinations": {"slack-sec": {**SLACK, "min_severity": "urgent"}}}, ENV,
     "routing.destinations.slack-sec.min_severity: Input should be"),
    ({"destinations": {"mail": {"type": "email", "host": "smtp", "sender": "a@b", "to": "c@d", "username": "u"}}},
     {}, "routing.destinations.mail.password: missing"),
    ({"destinations": {"slack-sec": SLACK}, "routes": [{"match": {"severity": "high"}, "to": ["slack-sc"]}]},
     ENV, "routing.routes[0].to: unknown destination 'slack-sc' — did you mean 'slack-sec'?"),
    ({"destinations": {"slack-sec": SLACK}, "routes": [{"match": {"sevrity": "high"}, "to": "slack-sec"}]},
     ENV, "routing.routes[0].match.sevrity: unknown key"),
    ({"destinations": {"slack-sec": SLACK}, "routes": [{"match": {}}]}, ENV, "routing.routes[0].to: Field required"),
    ({"destinations": {"slack-sec": SLACK}, "max_age": "soon"}, ENV, "routing.max_age:"),
], ids=["unknown-type", "missing-type", "missing-env", "missing-secret-env", "missing-secret", "literal-secret",
        "ftp-scheme", "no-scheme", "plain-http-secret", "file-scheme", "unknown-key", "bad-severity",
        "email-user-without-password", "route-unknown-destination", "route-unknown-match-key", "route-without-to",
        "bad-max-age"])
def test_bad_routing_config_fails_at_load_naming_the_key(workspace: Path, routing: dict[str, Any],
                                                         environ: dict[str, str], expected: str) -> None:
    write_config(workspace, routing)
    with pytest.raises(ConfigError) as err:
        load_settings(workspace, environ=environ)
    assert expected in str(err.value)
    assert str(workspace / "mantissa.yaml") in str(err.value)
    for value in environ.values():  # a secret value is never repeated in the error
        assert value not in str(err.value) or value == "k"


def test_every_problem_is_reported_at_once(workspace: Path) -> None:
    write_config(workspace, {"destinations": {"a": {"type": "slak"}, "b": {"type": "pagerduty"}},
                             "routes": [{"to": "c"}]})
    with pytest.raises(ConfigError) as err:
        load_settings(workspace, environ={})
    message = str(err.value)
    assert "routing.destinations.a.type" in message and "routing.destinations.b.routing_key" in message
    assert "routing.routes[0].to" in message


def test_good_config_loads_and_builds(workspace: Path) -> None:
    write_config(workspace, {"destinations": {
        "slack-sec": {**SLACK, "min_severity": "medium"},
        "local": {"type": "jsonl"},
        "hook": {"type": "webhook", "url": "http://127.0.0.1:9/x", "secret": {"secret_env": "HOOK"}}},
        "routes": [{"match": {"min_severity": "high", "account": 111122223333}, "to": ["slack-sec", "hook"]},
                   {"to": "local"}]})
    settings = load_settings(workspace, environ={**ENV, "HOOK": "k3y"})
    assert set(settings.routing.destinations) == {"slack-sec", "local", "hook"}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SLACK_URL", ENV["SLACK_URL"])
        mp.setenv("HOOK", "k3y")
        router = build_router(settings)
    assert router is not None and router.routes[0].match.account == ["111122223333"]
    assert "abc" not in repr(router.destinations["slack-sec"])


def test_secrets_manager_references_resolve_when_routing_starts(
        workspace: Path, aws_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", aws_env)
    client = boto3.client("secretsmanager", region_name="us-east-1")
    arn = client.create_secret(Name="mantissa/pagerduty-test",
                               SecretString=json.dumps({"routing_key": "PDKEY-from-sm-0001"}))["ARN"]
    client.create_secret(Name="mantissa/slack-test", SecretString="https://hooks.slack.com/services/T/B/sm")
    write_config(workspace, {"destinations": {
        "pager": {"type": "pagerduty", "routing_key": f"secretsmanager:{arn}#routing_key"},
        "slack": {"type": "slack", "webhook_url": {"secretsmanager": "mantissa/slack-test"}}}})
    settings = load_settings(workspace, environ={})  # form checked at load, no AWS call yet
    router = build_router(settings)
    assert router is not None
    assert router.destinations["pager"].secrets["routing_key"] == "PDKEY-from-sm-0001"
    assert router.destinations["slack"].secrets["webhook_url"].endswith("/T/B/sm")
    # Resolved values are scrubbed from any error text the destinations produce.
    assert "PDKEY-from-sm-0001" not in router.redactor("refused key PDKEY-from-sm-0001")


@pytest.mark.parametrize(("reference", "expected"), [
    ("secretsmanager:mantissa/absent", "Secrets Manager could not give 'mantissa/absent' (ResourceNotFoundException)"),
    ("secretsmanager:mantissa/json-test#nokey", "has no JSON key 'nokey' (keys: routing_key)"),
], ids=["unknown-secret", "unknown-json-key"])
def test_secrets_manager_problems_name_the_key(workspace: Path, aws_env: str, monkeypatch: pytest.MonkeyPatch,
                                               reference: str, expected: str) -> None:
    import boto3

    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", aws_env)
    client = boto3.client("secretsmanager", region_name="us-east-1")
    try:
        client.create_secret(Name="mantissa/json-test", SecretString=json.dumps({"routing_key": "x" * 8}))
    except client.exceptions.ResourceExistsException:
        pass
    write_config(workspace, {"destinations": {"pager": {"type": "pagerduty", "routing_key": reference}}})
    with pytest.raises(ConfigError) as err:
        build_router(load_settings(workspace, environ={}))
    assert "routing.destinations.pager.routing_key" in str(err.value) and expected in str(err.value)


def test_redactor_scrubs_secrets_and_url_paths() -> None:
    redact = Redactor(["tok-ABCDEF"])
    text = "POST https://hooks.slack.com/services/T0/B0/xyz failed; token tok-ABCDEF; see http://127.0.0.1:80/"
    out = redact(text)
    assert out == "POST https://hooks.slack.com/*** failed; token ***; see http://127.0.0.1:80/"


MINIMAL = {
    "slack": {"webhook_url": "${env:U}"}, "teams": {"webhook_url": "${env:U}"},
    "pagerduty": {"routing_key": "${env:K}"}, "webhook": {"url": "${env:U}", "secret": "${env:K}"},
    "sns": {"topic_arn": "arn:aws:sns:us-east-1:111122223333:t"}, "jsonl": {},
    "email": {"host": "127.0.0.1", "sender": "a@example.com", "to": "b@example.com"},
    "jira": {"base_url": "https://team.atlassian.net", "project": "SEC", "user": "bot", "api_token": "${env:K}"},
}


def test_every_registered_destination_is_reachable_by_name(workspace: Path) -> None:
    from workbench.routing import DESTINATIONS

    assert sorted(MINIMAL) == DESTINATIONS.names()
    write_config(workspace, {"destinations": {f"d-{kind}": {"type": kind, **cfg} for kind, cfg in MINIMAL.items()}})
    environ = {"U": "https://hooks.example.com/services/x", "K": "key-0123"}
    settings = load_settings(workspace, environ=environ)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in environ.items():
            mp.setenv(key, value)
        router = build_router(settings)
    assert router is not None
    assert {name: dest.type for name, dest in router.destinations.items()} == {f"d-{k}": k for k in MINIMAL}
