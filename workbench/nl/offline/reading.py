"""The working text of a question as the offline translator reads it, and the filters read from it so far.

Each vocabulary rule (concepts.py, outcomes.py, flows_findings.py) reads this text, adds filters tied to
the words it read and blanks those words, so no later rule reads them twice and what is left over can be
checked for words nobody understood (neutral.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlglot import exp

from workbench.nl.intent import Dimension, Filter, Measure, negate, one_of

UNIT = {"bytes": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3}  # decimal, as flow-log tools print them
PROTOCOLS = {"tcp": 6, "udp": 17, "icmp": 1}


# A negation standing right before the words a rule read: "not in s3", "except iam", "other than the ec2".
_NEGATED = re.compile(r"\b(?:not|except(?: for)?|excluding|exclude|other than|besides|apart from|aside from|but not|"
                      r"ignoring|minus)\s+(?:(?:from|to|in|on|for|the|any|calls? to|events? (?:from|in)|calls?|events?|made)\s+){0,2}$")


@dataclass
class Reading:
    """The working text of a question and the filters read from it so far."""

    text: str
    filters: list[Filter] = field(default_factory=list)
    concepts: list[str] = field(default_factory=list)  # names of the vocabulary rules that fired
    sort: Dimension | None = None  # "sorted by severity"
    most_severe: int | None = None  # "the 3 most severe findings": that many findings, highest severity first
    severest_tied: bool = False  # "the most severe finding", no number: every finding at the top severity
    buckets: bool = False  # the question names a bucket (its placeholder may read as a name)
    console: bool = False  # the question names the ConsoleLogin call itself
    extra: Measure | None = None  # a second sum beside the first ("bytes and packets")
    summed: Measure | None = None  # "sum of the finding occurrence counts": the findings' own number added up
    total: tuple[str, int, str, str] | None = None  # "sent at least 1 MB in total": (op, amount, words, column) on a sum
    last: tuple[int, str] | None = None  # where the last consumed words stood, and what they were
    negated_end: int | None = None  # where the words of the last negated filter ended
    negated_column: str = ""  # and the column it was on

    def find(self, pattern: str) -> re.Match[str] | None:
        return re.search(pattern, self.text)

    def has(self, pattern: str) -> bool:
        return re.search(pattern, self.text) is not None

    def consume(self, match: re.Match[str]) -> str:
        return self.consume_span(match.start(), match.end())

    def consume_span(self, start: int, end: int) -> str:
        words = self.text[start:end].strip()
        self.text = self.text[:start] + " " * (end - start) + self.text[end:]
        self.last = (start, words)
        return words

    def add(self, condition: exp.Expression, words: str, description: str, concept: str = "") -> None:
        # "calls not to s3", "events other than iam ones": the words just read stand after a negation
        column = _column(condition)
        if self.last and self.last[1] == words and (negation := _NEGATED.search(self.text[:self.last[0]])):
            condition, description = negate(condition), "not " + description
            words = f"{negation.group(0).strip()} {words}"
            self.text = self.text[:negation.start()] + " " * (negation.end() - negation.start()) + \
                self.text[negation.end():]
            self.negated_end, self.negated_column = self.last[0] + len(self.last[1]), column
        elif self.last and self.last[1] == words and self.negated_end is not None and self.negated_end <= self.last[0] \
                and self.negated_column and column == self.negated_column \
                and re.fullmatch(r"\s*(?:(?:,|and|or|nor|/|&)\s*)?(?:the\s+)?", self.text[self.negated_end:self.last[0]]):
            # "except s3 and kms", "excluding iam, sts": the negation covers the values of its column listed after it
            condition, description = negate(condition), "not " + description
            self.negated_end = self.last[0] + len(self.last[1])
        self.last = None
        self.filters.append(Filter(condition, words, description))
        if concept:
            self.concepts.append(concept)


def _column(condition: exp.Expression) -> str:
    return condition.this.sql() if isinstance(condition, (exp.EQ, exp.In)) else ""


def event_filter(events: tuple[str, ...]) -> exp.Expression:
    return one_of("eventname", events)


# "…: list events", "… and from where - list the calls", "can you list calls": a request opening its clause
_REQUEST_OPENS = re.compile(r"(?:^|[-–—:;,.?!(]|\b(?:and|then|so|now|also|pls|please))\s*"
                            r"(?:(?:can|could|would) you\s+|please\s+|pls\s+|just\s+|also\s+|now\s+)*$")


def opens_request(before: str, verb: str) -> bool:
    """'list calls by X', '… - list events': a verb opening its clause asks for the rows, not the calls named by it
    ('how many list calls' counts List*). Only 'list' reads so after a separator: 'x: get calls' stays ambiguous."""
    if verb == "list":  # "describe and list calls" joins two verbs of calls: no request there
        return _REQUEST_OPENS.search(before) is not None and not re.search(r"\b(?:get|describe|read)\s+(?:and|or)\s*$", before)
    return re.fullmatch(r"\s*(?:(?:can|could) you\s+|please\s+)?", before) is not None
