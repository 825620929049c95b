"""'which src -> dst pairs', 'which accounts and regions are active - distinct pairs': a pair of columns asked for is
each distinct combination of the two (dev23 z190, dev27 ac103), as 'which src and dst' and 'distinct accounts and
regions' read already. Other words for "pairs" beside one column are left to refuse."""

from __future__ import annotations

import re

# "src -> dst pairs", "src/dst pairs", "src → dst pairs": the two columns, as the pair's distinct values
_ARROW_PAIRS = re.compile(r"\b(?P<lead>which|what|distinct|unique|the|list(?:\s+the)?|show(?:\s+the)?)\s+"
                          r"(?P<a>[a-z]+)\s*(?:->|→|=>|/)\s*(?P<b>[a-z]+)\s+(?:pairs|combinations|combos)\b(?!\s+by\b)",
                          re.IGNORECASE)
# "which X and Y … - distinct pairs": the trailing words restate what "which X and Y" asks
_TRAILING = re.compile(r"\s*(?:[-—–:,]+|\?)\s*(?:distinct|unique)\s+(?:pairs|combinations|combos)\s*[.?!]?\s*$",
                       re.IGNORECASE)
_WHICH_TWO = re.compile(r"^\s*(?:which|what|distinct|unique)\s+[a-z ]+?\s+and\s+[a-z]+\b", re.IGNORECASE)


def pairs_as_columns(question: str) -> str:
    """The question with a pair of columns said as the two columns, distinct."""
    question = _ARROW_PAIRS.sub(lambda m: f"{m.group('lead')} distinct {m.group('a')} and {m.group('b')}"
                                if m.group("lead").lower() not in {"distinct", "unique"}
                                else f"{m.group('lead')} {m.group('a')} and {m.group('b')}", question)
    if _WHICH_TWO.match(question):
        question = _TRAILING.sub("", question)
    return question
