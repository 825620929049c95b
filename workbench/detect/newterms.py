"""First-seen (`new_terms`) rules: a row matches when its term — the tuple of the rule's
`new_terms.fields` values — was not seen in the `history` before it.

Evaluated incrementally: a run reads its own window (as every rule does) plus the rule's term
state (`workbench.detect.terms`), never the history again. For each term in the window:

- unknown to the state, or last seen more than `history` before its first sighting here → new,
  and the state records `new_at`, the time it was declared new;
- known, with a `new_at` inside the window being read → new again: a re-run of the same window
  (or the lookback overlap) finds its own first-seen alert, whose id is stable, so the store
  merges rather than duplicates — re-running neither re-alerts nor forgets;
- otherwise it was seen before: no match.

Every term seen in the window is merged into the state (earliest first, latest last). Terms not
seen for `history` are purged. On first enable the rule backfills its state from the history
(day by day, with progress) and records from when that history holds data; terms first seen
within `learning` of that start are learned, not alerted, so a workspace with only a few days of
logs does not call everything new.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pandas as pd

from workbench.catalog import TABLES, TimeFormat
from workbench.detect.terms import Baseline, TermState, TermStore, term_key
from workbench.engines import Engine, Result
from workbench.rules import Rule
from workbench.timewindow import Window

NEW_TERM_COLUMN = "new_term"
TERM_FIRST_SEEN_COLUMN = "term_first_seen"
TERM_LAST_SEEN_BEFORE_COLUMN = "term_last_seen_before"
ADDED_COLUMNS = (NEW_TERM_COLUMN, TERM_FIRST_SEEN_COLUMN, TERM_LAST_SEEN_BEFORE_COLUMN)
BACKFILL_CHUNK = timedelta(days=1)


@dataclass(frozen=True)
class Sightings:
    """Per term in a frame: its key, readable form, and the first and last time it appears."""

    keys: pd.Series  # one key per row (None where a field is null)
    first: dict[str, datetime]
    last: dict[str, datetime]
    times: pd.Series


def _times(rule: Rule, frame: pd.DataFrame) -> pd.Series:
    table = TABLES[rule.table or "cloudtrail"]
    values = frame[table.time_column]
    if table.time_format is TimeFormat.EPOCH_SECONDS:
        return pd.to_datetime(pd.to_numeric(values, errors="coerce"), unit="s", utc=True)
    return pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")


def _term_values(rule: Rule, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The term fields as text (None where null), and the rows' times (NaT where unreadable)."""
    fields = list(rule.new_terms.fields)  # type: ignore[union-attr]
    missing = [f for f in fields if f not in frame.columns]
    if missing:
        raise ValueError(f"rule '{rule.id}': new_terms field(s) {missing} are not in the query's output "
                         f"({', '.join(map(str, frame.columns))}); add them to the SELECT")
    times = _times(rule, frame) if len(frame) else pd.Series([], dtype="datetime64[ns, UTC]")
    values = frame[fields].astype(object).where(frame[fields].notna(), None)
    return values.apply(lambda column: column.map(lambda v: None if v is None else str(v))), times


def term_spans(rule: Rule, frame: pd.DataFrame) -> dict[str, TermState]:
    """Each term's first and last time in `frame`, grouped by pandas (a backfill day holds up to
    millions of rows; keys are built once per term, not per row)."""
    values, times = _term_values(rule, frame)
    fields = list(values.columns)
    table = values.assign(_t=times).dropna()
    if table.empty:
        return {}
    spans = table.groupby(fields, sort=False)["_t"].agg(["min", "max"])
    index = spans.index if len(fields) > 1 else [(v,) for v in spans.index]
    return {term_key(values_): TermState(first.to_pydatetime(), last.to_pydatetime())
            for values_, first, last in zip(index, spans["min"], spans["max"], strict=True)}


def sightings(rule: Rule, frame: pd.DataFrame) -> Sightings:
    """Each row's term key, and each term's first and last time in `frame`. Rows with a null field
    or an unreadable time carry no term (Elastic's new_terms ignores documents missing a field).
    Terms are factorised by pandas and their keys built once per term, not once per row: a window
    (or a week's backtest) can hold a million rows of a few thousand terms."""
    values, times = _term_values(rule, frame)
    complete = (values.notna().all(axis=1) & times.notna()).to_numpy()
    keys = pd.Series(None, index=frame.index, dtype=object)
    if not complete.any():
        return Sightings(keys, {}, {}, times)
    codes, uniques = pd.MultiIndex.from_frame(values[complete]).factorize()
    key_of = pd.Series([term_key(u) for u in uniques], dtype=object)
    keys[complete] = key_of.to_numpy()[codes]
    spans = pd.DataFrame({"code": codes, "t": times[complete].to_numpy()}).groupby("code")["t"].agg(["min", "max"])
    first = {key_of[c]: pd.Timestamp(v).to_pydatetime() for c, v in spans["min"].items()}
    last = {key_of[c]: pd.Timestamp(v).to_pydatetime() for c, v in spans["max"].items()}
    return Sightings(keys, first, last, times)


def readable(rule: Rule, key: str) -> str:
    import json

    values = json.loads(key)
    return ", ".join(f"{f}={v}" for f, v in zip(rule.new_terms.fields, values, strict=True))  # type: ignore[union-attr]


