"""Log values on a terminal: shown, never interpreted.

Every field of a CloudTrail record that a caller chooses (userName, userAgent, request
parameters, bucket and role names) can carry terminal escape sequences: OSC 8 makes a lying
hyperlink, OSC 0 retitles the window, OSC 52 writes the analyst's clipboard, CSI sequences
recolour, hide or rewrite what is on screen, a carriage return overprints a line, bidi overrides
reorder it. `safe()` turns each such character into a visible escape (`\\x1b`, `\\u202e`), so
the value is still there to see and to search for, but inert. Every CLI command that prints
log-derived values goes through this module (query table/CSV output, detect's summary, alert
lists and details); JSON output needs nothing: the encoder escapes control characters and, with
pandas' default `force_ascii`, everything non-ASCII.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

# C0 and C1 controls and DEL; bidi embeddings/overrides/isolates and marks; line and paragraph
# separators; zero-width characters that hide text inside an identifier.
_UNSAFE = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
_INLINE = re.compile(f"[{_UNSAFE}\\t\\n]")
_BLOCK = re.compile(f"[{_UNSAFE}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(value: object, *, multiline: bool = False) -> str:
    """`value` as text with every control, bidi and invisible formatting character shown as an
    escape. Tabs and newlines are escaped too unless `multiline` (a value must not start a new
    row of a table or a fake line of output)."""
    text = value if isinstance(value, str) else str(value)
    return (_BLOCK if multiline else _INLINE).sub(_escape, text)


def clip(value: object, width: int) -> str:
    """`safe(value)` cut to `width` characters with an ellipsis."""
    text = safe(value)
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def safe_lines(lines: Iterable[object]) -> list[str]:
    return [safe(line) for line in lines]


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and column names are `safe()`; numbers, times and nulls untouched.
    Lists, structs and other objects become their (escaped) text form."""
    from pandas.api.types import is_object_dtype, is_string_dtype

    out = frame.copy()
    out.columns = [safe(c) if isinstance(c, str) else c for c in frame.columns]
    for index in range(out.shape[1]):  # by position: result columns may share a name
        series = out.iloc[:, index]
        if is_object_dtype(series.dtype) or is_string_dtype(series.dtype):
            out.isetitem(index, series.map(_cell, na_action="ignore"))
    return out


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return safe(value)
    if value is None or isinstance(value, int | float | bool | Decimal | date | time | timedelta):
        return value
    # Lists, structs, arrays: pandas prints their elements unescaped, so print the text form.
    return safe(repr(value) if isinstance(value, bytes) else str(value))
