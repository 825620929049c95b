"""Sums over GuardDuty findings: 'sum of the counts on Recon:EC2/PortProbeUnprotectedPort findings', 'sum of the finding
occurrence counts per instance', 'add up the service count field', 'sum of severity scores per resource type'.

A finding's `service.count` is how many times GuardDuty saw the activity it reports (its occurrences); "the counts"
of findings summed, or their occurrence / service / event count, is that number added up over the findings, never
how many findings there are (dev28 ad166, dev34 aj136 / aj152 / aj162 read it so). A sum of the severity adds the
scores. Read before the shape, whose count words ("sum of", "total") would otherwise read a count of rows. Ranked
("top 3 findings by occurrence count", dev34 aj137 / aj153), it is the findings' listing with the count beside.
"""

from __future__ import annotations

import re

from workbench.nl.intent import Dimension, Intent, Measure, Order
from workbench.nl.offline.reading import Reading

OCCURRENCES = "CAST(json_extract_scalar(service, '$.count') AS bigint)"
_SUMMED = r"(?:(?:the\s+)?sum\s+of|add(?:ed)?\s+up|total(?:led)?|summed)\s+(?:the\s+)?(?:findings?'?\s+|guard ?duty\s+)?"
_QUALIFIED = r"(?:occurrence|service|event)[\s.]+counts?(?:\s+field)?"
_OCCURRENCE_SUM = re.compile(rf"\b{_SUMMED}(?:{_QUALIFIED}|counts\b(?!\s+of\b))(?:\s+summed\b)?|"
                             rf"\b{_QUALIFIED}\s+(?:summed|added\s+up|totalled|in\s+total)\b")
_SEVERITY_SUM = re.compile(rf"\b{_SUMMED}severit(?:y|ies)(?:\s+scores?)?\b")


def finding_sums(reading: Reading) -> None:
    """Read a sum of the findings' occurrence counts or severities into the reading's measure."""
    if match := _OCCURRENCE_SUM.search(reading.text):
        reading.summed = Measure("sum", "total_count", "total occurrence count", OCCURRENCES, reading.consume(match))
    elif match := _SEVERITY_SUM.search(reading.text):
        reading.summed = Measure("sum", "total_severity", "total severity", "severity", reading.consume(match))


_RANKED = re.compile(r"\b(?:(?:the\s+)?top\s+(\d{1,2})\s+|(?:which|what)\s+(?=finding\s+(?:has|had)\b)|the\s+)?(findings?)\s+"
                     r"(?:(?:ranked\s+|sorted\s+|ordered\s+)?by|(?:has|had|with)\s+the\s+(?:biggest|largest|highest|most))\s+"
                     r"(?:their\s+|its\s+)?(?:occurrence|service|event)\s+counts?\b")


def ranked_by_occurrences(reading: Reading) -> tuple[int | None, str] | None:
    """'top 3 findings by occurrence count', 'which finding has the biggest occurrence count': how many findings and
    the words, taken out of the reading (the shape would read 'which finding' as the finding types)."""
    if not (match := _RANKED.search(reading.text)):
        return None
    # "findings by occurrence count" with no number: every finding, in that order
    count = int(match.group(1)) if match.group(1) else 1 if match.group(2) == "finding" else None
    return count, reading.consume(match)


def rank_by_occurrences(intent: Intent, ranked: tuple[int | None, str] | None) -> None:
    """The findings' listing with their occurrence count beside, the most seen first, cut to the number asked."""
    if ranked is None or intent.measures or intent.group_by or intent.distinct or intent.limit is not None:
        return
    intent.columns.append(Dimension(OCCURRENCES, "occurrences", "occurrence count", ranked[1]))
    intent.order = [Order("occurrences", descending=True), *intent.order]
    intent.limit, intent.limit_words = ranked
