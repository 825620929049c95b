"""A finding type asked by a part of its text ("findings whose type starts with Recon", "findings whose type mentions
IAMUser"): the words say how the type reads, so the part is matched as said, a prefix or anywhere in it.

Read before the vocabulary, since the part alone would read as something else ("IAMUser" is CloudTrail's identity
type, and refused beside findings); placed only on GuardDuty, the one table with finding types (dev28 ad082, ad159).
"""

from __future__ import annotations

import re

from workbench.nl.base import TranslationError
from workbench.nl.intent import Filter, Intent, like

_SAID = re.compile(r"\b(?:(?:whose\s+|with\s+(?:an?\s+|the\s+)?|where\s+(?:the\s+)?)(?:finding\s+)?types?\s+)"
                   r"(?:(?P<start>starts?\s+with|starting\s+with|begins?\s+with|beginning\s+with)|"
                   r"(?P<any>mentions?|mentioning|contains?|containing|includes?|including))\s+"
                   r"(?P<part>[A-Za-z][A-Za-z0-9:/.!&-]*[A-Za-z0-9!]|[A-Za-z])(?![\w:/.!&-])", re.IGNORECASE)


def take_type_patterns(question: str) -> tuple[str, list[Filter]]:
    """The question without the words that name a part of the type, and a filter for each part."""
    filters = []
    for match in _SAID.finditer(question):
        part = match.group("part")
        pattern = f"{part}%" if match.group("start") else f"%{part}%"
        how = "starting with" if match.group("start") else "containing"
        # matched whatever the case typed: "starts with recon" is the Recon types as a notebook question writes them
        filters.append(Filter(like("lower(type)", pattern.lower()), match.group(0), f"type {how} {part}", (part,)))
    return _SAID.sub(lambda m: " " * len(m.group(0)), question), filters


def place_type_patterns(intent: Intent, filters: list[Filter]) -> None:
    if filters and intent.table != "guardduty":
        raise TranslationError(f"{filters[0].words!r} asks for a GuardDuty finding type, but the rest of the question "
                               "is about another log source: ask about findings, e.g. 'findings whose type starts with "
                               "Recon'")
    for item in filters:
        intent.add(item)
