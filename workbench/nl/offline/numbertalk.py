"""Numbers and counts as they are written in questions about numbers (dev34): rewritten, before anything is read,
into the words the readers know.

- "at least 1,000,000 bytes": a number with thousands separators is the number. Only where a number is plainly a
  quantity (before a unit or after a comparison), since "ports 22,443" is a list of two ports.
- "how many ingress and how many egress flows": the count said again before the second value is the same count,
  one per value, as "how many ingress and egress flows" reads.
- "a severity of exactly 2": "exactly" beside a column's value is that value, never a condition on a count.
- "the single largest transfer": a transfer ranked by size is a flow (the logs' record of one transfer).
- "(service.count)" after the words for a finding's count names the same field: read by its words (findingsums.py).
- "flows involving X either way": the address at either end (read once the filters are placed).
"""

from __future__ import annotations

import re

from workbench.nl.intent import Intent
from workbench.nl.offline.reading import Reading

_UNIT = r"(?:bytes?|packets?|[kmg]b|calls?|events?|flows?|findings?|requests?|times|errors?|records?|connections?)"
_COMPARED = r"(?:than|least|most|over|under|above|below|exceeding|exceeds|past|beyond|>=?|<=?|=)"
_GROUPED = re.compile(rf"(\b{_COMPARED}\s*|(?<![\w,.]))(\d{{1,3}}(?:,\d{{3}})+)(?![\d,.])(?=(\s*{_UNIT}\b)?)",
                      re.IGNORECASE)
_HOW_MANY_AGAIN = re.compile(r"\b(how many|number of)\s+([\w-]+)\s+(and|or|vs\.?|versus)\s+(?:how many|the number of|"
                             r"number of)\s+(?=[\w-]+\s)", re.IGNORECASE)
_EXACTLY = re.compile(r"\b(severity|sev|port|dst ?port|src ?port)\s+(?:(?:of|is|=|equal to|equals|equalling)\s+)?"
                      r"exactly\s+(?=\d)", re.IGNORECASE)
# "total event count summed over all guardduty findings (service.count)": the field named after the words that name it
_GLOSS = re.compile(r"(?<=\bcount\b)(.*?)\s*\(\s*service\.count\s*\)|(?<=\bcounts\b)(.*?)\s*\(\s*service\.count\s*\)",
                    re.IGNORECASE)
_TRANSFER = re.compile(r"\b((?:largest|biggest|heaviest|smallest)\s+(?:single\s+)?)transfer(s?)\b", re.IGNORECASE)


def number_talk(question: str) -> str:
    question = _GROUPED.sub(lambda m: m.group(1) + m.group(2).replace(",", "") if m.group(1).strip() or m.group(3)
                            else m.group(0), question)
    question = _HOW_MANY_AGAIN.sub(r"\1 \2 \3 ", question)
    question = _EXACTLY.sub(lambda m: f"{m.group(1)} ", question)
    question = _GLOSS.sub(lambda m: m.group(1) or m.group(2) or "", question)
    return _TRANSFER.sub(r"\1flow\2", question)


# "flows involving 203.0.113.77 either way": the address at either end, which an address with no side word reads as
_EITHER_WAY = re.compile(r"[,;-]?\s*\b(?:in\s+)?either\s+(?:way|direction)\b")


def either_way(reading: Reading, intent: Intent) -> None:
    """Read "either way" / "either direction" beside addresses that are each read as to-or-from; left unread (and
    so refused) when an address has a side, where the words would contradict it."""
    if intent.table != "vpc_flow" or not (match := _EITHER_WAY.search(reading.text)):
        return
    ends = [f.description for f in intent.filters if f.entities and "addr" in f.condition.sql()]
    if ends and all(d.startswith("to or from ") for d in ends):
        reading.consume(match)
