"""Phrasings rewritten, before anything is read, to the words the readers know (pass 12; kept apart from
rarephrases.py, whose list other passes reorder):

- instances or sessions glossed as session names ("which instances ran as the orders-api-ec2 role (session names)",
  "how many sessions did X have (distinct session names)"): an EC2 role session is named by its instance, so the
  instances asked are the role's session names, as the gloss says (dev19 v117, dev31 ag055, ag070).
- "did 203.0.113.77 show up in the vpc flow logs at all? either direction": an address with no side said is read on
  either side already, so "either direction" restates it (dev12 o119, dev30 af065); beside a side word ("from X, in
  both directions") it is left, to be refused;
- "kms key(s)", "kms key ids": the KMS key a request names, never the access key "key" alone reads as (dev29 ae090).
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


# "which kms keys", "kms key ids": the key the KMS request names, one word for the column readers; beside a verb on the
# key itself ("kms keys created", "scheduled kms key deletion") the verb grammar reads "kms key" as the call's object
_KMS_KEY = re.compile(r"\bkms\s+key(s?)(?:\s+id(s?))?\b", re.IGNORECASE)
_KEY_VERB = re.compile(r"\b(?:creat|new|delet|schedul|disabl|enabl|rotat|import|tag|updat|modif)\w*", re.IGNORECASE)


def tail_phrases(question: str) -> str:
    for pattern, replacement in _REWRITES:
        question = pattern.sub(replacement, question)
    if not _KEY_VERB.search(question):
        question = _KMS_KEY.sub(lambda m: f"kms kmskey{'s' if m.group(1) or m.group(2) else ''}", question)
    if (either := _EITHER_WAY.search(question)) and not _SIDE.search(question[:either.start()] + question[either.end():]):
        question = question[:either.start()] + question[either.end():]
    return question
