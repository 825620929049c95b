"""The words of alert triage that ask nothing of their own → the English the readers know.

"what else did judy.byrne@tyrell.com do", "what else came from 192.0.2.238": after an alert, "else" sets the
question beside the alerting event, but asks for all of the principal's or address's activity (two writers of
blind-style sets, dev21 and dev22, answer it so, the alerting event included). An exclusion said outright
("apart from the ConsoleLogin attempts, what else …") is read by the negation words, never by "else".
"""

from __future__ import annotations

import re

# "who else" keeps its word: the other principals than one the question does not name
_WHAT_ELSE = re.compile(r"\b(what|anything|something)\s+else\b", re.IGNORECASE)


def triage_idioms(text: str) -> str:
    return _WHAT_ELSE.sub(r"\1", text)
