"""Chat destinations: Slack (incoming webhook, Block Kit) and Microsoft Teams (webhook, Adaptive Card)."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from pydantic import Field

from workbench.routing import escaping
from workbench.routing.destinations.base import (
    DESTINATIONS,
    Destination,
    DestinationConfig,
    Event,
    facts,
    headline,
)

_SLACK_EMOJI = {"critical": ":rotating_light:", "high": ":red_circle:", "medium": ":large_orange_circle:",
                "low": ":large_yellow_circle:", "info": ":white_circle:"}
_TEAMS_COLOR = {"critical": "attention", "high": "attention", "medium": "warning", "low": "accent",
                "info": "default"}


class _ChatWebhook(Destination):
    """A chat message posted as JSON to the secret incoming-webhook URL; subclasses build `payload`."""

    secret_fields = ("webhook_url",)
    main_secret = "webhook_url"
    url_fields = ("webhook_url",)

    @abstractmethod
    def payload(self, event: Event) -> dict[str, Any]: ...

    def _send(self, event: Event) -> str | None:
        self.post(self.secrets["webhook_url"], json=self.payload(event))
        return None


class SlackConfig(DestinationConfig):
    webhook_url: Any = Field(None, description="secret: the incoming webhook URL")
    max_fields: int = Field(10, ge=1, le=10, description="Slack allows at most 10 fields per section")


class Slack(_ChatWebhook):
    """A Block Kit message: header, the facts as fields, and a button to the investigation report.
    Every value goes through `escaping.slack`, so log text never pings (`<!channel>`), links or formats."""

    type = "slack"
    Config = SlackConfig

    def payload(self, event: Event) -> dict[str, Any]:
        alert = event.alert
        title = headline(event)
        emoji = ":white_check_mark:" if event.kind == "resolve" else _SLACK_EMOJI[alert.severity.value]
        rows = facts(event)[: self.config.max_fields]  # type: ignore[attr-defined]
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": escaping.slack_plain(title, 150)}},
            {"type": "section", "fields": [
                {"type": "mrkdwn", "text": f"*{label}*\n{escaping.slack(value, 1900)}"} for label, value in rows]},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"{emoji} alert `{escaping.slack(alert.id)}`"
                                              f" · {escaping.slack(event.kind)}"}]},
        ]
        if event.report_url:
            blocks.append({"type": "actions", "elements": [{
                "type": "button", "text": {"type": "plain_text", "text": "Open investigation report"},
                "url": event.report_url, "action_id": "open-report"}]})
        return {"text": escaping.slack(title, 3000), "blocks": blocks, "unfurl_links": False,
                "unfurl_media": False}


class TeamsConfig(DestinationConfig):
    webhook_url: Any = Field(None, description="secret: the Teams / Power Automate workflow webhook URL")


class Teams(_ChatWebhook):
    """An Adaptive Card in a `message` envelope (what Teams workflow webhooks accept)."""

    type = "teams"
    Config = TeamsConfig

    def payload(self, event: Event) -> dict[str, Any]:
        alert = event.alert
        color = "good" if event.kind == "resolve" else _TEAMS_COLOR[alert.severity.value]
        card: dict[str, Any] = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
            "version": "1.4",
            "body": [
                {"type": "TextBlock", "text": escaping.teams(headline(event), 300), "weight": "Bolder",
                 "size": "Medium", "wrap": True, "color": color},
                {"type": "FactSet", "facts": [{"title": escaping.teams(label), "value": escaping.teams(value, 1000)}
                                              for label, value in facts(event)]},
                {"type": "TextBlock", "text": escaping.teams(f"alert {alert.id} · {event.kind}"),
                 "isSubtle": True, "size": "Small", "wrap": True},
            ],
        }
        if event.report_url:
            card["actions"] = [{"type": "Action.OpenUrl", "title": "Open investigation report",
                                "url": event.report_url}]
        return {"type": "message", "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}]}


DESTINATIONS.register("slack", Slack)
DESTINATIONS.register("teams", Teams)
