"""Conditions on the count of each group: 'more than 10 failed logins', '5 or more distinct ports'.

Read into the intent's HAVING on its first measure: a count of rows, or of the distinct values of a
column ('distinct ports' → count(DISTINCT dstport)).
"""

from __future__ import annotations

import re

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
              r"\b" + _NUMBER + r"\s*(or more|or over|or above|\+|or fewer|or less|or under)\s+" + _COMPARED)


def threshold(reading: Reading) -> tuple[str, int, str] | None:
    """'more than 100 errors', 'at least 5 times': a condition on the count of each group."""
    match = re.search(THRESHOLD, reading.text)
    if not match:
        return None
    pairs = ((1, 2), (3, 4), (6, 5))  # (comparison, number) of each alternative of THRESHOLD
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


# "from more than one source ip": a number of values of a column is a number of distinct values, said or not
_DISTINCT_CMP = (r"\b(more than|over|greater than|at least|fewer than|less than|under|at most|exactly)\s+" + _NUMBER
                 + r"\s+(?:(?:distinct|different|unique|separate)\s+)?|"
                 r"\b" + _NUMBER + r"\s*(or more|or over|or above|\+|or fewer|or less|or under)\s+(?:(?:distinct|different|"
                 r"unique|separate)\s+)?")


def distinct_threshold(reading: Reading, table: str) -> tuple[str, int, str, Measure] | None:
    """'ips rejected on 5 or more distinct ports': a condition on the number of distinct values per group."""
    if not (match := re.search(_DISTINCT_CMP, reading.text)):
        return None
    if (hit := vocab_dimension(table, reading.text[match.end():])) is None:
        return None
    if not re.search(r"\b(?:distinct|different|unique|separate)\s*$", match.group(0)) and re.match(
            r"\s*(?:(?:api|aws|iam|console|cloudtrail|vpc|flow|guard ?duty)\s+)?" + _ROW_NOUNS, reading.text[match.end():]):
        return None  # "more than 5 calls", "300 api calls": rows counted, not the distinct event names
    said, number = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
    op = {"more than": ">", "over": ">", "greater than": ">", "at least": ">=", "fewer than": "<", "less than": "<",
          "under": "<", "at most": "<=", "exactly": "=", "or more": ">=", "or over": ">=", "or above": ">=", "+": ">=",
          "or fewer": "<=", "or less": "<=", "or under": "<="}[said]
    dim, length = hit
    end = match.end() + length
    words = reading.text[match.start():end].strip()
    reading.text = reading.text[:match.start()] + " " * (end - match.start()) + reading.text[end:]
    return op, _WORDS.get(number) or int(number), words, Measure("count_distinct", f"distinct_{dim.alias}", f"number of distinct "
                                           f"{dim.description}", dim.expression, words)
