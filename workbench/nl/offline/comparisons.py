"""Two days or two named values set against each other: the measure for each side, one row per side.

"failed calls yesterday vs the day before": "the day before" after "yesterday" names the calendar day before it, not
a time relative to an event, and "per day" over both days answers. "compare activity of account A and B": the verb
says the two values are the sides, as "A vs B" does.
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


# two values of one kind, each unmistakable: accounts, addresses, regions
_VALUE = r"(?:\d{12}|\d{1,3}(?:\.\d{1,3}){3}|[a-z]{2}(?:-gov)?-[a-z]+-\d)"
_TWO_VALUES = re.compile(rf"\b({_VALUE})\s*,?\s+(?:and|with|to|&|vs\.?|versus|against)\s+((?:account\s+|region\s+)?{_VALUE})\b")


def compare(question: str, now: datetime) -> str:
    """The question with its days or its two values set against each other as the readers read a comparison."""
    return compare_values(compare_days(question, now))


def compare_values(question: str) -> str:
    """"compare finding counts for A and B" as "finding counts for A vs B"; without the verb, "A and B" is both."""
    if not _COMPARE_VERB.match(question) or not (match := _TWO_VALUES.search(question)):
        return question
    question = f"{question[: match.start()]}{match.group(1)} vs {match.group(2)}{question[match.end():]}"
    return _COMPARE_VERB.sub("", question)


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
