"""Close misspellings of the translator's own vocabulary, corrected before reading ("faild logins").

Only plain lower-case words of five letters or more are looked at, and only against the words the
rules read — never names, numbers or anything with a dot or dash — so a user called `stoped` stays
as typed when written as a name (`user stoped`), and an unknown word stays unknown (and, if it
matters, refused) rather than being guessed into something else.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

TERMS = (
    "accepted", "activity", "addresses", "address", "assumed", "assumptions", "attached", "attempts", "blocked",
    "buckets", "changes", "cloudtrail", "connections", "console", "created", "credential", "credentials",
    "deleted", "denied", "destination", "destinations", "disabled", "distinct", "earliest", "errors", "escalation",
    "events", "failed", "failures", "finding", "findings", "guardduty", "logging", "logins", "modified",
    "network", "packets", "policies", "policy", "principal", "principals", "privilege", "privileges", "public",
    "recent", "regions", "rejected", "resource", "sessions", "secrets", "security", "service", "services",
    "severity", "signin", "source", "sources", "stopped", "successful", "talkers", "tampering", "traffic",
    "unauthorized", "unique", "users", "without", "yesterday", "accessdenied", "highest", "largest", "daily",
    "hourly", "minutes", "hours", "count", "number", "ports", "instances", "launched", "removed", "exposure",
)
# Shorthand analysts type in a notebook cell, expanded before reading ("gd findings by day").
ABBREVIATIONS = {
    "gd": "guardduty", "ct": "cloudtrail", "hw": "how", "hm": "how many", "src": "source", "dst": "destination",
    "dest": "destination", "evts": "events", "evt": "event", "acct": "account", "accts": "accounts",
    "pkts": "packets", "conn": "connection", "conns": "connections", "num": "number", "cnt": "count",
    "yday": "yesterday", "w/o": "without", "sg": "security group", "sgs": "security groups", "svc": "service",
    "svcs": "services", "addr": "address", "addrs": "addresses", "usr": "user", "usrs": "users", "err": "error",
    "errs": "errors", "req": "request", "reqs": "requests", "mins": "minutes", "hrs": "hours", "secs": "seconds",
    "b/w": "between", "thru": "through", "pls": "please", "plz": "please", "u": "you",
    "ppl": "people", "info": "information", "sev": "severity", "crit": "critical",
}
_SHORT = re.compile(r"(?<![\w.@/:-])(" + "|".join(re.escape(k) for k in sorted(ABBREVIATIONS, key=len, reverse=True))
                    + r")(?![\w.@/:-])")
_WORD = re.compile(r"(?<![\w.@/:-])([a-z]{5,})(?![\w.@/:-])")


@lru_cache(maxsize=4096)
def _closest(word: str) -> str:
    if word in TERMS:
        return word
    match = difflib.get_close_matches(word, TERMS, n=1, cutoff=0.86)
    if not match or match[0].startswith(word) or word.startswith(match[0]):
        return word  # "event" is not a typo of "events", nor "names" of anything: leave word forms alone
    return match[0]


def correct(text: str) -> str:
    """The lower-cased text with close misspellings of vocabulary words replaced."""
    text = _SHORT.sub(lambda m: ABBREVIATIONS[m.group(1)], text)
    return _WORD.sub(lambda m: _closest(m.group(1)), text)
