"""Escaping attacker-controlled text for each destination's markup.

Log fields (user agents, ARNs, request parameters, bucket names) are chosen by whoever made the
API call. Rendered raw, `<!channel>` pings a whole Slack channel, `<script>` runs in a mail client
that allows it, `[click|https://evil]` becomes a Jira link and `*x*` reformats a message. Every
destination passes every piece of alert text through the function for its format; the label text
we write ourselves is the only markup.
"""

from __future__ import annotations

import html
import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
ZWSP = "\u200b"


def plain(text: object, limit: int | None = None) -> str:
    """Printable text: control characters and bidi overrides (which disguise text) removed."""
    out = _CONTROL.sub("", str(text))
    if limit is not None and len(out) > limit:
        out = out[: max(limit - 1, 0)] + "…"
    return out


def one_line(text: object, limit: int | None = None) -> str:
    """Plain text on one line (subjects, summaries, headers: a newline there is an injection)."""
    return plain(re.sub(r"[\r\n\t]+", " ", str(text)), limit)


def slack(text: object, limit: int | None = None) -> str:
    """Slack mrkdwn: `&`, `<`, `>` become entities (Slack's own rule, which disarms `<!channel>`,
    `<@U123>` and `<url|label>`), and a zero-width space after each formatting character keeps
    `*bold*`, `_italic_`, `~strike~` and code spans from pairing up."""
    return re.sub(r"([*_~`])", rf"\1{ZWSP}", slack_plain(text, limit))


def slack_plain(text: object, limit: int | None = None) -> str:
    """Slack `plain_text` objects do not parse mrkdwn, but Slack still reads `<`, `>` and `&`."""
    return plain(text, limit).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def html_text(text: object, limit: int | None = None) -> str:
    """HTML body text and attribute values."""
    return html.escape(plain(text, limit), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def teams(text: object, limit: int | None = None) -> str:
    """Adaptive Card TextBlock / FactSet markdown: backslash-escape markdown punctuation, and
    `<`, `>`, `&` as entities so no client renders them as HTML."""
    out = _MD_SPECIAL.sub(r"\\\1", plain(text, limit))
    return out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_JIRA_SPECIAL = re.compile(r"([\\\[\]{}*_+\-^~?|!#])")


def jira(text: object, limit: int | None = None) -> str:
    """Jira wiki markup (REST API v2): backslash before every markup character, so `[x|url]`,
    `{code}`, `*bold*` and `!image.png!` stay text; `{noformat}` is not used as it can be closed."""
    return _JIRA_SPECIAL.sub(r"\\\1", plain(text, limit))
