"""Spans of a day said from one clock time, rewritten as the clock range the time grammar reads
("between HH:MM and HH:MM", which then needs a day, as any clock range does):

- "at 21:16 utc on nov 18": that one minute (dev33 ai157, ai159); a round "at 15:00" (or "at 3pm") may mean the hour,
  so it is left to refuse;
- "in the hour after 15:54 utc", "in the 10 minutes after 14:06 utc", "in the half hour after midnight": from the time,
  that long (dev33 ai063, ai065, ai141); "before" counts back the same way;
- "in the first hour of nov 19": from the day's midnight (dev10 l099, dev33 ai026);
- "between 20:00 utc and midnight": the range ends at the end of the day (dev33 ai023).

A span that would leave the day is not rewritten: the leftover time is refused as before.
"""

from __future__ import annotations

import re

_UNIT_MINUTES = {"minute": 1, "min": 1, "hour": 60, "hr": 60}
_COUNT = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "five": 5, "ten": 10, "fifteen": 15, "thirty": 30}
_SPAN_BARE = r"(?:(\d{1,3}|a|an|one|two|three|five|ten|fifteen|thirty)\s+)?(minute|min|hour|hr)s?"
_SPAN = r"(?:the\s+)?" + _SPAN_BARE
_UTC = r"(?:\s*(?:utc|z))?"
_AT = re.compile(rf"\bat\s+(\d{{1,2}}):(\d{{2}}){_UTC}\b(?!\s*(?:-|to\b|and\b|until\b|till\b|:))")
_AROUND = re.compile(rf"\b(?:in|during|within)\s+{_SPAN}\s+(after|before|following)\s+(\d{{1,2}}):(\d{{2}}){_UTC}\b")
# only before a day named ("of nov 19", "of the 19th", "of yesterday"): "the first hour of activity" is no clock span
_FIRST = re.compile(rf"\b(?:in|during|within)\s+(?:the\s+)?(first)\s+{_SPAN_BARE}\s+of\b(?=\s+(?:the\s+\d|\d|yesterday\b|"
                    r"today\b|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d))")
# "between 20:00 utc and 00:00": the zone said after the first end as well (the grammar reads it after the second)
_FIRST_ZONE = re.compile(r"\b((?:between|from)\s+\d{1,2}:\d{2})\s*(?:utc|z)\b(?=\s+(?:and|to|until|till)\s+\d)")
_TO_MIDNIGHT = re.compile(r"\b((?:between|from)\s+\d{1,2}:\d{2}\s+(?:and|to|until|till)\s+)00:00\b")


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _range(start: int, length: int, original: str) -> str:
    end = start + length
    if length <= 0 or start < 0 or end > 24 * 60:
        return original
    return f"between {_hhmm(start)} and {_hhmm(end)} utc"


def _length(count: str | None, unit: str) -> int:
    n = int(count) if count and count.isdigit() else _COUNT.get(count or "a", 0)
    return n * _UNIT_MINUTES[unit]


def _around(m: re.Match[str]) -> str:
    length = _length(m.group(1), m.group(2))
    at = int(m.group(4)) * 60 + int(m.group(5))
    if int(m.group(5)) > 59:
        return m.group(0)
    return _range(at - length if m.group(3) == "before" else at, length, m.group(0))


def _first(m: re.Match[str]) -> str:
    length = _length(m.group(2), m.group(3))
    return _range(0, length, m.group(0)) + " on" if length else m.group(0)


def _at(m: re.Match[str]) -> str:
    hour, minute = int(m.group(1)), int(m.group(2))
    if minute == 0 or minute > 59 or hour > 23:
        return m.group(0)
    return _range(hour * 60 + minute, 1, m.group(0))


def spans_as_ranges(text: str) -> str:
    text = _FIRST_ZONE.sub(r"\1", text)
    text = _TO_MIDNIGHT.sub(r"\g<1>24:00", text)
    text = _AROUND.sub(_around, text)
    text = _FIRST.sub(_first, text)
    return _AT.sub(_at, text)
