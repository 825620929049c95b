"""JSON parsing and compact JSON text, fast (orjson) with a stdlib fallback for what orjson refuses.

orjson rejects integers beyond 64 bits and NaN/Infinity, which real logs occasionally carry; the
standard library accepts both, so a value is never quarantined just because the fast path balked.

Nesting is the one thing neither can take without limit: orjson stops at 1024 levels and the
standard library recurses until Python's recursion limit. Both surface as `TooDeep` (a
`ValueError`), never as a `RecursionError` that would escape a caller's per-record handling.
`text_of` writes any value's JSON text without recursing, for the quarantine's raw copy.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


class TooDeep(ValueError):
    """A JSON value nested deeper than the parsers (or the writer) can take."""


def loads(data: bytes | str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        try:
            return json.loads(data)
        except RecursionError as exc:
            raise TooDeep("nested deeper than the JSON parser's limit (about 1,000 levels)") from exc


def dumps(value: Any) -> str:
    """Compact JSON text of `value`, keys and their order unchanged."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        try:
            return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
        except RecursionError as exc:
            raise TooDeep("nested deeper than the JSON writer's limit (about 1,000 levels)") from exc


class _Text(str):
    """Already-encoded JSON punctuation on `text_of`'s stack (a plain str there is a value)."""


def text_of(value: Any) -> str:
    """Compact JSON text of any value, however deep (an explicit stack, no recursion); values
    JSON cannot hold are written as their `str`."""
    try:
        return dumps(value)
    except (TooDeep, ValueError, TypeError):
        pass
    out: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if type(item) is _Text:
            out.append(item)
        elif isinstance(item, dict):
            todo: list[Any] = [_Text("{")]
            for n, (key, member) in enumerate(item.items()):
                todo += [_Text(("," if n else "") + json.dumps(str(key), ensure_ascii=False) + ":"), member]
            stack += reversed([*todo, _Text("}")])
        elif isinstance(item, list | tuple):
            todo = [_Text("[")]
            for n, member in enumerate(item):
                todo += [_Text(",")] if n else []
                todo.append(member)
            stack += reversed([*todo, _Text("]")])
        else:
            out.append(json.dumps(item, ensure_ascii=False, default=str))
    return "".join(out)
