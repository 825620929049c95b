"""The idioms of analysts who come from Splunk, Sentinel or Elastic → the English the readers know.

"stats count by X", "dc(X)", "distinct count of X", "timechart span=1d count by X", "bucketed per hour",
and column names typed as one word ("username", "eventName") that would otherwise read as the
placeholders the mentions leave in the text. Only rewrites that keep what is asked: a "timechart"
whose interval is not said is left as typed, and refused as a word not understood.
"""

from __future__ import annotations

import re

_SPAN_UNIT = {"m": "minute", "min": "minute", "minute": "minute", "h": "hour", "hr": "hour", "hour": "hour",
              "d": "day", "day": "day"}
# a bucket over time said elsewhere in the question: the timechart's interval
_INTERVAL = re.compile(r"\b(?:per|by|each|every|over)\s+(?:the\s+)?(?:minute|hour|day)\b|\b(?:hourly|daily)\b",
                       re.IGNORECASE)
# typed column names that are also the placeholders of mentions.py: spelt as words they are read as columns
_COLUMNS = ((r"user_?names?", "user name"), (r"event_?names?", "event name"), (r"access_?key_?ids?", "access key"))


def _span(match: re.Match[str]) -> str:
    unit = _SPAN_UNIT.get(match.group(2).lower())
    return f" per {unit} " if unit and match.group(1) == "1" else match.group(0)


def siem_idioms(text: str) -> str:
    for typed, words in _COLUMNS:
        # "by username", "eventName=…": the column; a name written with dots or dashes is left alone
        text = re.sub(rf"(?<![\w.@/:-]){typed}(?![\w.@/:-]*\w)", lambda m, w=words: w + ("s" if m.group(0).lower(
        ).endswith("s") and not w.endswith("key") else ""), text, flags=re.IGNORECASE)
    text = re.sub(r"\btimechart\s+span\s*=\s*(\d+)\s*([a-z]+)\b", _span, text, flags=re.IGNORECASE)
    # "timechart count by action per day": the interval is said, the chart is a count; "timechart by day" alone
    # names nothing to count and stays as typed
    named = re.sub(r"\b(?:timechart|count|of|by|per|the|a|an|do|can|you|u|me|over|each|every|minute|hour|day|"
                   r"hourly|daily)\b|\W", "", text, flags=re.IGNORECASE)
    if _INTERVAL.search(text) and named:
        text = re.sub(r"\b(?:do\s+)?(?:an?\s+)?timechart(?:\s+of)?\b", "count", text, flags=re.IGNORECASE)
    # "stats count by", "stats dc(x) by": SPL's reporting command before its function
    text = re.sub(r"\b(?:a\s+)?stats\s+(?=(?:count|dc|distinct_count)\b)", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(?:dc|distinct_count)\(\s*([\w. ]+?)\s*\)", r"number of distinct \1", text, flags=re.IGNORECASE)
    text = re.sub(r"\bdistinct\s+count\s+of\b", "number of distinct", text, flags=re.IGNORECASE)
    # "bucketed per hour", "binned by day": the bucket over time
    return re.sub(r"\b(?:bucketed|binned)\s+(?=(?:per|by|into|every|each)\b)", "", text, flags=re.IGNORECASE)
