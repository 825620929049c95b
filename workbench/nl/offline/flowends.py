"""Which end of a flow an address is when the question asks only for the other end's ports or addresses.

"68.62.167.181 - which destination ports", "which dst ports got accepted for 198.51.100.149", "rejected flow count
per destination address for 198.51.100.149": an address named with no direction word, beside a question about
destination ports or addresses, is where those flows came from — the destinations it reached (dev5 h073, dev11
n159, dev19 v191, dev31 ag112 / ag115 read it so). A port "on" an address is that host's port: "which destination
port on 10.10.1.171 sees the most flows" is the traffic it received (dev30 af156, as dev4 g089 / dev22 y086 read
"hit on 10.10.1.171"). Run once the shape is read, since only then is it known what the question asks for.
"""

from __future__ import annotations

import re

from workbench.nl.intent import Filter, Intent, Measure, eq
from workbench.nl.offline.mentions import Mentions

_DESTINATION = {"dstport", "dstaddr"}
_SOURCE = {"srcport", "srcaddr"}
# words that say the address may be either end: kept as "to or from"
_EITHER = re.compile(r"\b(?:to or from|from or to|to/from|from/to|involving|between|with|and from)\s+(?:the\s+)?"
                     r"(?:ip\s+|address\s+|host\s+)?$")


def _asked(intent: Intent) -> set[str]:
    """The columns the question asks for (listed, grouped, or measured), not those it filters on."""
    return ({d.expression for d in intent.columns + intent.group_by}
            | {m.column for m in intent.measures if m.column})


def destination_ends(intent: Intent, found: Mentions) -> None:
    if intent.table != "vpc_flow":
        return
    either = [m for m in found.of("ip") if m.direction == "any" and not m.negated and "/" not in m.value]
    asked = _asked(intent)
    if len(either) != 1 or not asked & _DESTINATION or asked & _SOURCE:
        return  # two addresses ("between A and B"), a listing (it shows both ends) or no destination asked
    mention = either[0]
    if _EITHER.search(mention.before):
        return
    said = f"to or from {mention.value}"
    place = [i for i, f in enumerate(intent.filters) if f.description == said]
    if len(place) != 1:
        return
    # "ports on 10.10.1.171": the host the ports belong to received the flows
    on_host = asked & _DESTINATION == {"dstport"} and re.search(r"\bon\s+(?:the\s+)?(?:host\s+|ip\s+|address\s+)?$",
                                                                mention.before)
    column, side = ("dstaddr", "to") if on_host else ("srcaddr", "from")
    old = intent.filters[place[0]]
    intent.filters[place[0]] = Filter(eq(column, mention.value), old.words, f"{side} {mention.value}", old.entities)


# "rejects per hour", "port 22 rejects per dst addr", "telnet port 23 rejects, how many": "rejects" is a tally of
# rejected flows wherever writers use the noun (dev, dev5, dev8, dev15, dev22 golds), so "rejects on instance i-…"
# alone is their number (dev31 ag145); asked for the rows ("show", "list", "any") it stays the listing
_TALLY = re.compile(r"\brejects\b")
_ROWS = re.compile(r"\b(?:show|list|display|give|get|rows?|records?|entries|details|flows?|any|were|was|did|is|are|"
                   r"which|what|when|last|first|latest|recent|earliest)\b")


def rejects_counted(intent: Intent, text: str) -> None:
    if intent.table != "vpc_flow" or not _TALLY.search(text) or _ROWS.search(text):
        return
    if intent.measures or intent.group_by or intent.distinct or intent.bucket or intent.limit:
        return
    if any(d.words for d in intent.columns):
        return  # columns the question named ("rejects on eni-… - src and dst"): the rows it asked for
    intent.columns, intent.order = [], []
    intent.measures = [Measure("count", "rejects", "number of rejected flows", words="rejects")]
