"""A result frame as typed JSON: `columns` ([{name, type}]) and `rows` (lists, in column order).

Types are JSON-schema-like names a caller can rely on: integer, number, boolean, string, timestamp
(ISO 8601, UTC, `Z`), object (a struct or map), array. Rows stop at the row and byte caps; the
caller learns it from `truncated`.
"""

from __future__ import annotations

import base64
import math
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

try:  # orjson measures a row's size fast; the json module is the fallback
    import orjson

    def _size(value: Any) -> int:
        return len(orjson.dumps(value))
except ImportError:  # pragma: no cover - orjson is a dependency
    import json

    def _size(value: Any) -> int:
        return len(json.dumps(value, separators=(",", ":")))


def jsonable(value: Any) -> Any:
    """One cell as a JSON value (None for SQL NULL and NaN)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp | datetime):
        moment = pd.Timestamp(value)
        moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
        return moment.isoformat().replace("+00:00", "Z")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, pd.Timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [jsonable(v) for v in value]
    if np.ndim(value) == 0 and pd.isna(value):  # pd.NA and numpy's own missing scalars
        return None
    return str(value)


def column_type(series: pd.Series) -> str:
    dtype = series.dtype
    if ptypes.is_bool_dtype(dtype):
        return "boolean"
    if ptypes.is_integer_dtype(dtype):
        return "integer"
    if ptypes.is_float_dtype(dtype):
        return "number"
    if ptypes.is_datetime64_any_dtype(dtype):
        return "timestamp"
    sample = next((v for v in series if v is not None and not (isinstance(v, float) and math.isnan(v))), None)
    if sample is None:  # every value NULL: nothing says what it would hold
        return "null"
    for kind, name in ((bool, "boolean"), (int, "integer"), (float, "number"), (Decimal, "number"),
                       (datetime, "timestamp"), (date, "date"), (dict, "object"), ((list, tuple, np.ndarray), "array")):
        if isinstance(sample, kind):
            return name
    return "string"


def encode(frame: pd.DataFrame, max_rows: int, max_bytes: int) -> tuple[list[dict[str, str]], list[list[Any]], bool]:
    """(columns, rows, truncated): at most `max_rows` rows whose JSON stays under `max_bytes`."""
    columns = [{"name": str(name), "type": column_type(frame.iloc[:, i])} for i, name in enumerate(frame.columns)]
    rows: list[list[Any]] = []
    used = 0
    truncated = len(frame) > max_rows
    for record in frame.head(max_rows).itertuples(index=False, name=None):
        row = [jsonable(v) for v in record]
        used += _size(row) + 1
        if used > max_bytes:
            truncated = True
            break
        rows.append(row)
    return columns, rows, truncated
