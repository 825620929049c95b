"""From a rule's query output to alert candidates: thresholds over sliding windows, then dedup.

Pure functions over a DataFrame, so the same code serves scheduled runs, rule tests and
backtests. An alert's id derives from the rule id, the dedup key values and the dedup period the
match falls in, so evaluating the same events again (an overlapping or repeated run) yields the
same ids and the store merges instead of duplicating.

Thresholds slide: for each `group_by` combination the events are ordered by time and a burst
fires at the first event where `count` events (or `count` distinct values of `distinct`) lie
within `window`. Events, not rows: a record delivered twice (a duplicate delivery, the complete
version of an object whose truncated copy was salvaged) is in the lake twice, and its two rows
are one event (`_distinct_events`). A row whose time cannot be parsed is set aside with a
warning; it never fails the rule's other matches. The dedup bucket of a burst is that trigger time, which every run that sees the
`window` before it computes identically — so a burst straddling two scheduled runs alerts once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from workbench.catalog import TABLES, TimeFormat
from workbench.rules import EVENT_ID_COLUMNS, Rule

ACCOUNT_COLUMNS = ("recipientaccountid", "account_id", "accountid", "account")
log = logging.getLogger(__name__)


@dataclass
class Candidate:
    """One alert-to-be: the matched events of one dedup group in one dedup period."""

    alert_id: str
    rule_id: str
    group_keys: dict[str, str]
    bucket_start: datetime
    first_seen: datetime
    last_seen: datetime
    event_ids: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(set(self.event_ids))


def event_times(rule: Rule, frame: pd.DataFrame) -> pd.Series:
    """The UTC event time of every output row, from the table's time column."""
    table = TABLES[rule.table or "cloudtrail"]
    column = table.time_column
    if column not in frame.columns:
        raise ValueError(
            f"rule '{rule.id}': the query must output the time column '{column}' so matches have a time"
        )
    values = frame[column]
    # errors="coerce": a value that is not a time (a lake written before ingest parsed times
    # whole, a query computing its own) is NaT, which `candidates` sets aside, not an exception.
    if table.time_format is TimeFormat.EPOCH_SECONDS:
        return pd.to_datetime(pd.to_numeric(values, errors="coerce"), unit="s", utc=True, errors="coerce")
    return pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")


_ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SMALL = 2000
"""Rows up to which `_cloudtrail_times` parses in Python: a run's frames are mostly a few rows,
where pandas' per-call overhead (about 0.1 ms a call) is the whole cost."""


