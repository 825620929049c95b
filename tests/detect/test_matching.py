"""The matcher's row order: by event time, then event id, then (rows of one event) content."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from workbench.detect.matching import _time_order


def _reference(frame: pd.DataFrame, stamps: np.ndarray, ids: list[str]) -> np.ndarray:
    keys = pd.DataFrame({"t": stamps, "id": ids})
    if keys.duplicated().any():
        keys["row"] = ["\x1f".join(map(repr, row)) for row in frame.itertuples(index=False)]
    return keys.sort_values(list(keys.columns), kind="stable").index.to_numpy()


@pytest.mark.parametrize("seed", range(40))
def test_the_order_is_time_then_id_then_content_whatever_the_arrival(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 30)
    repeats = seed % 2 == 0  # half the cases: several rows of one event (an UNNEST rule)
    ids = [f"e{rng.randint(0, 9 if repeats else 10**6)}" for _ in range(n)]
    if not repeats:
        ids = [f"{i}-{x}" for i, x in enumerate(ids)]
    stamps = np.array([rng.choice([0, 10**9, 2 * 10**9, rng.randint(0, 10**12)]) for _ in range(n)], dtype=np.int64)
    frame = pd.DataFrame({"eventid": ids, "value": [rng.choice(["a", "b", None]) for _ in range(n)]})
    assert _time_order(frame, stamps, ids).tolist() == _reference(frame, stamps, ids).tolist()


def test_ids_compare_as_text_not_as_numbers() -> None:
    ids = ["10", "9", "100"]
    frame = pd.DataFrame({"eventid": ids})
    assert _time_order(frame, np.zeros(3, dtype=np.int64), ids).tolist() == [0, 2, 1]


def _frame(rng: random.Random, n: int, times: list[str]) -> pd.DataFrame:
    users = ["ann", "bob", None]
    return pd.DataFrame({
        "eventtime": [rng.choice(times) for _ in range(n)],
        "eventid": [f"e{rng.randint(0, n)}" for _ in range(n)],  # repeats: rows of one event
        "username": [rng.choice(users) for _ in range(n)],
        "sourceipaddress": [rng.choice(["10.0.0.1", "10.0.0.2", None]) for _ in range(n)],
    }, dtype="str")


TIME_FORMS = {
    "cloudtrail": ["2026-11-20T10:00:00Z", "2026-11-20T10:00:01Z", "2026-11-20T10:02:30Z", "2026-11-20T10:07:59Z"],
    "fractions": ["2026-11-20T10:00:00.5Z", "2026-11-20T10:00:00.123456Z", "2026-11-20T10:03:00Z"],
    "offsets (pandas path)": ["2026-11-20T10:00:00+00:00", "2026-11-20T12:00:00+02:00", "2026-11-20T10:01:00Z"],
    "nanoseconds (pandas path)": ["2026-11-20T10:00:00.123456789Z", "2026-11-20T10:00:01Z"],
}


@pytest.mark.parametrize("form", TIME_FORMS)
@pytest.mark.parametrize("seed", range(6))
def test_small_frames_match_as_the_pandas_path_does(form: str, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Frames of a few rows skip pandas' per-call cost (time parsing, records); the candidates —
    ids, members, times, rows with their NaN — are those of the pandas path, for plain and
    threshold rules, in every time form."""
    from tests.detect.events import BURST_RULE, rule
    from workbench.detect import matching

    rng = random.Random(seed)
    frame = _frame(rng, rng.randint(1, 40), TIME_FORMS[form])
    if seed % 3 == 0:
        frame.index = pd.RangeIndex(5, 5 + len(frame))  # not from 0: the matcher renumbers
    rules = [rule(BURST_RULE, threshold={"count": 3, "window": "5m", "group_by": ["username"]}),
             rule(BURST_RULE, threshold=None)]

    def found(r):  # noqa: ANN001, ANN202
        return [(c.alert_id, c.group_keys, c.bucket_start, c.first_seen, c.last_seen, c.event_ids, repr(c.rows))
                for c in matching.candidates(r, frame.copy())]

    assert (matching._cloudtrail_times(rules[0], frame) is not None) == ("pandas path" not in form)
    fast = [found(r) for r in rules]
    monkeypatch.setattr(matching, "_SMALL", -1)  # every frame through pandas
    assert fast == [found(r) for r in rules]
    assert fast[1], "a plain rule matches every row"
