"""Result frames as typed JSON: every cell a JSON value, column types a caller can rely on, caps."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from workbench.api.rows import encode, jsonable


@pytest.mark.parametrize("value,expected", [
    (None, None), (float("nan"), None), (pd.NaT, None), (pd.NA, None), (float("inf"), None),
    (np.int64(7), 7), (np.float32(0.5), 0.5), (np.bool_(True), True), (Decimal("1.25"), 1.25),
    (pd.Timestamp("2026-11-19 10:00:00"), "2026-11-19T10:00:00Z"),
    (datetime(2026, 11, 19, 11, 0, tzinfo=UTC), "2026-11-19T11:00:00Z"),
    (pd.Timestamp("2026-11-19 12:00:00+01:00"), "2026-11-19T11:00:00Z"),
    (date(2026, 11, 19), "2026-11-19"), (b"\x00\xff", "AP8="),
    ({"arn": "a", "n": np.int64(1), "inner": {"x": float("nan")}}, {"arn": "a", "n": 1, "inner": {"x": None}}),
    (np.array([1, 2]), [1, 2]), (["a", None], ["a", None]),
], ids=lambda v: type(v).__name__)
def test_cells_become_json_values(value: object, expected: object) -> None:
    assert jsonable(value) == expected
    json.dumps(jsonable(value), allow_nan=False)


def test_columns_are_typed_and_caps_truncate() -> None:
    frame = pd.DataFrame({
        "n": pd.Series([1, 2, 3], dtype="int64"), "x": [0.5, None, 1.5], "ok": [True, False, True],
        "at": pd.to_datetime(["2026-11-19", "2026-11-20", "2026-11-21"]), "who": ["a", "b", None],
        "identity": [{"arn": "x"}, None, {"arn": "y"}], "tags": [["a"], [], None], "empty": [None, None, None],
    })
    columns, rows, truncated = encode(frame, max_rows=10, max_bytes=10_000)
    assert [c["type"] for c in columns] == ["integer", "number", "boolean", "timestamp", "string", "object",
                                           "array", "null"]
    assert rows[1] == [2, None, False, "2026-11-20T00:00:00Z", "b", None, [], None] and truncated is False
    assert encode(frame, max_rows=2, max_bytes=10_000)[1:] == (rows[:2], True)
    one_row = len(json.dumps(rows[0], separators=(",", ":"))) + 1
    assert encode(frame, max_rows=10, max_bytes=one_row + 5)[1:] == (rows[:1], True)
