"""A breakdown said with the noun before it or after 'of': "errorcode breakdown", "breakdown of regions".

"breakdown by X" is a grouping already; said the other way round, 'breakdown' was a neutral word and the noun a
filter ("errorcode breakdown" listed every failed call). Rewritten as "count per X" when the noun is one a table
can be grouped by; a noun that is the rows themselves ("events breakdown") is left alone, since there is nothing
to group by in it.
"""

from __future__ import annotations

import re

from workbench.nl.offline.vocab import DIMENSIONS, vocab_dimension

_BREAKDOWN = r"break\s*-?\s*downs?"
_BEFORE = re.compile(rf"\b(?:(?:an?|the|a\s+full)\s+)?((?:[a-z]+\s+){{1,3}}?){_BREAKDOWN}\b"
                     r"(?!\s+(?:by|per|of|across|for\s+each)\b)", re.IGNORECASE)
_AFTER = re.compile(rf"\b{_BREAKDOWN}\s+of\s+(?:the\s+|all\s+)?((?:[a-z]+\s*){{1,3}}?)"
                    r"(?=$|[,?.!;]|\s+(?:yesterday|today|for|from|in|on|over|during|since|last|this|with|to)\b)",
                    re.IGNORECASE)
_ROWS = re.compile(r"(?:events?|calls?|api calls?|activity|findings?|alerts?|flows?|traffic|records?|entries|logs?|"
                   r"cloudtrail|guard ?duty|vpc)", re.IGNORECASE)


def _dimension(words: str) -> str | None:
    """The trailing words that are, whole, a dimension of some table."""
    parts = words.split()
    for start in range(len(parts)):
        noun = " ".join(parts[start:])
        if _ROWS.fullmatch(noun):
            return None
        if any((hit := vocab_dimension(table, noun.lower())) and hit[1] == len(noun) for table in DIMENSIONS):
            return noun
    return None


def breakdowns(text: str) -> str:
    def before(match: re.Match[str]) -> str:
        noun = _dimension(match.group(1))
        if noun is None:
            return match.group(0)
        return match.group(0)[:match.start(1) - match.start()] + match.group(1)[:-len(noun) - 1].rstrip() + \
            f" count per {noun}"

    def after(match: re.Match[str]) -> str:
        noun = _dimension(match.group(1).strip())
        return match.group(0) if noun is None or noun != match.group(1).strip() else f"count per {noun}"

    return _AFTER.sub(after, _BEFORE.sub(before, text))
