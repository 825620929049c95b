"""Jira: create an issue per triggered alert (REST API v2 wiki markup, or v3 Atlassian Document
Format); later events (update, resolve) become comments on that issue."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from workbench.routing import escaping
from workbench.routing.destinations.base import (
    DESTINATIONS,
    DeliveryError,
    Destination,
    DestinationConfig,
    Event,
    facts,
    headline,
)

if TYPE_CHECKING:
    import httpx  # imported when a request is made: loading settings must not pay for it


class JiraConfig(DestinationConfig):
    base_url: str = Field(description="https://your-team.atlassian.net")
    api_version: Literal[2, 3] = Field(2, description="2: wiki markup bodies; 3: Atlassian Document Format")
    project: str = Field(min_length=1, description="project key, e.g. SEC")
    issue_type: str = "Task"
    user: str = Field(description="account e-mail (Cloud) or user name, for basic auth")
    api_token: Any = Field(None, description="secret: API token (Cloud) or personal access token")
    labels: list[str] = Field(default_factory=lambda: ["mantissa"])


def _label(text: str) -> str:
    # Jira labels cannot contain spaces; keep them short and plain.
    return re.sub(r"[^A-Za-z0-9_.:-]+", "-", text)[:255]


class Jira(Destination):
    type = "jira"
    Config = JiraConfig
    secret_fields = ("api_token",)
    main_secret = "api_token"
    url_fields = ("base_url",)

    @property
    def cfg(self) -> JiraConfig:
        return self.config  # type: ignore[return-value]

    def _api(self, path: str) -> str:
        return f"{self.cfg.base_url.rstrip('/')}/rest/api/{self.cfg.api_version}/{path}"

    def _auth(self) -> httpx.BasicAuth:
        import httpx

        return httpx.BasicAuth(self.cfg.user, self.secrets["api_token"])

    def wiki(self, event: Event) -> str:
        """REST v2 description: a table of escaped facts, then the report link (ours, so not escaped)."""
        lines = [f"*{escaping.jira(headline(event))}*", ""]
        lines += [f"||{escaping.jira(label)}|{escaping.jira(value, 2000) or ' '}|" for label, value in facts(event)]
        if event.report_url:
            lines += ["", f"[Investigation report|{event.report_url}]"]
        return "\n".join(lines)

    def adf(self, event: Event) -> dict[str, Any]:
        """REST v3 description: ADF text nodes are data, never parsed as markup."""
        def para(*nodes: dict[str, Any]) -> dict[str, Any]:
            return {"type": "paragraph", "content": list(nodes)}

        def text(value: str, **extra: Any) -> dict[str, Any]:
            return {"type": "text", "text": escaping.plain(value, 2000) or " ", **extra}

        content = [para(text(headline(event), marks=[{"type": "strong"}]))]
        content += [para(text(f"{label}: ", marks=[{"type": "strong"}]), text(value)) for label, value in facts(event)]
        if event.report_url:
            content.append(para(text("Investigation report", marks=[{"type": "link",
                                                                     "attrs": {"href": event.report_url}}])))
        return {"type": "doc", "version": 1, "content": content}

    def issue(self, event: Event) -> dict[str, Any]:
        alert = event.alert
        description: Any = self.wiki(event) if self.cfg.api_version == 2 else self.adf(event)
        return {"fields": {
            "project": {"key": self.cfg.project}, "issuetype": {"name": self.cfg.issue_type},
            "summary": escaping.one_line(headline(event), 250), "description": description,
            "labels": sorted({_label(x) for x in [*self.cfg.labels, alert.rule_id, *alert.tags] if x}),
        }}

    def _send(self, event: Event) -> str | None:
        if event.kind == "trigger":
            answer = self.post(self._api("issue"), json=self.issue(event), auth=self._auth())
            try:
                return str(answer.json()["key"])
            except (ValueError, KeyError, TypeError):
                raise DeliveryError("Jira created something but answered without an issue key; "
                                    "check base_url points at the Jira REST API", retryable=False) from None
        if not event.trigger_remote_id:
            return None  # no issue was created for this alert here (trigger parked or not routed)
        note = f"{headline(event)} — count {event.alert.count}, status {event.alert.status.value}"
        body: Any = escaping.jira(note) if self.cfg.api_version == 2 else {
            "type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [
                {"type": "text", "text": escaping.plain(note)}]}]}
        self.post(self._api(f"issue/{event.trigger_remote_id}/comment"), json={"body": body}, auth=self._auth())
        return event.trigger_remote_id


DESTINATIONS.register("jira", Jira)
