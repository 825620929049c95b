"""Words that restate what the rest of a flow or finding question already says, reworded so the readers see it once.

- a grouping column beside its own values ("split by accept/reject action", "per direction (ingress/egress)"):
  the values name the rows the grouping makes, not a filter on one of them (dev19 v063, dev25 a101; dev7 i003 and
  dev19 u151 say the same with "vs");
- the outcome said again beside a count of it ("most rejected ports, with reject counts", dev27 ac144);
- "resource types with findings + count": a count per resource type, every row being a finding (dev25 a158);
- the table named before its column ("mean guardduty severity") and a column's "value" ("per severity value"): the
  column itself (dev23 z146, dev28 ad060, ad078);
- an address said to be the finding's remote IP: the address in the finding, as the address alone reads (dev12 o146);
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
    # "the two most rejected destination ports, with reject counts": the count of the rejected flows asked, the
    # outcome said once more (only beside the same outcome read elsewhere: never the filter's only word)
    for said, again in ((r"reject(?:ed|s)?|block(?:ed|s)?|denied|dropped", r"reject(?:ed|ion)?|block(?:ed)?|den(?:y|ied)"),
                        (r"accept(?:ed|s)?|allow(?:ed|s)?", r"accept(?:ed)?|allow(?:ed)?")):
        if match := re.search(rf"\b(with|and|plus|&)\s+(?:their\s+|the\s+)?(?:{again})\s+(counts?)\b", reading.text):
            rest = reading.text[:match.start()] + reading.text[match.end():]
            if re.search(rf"\b(?:{said})\b", rest):
                reading.text = reading.text[:match.start()] + f"{match.group(1)} {match.group(2)}".ljust(
                    len(match.group(0))) + reading.text[match.end():]


def finding_words(reading: Reading) -> None:
    # "mean guardduty severity", "per severity value": the severity column
    _reword(reading, r"\b(?:guard ?duty|gd|finding)\s+(severity)\b(?!\s+(?:band|level|bucket)s?\b)", r"\1")
    _reword(reading, r"\b(severity)\s+(?:values?|numbers?)\b", r"\1")
    # "resource types with findings + count": every row is a finding, so "with findings" says nothing more (read as the
    # finding type it would add a column); "+ count" is "& count", a count per value (dev25 a158)
    _reword(reading, r"\b((?:types?|regions?|accounts?|accountids?|account\s+ids?|severit(?:y|ies))\s+)(?:with|having|that\s+have)"
                     r"\s+(?:any\s+)?(?:guard ?duty\s+|gd\s+)?findings\b(?=\s*(?:\+|and|with|,)\s*counts?\b)", r"\1")
    _reword(reading, r"\+(\s*counts?)\b", r"&\1")  # the same length: offsets read later stay put
    # "findings that have 198.51.100.149 as the remote ip", "where the remote ip is …": the address in the finding's
    # service, where its remote addresses are (the address alone reads so already; dev12 o146)
    remote = r"remote\s+(?:ip|address)(?:\s+address)?"
    _reword(reading, rf"\b(ipaddr)\s+as\s+(?:the|its|their|a)\s+{remote}\b", r"\1")
    _reword(reading, rf"\b(?:the\s+)?{remote}\s+(?:is\s+|was\s+|=\s*|of\s+)?(?=ipaddr\b)", "")
    # "which guardduty finding came first": the earliest row ("came last": the latest)
    reading.text = re.sub(r"\b(?:which|what)\s+((?:guard ?duty\s+|gd\s+)?finding)\s+(?:came|was\s+raised|showed\s+up|"
                          r"appeared|fired)\s+(first|last)\s*\??\s*$",
                          lambda m: f"{'earliest' if m.group(2) == 'first' else 'latest'} {m.group(1)}".ljust(
                              len(m.group(0))), reading.text)
    # "findings with severity 5 or more, highest severity first": the listing in severity order
    # (a count ranked so is another question: left to the readers of counts)
    # ("findings by severity, most severe first" is read whole by the ordering's own reader: pass 7, dev22)
    if not re.search(r"\b(?:count|counts|how many|number|total|tally|per|each|by\s+severity)\b", reading.text):
        _reword(reading, r"\b(findings?\b.*?)\s*[,;-]?\s*(?:(?:highest|worst)\s+severity|most\s+severe)\s+first\s*$",
                r"\1 sorted by severity")
