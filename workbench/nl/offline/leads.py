"""A lead sentence that says why the question is asked: "possible miner. any RunInstances in sa-east-1 …", "the
backups bucket went public. how many objects did anonymous callers download from …", "audit wants to know: did
anyone from 192.0.2.238 reach s3".

Tried only when the whole question was refused. The lead is dropped when the translator reads nothing in it on its
own: every word it holds is neutral or one the translator does not understand, so dropping it ignores no word that
was understood. A lead naming a value, a number, a modifier, a negation or an environment is kept: those may be
conditions of the question ("prod is on fire. which users …" scopes to an account no table names).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from workbench.nl.base import TranslationError
from workbench.nl.offline.neutral import NEUTRAL
from workbench.nl.offline.normalise import _BACK_REFERENCE, _MODIFIER, _VALUE

# The question proper, after a sentence end, a colon or a dash: a request, a question word or a yes/no opening
_PROPER = re.compile(r"(?:[.!?;:]\s+|\s+[—–-]{1,2}\s+)(?=(?:(?:so|and|ok|okay)\s+)?(?:(?:can|could|would|will) (?:you|u)|"
                     r"please|pls|how (?:many|much|often)|which|what|who|when|where|show|list|give|pull|get|find|count|"
                     r"any|did|does|do|has|have|had|was|were|is|are)\b)", re.IGNORECASE)
# Words that scope or deny: a lead holding one may be a condition, never only the reason for asking
_CONDITION = re.compile(r"\b(?:no|never|nobody|none|nothing|prod|production|dev|development|staging|stage|test|qa|"
                        r"sandbox|internal|external|public ips?|private)\b", re.IGNORECASE)
_UNREAD = re.compile(r"did not understand ((?:'[^']+'(?:, )?)+) in the question")
_NOTHING_READ = re.compile(r"^cannot translate .*: no IP, user, event, service, finding or traffic term I know")


# "we rotated keys on the 18th at noon; has AKIA… been used since then": the moment the question refers back to
_MOMENT = re.compile(r"\b(?:on\s+)?(the\s+\d{1,2}(?:st|nd|rd|th)|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
                     r"[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?|\d{4}-\d{2}-\d{2})(?:,?\s+at\s+(noon|midnight|"
                     r"\d{1,2}(?::\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2}))?(?![\w:-])", re.IGNORECASE)
_THEN = re.compile(r"\b(since|after|before|until)\s+(?:then|that(?:\s+time)?)\b", re.IGNORECASE)


def unread_lead(question: str, read: Callable[[str], object]) -> str:
    """The question without its lead sentence when nothing in the lead is read on its own; else the question."""
    split = _PROPER.search(question)
    if split is None:
        return question
    lead, rest = question[:split.start()], question[split.end():]
    moments = [m for m in _MOMENT.finditer(lead) if m.group(2)]
    if (then := _THEN.search(rest)) and len(moments) == 1:
        # the moment is the question's, said once in the lead: the rest of the lead is read as any lead is; a day
        # without its time is not one moment ("rotated on the 18th": since its midnight would take in the hours before)
        day, clock = moments[0].group(1, 2)
        rest = rest[:then.start()] + f"{then.group(1)} {day} at {clock}" + rest[then.end():]
        lead = lead[:moments[0].start()] + " " + lead[moments[0].end():]
    if (not lead.strip() or re.search(r"\d", lead) or _VALUE.search(lead) or _MODIFIER.search(lead)
            or _CONDITION.search(lead) or _BACK_REFERENCE.search(rest)):
        return question
    try:
        read(lead)
    except TranslationError as refusal:
        if _NOTHING_READ.match(str(refusal)):
            return rest
        listed = _UNREAD.search(str(refusal))
        # every word of the lead, digits too ("ec2 stuff - what did heidi.smith do": 'ec2' is read, 'stuff' is not)
        words = {w for w in re.findall(r"[a-z0-9][a-z0-9'-]*", lead.lower())
                 if w not in NEUTRAL and w.removesuffix("s") not in NEUTRAL and not w.endswith("'s")}
        if listed and words <= set(re.findall(r"'([^']+)'", listed.group(1))):
            return rest
    return question
