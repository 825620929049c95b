"""Values of CloudTrail's rarer columns, taken out before the names are read (where each would be taken for a user,
a secret or an unknown name): a VPC endpoint ("calls through vpce-27f1…"), an event type ("the AwsServiceEvent
records"), and an error message, quoted beside the words ("the 'Failed authentication' error message") or said
to be mentioned in it ("errors whose message mentions kms:Decrypt").
"""

from __future__ import annotations

import re

from workbench.nl.intent import Filter, eq, like

_ARTICLE = r"(?:the\s+|an?\s+|that\s+|this\s+)?"
_ENDPOINT = re.compile(r"(?:\b(?:through|via|over|using|from|with|on|in)\s+)?" + _ARTICLE
                       + r"(?:(?:(?:vpc\s+)?endpoint\s+(?:id\s+)?|vpcendpointid\s+))?(?<![\w-])(?P<value>vpce-[0-9a-f]{8,17})\b", re.IGNORECASE)
# CloudTrail's event types, as the logs spell them
_EVENT_TYPE = re.compile(r"(?:\b(?:(?:where|with|of)\s+(?:the\s+)?)?(?:event\s*type|eventtype)\s*(?:=|:|is|of)?\s*)?(?P<q>['\"]?)(?P<value>Aws(?:ApiCall|"
                         r"ServiceEvent|ConsoleAction|ConsoleSignIn|CloudTrailInsight))(?P=q)(?:\s+event\s*type)?\b")
_MESSAGE = r"(?:error\s*)?(?:messages?|msg)"
_QUOTED = r"(?P<q>['\"])(?P<value>[^'\"]{3,80})(?P=q)"
_QUOTED_AFTER = r"(?P<q2>['\"])(?P<value2>[^'\"]{3,80})(?P=q2)"  # the same, in the other order's own groups
_MESSAGE_QUOTED = re.compile(rf"{_ARTICLE}{_QUOTED}\s+(?:error\s*)?(?:messages?|msg)\b|\b(?:(?:with|where|whose|having)\s+(?:an?\s+|the\s+)?)?"
                             rf"(?:error\s*)?(?:messages?|msg)\s*"
                             rf"(?:=|==|:|is|was|of|saying|that says|reading)?\s*{_QUOTED_AFTER}",
                             re.IGNORECASE)
_MESSAGE_MENTIONS = re.compile(rf"\b(?:whose\s+|with\s+(?:an?\s+|the\s+)?|where\s+(?:the\s+)?|and\s+(?:the\s+)?)?{_MESSAGE}\s+"
                               r"(?:mentions?|mentioning|contains?|containing|includes?|including|says|saying|like|has|"
                               r"with)\s+(?P<q>['\"]?)(?P<value>[A-Za-z0-9][\w:./*@-]*[\w*])(?P=q)(?=[\s,;?!]|$)",
                               re.IGNORECASE)


def take_rare_values(question: str) -> tuple[str, list[Filter]]:
    """(the question without the phrases read, their filters)."""
    found: list[Filter] = []
    for pattern, column, equal in ((_ENDPOINT, "vpcendpointid", True), (_EVENT_TYPE, "eventtype", True),
                                   (_MESSAGE_QUOTED, "errormessage", True), (_MESSAGE_MENTIONS, "errormessage", False)):
        while match := pattern.search(question):
            value = match.group("value") or match.groupdict().get("value2")
            condition = eq(column, value) if equal else like(column, f"%{value}%")
            description = f"{column} {'=' if equal else 'containing'} {value!r}"
            found.append(Filter(condition, match.group(0).strip(), description, (value,)))
            question = question[:match.start()] + " " + question[match.end():]
    return question, found
