"""A column asked of a named thing in a full sentence: "what's the principal id of the svc-reporting user", "what
was the region of the DeleteTrail call", "what are the user agents for 10.0.0.5" ask for the values of that
column, as "which principal id of …" does; so does the column opening the question ("public ip of the
instance in the bitcoin finding"); and one asked of everyone ("which tls versions do clients use"). Only before "of / for / on / behind / used by", where the noun
cannot be the start of a longer phrase the readers know ("what's the user with the most calls").
"""

from __future__ import annotations

import re

from workbench.nl.offline.vocab import DIMENSIONS

_KEYS = "|".join(re.escape(k) for k in sorted({k for vocab in DIMENSIONS.values() for k in vocab}, key=len, reverse=True))
_WHAT_IS_THE = re.compile(r"(?:\bwhat(?:'s|s|\s+is|\s+are|\s+was|\s+were)\s+(?:the|its|their|his|her)\s+|^\s*(?:the\s+)?"
                          # a question opening with its rows ("events for alice", "calls on tyrell-backups", "errors for
                          # bob": the failed calls) lists them
                          r"(?!(?:events?|calls?|api\s+calls?|apis?|actions?|operations?|requests?|findings?|finding\s+types?|"
                          r"activity|records?|entries|sessions?|errors)\s))"
                          # both openings only before "of / for / …" ("what were the new users called" asks no column)
                          # or "in" a finding named ("remote ip in the Stealth:… finding", dev28 ad185): the finding's
                          rf"(?=(?:{_KEYS})(?:e?s)?\s+(?:of|for|on|behind|used\s+by|in(?=\s+(?:the|this|that)\s+"
                          r"(?:\S+\s+){0,3}?findings?\b))\b)")


# "which tls versions do clients use": everyone's calls, as "which tls versions are used" asks
_ANYONE_USES = re.compile(rf"\b((?:which|what)\s+(?:{_KEYS})(?:e?s)?)\s+(?:do|does|did)\s+(?:the\s+|our\s+)?"
                          r"(?:clients|callers|people|principals|identities|users)\s+use\b")


# "time the public access block got deleted on X?", "exact time svc-reporting was created": a clause after "time"
# asks when it happened, as "when did … get deleted" does (dev31 ag122); "time of the latest finding" is not a clause
_TIME_OF_CLAUSE = re.compile(r"^\s*(?:(?:what(?:'s|s|\s+is|\s+was)\s+)?(?:the|exact)\s+)*time\s+(?:that\s+|when\s+)?"
                             r"(?=(?!of\b)(?:[\w./-]+\s+){1,4}(?:got|was|were|get)\s+\w+(?:ed|en)\b)")


def column_asked(text: str) -> str:
    text = _TIME_OF_CLAUSE.sub("when ", text)
    text = _ANYONE_USES.sub(r"\1 used", text)
    return _WHAT_IS_THE.sub(lambda m: "which ".ljust(len(m.group(0))), text)
