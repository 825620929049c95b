"""Secrets for destinations: references in config, values only in memory, never in output.

A secret field in `mantissa.yaml` holds a reference, not the secret:

    webhook_url: ${env:SLACK_WEBHOOK_URL}            an environment variable (may be part of a string)
    webhook_url: {secret_env: SLACK_WEBHOOK_URL}     the same, as a mapping
    routing_key: secretsmanager:prod/pagerduty#key   AWS Secrets Manager: name or ARN, optional JSON key
    routing_key: {secretsmanager: "arn:aws:secretsmanager:…:secret:pd#key"}

A destination may also say `secret_env: NAME` for its main secret. Literal secrets are refused:
config files get committed, and playbook parameters are archived in executed notebooks.

Secrets Manager is reached with boto3's usual configuration (region, credentials, and
`AWS_ENDPOINT_URL_SECRETS_MANAGER` for a stand-in). Every resolved value is registered with the
shared `workbench.redaction.Redactor`, which scrubs it (and the pieces of it an upstream service
may echo) from error text before it is stored or shown.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from typing import Any

from workbench.redaction import Redactor

__all__ = ["ENV_REF", "SM_PREFIX", "Redactor", "SecretError", "SecretResolver", "check_reference", "describe",
           "is_reference"]

ENV_REF = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")
SM_PREFIX = "secretsmanager:"


class SecretError(ValueError):
    """A secret reference that cannot be resolved; names the reference, never a value."""


def is_reference(value: Any) -> bool:
    if isinstance(value, Mapping):
        return set(value) in ({"secret_env"}, {"secretsmanager"})
    return isinstance(value, str) and (bool(ENV_REF.search(value)) or value.startswith(SM_PREFIX))


def describe(value: Any) -> str:
    """How a reference reads in messages (the reference itself is not secret)."""
    if isinstance(value, Mapping):
        key, ref = next(iter(value.items()))
        return f"{key}: {ref}"
    return str(value)


def check_reference(value: Any, environ: Mapping[str, str]) -> str | None:
    """The problem with a secret reference at config load, or None. Secrets Manager references are
    checked for form only here (fetched when routing starts, so loading config needs no AWS call)."""
    if not is_reference(value):
        return ("a secret must be a reference, not a literal: write ${env:NAME}, {secret_env: NAME} or "
                "secretsmanager:NAME[#json-key] (config files are committed and notebooks archived)")
    if isinstance(value, Mapping):
        if "secret_env" in value:
            value = f"${{env:{value['secret_env']}}}"
        else:
            value = f"{SM_PREFIX}{value['secretsmanager']}"
    if value.startswith(SM_PREFIX):
        name = value[len(SM_PREFIX):].split("#", 1)[0]
        return None if name.strip() else "secretsmanager: reference names no secret (secretsmanager:NAME[#key])"
    missing = [name for name in ENV_REF.findall(value) if not environ.get(name)]
    if missing:
        return (f"environment variable {', '.join(missing)} is not set (or empty); export it before running, "
                "e.g. from your secret manager or a systemd EnvironmentFile")
    return None


class SecretResolver:
    """Turns references into values: environment first, Secrets Manager fetched once per secret."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        import os

        self.environ = os.environ if environ is None else environ
        self._cache: dict[str, str] = {}
        self._lock = threading.Lock()

    def resolve(self, value: Any, where: str) -> str:
        if isinstance(value, Mapping):
            value = (f"${{env:{value['secret_env']}}}" if "secret_env" in value
                     else f"{SM_PREFIX}{value['secretsmanager']}")
        if not isinstance(value, str):
            raise SecretError(f"{where}: expected a secret reference, got {type(value).__name__}")
        if value.startswith(SM_PREFIX):
            return self._secrets_manager(value[len(SM_PREFIX):], where)

        def env(match: re.Match[str]) -> str:
            found = self.environ.get(match.group(1))
            if not found:
                raise SecretError(f"{where}: environment variable {match.group(1)} is not set")
            return found

        return ENV_REF.sub(env, value)

    def _secrets_manager(self, ref: str, where: str) -> str:
        name, _, key = ref.partition("#")
        with self._lock:
            raw = self._cache.get(name)
        if raw is None:
            import boto3
            from botocore.exceptions import BotoCoreError, ClientError

            try:
                answer = boto3.client("secretsmanager").get_secret_value(SecretId=name)
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "error")
                raise SecretError(f"{where}: Secrets Manager could not give '{name}' ({code}); check the name "
                                  "and that this role may call secretsmanager:GetSecretValue") from None
            except BotoCoreError as exc:
                raise SecretError(f"{where}: Secrets Manager unreachable for '{name}' ({type(exc).__name__})") from None
            raw = answer.get("SecretString")
            if raw is None:
                raise SecretError(f"{where}: secret '{name}' is binary; store it as a string")
            with self._lock:
                self._cache[name] = raw
        if not key:
            return raw
        try:
            data = json.loads(raw)
        except ValueError:
            raise SecretError(f"{where}: secret '{name}' is not JSON, so it has no key '{key}'") from None
        if not isinstance(data, dict) or key not in data:
            keys = ", ".join(sorted(data)) if isinstance(data, dict) else "none"
            raise SecretError(f"{where}: secret '{name}' has no JSON key '{key}' (keys: {keys})")
        return str(data[key])
