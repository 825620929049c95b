"""Which end of a connection an address or port is: sent from (``from``), received at (``to``), or either (``any``).

Read from the words around the value: "from/out of/leaving X", "to/into/hitting X", "X as the destination",
"what did X send", "X received", "10.0.0.0/8 sources". Nothing here consumes words; mentions.py records the side.
"""

from __future__ import annotations

import re

# "which ports let 198.51.100.149 through": what a port lets through is the traffic it sent
_FROM = re.compile(r"\b(from|by|source|src|origin|sender|sent by|out of|left|leaving|leaves|exited|exiting|egress from|"
                   r"outbound from|destinations? of|peers? of|let)\s+(?:the\s+)?(?:ip\s+|address\s+|host\s+)?$")
_TO = re.compile(r"\b(to|towards|destination|dst|dest|into|reach|reached|reaches|reaching|hit|hitting|at|sources? of|senders? to)\s+"
                 r"(?:the\s+)?(?:ip\s+|address\s+|host\s+)?$")

# A value that is the subject of a traffic verb sent or received it: "what did 10.0.0.5 send".
_SENDS = re.compile(r"^\s*(?:\w+\s+)?(?:send|sent|sends|sending|upload\w*|transmit\w*|connect\w*|talk\w*|contact\w*|"
                    r"reach\w*|communicat\w*|initiat\w*|push\w*|hit|hits|prob\w*|scan\w*|target\w*|attack\w*|"
                    r"attempt\w*|open\w*|tr(?:y|ied|ies)|establish\w*|exfiltrat\w*|beacon\w*|"
                    r"ssh(?:ed|'d)?|rdp(?:ed|'d)?|pivot\w*|"
                    # "10.10.17.92 destinations": where it sent to, said right after it ("on i-… which destination
                    # ports got rejected" asks the ports, and says no side of the instance)
                    r"(?<!which\s)(?<!what\s)destinations?|peers?|"
                    # "10.10.16.65 total bytes out": the volume it sent, said after it
                    r"(?:bytes|packets|data|traffic)\s+(?:out|outbound|sent|egress|uploaded)|"
                    r"(?:get|gets|got|getting|go|goes|went)\s+(?:through|in)|(?:ever\s+)?(?:allowed|let|permitted)\s+(?:in|through))\b",  # "did X get through": its flows, accepted  # "10.10.17.92 destinations": where it sent to
                    re.IGNORECASE)
_RECEIVES = re.compile(r"^\s*(?:\w+\s+)?(?:receiv\w*|"
                       # "did 10.0.0.5 get connections from": what came to it, though "connections" names no side
                       r"(?:get|gets|got|getting|see|sees|saw)\s+(?:any\s+|some\s+|inbound\s+)*(?:connections?|traffic|"
                       r"flows?|hits?|requests?|probes?|scans?|packets|bytes|data|sessions?)\s+from\b|download\w*|(?:bytes|packets|data|traffic)\s+(?:inbound|received|ingress|in(?=\s*(?:$|[,;?.!]|across|over|total)))|accept\w* from|sources|senders?|listen\w*|serv(?:e|es|ed|ing)|"
                       r"accept(?:s|ed|ing)?\s+(?:\w+\s+)?(?:connections?|traffic|flows?|sessions?))\b", re.IGNORECASE)


# "10.0.0.0/8 sources", "internal destinations": a range before the noun is where those ends lie
_RANGE_SIDE = re.compile(r"^\s*(?:(sources?|src|senders?|clients?|callers?)|(destinations?|dst|targets?|servers?))\b",
                         re.IGNORECASE)


# "10.10.1.171 as the destination", "with 10.0.0.5 as source": the side is said after the value
_AS_SIDE = re.compile(r"^\s*(?:was\s+|is\s+|being\s+)?as\s+(?:the\s+|a\s+)?(?:(source|src|sender|origin|client)|"
                      r"(destination|dst|dest|target|receiver|recipient|server))\b", re.IGNORECASE)


def direction(before: str, after: str = "", value: str = "") -> str:
    if "/" in value and (side := _RANGE_SIDE.match(after)):
        return "from" if side.group(1) else "to"
    if side := _AS_SIDE.match(after):
        return "from" if side.group(1) else "to"
    # "where the source is not a 10.x address", "the destination was 10.0.0.5": the side is the copula's subject
    before = re.sub(r"\s+(?:is|are|was|were)(?:\s+not)?(?:\s+(?:in|within|inside))?(?:\s+(?:an?|the))?\s*$", " ",
                    before, flags=re.IGNORECASE)
    # "to anything other than 10.0.0.0/8", "from outside 10.0.0.0/8": the side is said before the exclusion
    before = re.sub(r"\s*\b(?:anything|anywhere|any\s+(?:address|ip|host)\w*|addresses|ips|hosts)?\s*(?:other than|"
                    r"outside(?: of)?|except(?: for)?|but not|but|not in|besides|excluding|apart from)\s+(?:the\s+)?$",
                    " ", before.lower())
    if re.search(r"\b(?:to|into) or from\s+$|\bfrom or to\s+$|\bto/from\s+$|\bfrom/to\s+$|\band from\s+$", before):
        return "any"  # "connections to or from 10.0.0.5": either side
    if re.search(r"\b(?:receiv\w*|download\w*|accepted|ingest\w*|absorb\w*|delivered)\s+(?:\w+\s+)?by\s+(?:the\s+)?"
                 r"(?:ip\s+|address\s+|host\s+)?$", before):
        return "to"  # "bytes received by 10.0.0.5": the passive of a receiving verb names the receiver, not a sender
    if _FROM.search(before):
        return "from"
    if _TO.search(before):
        return "to"
    # "received connections", "accepting connections": the receiving verb decides before the noun after it
    if re.match(r"^\s*(?:\w+\s+){0,2}(?:connect\w*|talk\w*|communicat\w*|reach\w*)\s+(?:to|with)\s+(?:anything|any\w*|"
                r"something)\s+(?:on|in|inside)\s+(?:our|the)\s+(?:network|vpc|environment)\b", after, re.IGNORECASE):
        return "any"  # "did X connect to anything on our network": the conversation, either end of its flows
    if re.match(r"^'s\s+(?:\w+\s+)?(?:attempts?|probes?|scans?|tries)\b", after, re.IGNORECASE):
        return "from"  # "198.51.100.149's connection attempts": what it tried is what it started
    return "to" if _RECEIVES.match(after) else "from" if _SENDS.match(after) else "any"
