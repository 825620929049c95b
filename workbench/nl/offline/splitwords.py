"""Words that restate what the rest of a flow or finding question already says, reworded so the readers see it once.

- a grouping column beside its own values ("split by accept/reject action", "per direction (ingress/egress)"):
  the values name the rows the grouping makes, not a filter on one of them (dev19 v063, dev25 a101; dev7 i003 and
  dev19 u151 say the same with "vs");
- the table named before its column ("mean guardduty severity") and a column's "value" ("per severity value"): the
  column itself (dev23 z146, dev28 ad060, ad078);
- "which finding came first": the earliest finding, one row as "the earliest finding" reads (dev28 ad177);
- ", highest severity first" after a listing of findings: sorted by severity, as "findings by severity, highest
  first" reads (dev28 ad161, dev23 y121).

Each rewrite is padded to the words it replaces, so offsets read later stay where they were.
"""

from __future__ import annotations

import re

from workbench.nl.offline.reading import Reading

_SEP = r"\s*(?:/|vs\.?|versus|or|and|,|&)\s*"
_DIRECTIONS = rf"(?:ingress|inbound){_SEP}(?:egress|outbound)|(?:egress|outbound){_SEP}(?:ingress|inbound)"
_ACTIONS = rf"(?:accept(?:ed)?|allow(?:ed)?){_SEP}(?:reject(?:ed)?|block(?:ed)?)|" \
           rf"(?:reject(?:ed)?|block(?:ed)?){_SEP}(?:accept(?:ed)?|allow(?:ed)?)"
_GROUPED = r"(?:per|by|each|split\s+by|broken\s+down\s+by|grouped\s+by)\s+(?:the\s+)?(?:flow\s+)?"


def _reword(reading: Reading, pattern: str, replacement: str) -> None:
    reading.text = re.sub(pattern, lambda m: m.expand(replacement).ljust(len(m.group(0))), reading.text)


def flow_splits(reading: Reading) -> None:
    for column, values in (("direction", _DIRECTIONS), ("action", _ACTIONS)):
        # "per direction (ingress/egress)", "by action: accept or reject" (the brackets may be gone already)
        _reword(reading, rf"\b({_GROUPED}{column})\s*(?:\(\s*(?:{values})\s*\)|[:-]?\s*(?:{values})\b)", r"\1")
        # "split by accept/reject action": the values between the grouping word and the column's name
        _reword(reading, rf"\b({_GROUPED})(?:{values})\s+{column}s?\b", rf"\1{column}")


def finding_words(reading: Reading) -> None:
    # "mean guardduty severity", "per severity value": the severity column
    _reword(reading, r"\b(?:guard ?duty|gd|finding)\s+(severity)\b(?!\s+(?:band|level|bucket)s?\b)", r"\1")
    _reword(reading, r"\b(severity)\s+(?:values?|numbers?)\b", r"\1")
    # "which guardduty finding came first": the earliest row ("came last": the latest)
    reading.text = re.sub(r"\b(?:which|what)\s+((?:guard ?duty\s+|gd\s+)?finding)\s+(?:came|was\s+raised|showed\s+up|"
                          r"appeared|fired)\s+(first|last)\s*\??\s*$",
                          lambda m: f"{'earliest' if m.group(2) == 'first' else 'latest'} {m.group(1)}".ljust(
                              len(m.group(0))), reading.text)
    # "findings with severity 5 or more, highest severity first": the listing in severity order
    # (a count ranked so is another question: left to the readers of counts)
    if not re.search(r"\b(?:count|counts|how many|number|total|tally|per|each)\b", reading.text):
        _reword(reading, r"\b(findings?\b.*?)\s*[,;-]?\s*(?:(?:highest|worst)\s+severity|most\s+severe)\s+first\s*$",
                r"\1 sorted by severity")
