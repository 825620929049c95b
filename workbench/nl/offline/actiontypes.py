"""GuardDuty's action types as typed ("findings with action type PORT_PROBE", "AWS_API_CALL findings").

A finding's `service.action.actionType` says what was seen: a probe of a port, an API call, a connection, a DNS
lookup. The value is written in GuardDuty's own upper snake case; the words around it ("port", "probe", "call")
are each neutral on their own, so an unread value would vanish and the answer count every finding (dev28 ad170
did). It is placed as the field it names, and a snake-case word no rule read is refused (neutral.py).
"""

from __future__ import annotations

import re

from workbench.nl.intent import eq
from workbench.nl.offline.reading import Reading

ACTION_TYPE = "json_extract_scalar(service, '$.action.actionType')"
# the action types GuardDuty writes (its finding format's ActionType); lowercased as the working text is
_VALUES = ("port_probe", "aws_api_call", "network_connection", "dns_request", "kubernetes_api_call",
           "rds_login_attempt")
# "with action type PORT_PROBE", "whose actiontype is DNS_REQUEST", "action_type=AWS_API_CALL", or the value alone
_TYPED = re.compile(r"(?:\b(?:with|having|whose|where|of)\s+(?:an?\s+|the\s+)?)?"
                    r"(?:\baction[\s_]?types?\s*(?:=|:|\bis\b|\bof\b)?\s*)?"
                    rf"\b({'|'.join(_VALUES)})\b")


def action_types(reading: Reading) -> None:
    """Place each action type typed in a GuardDuty question as a filter on the finding's action type."""
    while match := reading.find(_TYPED.pattern):
        value = match.group(1).upper()
        words = reading.consume(match)
        reading.add(eq(ACTION_TYPE, value), words, f"with action type {value}", "action type")
