"""Phrasings rewritten, before anything is read, to the words the readers know (pass 12; kept apart from
rarephrases.py, whose list other passes reorder):

- instances or sessions glossed as session names ("which instances ran as the orders-api-ec2 role (session names)",
  "how many sessions did X have (distinct session names)"): an EC2 role session is named by its instance, so the
  instances asked are the role's session names, as the gloss says (dev19 v117, dev31 ag055, ag070).
- "did 203.0.113.77 show up in the vpc flow logs at all? either direction": an address with no side said is read on
  either side already, so "either direction" restates it (dev12 o119, dev30 af065); beside a side word ("from X, in
  both directions") it is left, to be refused.
"""

from __future__ import annotations

import re

_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern, re.IGNORECASE), replacement) for
                                                            pattern, replacement in (
    (r"\b((?:which|what|distinct|unique|how\s+many)\s+(?:distinct\s+|unique\s+)?)(?:ec2\s+)?(?:instances?|sessions?)\b(.*?)"
     r"\s*\(\s*(?:(?:distinct|unique|their|the|its|by|i\.e\.?,?)\s+)*(?:role\s+)?session[\s_-]?names?\s*\)", r"\1session names\2"),
))


_EITHER_WAY = re.compile(r"\s*[,;?:-]?\s*(?:in\s+)?(?:either|both|any)\s+(?:directions?|ways?)\b", re.IGNORECASE)
_SIDE = re.compile(r"\b(?:from|to|into|towards?|src|source|dst|dest|destination|sent|received|inbound|outbound|ingress|"
                   r"egress|between|and)\b", re.IGNORECASE)


def tail_phrases(question: str) -> str:
    for pattern, replacement in _REWRITES:
        question = pattern.sub(replacement, question)
    if (either := _EITHER_WAY.search(question)) and not _SIDE.search(question[:either.start()] + question[either.end():]):
        question = question[:either.start()] + question[either.end():]
    return question
