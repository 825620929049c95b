"""First-seen facts: what a principal did from the alert on that it had not done before.

For each principal of the alert, the IPs, APIs (service + eventName) and regions it used in the
investigation window are compared with its history — the calls in the `history` period before the
window. Anything absent from that history is a fact worth a line: "first time arn:…/alice called
iam:CreateAccessKey (not in the 14 days before)". The baseline ends where the window starts, not at
the alert's first_seen: an attacker's reconnaissance minutes before the alert is new too.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from workbench.timewindow import iso_z

FACT_COLUMNS = ["principal", "kind", "value", "first_at", "calls", "history"]
_KINDS = (("IP", "sourceipaddress"), ("API", "_api"), ("region", "awsregion"))


def _belongs(frame: pd.DataFrame, principal: str) -> pd.Series:
    """Rows of `frame` done by `principal`, whichever way the alert named it."""
    mask = pd.Series(False, index=frame.index)
    for col in ("principal", "username", "issuer", "accesskeyid"):
        if col in frame.columns:
            mask |= frame[col].astype("string").fillna("") == principal
    return mask


def _api(frame: pd.DataFrame) -> pd.Series:
    service = frame["eventsource"].astype("string").fillna("").str.replace(".amazonaws.com", "", regex=False)
    return service + ":" + frame["eventname"].astype("string").fillna("")


def first_seen_facts(principals: list[str], activity: pd.DataFrame, history: pd.DataFrame,
                     since: datetime, history_label: str) -> pd.DataFrame:
    """One row per (principal, kind, value) used at or after `since` and never in `history`."""
    needed = {"eventtime", "eventsource", "eventname", "sourceipaddress", "awsregion"}
    if activity.empty or not needed <= set(activity.columns):
        return pd.DataFrame(columns=FACT_COLUMNS)
    when = pd.to_datetime(activity["eventtime"], utc=True, errors="coerce", format="ISO8601")
    recent = activity[when >= pd.Timestamp(since)].assign(_api=lambda f: _api(f), _when=when)
    past = history.assign(_api=_api(history)) if not history.empty else history
    rows = []
    for principal in principals:
        mine = recent[_belongs(recent, principal)]
        if mine.empty:
            continue
        before = past[_belongs(past, principal)] if not past.empty else past
        known_calls = int(before["calls"].sum()) if not before.empty else 0
        for kind, col in _KINDS:
            known = set(before[col].dropna().astype(str)) if not before.empty else set()
            for value, part in mine.groupby(mine[col].astype("string").fillna("")):
                if value and value not in known:
                    rows.append({"principal": principal, "kind": kind, "value": value,
                                 "first_at": iso_z(part["_when"].min()),
                                 "calls": len(part),
                                 "history": f"{known_calls:,} calls in {history_label}" if known_calls
                                 else f"no calls at all in {history_label}"})
    return pd.DataFrame(rows, columns=FACT_COLUMNS).sort_values(["principal", "first_at", "kind"],
                                                                 ignore_index=True)


def fact_sentences(facts: pd.DataFrame, history_label: str, limit: int = 12) -> list[str]:
    """Plain sentences for the report's summary (the table has the rest)."""
    out = []
    for row in facts.head(limit).itertuples():
        what = {"IP": "used IP", "API": "called", "region": "acted in region"}[row.kind]
        calls = f"{row.calls} call" + ("" if row.calls == 1 else "s")
        out.append(f"first time {row.principal} {what} {row.value} (at {row.first_at}; "
                   f"not in {history_label}; {calls} in the window)")
    if len(facts) > limit:
        out.append(f"… and {len(facts) - limit} more first-seen facts in the table")
    return out
