"""What queries cost: per day and per rule, from detection run records and the query history; the
daily budget that raises an alert of our own when crossed.

Spend is counted on the UTC day a query *ran* (a run's `started`, a history record's `at`), not the
day of the data it read: a replay of last month is paid for today. Detection cost comes from the run
records (every rule's bytes scanned and cost), hunting cost from the query history (magics, CLI).
Every figure comes from `query_cost_usd` below (the one place a price is computed): Athena bills a
statement's bytes rounded up to the MB with a 10 MB minimum; the local engine's figure is what its
bytes would cost at the same price per TB, without the per-query minimum (nothing is billed).

Budget: `cost: {daily_budget_usd: 5}` in mantissa.yaml. When a day's spend goes over it, the alert
`mantissa-cost-budget-YYYYMMDD` (rule id `mantissa-cost-budget`, severity medium, tag
`mantissa:ops`) goes into the alert store and is routed like any alert (a route on
`rule_id: "mantissa-*"` sends it to an ops channel). Its one event id is the day, so checking again
the same day changes nothing: one alert per day over budget. It is checked after every detection run
(`run_detect`) and by the daily report.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from workbench.alerts import AlertStore
    from workbench.config import Settings

log = logging.getLogger(__name__)

# AWS's Athena pricing says "$5 per TB scanned … rounded up to the nearest megabyte, with a 10 MB
# minimum per query; no charge for DDL or failed queries; cancelled queries are charged for the data
# scanned". The page does not define TB; AWS bills in binary units (its billing documentation: a GB is
# 2^30 bytes), so a TB here is 2^40 bytes and an MB 2^20 — as the cost figures were before.
BYTES_PER_MB = 1024**2
BYTES_PER_TB = 1024**4
ATHENA_MINIMUM_BYTES = 10 * BYTES_PER_MB


def billed_bytes(bytes_scanned: int, *, billed: bool = True) -> int:
    """The bytes Athena bills for one statement that scanned `bytes_scanned`: rounded up to the whole
    MB, at least 10 MB. `billed=False` for what Athena does not charge (DDL, a failed statement)."""
    if not billed:
        return 0
    whole_mb = -(-max(int(bytes_scanned), 0) // BYTES_PER_MB)  # ceiling division, no float rounding
    return max(whole_mb * BYTES_PER_MB, ATHENA_MINIMUM_BYTES)


def query_cost_usd(bytes_scanned: int, price_per_tb_usd: float, *, per_query_minimum: bool = True,
                   billed: bool = True) -> float:
    """What one statement costs: Athena's billed bytes (`per_query_minimum`) or, for an engine that
    bills nothing (the local engine's estimate), the bytes as read, × price per TB."""
    charged = billed_bytes(bytes_scanned, billed=billed) if per_query_minimum else (
        max(int(bytes_scanned), 0) if billed else 0)
    return charged / BYTES_PER_TB * price_per_tb_usd


def share_evenly(total: int, parts: int) -> list[int]:
    """`total` split into `parts` whole shares that add up to it (the first ones take the remainder):
    a statement serving several rules charges each the same share — Athena reports bytes per
    statement, not per rule, so any finer split would be invented."""
    if parts <= 0:
        return []
    base, extra = divmod(int(total), parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


BUDGET_RULE_ID = "mantissa-cost-budget"
ACTOR = "mantissa-cost"


def usd(value: float | None) -> str:
    """Money as people read it: cents when it is dollars, micro-dollars when a local lake costs little."""
    if value is None:
        return "—"
    return f"${value:,.2f}" if abs(value) >= 1 else f"${value:.6f}"


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return start, start + timedelta(days=1)


def history_records(settings: Settings, since: datetime, until: datetime) -> list[Any]:
    """Query history records with `at` in [since, until), oldest first (none when no history file)."""
    from workbench.history import HISTORY_FILE, QueryHistory

    path = settings.state / HISTORY_FILE
    if not path.is_file():
        return []
    history = QueryHistory(path)
    lo, hi = _z(since), _z(until)
    # `at` is fixed-width UTC text, so text order is time order.
    return [r for r in reversed(history.recent(limit=len(history))) if lo <= r.at < hi]


def runs_between(store: AlertStore, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Detection run records started in [since, until), oldest first."""
    return [r for r in reversed(store.list_runs(limit=None, since=since)) if r["started"] < until]


@dataclass
class DayCost:
    day: date
    detection_bytes: int = 0
    detection_usd: float = 0.0
    hunting_bytes: int = 0
    hunting_usd: float = 0.0
    runs: int = 0
    queries: int = 0
    per_rule: dict[str, dict[str, float]] = field(default_factory=dict)  # rule → bytes, usd

    @property
    def total_bytes(self) -> int:
        return self.detection_bytes + self.hunting_bytes

    @property
    def total_usd(self) -> float:
        return self.detection_usd + self.hunting_usd

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "runs": self.runs, "queries": self.queries,
                "detection_bytes": self.detection_bytes, "detection_usd": self.detection_usd,
                "hunting_bytes": self.hunting_bytes, "hunting_usd": self.hunting_usd,
                "total_bytes": self.total_bytes, "total_usd": self.total_usd}


def cost_by_day(runs: list[dict[str, Any]], records: list[Any], days: list[date]) -> list[DayCost]:
    """One DayCost per day in `days`, from run records and history records (any order)."""
    out = {d: DayCost(d) for d in days}
    for run in runs:
        row = out.get(run["started"].astimezone(UTC).date())
        if row is None:
            continue
        row.runs += 1
        row.detection_bytes += int(run.get("bytes_scanned") or 0)
        row.detection_usd += float(run.get("cost_usd") or 0.0)
        for rule_id, stats in (run.get("per_rule") or {}).items():
            acc = row.per_rule.setdefault(rule_id, {"bytes": 0, "usd": 0.0})
            acc["bytes"] += int(stats.get("bytes_scanned") or 0)
            acc["usd"] += float(stats.get("cost_usd") or 0.0)
    for rec in records:
        row = out.get(date.fromisoformat(rec.at[:10]))
        if row is None or rec.bytes_scanned is None:
            continue  # refused and untranslated questions scanned nothing
        row.queries += 1
        row.hunting_bytes += int(rec.bytes_scanned)
        row.hunting_usd += float(rec.cost_usd or 0.0)
    return [out[d] for d in days]


def day_cost(settings: Settings, store: AlertStore, day: date) -> DayCost:
    since, until = day_bounds(day)
    return cost_by_day(runs_between(store, since, until), history_records(settings, since, until), [day])[0]


def cost_frame(costs: list[DayCost]) -> pd.DataFrame:
    return pd.DataFrame([c.as_dict() for c in costs],
                        columns=["day", "runs", "queries", "detection_bytes", "detection_usd", "hunting_bytes",
                                 "hunting_usd", "total_bytes", "total_usd"])


def rule_cost_frame(costs: list[DayCost]) -> pd.DataFrame:
    """Long form: day, rule, bytes scanned, cost — one row per rule per day it ran."""
    rows = [{"day": c.day.isoformat(), "rule": rule, "bytes_scanned": int(v["bytes"]), "cost_usd": v["usd"]}
            for c in costs for rule, v in sorted(c.per_rule.items())]
    return pd.DataFrame(rows, columns=["day", "rule", "bytes_scanned", "cost_usd"])


# ---- budget ---------------------------------------------------------------------------------------
@dataclass
class BudgetOutcome:
    """What the check did: `action` is off | under | raised | unchanged."""

    action: str
    day: date
    spent_usd: float = 0.0
    budget_usd: float | None = None
    alert_id: str | None = None

    def format(self) -> str:
        if self.action == "off":
            return "cost budget: none set (cost.daily_budget_usd)"
        head = f"cost budget {self.day}: {usd(self.spent_usd)} of {usd(self.budget_usd)}"
        return head if self.action == "under" else f"{head} — {self.action} alert {self.alert_id}"


def budget_alert_id(day: date) -> str:
    return f"{BUDGET_RULE_ID}-{day:%Y%m%d}"


def check_budget(settings: Settings, store: AlertStore, day: date | None = None,
                 now: datetime | None = None) -> BudgetOutcome:
    """Raise the day's budget alert when its spend is over `cost.daily_budget_usd` (once per day)."""
    from workbench.alerts.model import Alert, Evidence, Severity

    now = (now or datetime.now(UTC)).astimezone(UTC)
    day = day or now.date()
    budget = settings.cost.daily_budget_usd
    if budget is None:
        return BudgetOutcome("off", day)
    cost = day_cost(settings, store, day)
    if cost.total_usd <= budget:
        return BudgetOutcome("under", day, cost.total_usd, budget)
    start, end = day_bounds(day)
    seen = min(max(now, start), end - timedelta(microseconds=1))
    top = sorted(cost.per_rule.items(), key=lambda kv: -kv[1]["usd"])[:10]
    alert = Alert(
        id=budget_alert_id(day), rule_id=BUDGET_RULE_ID, severity=Severity.medium,
        title=f"Query cost over the daily budget on {day}: {usd(cost.total_usd)} > {usd(budget)}",
        first_seen=seen, last_seen=seen, group_keys={"day": day.isoformat()},
        fields={"spent_usd": cost.total_usd, "budget_usd": budget,
                "detection_usd": cost.detection_usd, "hunting_usd": cost.hunting_usd,
                "bytes_scanned": cost.total_bytes,
                "what_to_do": "see `mantissa report daily` for cost per rule; narrow costly rules or raise "
                              "cost.daily_budget_usd"},
        tags=["mantissa:ops", "cost"],
        evidence=Evidence(rows=[{"rule": r, "bytes_scanned": int(v["bytes"]), "cost_usd": v["usd"]} for r, v in top]),
    )
    outcome = store.upsert_alert(alert, [f"cost-budget-{day.isoformat()}"], actor=ACTOR)
    action = "raised" if outcome.is_new else "unchanged"
    return BudgetOutcome(action, day, cost.total_usd, budget, alert.id)


def check_budget_after_run(settings: Settings, store: AlertStore) -> BudgetOutcome | None:
    """The detect flow's call: a budget check that can never fail the detection run."""
    try:
        return check_budget(settings, store)
    except Exception as exc:  # noqa: BLE001 - cost accounting trouble must not stop detection
        log.warning("cost budget check skipped: %s: %s (run `mantissa report daily` to retry)",
                    type(exc).__name__, exc)
        return None


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
