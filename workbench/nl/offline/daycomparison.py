"""Two calendar days set against each other: "failed calls yesterday vs the day before" → one row per day.

"the day before" after "yesterday" names the calendar day before it, not a time relative to an event; the
comparison is the measure for each of the two days side by side, which "per day" over both days answers.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_THE_DAY_BEFORE = r"(?:the\s+)?(?:day\s+before(?:\s+(?:yesterday|that|it))?|previous\s+day|prior\s+day|(?:2|two)\s+days\s+ago)"
_AGAINST = r"(?:vs\.?|versus|v\.?|compared\s+(?:to|with)|against|with|or|to)"
_YESTERDAY_FIRST = re.compile(rf"\b(?:for\s+|on\s+)?yesterday\s*,?\s*{_AGAINST}\s+(?:on\s+|for\s+)?{_THE_DAY_BEFORE}\b")
_YESTERDAY_LAST = re.compile(r"\b(?:for\s+|on\s+)?(?:the\s+)?(?:day\s+before\s+yesterday|(?:2|two)\s+days\s+ago)\s*,?\s*"
                             rf"{_AGAINST}\s+(?:for\s+|on\s+)?yesterday\b")
# a grouping by time already asked ("secrets reads per day, yesterday vs …", "per hour") is the comparison's rows
_TIME_GROUPING = re.compile(r"\b(?:per|by|each|every)\s+(?:day|hour|date|minute)\b|\b(?:daily|hourly)\b")
# "compare failed calls yesterday with …": the verb asks for the comparison the rows per day are
_COMPARE_VERB = re.compile(r"^\s*(?:please\s+)?(?:compare|comparison\s+of|contrast)\s+(?:the\s+)?")
# "did more people use X yesterday or the day before": which day had more is read from each day's number
_MORE_OR_FEWER = re.compile(r"^\s*(?:did|were\s+there|was\s+there)\s+(?:more|fewer|less)\s+")


def compare_days(question: str, now: datetime) -> str:
    """The question with "yesterday vs the day before" as "per day between <that day> and <yesterday>"."""
    match = _YESTERDAY_FIRST.search(question) or _YESTERDAY_LAST.search(question)
    if not match:
        return question
    yesterday = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    days = f"between {yesterday - timedelta(days=1):%Y-%m-%d} and {yesterday:%Y-%m-%d}"
    rest = question[: match.start()] + " " + question[match.end():]
    grouping = "" if _TIME_GROUPING.search(rest) else "per day "
    question = f"{question[: match.start()]}{grouping}{days}{question[match.end():]}"
    question = _COMPARE_VERB.sub("", question)
    return _MORE_OR_FEWER.sub("how many ", question)