def _cloudtrail_times(rule: Rule, frame: pd.DataFrame) -> tuple[np.ndarray, list[datetime]] | None:
    """(ns since the epoch, UTC datetimes) of a small frame whose times are all CloudTrail's own
    `2024-03-05T12:10:22Z` form, exactly as `event_times` gives them; None for anything else."""
    table = TABLES[rule.table or "cloudtrail"]
    if len(frame) > _SMALL or table.time_format is TimeFormat.EPOCH_SECONDS or table.time_column not in frame:
        return None
    values = frame[table.time_column].tolist()
    if not all(isinstance(v, str) and _ISO_UTC.fullmatch(v) for v in values):
        return None
    try:
        moments = [datetime.fromisoformat(v) for v in values]
    except ValueError:
        return None  # '10:01:99Z' has the form but is no time: the pandas path sets such rows aside
    stamps = np.array([(m - _EPOCH) // timedelta(microseconds=1) * 1000 for m in moments], dtype=np.int64)
    return stamps, moments


def _records(frame: pd.DataFrame, rows: list[int]) -> list[dict[str, Any]]:
    """`frame.iloc[rows].to_dict("records")`; for a frame of text columns read through one object
    array, which gives the same values (NaN stays NaN) in a third of the time. Other columns may
    hold NumPy scalars, which `to_dict` turns into Python ones."""
    if all(isinstance(dtype, pd.StringDtype) for dtype in frame.dtypes):
        columns = list(frame.columns)
        values = frame.to_numpy(dtype=object)
        return [dict(zip(columns, values[i].tolist(), strict=True)) for i in rows]
    return frame.iloc[rows].to_dict("records")


def event_ids(rule: Rule, frame: pd.DataFrame) -> list[str]:
    """The table's event id column, or a content hash for tables without one (VPC flows)."""
    column = EVENT_ID_COLUMNS.get(rule.table or "")
    if column and column in frame.columns:
        ids = frame[column].astype(str)
        if rule.table == "guardduty" and "updatedat" in frame.columns:
            # A finding is re-delivered as it updates; each update is its own event.
            ids = ids + "@" + frame["updatedat"].astype(str)
        return ids.tolist()
    records = frame.to_dict("records")
    return [hashlib.sha1(json.dumps(r, sort_keys=True, default=str).encode()).hexdigest()[:20] for r in records]


def _distinct_events(frame: pd.DataFrame, ids: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """The frame without the second and later copies of a row: same event id, same values.

    A duplicate delivery puts the same record in the lake twice; a threshold must count it once.
    Rows of one event that differ (an UNNEST rule's one row per array element) all stay. The
    check costs one set of the ids when nothing repeats, which is nearly always.
    """
    if len(set(ids)) == len(ids):
        return frame, ids
    counts = Counter(ids)
    repeated = [i for i, ident in enumerate(ids) if counts[ident] > 1]
    seen: set[tuple[str, str]] = set()
    drop: set[int] = set()
    for i, row in zip(repeated, frame.iloc[repeated].itertuples(index=False, name=None), strict=True):
        key = (ids[i], repr(row))
        if key in seen:
            drop.add(i)
        else:
            seen.add(key)
    if not drop:
        return frame, ids
    keep = [i for i in range(len(ids)) if i not in drop]
    return frame.iloc[keep].reset_index(drop=True), [ids[i] for i in keep]


def _drop_timeless(rule: Rule, frame: pd.DataFrame, ids: list[str], times: pd.Series
                   ) -> tuple[pd.DataFrame, list[str], pd.Series]:
    """Rows whose time is missing or unparseable, set aside with a warning naming the rule."""
    bad = times.isna().to_numpy()
    if not bad.any():
        return frame, ids, times
    column = TABLES[rule.table or "cloudtrail"].time_column
    examples = sorted({repr(v)[:60] for v in frame.loc[bad, column].head(3)})
    log.warning("rule '%s': %d output row(s) have no valid %s (e.g. %s) and are not matched; "
                "re-ingest the records or fix the query's %s", rule.id, int(bad.sum()), column,
                ", ".join(examples), column)
    keep = ~bad
    return (frame[keep].reset_index(drop=True), [i for i, k in zip(ids, keep, strict=True) if k],
            times[keep].reset_index(drop=True))


def alert_id(rule_id: str, keys: dict[str, str], bucket_start: datetime) -> str:
    material = json.dumps([rule_id, sorted(keys.items()), bucket_start.isoformat()], default=str)
    return f"{rule_id}-{hashlib.sha256(material.encode()).hexdigest()[:16]}"


def _bucket(moment: datetime, period: timedelta) -> datetime:
    seconds = period.total_seconds()
    return datetime.fromtimestamp(math.floor(moment.timestamp() / seconds) * seconds, tz=UTC)


def _key_values(row: dict[str, Any], columns: tuple[str, ...]) -> dict[str, str]:
    return {c: ("" if pd.isna(row[c]) else str(row[c])) for c in columns}


def _bursts(times: list[int], values: list[Any] | None, count: int, window: int) -> list[tuple[int, list[int]]]:
    """(trigger index, member indexes) of each burst in time-ordered events (times in ns).

    A burst opens at the first event where the trailing `window` holds `count` events (or distinct
    values); it takes in the events of that window and every later event that keeps the trailing
    window at or above the threshold; a gap that drops below the threshold closes it.
    """
    bursts: list[tuple[int, list[int]]] = []
    trailing: deque[int] = deque()
    current: list[int] | None = None
    for i, moment in enumerate(times):
        trailing.append(i)
        while times[trailing[0]] < moment - window:
            trailing.popleft()
        size = len({values[j] for j in trailing}) if values is not None else len(trailing)
        if size >= count:
            if current is None:
                current = list(trailing)
                bursts.append((i, current))
            else:
                current.extend(j for j in trailing if j > current[-1])
        else:
            current = None
    return bursts


def _can_reach(times: np.ndarray, count: int, window: int) -> bool:
    """Whether some trailing window of these time-ordered events holds `count` events: a cheap
    necessary condition for a burst (a distinct count is at most the event count)."""
    if len(times) < count:
        return False
    starts = np.searchsorted(times, times - window, side="left")
    return bool((np.arange(len(times)) - starts + 1 >= count).any())


def _time_order(frame: pd.DataFrame, stamps: np.ndarray, ids: list[str]) -> np.ndarray:
    """Row positions in event-time order, ties broken by event id and then by the row's content.

    Engines return rows in no guaranteed order (Athena, or a window function over a shared
    scan), so the order — which row of a burst comes first, whose fields fill the title — must
    not depend on it.
    """
    names = np.asarray(ids, dtype=str)
    order = np.lexsort((names, stamps))  # stable: by time, then id, then arrival
    same = (stamps[order][1:] == stamps[order][:-1]) & (names[order][1:] == names[order][:-1])
    if not same.any():
        return order
    # UNNEST rules: one event, several rows; their content decides.
    keys = pd.DataFrame({"t": stamps, "id": ids,
                         "row": ["\x1f".join(map(repr, row)) for row in frame.itertuples(index=False)]})
    return keys.sort_values(list(keys.columns), kind="stable").index.to_numpy()


def candidates(rule: Rule, frame: pd.DataFrame, trusted_from: datetime | None = None) -> list[Candidate]:
    """Alert candidates from one evaluation of `rule`.

    `trusted_from`: for threshold rules, bursts whose trigger lies before this time are ignored,
    because the rows before them were not fetched and another run (which saw them) owns them.
    """
    if frame.empty:
        return []
    index = frame.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
        frame = frame.reset_index(drop=True)
    frame, ids = _distinct_events(frame, event_ids(rule, frame))
    timed = _cloudtrail_times(rule, frame)
    if timed is None:
        times = event_times(rule, frame)
        frame, ids, times = _drop_timeless(rule, frame, ids, times)
        if frame.empty:
            return []
        stamps = times.dt.as_unit("ns").array.asi8  # ns since the epoch, UTC (whatever unit pandas parsed to)
        moments = list(pd.DatetimeIndex(times).to_pydatetime())
    else:
        stamps, moments = timed
    dedup = rule.effective_dedup
    dedup_keys = tuple(dedup.keys or ())
    missing = [c for c in (*dedup_keys, *(rule.threshold.group_by if rule.threshold else ())) if c not in frame]
    if missing:
        raise ValueError(f"rule '{rule.id}': the query output lacks column(s) {missing} used as group/dedup keys")
    order = _time_order(frame, stamps, ids)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))

    # (member row indexes, bucket time) per group before dedup.
    matched: list[tuple[list[int], datetime]] = []
    if rule.threshold is None:
        matched = [([int(i)], _bucket(moments[i], dedup.period)) for i in order]
    else:
        th = rule.threshold
        window = int(th.window.total_seconds() * 1_000_000_000)
        if th.group_by:
            codes = frame.groupby(list(th.group_by), dropna=False, sort=False).ngroup().to_numpy()
            ordered = order[np.argsort(codes[order], kind="stable")]
            bounds = np.flatnonzero(np.diff(codes[ordered])) + 1
            parts = np.split(ordered, bounds)
        else:
            parts = [order]
        distinct = frame[th.distinct].tolist() if th.distinct else None
        for idx in parts:
            part_stamps = stamps[idx]
            if not _can_reach(part_stamps, th.count, window):
                continue
            values = [distinct[i] for i in idx] if distinct is not None else None
            for trigger, members in _bursts(part_stamps.tolist(), values, th.count, window):
                moment = moments[idx[trigger]]
                if trusted_from is not None and moment < trusted_from:
                    continue
                matched.append(([int(idx[m]) for m in members], _bucket(moment, dedup.period)))

    if not matched:
        return []
    # Rows as dicts once per evaluation: `frame.loc` per matched row costs more than the rest.
    needed = sorted({m for members, _ in matched for m in members})
    records = dict(zip(needed, _records(frame, needed), strict=True))
    groups: dict[str, Candidate] = {}
    for members, bucket in matched:
        keys = _key_values(records[members[0]], dedup_keys)
        aid = alert_id(rule.id, keys, bucket)
        cand = groups.get(aid)
        if cand is None:
            cand = groups[aid] = Candidate(aid, rule.id, keys, bucket, moments[members[0]], moments[members[0]], [], [])
        for m in members:
            cand.first_seen, cand.last_seen = min(cand.first_seen, moments[m]), max(cand.last_seen, moments[m])
            cand.event_ids.append(ids[m])
            cand.rows.append(m)  # type: ignore[arg-type]  # indexes until materialised below
    for cand in groups.values():
        unique = sorted(dict.fromkeys(cand.rows), key=lambda i: rank[i])  # type: ignore[arg-type,index]
        cand.rows = [dict(records[i]) for i in unique]
        cand.event_ids = list(dict.fromkeys(cand.event_ids))
    return sorted(groups.values(), key=lambda c: (c.first_seen, c.alert_id))


class _Defaulting(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_title(template: str, row: dict[str, Any]) -> str:
    values = _Defaulting({k: ("" if v is None or (isinstance(v, float) and math.isnan(v)) else v)
                          for k, v in row.items()})
    try:
        return template.format_map(values)
    except (ValueError, IndexError, AttributeError):
        return template


def account_of(row: dict[str, Any]) -> str | None:
    for column in ACCOUNT_COLUMNS:
        value = row.get(column)
        if isinstance(value, str) and value:
            return value
    return None
