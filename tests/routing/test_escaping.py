"""Attacker-controlled log text arrives as inert text in every destination's markup."""

from __future__ import annotations

import json
from collections.abc import Callable
from html.parser import HTMLParser

import pytest

from tests.routing.conftest import HOSTILE, Receiver, make_alert
from workbench.alerts import AlertStore
from workbench.config import Settings
from workbench.routing import deliver, escaping

pytestmark = pytest.mark.timeout(60)


def unslack(text: str) -> str:
    """What a Slack client shows for escaped mrkdwn text."""
    return text.replace(escaping.ZWSP, "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@pytest.mark.parametrize(("function", "raw", "must_not_contain"), [
    (escaping.slack, "<!channel> hi", ["<!channel>", "<"]),
    (escaping.slack, "<https://evil|click>", ["<https", "|click>"]),
    (escaping.slack, "*bold* _it_ ~s~ `code`", ["*bold*", "_it_", "~s~", "`code`"]),
    (escaping.html_text, "<script>alert(1)</script>", ["<script>", "</script>"]),
    (escaping.html_text, '" onmouseover="x', ['"']),
    (escaping.teams, "[link](https://evil) **b** <at>x</at>", ["[link](", "**b**", "<at>"]),
    (escaping.jira, "[link|https://evil] *b* {code}x{code} !img.png!", ["[link|", " *b*", "{code}", " !img"]),
    (escaping.one_line, "subject\r\nBcc: victim@example.com", ["\r", "\n"]),
    (escaping.plain, "evil\u202egnp.exe\x1b[31m", ["\u202e", "\x1b"]),
], ids=["slack-mention", "slack-link", "slack-format", "html-script", "html-attr", "teams-markdown",
        "jira-markup", "header-newline", "bidi-and-ansi"])
def test_escapers_disarm_markup(function: Callable[[str], str], raw: str, must_not_contain: list[str]) -> None:
    out = function(raw)
    for fragment in must_not_contain:
        assert fragment not in out


def test_slack_escaping_keeps_the_text_readable() -> None:
    assert unslack(escaping.slack(HOSTILE)) == HOSTILE


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_hostile_log_fields_arrive_inert_in_slack_teams_jira_and_email(
        routed: Callable[..., Settings], receiver: Callable[..., Receiver], open_store: Callable[..., AlertStore],
        smtp_server: object) -> None:
    slack, teams, jira = receiver(), receiver(), receiver(default=201, reply=lambda r: b'{"key": "SEC-7"}')
    settings = routed({"destinations": {
        "slack": {"type": "slack", "webhook_url": "${env:SLACK_URL}"},
        "teams": {"type": "teams", "webhook_url": "${env:TEAMS_URL}"},
        "jira": {"type": "jira", "base_url": jira.url, "project": "SEC", "user": "bot", "api_token": "${env:JT}"},
        "mail": {"type": "email", "host": "127.0.0.1", "port": smtp_server.port,  # type: ignore[attr-defined]
                 "sender": "m@example.com", "to": "soc@example.com"}}},
        env={"SLACK_URL": slack.url + "/hook", "TEAMS_URL": teams.url + "/hook", "JT": "tok-123456"})
    store = open_store(settings)
    alert = make_alert("a-hostile", title=f"Root used by {HOSTILE}",
                       fields={"userAgent": HOSTILE, "sourceIPAddress": "198.51.100.9"})
    store.upsert_alert(alert, ["ev-1"])
    run = deliver(settings, store)
    assert run.sent.delivered == 4, run.sent.errors

    # Slack: no raw angle brackets or pairable formatting in any text; the words are all there.
    payload = slack.delivered()[0].json
    header = payload["blocks"][0]["text"]
    assert header["type"] == "plain_text" and "<" not in header["text"]  # plain_text is never formatted
    mrkdwn = [payload["text"], *(f["text"] for f in payload["blocks"][1]["fields"])]
    for text in mrkdwn:
        assert "<" not in text and ">" not in text and "*bold*" not in text and "_it_" not in text
    assert any(HOSTILE in unslack(t) for t in mrkdwn), [unslack(t) for t in mrkdwn]

    # Teams: markdown punctuation escaped, no HTML tags.
    card = teams.delivered()[0].json["attachments"][0]["content"]
    dumped = json.dumps(card)
    assert "<script>" not in dumped and "<!channel>" not in dumped and "[link|" not in dumped
    values = [f["value"] for f in card["body"][1]["facts"]]
    assert any("\\*bold\\*" in v and "&lt;script&gt;" in v for v in values)

    # Jira wiki markup: every markup character backslash-escaped, so no link, no formatting.
    description = jira.delivered()[0].json["fields"]["description"]
    assert "\\[link\\|http://evil.example\\]" in description and "\\*bold\\*" in description
    assert "[link|" not in description.replace("\\[link\\|", "") and "\\{code\\}" in description

    # Email: the HTML part has only our tags; the hostile text is text, the plain part is intact.
    msg = smtp_server.messages[0]  # type: ignore[attr-defined]
    parser = _Tags()
    parser.feed(msg.get_body(("html",)).get_content())
    assert set(parser.tags) <= {"html", "body", "h2", "table", "tr", "th", "td", "p", "a"}
    assert "script" not in parser.tags and HOSTILE in "".join(parser.text)  # the parser decoded the entities
    assert HOSTILE in msg.get_body(("plain",)).get_content()
    assert "\n" not in msg["Subject"]
