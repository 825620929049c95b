"""Callers named beside an address as its alternative: "calls that did not come from 10.x addresses or aws services".

AWS services calling on their own behalf write their host name where an address would be ('ec2.amazonaws.com'),
so "aws services" beside an address is the same column, `sourceipaddress LIKE '%.amazonaws.com'`. Left unread,
"or aws services" would be dropped without a word (its words are all neutral).
"""

from __future__ import annotations

import re

from sqlglot import exp

from workbench.nl.base import TranslationError
from workbench.nl.intent import DIALECT, Filter, Intent, any_of, like, negate
from workbench.nl.offline.reading import Reading

_SERVICES = re.compile(r"\bipaddr\s+(?:(?:source\s+)?(?:ip\s+)?(?:addresses|address|ips|hosts|ranges?|range)\s*)?(?:,\s*)?"
                       r"\b(or|nor|and)\s+(?:(?:from|by)\s+)?(?:the\s+)?(?:aws|amazon)\s+services?"
                       r"(?:\s+(?:themselves|principals?|callers?))?\b")
_LEFT = re.compile(r"\b(?:or|nor)\s+(?:(?:from|by)\s+)?(?:the\s+)?(?:aws|amazon)\s+services?\b")


def services_beside_address(reading: Reading, intent: Intent) -> None:
    if intent.table != "cloudtrail":
        return
    match = _SERVICES.search(reading.text)
    sources = [f for f in intent.filters if "sourceipaddress" in f.condition.sql(DIALECT)]
    if match is None or len(sources) != 1:
        if left := _LEFT.search(reading.text):
            raise TranslationError(f"cannot place {left.group(0)!r} beside the rest of the question: ask for AWS "
                                   "services' calls on their own, e.g. 'calls from aws services yesterday'")
        return
    source = sources[0]
    service = like("sourceipaddress", "%.amazonaws.com")
    words = match.group(0)[match.start(1) - match.start():].strip()
    at = intent.filters.index(source)
    if isinstance(source.condition, exp.Not):  # "not from A or B": from neither
        intent.filters.insert(at + 1, Filter(negate(service), words, "not called by an AWS service"))
    else:  # "from A or aws services": from either
        intent.filters[at] = Filter(any_of(source.condition, service), f"{source.words} {words}",
                                    f"{source.description} or an AWS service", source.entities)
    start = match.start(1)
    reading.text = reading.text[:start] + " " * (match.end() - start) + reading.text[match.end():]
