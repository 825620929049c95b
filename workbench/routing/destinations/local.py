"""Amazon SNS (boto3) and a local JSON-lines file (the demo's, and air-gapped teams')."""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import Field

from workbench.routing import escaping
from workbench.routing.destinations.base import (
    DESTINATIONS,
    DeliveryError,
    Destination,
    DestinationConfig,
    Event,
    alert_document,
    headline,
)


class SNSConfig(DestinationConfig):
    topic_arn: str = Field(min_length=1, description="arn:aws:sns:<region>:<account>:<topic>")
    region: str | None = Field(None, description="default: the topic ARN's region")
    endpoint_url: str | None = Field(None, description="only for tests against a local AWS stand-in")


class SNS(Destination):
    """Publishes the alert document as JSON; subject and message attributes let subscribers filter."""

    type = "sns"
    Config = SNSConfig
    url_fields = ("endpoint_url",)
    default_events = ("trigger", "update", "resolve")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sns: Any = None

    def _sns_client(self) -> Any:
        if self._sns is None:
            import boto3
            from botocore.config import Config

            cfg: SNSConfig = self.config  # type: ignore[assignment]
            parts = cfg.topic_arn.split(":")
            region = cfg.region or (parts[3] if len(parts) > 3 and parts[3] else None)
            self._sns = boto3.client("sns", region_name=region, endpoint_url=cfg.endpoint_url,
                                     config=Config(connect_timeout=self.timeout_s, read_timeout=self.timeout_s,
                                                   retries={"max_attempts": 1}))
        return self._sns

    def _send(self, event: Event) -> str | None:
        from botocore.exceptions import BotoCoreError, ClientError

        doc = alert_document(event, datetime.now(UTC).isoformat(timespec="milliseconds"))
        # SNS subjects: ASCII, no newlines, at most 100 characters.
        subject = escaping.one_line(headline(event), 100).encode("ascii", "replace").decode()
        try:
            answer = self._sns_client().publish(
                TopicArn=self.config.topic_arn, Subject=subject,  # type: ignore[attr-defined]
                Message=json.dumps(doc, sort_keys=True, default=str),
                MessageAttributes={
                    "severity": {"DataType": "String", "StringValue": event.alert.severity.value},
                    "event": {"DataType": "String", "StringValue": event.kind},
                    "rule_id": {"DataType": "String", "StringValue": event.alert.rule_id}})
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            retryable = code in ("Throttling", "ThrottlingException", "InternalError", "ServiceUnavailable") \
                or (status or 500) >= 500
            raise DeliveryError(f"SNS publish to {self.config.topic_arn} failed: {code}",  # type: ignore[attr-defined]
                                retryable, status) from None
        except BotoCoreError as exc:
            raise DeliveryError(f"SNS unreachable: {type(exc).__name__}: {exc}") from None
        return answer.get("MessageId")


class JSONLConfig(DestinationConfig):
    path: str = Field("state/deliveries.jsonl", description="file to append to, relative to the workspace")


_FILE_LOCK = threading.Lock()


class JSONL(Destination):
    """Appends one JSON document per event: a readable trail with no account anywhere."""

    type = "jsonl"
    Config = JSONLConfig
    default_events = ("trigger", "update", "resolve")

    @property
    def path(self) -> Path:
        path = Path(os.path.expanduser(self.config.path))  # type: ignore[attr-defined]
        if not path.is_absolute() and self.context.workspace is not None:
            path = Path(self.context.workspace) / path
        return path

    def _send(self, event: Event) -> str | None:
        doc = alert_document(event, datetime.now(UTC).isoformat(timespec="milliseconds"))
        line = json.dumps(doc, sort_keys=True, default=str) + "\n"
        path = self.path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # One write per line on an O_APPEND descriptor: concurrent writers interleave whole lines.
            with _FILE_LOCK:
                fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
                try:
                    os.write(fd, line.encode())
                    os.fsync(fd)
                finally:
                    os.close(fd)
        except OSError as exc:
            raise DeliveryError(f"cannot append to {path}: {exc.strerror}") from None
        return None


DESTINATIONS.register("sns", SNS)
DESTINATIONS.register("jsonl", JSONL)
