"""Flows ranked by a number of their own ("the flow with the most bytes", "the 5 smallest flows"): rows of the
table ordered by the measure, cut to the number asked. The noun's number says how many when no number is
written: "the flow" asks for one row, "the flows" for a top 10.
"""

from __future__ import annotations

import re

from workbench.nl.intent import Intent, Measure, Order
from workbench.nl.offline.listing import listing
from workbench.nl.offline.reading import Reading

_ROW = r"(?:flow|connection|transfer|session|record)"
# "which flow moved the most bytes": the verb of a flow's own volume, read with the ranking it leads to
_MOVED = re.compile(rf"\b{_ROW}s?\s+(?:that\s+|which\s+)?(moved|transferred|carried|shipped)\b")


def rank_rows(reading: Reading, intent: Intent, measure: Measure, n: int | None, words: str, ascending: bool) -> None:
    """List the rows by the measure, the fewest first when the ranking says so, n of them (one for a singular)."""
    if moved := _MOVED.search(reading.text):
        reading.consume_span(moved.start(1), moved.end(1))
    listing(intent)
    intent.order = [Order(measure.column or "bytes", descending=not ascending), *intent.order]
    singular = re.search(rf"\b{_ROW}\b", reading.text) and not re.search(rf"\b{_ROW}s\b|\b(?:ones|them)\b",
                                                                          reading.text)
    intent.limit, intent.limit_words = n or (1 if singular else 10), words
