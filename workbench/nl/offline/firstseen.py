"""'event names seen for the first time yesterday', 'new source ips first seen on the 19th': the values that are new in
a period are those whose first time over the whole range falls inside it. Bounding the query by the period would list
every value seen in it, old ones too (each one's first time inside the period); so the period moves from the window to a
condition on each value's first time, and the query reads the whole range (the session window)."""

from __future__ import annotations

import re

from workbench.nl.intent import Intent
from workbench.nl.offline.vocab import TIME_COLUMN
from workbench.timewindow import iso_z

# the words of a first-time measure that ask when a value appeared, not the first event's time of each group
_APPEARED = re.compile(r"\b(?:seen|appeared|showed|shows?\s+up|show\s+up|first\s+time)\b")
_PER = re.compile(r"\b(?:per|each|every|by)\b")
# "never seen before": what "first" means already
_GLOSS = re.compile(r"\b(?:never|not)\s+seen\s+before\b")
# "new source ips first seen yesterday": the noun's "new" restates "first seen" (never a creation here)
_NEW = re.compile(r"^(\s*(?:which\s+|what\s+|any\s+)?)new\s+")
# "(not seen on the 18th)", "(no activity before that day)": a bracket saying what a first time is, whose own time
# would otherwise read as a second period
_BRACKET = re.compile(r"\(\s*(?:not|never|no|none)\b[^()]*\)")
_FIRST = re.compile(r"\bfirst\s+(?:time|seen)\b|\bfirst\s+(?:appeared|showed\s+up)\b")


def without_gloss(question: str) -> str:
    """'new source ips first seen yesterday (not seen on the 18th)': the bracket restates 'first seen'."""
    if not _FIRST.search(_BRACKET.sub(" ", question)):
        return question
    return _NEW.sub(r"\1", _BRACKET.sub(" ", question))


def first_seen_within(intent: Intent, text: str) -> str:
    """When the question asks which values first appeared in its period, read the period as a condition on each value's
    first time over the session window; returns the text with the words that only restate it blanked."""
    if intent.window is None or not intent.group_by or intent.bucket is not None or intent.having or intent.limit is not None:
        return text
    firsts = [m for m in intent.measures if m.func == "min" and _APPEARED.search(m.words)]
    if len(intent.measures) != 1 or not firsts or any(_PER.search(d.words or "") for d in intent.group_by):
        return text  # "first seen time per event name yesterday": each one's first time inside the day, as asked
    if _PER.search(text):
        return text  # "regions X used yesterday, with the first time it touched each": the day bounds what was used
    column = TIME_COLUMN[intent.table]
    if firsts[0].column != column:
        return text
    start, end = intent.window.start, intent.window.end
    bounds = (int(start.timestamp()), int(end.timestamp())) if intent.table == "vpc_flow" else (iso_z(start), iso_z(end))
    words = intent.window_words
    intent.having += [(">=", bounds[0], words), ("<", bounds[1], words)]
    intent.window, intent.window_words = None, f"first seen {words}, over the session window"
    return _GLOSS.sub(lambda m: " " * len(m.group(0)), text)
