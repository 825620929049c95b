"""The function a question asks of a number → a measure: max / min / avg / total of bytes, packets or
severity, "how much traffic", and a second sum beside the first ("bytes and packets").
"""

from __future__ import annotations

import re

from workbench.nl.intent import Measure
from workbench.nl.offline.reading import Reading
from workbench.nl.offline.vocab import DIMENSIONS

NUMERIC = {"vpc_flow": ("bytes", "packets"), "guardduty": ("severity",)}
_AGGREGATE = {"max": "max", "maximum": "max", "highest": "max", "largest": "max", "biggest": "max", "peak": "max",
              "min": "min", "minimum": "min", "lowest": "min", "smallest": "min", "avg": "avg", "average": "avg",
              "mean": "avg", "sum": "sum", "total": "sum"}


def read_measure(reading: Reading, table: str, before_dims: str = "") -> Measure | None:
    if reading.summed is not None:  # a sum over findings, read with its words before the count words (findingsums.py)
        return reading.summed
    columns = NUMERIC.get(table, ())
    # "total packets and total bytes": the first "total" was read as the count's word, the second is the
    # pair's; both sums are read below as "packets and bytes", never the second alone
    pair = re.search(r"\b(?:bytes|packets)\s+(?:and|&|plus|,)\s+(?:the\s+)?((?:total|sum of)\s+)(?:bytes|packets)\b",
                     reading.text)
    if table == "vpc_flow" and pair:
        reading.text = reading.text[:pair.start(1)] + " " * len(pair.group(1)) + reading.text[pair.end(1):]
    # "max severity per finding type", "avg bytes per flow": a function of a number the table holds ("highest
    # packet total" ranks by the total, read below)
    # one space apart: a wider gap is a word read already ("highest total packets": the total, ranked)
    # "highest severity score": GuardDuty's severity is the score, a number from 1 to 10 (the band is its level)
    if columns and (match := re.search(rf"\b({'|'.join(_AGGREGATE)}) (?:of (?:the )?)?({'|'.join(columns)})"
                                       r"(?:(?<=severity) scores?)?\b"
                                       r"(?!\s+(?:findings?|flows?|connections?|total|sum|count)\b)", reading.text)):
        func, column = _AGGREGATE[match.group(1)], match.group(2)
        words = reading.consume(match)
        if each := re.search(r"\bper\s+(?:flow|connection|finding|record|row)\b", reading.text):
            reading.consume(each)  # "per flow" is each row: the average over rows, not a grouping
        return Measure(func, f"{func}_{column}", f"{func} {column}", column, words)
    if table != "vpc_flow":
        return None
    if match := re.search(r"\bhow much\s+(?:data|traffic|bytes|volume|bandwidth)?", reading.text):
        words = reading.consume(match)  # "how much traffic went to port 443": the bytes summed
        return Measure("sum", "total_bytes", "total bytes", "bytes", words)
    # "top 3 instances by their single largest flow": one flow's bytes, the largest per group, never their total
    # (a ranking of flows themselves, "the single biggest flow", reads the column alone and lists the rows)
    if match := re.search(r"\b(?:single\s+(?:largest|biggest|heaviest)|(?:largest|biggest|heaviest)\s+single)"
                          r"(?=\s+(?:flow|transfer|connection|record)s?\b)", reading.text):
        return Measure("max", "max_bytes", "max bytes", "bytes", match.group(0))
    if match := re.search(r"\b(?:bytes|volume|data|bandwidth|largest|biggest|heaviest)\b", reading.text):
        return Measure("sum", "total_bytes", "total bytes", "bytes", match.group(0))
    if match := re.search(r"\bpackets\b", reading.text):
        return Measure("sum", "total_packets", "total packets", "packets", match.group(0))
    # "top talkers": the network sense ranks sources by volume; a count must be asked ("by flow count")
    # (the talkers were read as the grouping already: the text before it says so)
    if (match := re.search(r"\btalkers?\b", before_dims)) and not re.search(
            r"\b(?:flows?|connections?|count|number|records?|sessions?|times)\b", before_dims):
        return Measure("sum", "total_bytes", "total bytes", "bytes", match.group(0))
    return None


def second_measure(reading: Reading, measure: Measure | None) -> Measure | None:
    """'total bytes and packets': both sums, never the first alone."""
    if measure is None or measure.func != "sum" or measure.column not in {"bytes", "packets"}:
        return None
    other = "packets" if measure.column == "bytes" else "bytes"
    if match := re.search(rf"\b(?:and|&|plus|,)\s+(?:(?:the\s+)?(?:total|sum of|number of)\s+)?{other}\b|"
                          rf"\b{other}\s+(?:and|&|plus|,)\s+(?:(?:the\s+)?total\s+)?{measure.column}\b", reading.text):
        reading.consume(match)
        return Measure("sum", f"total_{other}", f"total {other}", other, match.group(0).strip())
    return None


def counts_per(reading: Reading, table: str) -> None:
    """'event names and counts', 'what did X call, with counts': a count per value, not one total.

    Rewritten to the 'count per <column>' the rest of the shape reads; 'with counts' beside nothing to count
    per is left for the stray-count check, which refuses it.
    """
    keys = "|".join(re.escape(k) + r"(?:es|s)?" for k in sorted(DIMENSIONS[table], key=len, reverse=True))
    if match := re.search(rf"\b({keys})\s+(?:and|with|&|plus)\s+(?:their\s+|the\s+|its\s+)?(?:counts?|number)\b",
                          reading.text):
        said = match.group(0)
        if re.search(r"\b(?:than|over|under|least|most|exactly)\s+\w+\s+(?:(?:distinct|different|unique)\s+)?$",
                     reading.text[:match.start()]):
            # "users seen from more than 3 source ips, with the count": the count compared, kept beside the user
            start = match.start() + len(match.group(1))
            reading.text = reading.text[:start] + " " * (match.end() - start) + reading.text[match.end():]
            return
        if re.search(r"\b(?:per|by|for each|grouped by|group by|broken down by|breakdown by|split by)\s+(?:the\s+)?$",
                     reading.text[:match.start()]):
            # "calls broken down by event name, with counts": grouped already, and a grouping counts; the
            # 'count per' rewrite would leave "by count per event name", a grouping by 'per'
            start = match.start() + len(match.group(1))
            reading.text = reading.text[:start] + " " * (match.end() - start) + reading.text[match.end():]
            return
        reading.text = reading.text[:match.start()] + f"count per {match.group(1)}".ljust(len(said)) + \
            reading.text[match.end():]
        return
    # "what did 10.0.0.5 call, with counts": the calls it made are event names
    if table == "cloudtrail" and (match := re.search(
            r"^(\s*)what\s+(did|does|has)\b(.*)\b(call|calls|called|do|done)\s*-?\s*(?:with|and|w|plus|&)\s+"
            r"(?:the\s+|their\s+)?counts?\s*$", reading.text)):
        reading.text = f"{match.group(1)}count {match.group(3)} per event name "
