"""JSON parsing and compact JSON text, fast (orjson) with a stdlib fallback for what orjson refuses.

orjson rejects integers beyond 64 bits and NaN/Infinity, which real logs occasionally carry; the
standard library accepts both, so a value is never quarantined just because the fast path balked.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(data: bytes | str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def dumps(value: Any) -> str:
    """Compact JSON text of `value`, keys and their order unchanged."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
