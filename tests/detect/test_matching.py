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