def first_seen_rows(rule: Rule, result: Result, window: Window, terms: TermStore,
                    engine: Engine, *, progress: bool | None = None) -> Result:
    """The rows of `result` whose term is new, with the term and its first sighting added as
    columns; the state learns every term of the window. Backfills first when the rule has no state."""
    spec = rule.new_terms
    assert spec is not None
    baseline = terms.baseline(rule.id) or backfill(rule, engine, terms, end=window.start, progress=progress)
    frame = result.frame
    seen = sightings(rule, frame)
    state = terms.lookup(rule.id, seen.first)
    learned_until = baseline.start + spec.effective_learning
    new_when: dict[str, datetime] = {}
    restarted: list[str] = []
    previous: dict[str, datetime | None] = {}
    for key, first in seen.first.items():
        known = state.get(key)
        if known is None:
            moment = first
        elif known.new_at is not None and known.new_at >= window.start:
            moment = known.new_at
        elif known.last_seen < first - spec.history:
            moment, previous[key] = first, known.last_seen
            restarted.append(key)
        else:
            continue
        if moment >= learned_until:
            new_when[key] = moment
    updates = {k: TermState(seen.first[k], seen.last[k], new_when.get(k)) for k in seen.first}
    terms.record(rule.id, updates, replace_keys=restarted)
    terms.purge(rule.id, window.end - spec.history)

    # A new term's rows from its first sighting to the end of that dedup period: one alert per new
    # term, whatever the window's length (later sightings are the term being used, not new).
    period = rule.effective_dedup.period
    keep = _new_term_rows(seen, new_when, period)
    if spec.alert_if:  # rows that only teach the state (a sign-in without failures before it)
        keep = [k and _truthy(v) for k, v in zip(keep, frame[spec.alert_if], strict=True)]
    matched = frame[keep].copy()
    matched_keys = seen.keys[keep]
    matched[NEW_TERM_COLUMN] = [readable(rule, k) for k in matched_keys]
    matched[TERM_FIRST_SEEN_COLUMN] = [new_when[k].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for k in matched_keys]
    matched[TERM_LAST_SEEN_BEFORE_COLUMN] = [
        previous[k].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if previous.get(k) else None for k in matched_keys]
    return replace(result, frame=matched.reset_index(drop=True))


def _new_term_rows(seen: Sightings, new_when: dict[str, datetime], period: timedelta) -> list[bool]:
    """Rows of a new term at or after its first sighting, in that sighting's dedup bucket (vectorised:
    most rows of a window belong to terms already known)."""
    if not new_when:
        return [False] * len(seen.keys)
    moments = seen.keys.map(new_when)  # NaN for rows whose term is not new
    candidate = moments.notna().to_numpy()
    keep = [False] * len(seen.keys)
    if not candidate.any():
        return keep
    step = int(period.total_seconds() * 1e9)
    times = seen.times[candidate].astype("int64").to_numpy()
    starts = pd.to_datetime(moments[candidate], utc=True).astype("int64").to_numpy()
    chosen = (times >= starts) & (times // step == starts // step)
    for position, ok in zip(candidate.nonzero()[0], chosen, strict=True):
        keep[position] = bool(ok)
    return keep


def _truthy(value: object) -> bool:
    if value is None or (isinstance(value, float) and value != value):
        return False
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def _earliest_data(rule: Rule, engine: Engine, window: Window) -> datetime | None:
    """When the rule's table first holds data inside `window` — or `window.start` when it holds data
    in the day before it too (the history is complete) — so learning knows how much history exists."""
    table = TABLES[rule.table or "cloudtrail"]
    probe = Window(window.start - BACKFILL_CHUNK, window.end)
    answer = engine.run(f"SELECT min({table.time_column}) AS earliest FROM {table.name}", probe).frame
    value = answer.iloc[0, 0] if len(answer) else None
    if value is None or pd.isna(value):
        return None
    if table.time_format is TimeFormat.EPOCH_SECONDS:
        earliest = datetime.fromtimestamp(int(value), tz=UTC)
    else:
        stamp = pd.Timestamp(value)
        earliest = (stamp.tz_convert(UTC) if stamp.tzinfo else stamp.tz_localize(UTC)).to_pydatetime()
    return max(earliest, window.start)


def backfill(rule: Rule, engine: Engine, terms: TermStore, *, end: datetime, start: datetime | None = None,
             progress: bool | None = None, on_chunk: Callable[[Window, int], None] | None = None,
             complete: bool = False) -> Baseline:
    """Learn the rule's terms from [end - history, end), one day per query (bounded memory and one
    short statement each), and record the baseline. Alerts nothing. `progress`: a tqdm bar on stderr
    (None: only when stderr is a terminal). `complete`: the caller knows the lake holds the whole
    history (a rule test's declared history), so no learning period follows."""
    from tqdm.auto import tqdm

    spec = rule.new_terms
    assert spec is not None
    start = start or end - spec.history
    chunks: list[Window] = []
    moment = start
    while moment < end:
        chunks.append(Window(moment, min(moment + BACKFILL_CHUNK, end)))
        moment += BACKFILL_CHUNK
    quiet = None if progress is None else not progress  # tqdm: None = only on a terminal
    for chunk in tqdm(chunks, desc=f"backfill {rule.id}", unit="day", disable=quiet, leave=False):
        spans = term_spans(rule, engine.run(rule.query, chunk).frame)
        terms.record(rule.id, spans)
        if on_chunk:
            on_chunk(chunk, len(spans))
    earliest = start if complete else _earliest_data(rule, engine, Window(start, end)) if chunks else None
    baseline = Baseline(start=min(earliest or end, end), through=end)
    existing = terms.baseline(rule.id)
    if existing is not None:  # a second backfill over older history widens, never narrows
        baseline = Baseline(min(existing.start, baseline.start), max(existing.through, baseline.through))
    terms.set_baseline(rule.id, baseline)
    return baseline
