"""GuardDuty's own first / last seen times, named as the finding writes them ("earliest eventFirstSeen", "latest
eventLastSeen among the port probe findings", "when was X first seen (eventFirstSeen)").

A finding's `service.eventFirstSeen` and `service.eventLastSeen` are when the activity it reports began and last
happened; `updatedat`, which "first" and "last" read elsewhere, is when GuardDuty last wrote the finding. A question
naming the field asks for that field, so the earliest or latest of it is the answer (dev28 ad068, ad163, ad164).
The field without a word saying which end ("eventFirstSeen of X") is left unread, and so refused.
"""

from __future__ import annotations

import re

from workbench.nl.base import TranslationError
from workbench.nl.intent import Intent, Measure
from workbench.nl.offline.reading import Reading

_FIELDS = {"eventfirstseen": "json_extract_scalar(service, '$.eventFirstSeen')",
           "eventlastseen": "json_extract_scalar(service, '$.eventLastSeen')"}
_EARLY, _LATE = r"earliest|first|oldest|min(?:imum)?|lowest", r"latest|last|newest|most\s+recent|max(?:imum)?|highest"
# "earliest eventFirstSeen", "the max of eventlastseen", or "first seen (eventFirstSeen)": the end said, then the field
_SAID = re.compile(rf"\b(?:the\s+)?(?:(?P<early>{_EARLY})|(?P<late>{_LATE}))\s+(?:(?:of|in|value of)\s+)?(?:the\s+)?"
                   r"(?:seen\s+|time\s+)?\(?\s*(?P<field>eventfirstseen|eventlastseen)\s*\)?")


def seen_time(reading: Reading) -> Measure | None:
    """Read the field and its end from the working text; the measure is placed after the shape (see place_seen)."""
    match = reading.find(_SAID.pattern)
    if match is None:
        return None
    func = "min" if match.group("early") else "max"
    field = match.group("field")
    words = reading.consume(match)
    if re.search(r"\b(?:eventfirstseen|eventlastseen)\b", reading.text):  # two of them: which one is the answer?
        raise TranslationError("ask for one of eventFirstSeen and eventLastSeen at a time, e.g. 'earliest eventFirstSeen "
                               "of the port probe findings'")
    alias = "first_seen" if func == "min" else "last_seen"
    return Measure(func, alias, f"{'earliest' if func == 'min' else 'latest'} {field}", _FIELDS[field], words)


def place_seen(intent: Intent, measure: Measure) -> None:
    """The earliest or latest seen time is the answer: no listing beside it. A grouping said stays ('per type');
    another measure or a ranking would make a second answer, which is refused rather than dropped."""
    # what the shape read from words the field explains: "first seen" as the time column's minimum, and the count a
    # grouping implies when no measure is said ("latest eventLastSeen per type")
    others = [m for m in intent.measures if not (m.column == "updatedat" and m.func in {"min", "max"})
              and not (m.func == "count" and not m.words)]
    if others or intent.limit is not None or intent.having:
        raise TranslationError(f"cannot read {measure.words!r} beside another count or ranking: ask for it alone, e.g. "
                               "'earliest eventFirstSeen of the port probe findings'")
    intent.columns, intent.distinct, intent.order = [], False, []
    intent.measures = [measure]
