"""Conditions on the count of each group: 'more than 10 failed logins', '5 or more distinct ports'.

Read into the intent's HAVING on its first measure: a count of rows, or of the distinct values of a
column ('distinct ports' → count(DISTINCT dstport)).
"""

from __future__ import annotations

import re

from workbench.nl.base import TranslationError
from workbench.nl.intent import Measure
from workbench.nl.offline.reading import Reading
from workbench.nl.offline.vocab import vocab_dimension

_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_NUMBER = r"(\d+|" + "|".join(_WORDS) + ")"
_ROW_NOUNS = (r"(?:times|errors?|calls?|events?|requests?|flows?|connections?|findings?|failures?|attempts?|logins?|"
              r"denials?|sign-?ins?)\b")
_COMPARED = r"(?:\w+\s+){0,2}?" + _ROW_NOUNS
THRESHOLD = (r"\b(more than|over|greater than|at least|fewer than|less than|under|at most|exactly)\s+" + _NUMBER + r"\s+"
              + _COMPARED + "|"
              # "more than 10 errors" with "errors" already read as the failure filter
              r"\b(more than|over|greater than|at least|fewer than|less than|under|at most|exactly)\s+" + _NUMBER
              + r"(?:\s+only\b)?(?=\s{2,}\S|\s*$)|"
              r"\b" + _NUMBER + r"\s*(or more|or over|or above|\+|or fewer|or less|or under)\s+" + _COMPARED + "|"
              # "10 or more failed console logins" with the logins already read as the filter
              r"\b" + _NUMBER + r"\s*(or more|or over|or above|\+|or fewer|or less|or under)(?=\s{2,}\S|\s*$)")


def threshold(reading: Reading) -> tuple[str, int, str] | None:
    """'more than 100 errors', 'at least 5 times': a condition on the count of each group."""
    match = re.search(THRESHOLD, reading.text)
    if not match:
        return None
    pairs = ((1, 2), (3, 4), (6, 5), (8, 7))  # (comparison, number) of each alternative of THRESHOLD
    said, number = next((match.group(a), match.group(b)) for a, b in pairs if match.group(a))
    op = {"more than": ">", "over": ">", "greater than": ">", "at least": ">=", "fewer than": "<", "less than": "<",
          "under": "<", "at most": "<=", "exactly": "=", "or more": ">=", "or over": ">=", "or above": ">=", "+": ">=",
          "or fewer": "<=", "or less": "<=", "or under": "<="}[said]
    words = reading.consume(match)
    value = _WORDS.get(number) or int(number)
    if (op, value) in {(">=", 1), (">", 0)}:
        # "instance ids with at least one REJECT flow": every group has one, so it is the plain listing of the
        # values that have such rows, with no count beside them
        return None
    return op, value, words


def second_bound(reading: Reading, first: tuple[str, int, str] | None) -> tuple[str, int, str] | None:
    """'fewer than 30 flows but more than 3': the second bound of a range on the same count. 'fewer than 5 errors
    but over 300 calls' bounds two counts, one of them over a part of the rows (the errors, read as a filter): one
    count under both bounds would answer neither, so it is refused."""
    if first is None or (bound := threshold(reading)) is None:
        return None
    nouns = [re.search(_ROW_NOUNS + r"$", words) for words in (first[2], bound[2])]
    # "calls", "events", "requests", "times": the same rows counted under any of these names
    same = {"call": "event", "request": "event", "time": "event", "connection": "flow", "sign-in": "login", "signin": "login"}
    kinds = [same.get(n.group(0).rstrip("s"), n.group(0).rstrip("s")) if n else None for n in nouns]
    if kinds[1] and kinds[0] != kinds[1]:
        raise TranslationError(f"{first[2]!r} and {bound[2]!r} are conditions on two different counts, which one "
                               "filter cannot give both: ask one at a time, e.g. 'iam users with over 300 calls, with "
                               "counts', then 'errors per iam user'")
    return bound


# "from more than one source ip": a number of values of a column is a number of distinct values, said or not
_DISTINCT_CMP = (r"\b(more than|over|greater than|at least|fewer than|less than|under|at most|exactly)\s+" + _NUMBER
                 + r"\s+(?:(?:distinct|different|unique|separate)\s+)?|"
                 r"\b" + _NUMBER + r"\s*(or more|or over|or above|\+|or fewer|or less|or under)\s+(?:(?:distinct|different|"
                 r"unique|separate)\s+)?")


def distinct_threshold(reading: Reading, table: str) -> tuple[str, int, str, Measure] | None:
    """'ips rejected on 5 or more distinct ports': a condition on the number of distinct values per group."""
    if not (match := re.search(_DISTINCT_CMP, reading.text)):
        return None
    # "more than 3 different aws regions": the cloud named before the noun says nothing more
    skip = aws.end() if (aws := re.match(r"(?:aws|amazon)\s+", reading.text[match.end():])) else 0
    if (hit := vocab_dimension(table, reading.text[match.end() + skip:])) is None:
        return None
    if not re.search(r"\b(?:distinct|different|unique|separate)\s*$", match.group(0)) and re.match(
            r"\s*(?:(?:api|aws|iam|console|cloudtrail|vpc|flow|guard ?duty)\s+)*" + _ROW_NOUNS, reading.text[match.end():]):
        return None  # "more than 5 calls", "300 api calls": rows counted, not the distinct event names
    said, number = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
    op = {"more than": ">", "over": ">", "greater than": ">", "at least": ">=", "fewer than": "<", "less than": "<",
          "under": "<", "at most": "<=", "exactly": "=", "or more": ">=", "or over": ">=", "or above": ">=", "+": ">=",
          "or fewer": "<=", "or less": "<=", "or under": "<="}[said]
    dim, length = hit
    end = match.end() + skip + length
    words = reading.text[match.start():end].strip()
    reading.text = reading.text[:match.start()] + " " * (end - match.start()) + reading.text[end:]
    return op, _WORDS.get(number) or int(number), words, Measure("count_distinct", f"distinct_{dim.alias}", f"number of distinct "
                                           f"{dim.description}", dim.expression, words)
