"""Text-level checks that run before parsing: characters that read as SQL but are not.

A Cyrillic `е` in `SЕLECT` or a zero-width space inside `cloud​trail` changes what the parser sees
without changing what a reviewer sees. Outside string literals the guard therefore accepts plain
ASCII only; inside string literals any character is data (a user name may be `josé`), except the
bidirectional controls that reorder how the whole statement is displayed ("Trojan Source").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

# Bidirectional overrides and isolates: they make text display in a different order than it parses.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


@dataclass(frozen=True)
class Region:
    kind: str  # code | string | identifier | comment
    text: str
    start: int


_QUOTES = {"'": "string", '"': "identifier", "`": "identifier"}


def regions(sql: str) -> Iterator[Region]:
    """Split SQL into code, single-quoted string literals ('' escapes a quote), quoted identifiers
    ("…" or `…`, a doubled quote escapes one) and comments.

    Quoted identifiers are regions of their own because a quote or `--` inside one (`"it's"`,
    `"a--b"`) would otherwise start a string or comment here that the parser never sees, and
    hide what follows from the checks on code."""
    i, n, start, kind, quote = 0, len(sql), 0, "code", ""
    while i < n:
        ch = sql[i]
        if kind == "code":
            if ch in _QUOTES or sql.startswith("--", i) or sql.startswith("/*", i):
                if i > start:
                    yield Region("code", sql[start:i], start)
                start = i
                kind = _QUOTES.get(ch) or ("line" if ch == "-" else "block")
                quote = ch if ch in _QUOTES else ""
                i += 1 if quote else 2
                continue
            i += 1
        elif kind in ("string", "identifier"):
            if ch == quote and sql.startswith(quote * 2, i):
                i += 2
                continue
            i += 1
            if ch == quote:
                yield Region(kind, sql[start:i], start)
                start, kind = i, "code"
        elif kind == "line":
            i += 1
            if ch == "\n":
                yield Region("comment", sql[start:i], start)
                start, kind = i, "code"
        else:  # block comment
            if sql.startswith("*/", i):
                i += 2
                yield Region("comment", sql[start:i], start)
                start, kind = i, "code"
            else:
                i += 1
    if start < n:
        yield Region({"line": "comment", "block": "comment"}.get(kind, kind), sql[start:], start)


def _where(sql: str, index: int) -> str:
    line = sql.count("\n", 0, index) + 1
    column = index - (sql.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}"


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "unnamed")
    folded = unicodedata.normalize("NFKC", ch)
    looks = f", which normalises to {folded!r}" if folded != ch and folded.isascii() and folded.strip() else ""
    return f"U+{ord(ch):04X} {name}{looks}"


def unicode_problem(sql: str) -> str | None:
    """The first character that could hide what the SQL does, described, or None."""
    for region in regions(sql):
        for offset, ch in enumerate(region.text):
            if ch.isascii():
                continue
            index = region.start + offset
            if ch in BIDI_CONTROLS:
                return (f"bidirectional control character {_describe(ch)} at {_where(sql, index)} "
                        "reorders how the SQL displays: remove it")
            if region.kind == "comment" and unicodedata.category(ch) != "Cf":
                continue
            if region.kind == "string" and unicodedata.category(ch) != "Cf":
                continue
            if region.kind == "string":
                # Zero-width characters inside a literal make it match nothing a reader expects.
                return f"invisible character {_describe(ch)} inside a string literal at {_where(sql, index)}: remove it"
            what = "invisible character" if unicodedata.category(ch) == "Cf" else "non-ASCII character"
            where = "in a quoted name" if region.kind == "identifier" else "outside a string literal"
            return (f"{what} {_describe(ch)} {where} at {_where(sql, index)}: "
                    "SQL keywords and names must be plain ASCII — retype it")
    return None
