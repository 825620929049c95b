"""The offline translator: a question → one Athena SELECT, deterministically, or a clear refusal.

Reading order: exact entities (entities.py), the time phrase (timephrases.py), the table, the
shape (list, count, top N, per X, distinct X, first/last time), then the conditions (filters.py).
A question with nothing recognisable is refused with phrasings that work — never guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from workbench.nl.base import TranslationError
from workbench.nl.offline.entities import Entities, extract
from workbench.nl.offline.filters import Conditions, cloudtrail_filters, guardduty_filters, has, vpc_filters
from workbench.nl.offline.timephrases import extract_window
from workbench.nl.offline.vocab import (
    COUNT_ALIAS,
    DIMENSIONS,
    LIST_COLUMNS,
    SUGGESTIONS,
    TABLE_CUES,
    TIME_COLUMN,
)
from workbench.timewindow import Window

TABLE_NAMES = {"cloudtrail": "CloudTrail events", "guardduty": "GuardDuty findings", "vpc_flow": "VPC flows"}
_TRIGGER = re.compile(
    r"\b(per|by|for each|each|grouped by|group by|top\s+\d+|top|which|what|distinct|unique|list(?: the| all)?|"
    r"most active|most common|most frequent|busiest|noisiest|biggest|loudest|largest)\s+"
)
_FILLER = {"the", "most", "active", "common", "frequent", "distinct", "unique", "different", "of", "all", "noisy"}
_TOP = re.compile(r"\btop\s+(\d+)\b|\b(?:top|most active|most common|most frequent|busiest|noisiest|loudest)\b")


@dataclass
class Shape:
    kind: str  # list | count | group | distinct | first | last
    dimension: tuple[str, str, str] | None = None
    top: int | None = None
    measure: tuple[str, str, str] | None = None  # (sql, alias, description)


def choose_table(found: Entities, text: str) -> str:
    if found.finding_types or any(has(text, rf"\b{re.escape(c)}\b") for c in TABLE_CUES["guardduty"]):
        return "guardduty"
    cloudtrail_named = found.arns or found.access_keys or found.events or found.error_codes
    vpc_cue = any(has(text, rf"\b{re.escape(c)}\b") for c in TABLE_CUES["vpc_flow"])
    port_cue = has(text, r"\b(ports?|ssh|rdp|telnet|smb|bytes)\b")
    if vpc_cue or (port_cue and not cloudtrail_named):
        return "vpc_flow"
    return "cloudtrail"


def find_dimension(text: str, table: str) -> tuple[tuple[str, str, str] | None, str]:
    """The column a "per X" / "top N X" / "which X" phrase names, and the text without it."""
    vocab = DIMENSIONS[table]
    keys = sorted(vocab, key=len, reverse=True)
    for match in _TRIGGER.finditer(text):
        rest = text[match.end():].split()
        while rest and rest[0] in _FILLER:
            rest = rest[1:]
        following = " ".join(rest)
        for key in keys:
            if re.match(rf"{re.escape(key)}(es|s)?\b", following):
                # "which users ..." is a dimension; "by user bob" is a filter, handled elsewhere.
                after = following[len(key):].split()
                if match.group(1) == "by" and after and after[0] not in {"and", "with", "in", "for", "since",
                                                                        "over", "during", "ipaddr"}:
                    if key in {"user", "role", "principal", "identity"}:
                        continue
                span_end = text.find(following, match.end()) + len(key)
                return vocab[key], text[: match.start()] + " " + text[span_end:]
    return None, text


def find_measure(text: str, table: str) -> tuple[str, str, str] | None:
    if table == "vpc_flow" and has(text, r"\b(bytes|volume|data|traffic volume|largest|biggest)\b"):
        return "SUM(bytes)", "total_bytes", "total bytes"
    if table == "vpc_flow" and has(text, r"\bpackets\b"):
        return "SUM(packets)", "total_packets", "total packets"
    return None


def find_shape(text: str, table: str) -> tuple[Shape, str]:
    top_match = _TOP.search(text)
    top = int(top_match.group(1)) if top_match and top_match.group(1) else (10 if top_match else None)
    dimension, text = find_dimension(text, table)
    measure = find_measure(text, table)
    if has(text, r"\b(first|earliest)\s+(time|seen|call|event|login|appearance)|\bwhen did\b.*\bfirst\b|"
                 r"\bfirst\s+(?:\w+\s+)?(?:seen|appear)"):
        return Shape("first", dimension), text
    if has(text, r"\b(last|latest|most recent)\s+(time|seen|call|event|login|activity)|\blast\s+seen\b|"
                 r"\bwhen did\b.*\blast\b"):
        return Shape("last", dimension), text
    if dimension is not None:
        counting = top is not None or measure is not None or has(
            text, r"\b(how many|count|counts|number of|per|by|each|most)\b")
        kind = "group" if counting else "distinct"
        return Shape(kind, dimension, top, measure), text
    if top is not None and measure is not None:
        return Shape("list", None, top, measure), text
    if has(text, r"\b(how many|count|number of|total)\b"):
        return Shape("count"), text
    if top is not None:
        raise TranslationError("top what? name what to rank and by what, e.g. 'top 10 source IPs by "
                               "number of calls' or 'top 5 talkers by bytes'")
    return Shape("list"), text


def _as(expr: str, name: str) -> str:
    return expr if expr == name else f"{expr} AS {name}"


def build_sql(table: str, shape: Shape, where: list[str]) -> str:
    clause = f"\nWHERE {' AND '.join(where)}" if where else ""
    time_column = TIME_COLUMN[table]
    if shape.kind == "list":
        columns, order = LIST_COLUMNS[table]
        if shape.measure is not None:  # "top 10 largest flows"
            order = f"{shape.measure[0].removeprefix('SUM(').rstrip(')')} DESC, {order}"
        limit = f"\nLIMIT {shape.top}" if shape.top else ""
        return f"SELECT {columns}\nFROM {table}{clause}\nORDER BY {order}{limit}"
    if shape.kind == "count":
        return f"SELECT COUNT(*) AS {COUNT_ALIAS[table]}\nFROM {table}{clause}"
    if shape.kind in {"first", "last"}:
        func, alias = ("MIN", "first_seen") if shape.kind == "first" else ("MAX", "last_seen")
        if shape.dimension is None:
            return f"SELECT {func}({time_column}) AS {alias}\nFROM {table}{clause}"
        expr, name, _ = shape.dimension
        direction = "" if shape.kind == "first" else " DESC"
        return (f"SELECT {_as(expr, name)}, {func}({time_column}) AS {alias}\nFROM {table}{clause}\n"
                f"GROUP BY {expr}\nORDER BY {alias}{direction}, {name}")
    assert shape.dimension is not None
    expr, name, _ = shape.dimension
    if shape.kind == "distinct":
        return f"SELECT DISTINCT {_as(expr, name)}\nFROM {table}{clause}\nORDER BY {name}"
    measure, alias, _ = shape.measure or ("COUNT(*)", COUNT_ALIAS[table], "")
    limit = f"\nLIMIT {shape.top}" if shape.top else ""
    return (f"SELECT {_as(expr, name)}, {measure} AS {alias}\nFROM {table}{clause}\nGROUP BY {expr}\n"
            f"ORDER BY {alias} DESC, {name}{limit}")


def describe(table: str, shape: Shape, said: list[str], phrase: str | None) -> str:
    what = TABLE_NAMES[table] + (f" ({', '.join(said)})" if said else "")
    dim = shape.dimension[2] if shape.dimension else ""
    measure = shape.measure[2] if shape.measure else "count"
    text = {
        "list": f"{what}, oldest first" if shape.top is None else f"the {shape.top} largest {what} by {measure}",
        "count": f"how many {what}",
        "first": f"the first time of {what}" + (f", per {dim}" if dim else ""),
        "last": f"the last time of {what}" + (f", per {dim}" if dim else ""),
        "distinct": f"each distinct {dim} among {what}",
        "group": (f"the top {shape.top} {dim}{'es' if dim.endswith('s') else 's'} by {measure} of {what}" if shape.top else
                  f"{measure} of {what} per {dim}"),
    }[shape.kind]
    return text[0].upper() + text[1:] + (f", {phrase}" if phrase else ", within the session window") + "."


def translate(question: str, now: datetime) -> tuple[str, str, Window | None]:
    """(Athena SQL, one-line explanation, the question's own window or None)."""
    if not question.strip():
        raise TranslationError("ask a question, e.g. " + "; ".join(f"'{s}'" for s in SUGGESTIONS[:3]))
    found = extract(question)
    window, text, phrase = extract_window(found.text, now)
    table = choose_table(found, text)
    shape, text = find_shape(text, table)
    conditions = Conditions()
    apply = {"cloudtrail": cloudtrail_filters, "vpc_flow": vpc_filters, "guardduty": guardduty_filters}[table]
    apply(found, text, conditions)
    explicit_all = has(text, r"\b(all|every|everything|any)\b") and any(
        has(found.text, rf"\b{re.escape(c)}\b") for cues in TABLE_CUES.values() for c in cues)
    if not conditions.where and shape.kind == "list" and not shape.top and not explicit_all and window is None:
        raise TranslationError(
            f"cannot translate {question.strip()!r}: no IP, user, event, service, finding or traffic term I "
            "know. Try: " + "; ".join(f"'{s}'" for s in SUGGESTIONS)
        )
    sql = build_sql(table, shape, conditions.where)
    return sql, describe(table, shape, conditions.said, phrase), window
