"""The columns a question names for each row: "who created users and when", "- who, what, when".

Pass 8: the independent writers of dev19-dev25 read "who … and when" as the columns named (the principal and the
time of each event), not as the whole events; tests/nl/README.md's conventions table says so.
"""

from __future__ import annotations

import re

from workbench.nl.intent import Dimension, Intent
from workbench.nl.offline.conventions import event_names
from workbench.nl.offline.vocab import TIME_COLUMN, vocab_dimension

# "- who, what, when", "who/what/when": "what" as one of the columns asked is the call
_WHAT_ASKED = re.compile(r"\b(?:who|when|where)\s*(?:[,/&]|and)?\s*what(?=\s*(?:[,/&)?.]|and\b|who\b|when\b|where\b|$))|"
                         r"\bwhat\s*(?:[,/&]|and)?\s*(?:who|when|where)\b")


def _columns_beside(text: str, start: int, table: str, have: list[Dimension]) -> list[Dimension]:
    """'who deleted flow logs - when and the source ip': a column joined to the time the question asks, each row's;
    the listing showed it before, the columns named must not lose it."""
    found: list[Dimension] = []
    for joined in re.finditer(r"(?:\band|&|\bplus|\bwith|w/)\s+(?:(?:from|in|on)\s+)?(?:the\s+|its\s+|their\s+|which\s+|"
                              r"what\s+)?(?=[a-z])", text[start:]):
        hit = vocab_dimension(table, text[start + joined.end():])
        if hit and hit[0].expression not in {d.expression for d in [*have, *found]} and \
                hit[0].expression != TIME_COLUMN[table]:
            found.append(hit[0])
    return found


def _names_listed(intent: Intent) -> bool:
    """'CreateRole and AttachRolePolicy calls - who and when': two calls named, so which one each row is; a concept's
    several calls ('who stopped logging, and when') were asked as one thing"""
    words = " ".join(f.words for f in intent.filters).lower()
    return sum(name.lower() in words for name in event_names(intent)) > 1


def named_columns(text: str, start: int, intent: Intent, dims: list[Dimension]) -> list[Dimension]:
    """The time, the columns asked, any column joined to the time ('- when and the source ip'), and the call
    when 'what' is asked or two calls were named."""
    column = TIME_COLUMN[intent.table]
    # the words each column came from, for `%ask --explain`
    when = re.search(r"\bat what time\b|\bwhen\b|\btime(?:stamp)?s?\b", text[start:])
    columns = [Dimension(column, column, column, when.group(0) if when else ""), *dims]
    columns += _columns_beside(text, start, intent.table, columns)
    what = _WHAT_ASKED.search(text)
    if intent.table == "cloudtrail" and "eventname" not in {d.expression for d in columns} and (
            _names_listed(intent) or what):
        # "CreateRole and AttachRolePolicy calls", "- who, what, when": which call each was
        columns.insert(1, Dimension("eventname", "eventname", "event name", "what" if what else ""))
    return columns
