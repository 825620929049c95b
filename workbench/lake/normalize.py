"""Per-table rules on top of the column plan: where a record's event time is and which day it is.

CloudTrail is partitioned by `eventTime`, GuardDuty by `updatedAt` (a finding without `id` cannot be
deduplicated downstream, so it is rejected too), VPC flow records by `start` (epoch seconds). A
record that cannot be placed raises `Rejected` with a short reason: the quarantine's counter key.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from workbench.catalog import CLOUDTRAIL, CLOUDTRAIL_JSON_COLUMNS, GUARDDUTY, GUARDDUTY_JSON_COLUMNS, VPC_FLOW
from workbench.lake.columns import INT, STR, Node, Plan, _to_number
from workbench.lake.jsontext import dumps

Partition = tuple[str, str, str]
_MISSING = object()


class Rejected(ValueError):
    """A record that cannot be placed in the lake; `reason` is the quarantine counter's key."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


_DAYS: dict[str, Partition | None] = {}
_CLOCK: dict[str, bool] = {}  # 'HH:MM:SS' -> valid (at most 86,400 keys, plus what hostile input adds, capped)

# The spellings AWS writes: CloudTrail '2024-03-04T05:06:07Z', GuardDuty '2024-03-04T05:06:07.123Z',
# CloudTrail Lake / Athena '2024-03-04 05:06:07.000', and an explicit offset. Nothing looser:
# '2024-03-04T25:99:99Z', '2024-03-04Tgarbage' or '... UTC' would pass a date-prefix check, then
# fail the rules that parse the time or fall out of every windowed query, which compares text.
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?", re.ASCII)
_CLOCK_TEXT = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d", re.ASCII)


def _date(prefix: str) -> Partition | None:
    try:
        return _DAYS[prefix]
    except KeyError:
        pass
    part = None
    if len(prefix) == 10 and prefix[4] == "-" and prefix[7] == "-" and prefix.replace("-", "").isascii():
        try:
            datetime(int(prefix[:4]), int(prefix[5:7]), int(prefix[8:10]))
            part = (prefix[:4], prefix[5:7], prefix[8:10])
        except ValueError:
            part = None
    if len(_DAYS) < 100_000:
        _DAYS[prefix] = part
    return part


def _clock(text: str) -> bool:
    try:
        return _CLOCK[text]
    except KeyError:
        pass
    ok = _CLOCK_TEXT.fullmatch(text) is not None
    if len(_CLOCK) < 200_000:
        _CLOCK[text] = ok
    return ok


def day_of_iso(value: Any) -> Partition | None:
    """('YYYY', 'MM', 'DD') of a whole, valid ISO-8601 time as AWS spells it, or None.

    Accepted: 'YYYY-MM-DDTHH:MM:SS' or with a space for the T, optional fractional seconds (1-9
    digits), optional 'Z' or '+HH:MM' offset (placed by its UTC day). Every part is checked, not
    just the date: hour < 24, minute and second < 60, a real calendar day.
    """
    if type(value) is not str:
        return None
    n = len(value)
    if (n == 20 or (n == 24 and value[19] == "." and value[20:23].isdigit() and value[20:23].isascii())) and (
            value[-1] == "Z" and value[10] == "T"):  # the hot paths: CloudTrail's form, GuardDuty's (.123Z)
        clock = value[11:19]
        ok = _CLOCK.get(clock)
        if ok is None:
            ok = _clock(clock)
        if not ok:
            return None
        day = _DAYS.get(value[:10], _MISSING)
        return _date(value[:10]) if day is _MISSING else day  # type: ignore[return-value]
    if not _ISO_TIME.fullmatch(value) or not _clock(value[11:19]):
        return None
    if n > 19 and value[-1] != "Z" and ("+" in value[19:] or "-" in value[19:]):
        # An offset can move the instant to another UTC day; place it by its UTC time.
        canonical = canonical_time(value)
        return None if canonical is None else _date(canonical[:10])
    return _date(value[:10])


# ISO time columns stored in CloudTrail's own spelling, 'YYYY-MM-DDTHH:MM:SS[.fff]Z', whatever
# spelling arrived ('2022-09-27 17:09:18.000', '+00:00' offsets); the original goes to `extra`.
TIME_COLUMNS: dict[str, tuple[str, ...]] = {"cloudtrail": ("eventtime",), "guardduty": ("updatedat", "createdat")}


def canonical_time(value: str) -> str | None:
    """The canonical UTC spelling of an ISO-8601 time, or None when it is not one."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    fraction = f".{moment.microsecond // 1000:03d}" if moment.microsecond else ""
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


_EPOCH_DAYS: dict[int, Partition] = {}


def day_of_epoch(seconds: int) -> Partition:
    key = seconds // 86400
    try:
        return _EPOCH_DAYS[key]
    except KeyError:
        day = datetime.fromtimestamp(key * 86400, UTC)
        part = (f"{day.year:04d}", f"{day.month:02d}", f"{day.day:02d}")
        if len(_EPOCH_DAYS) < 100_000:
            _EPOCH_DAYS[key] = part
        return part


def vpc_key(key: str) -> str:
    return key.replace("-", "_").lower()


class TableRules:
    """A table's plan plus how to find a record's partition."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.name = plan.table.name

    def lookup(self, record: dict, column: str) -> Any:
        """The value `plan.put` will store in top-level `column`, converted like it will be."""
        root = self.plan.root
        node = root.members[column]
        canonical = root.canonical.get(node.slot)
        value = record.get(canonical, _MISSING) if canonical is not None else _MISSING
        if value is _MISSING:
            for key, item in record.items():
                hit = root.by_key.get(key) if isinstance(key, str) else None
                if hit is None and isinstance(key, str) and key not in root.by_key:
                    hit = self.plan._resolve(root, key)
                if hit is not None and hit[0] is node:
                    value = item
                    break
            else:
                return None
        return _convert(node, value)

    def partition(self, record: Any) -> Partition:
        raise NotImplementedError


def _convert(node: Node, value: Any) -> Any:
    if value is None:
        return None
    if node.kind == STR:
        return value if type(value) is str else dumps(value)
    if node.kind == INT:
        ok, number = _to_number(value, (INT, node.bound))
        return number if ok else _MISSING
    return value


class CloudTrailRules(TableRules):
    def __init__(self) -> None:
        super().__init__(Plan(CLOUDTRAIL, CLOUDTRAIL_JSON_COLUMNS))

    def partition(self, record: Any) -> Partition:
        if not isinstance(record, dict):
            raise Rejected("not_an_object", f"a CloudTrail record must be a JSON object, got {type(record).__name__}")
        when = self.lookup(record, "eventtime")
        if when is None:
            raise Rejected("missing_event_time", "CloudTrail record has no eventTime")
        day = day_of_iso(when)
        if day is None:
            raise Rejected("bad_event_time", f"eventTime {str(when)[:80]!r} is not a valid time like "
                           "'2024-03-04T05:06:07Z' (fix the value and re-ingest this record)")
        return day


class GuardDutyRules(TableRules):
    def __init__(self) -> None:
        super().__init__(Plan(GUARDDUTY, GUARDDUTY_JSON_COLUMNS))

    def partition(self, record: Any) -> Partition:
        if not isinstance(record, dict):
            raise Rejected("not_an_object", f"a GuardDuty finding must be a JSON object, got {type(record).__name__}")
        ident = self.lookup(record, "id")
        if not ident:
            raise Rejected("missing_finding_id", "GuardDuty finding has no id")
        when = self.lookup(record, "updatedat")
        if when is None:
            raise Rejected("missing_updated_at", f"GuardDuty finding {ident} has no updatedAt")
        day = day_of_iso(when)
        if day is None:
            raise Rejected("bad_event_time", f"GuardDuty finding {str(ident)[:80]}: updatedAt {str(when)[:80]!r} "
                           "is not a valid time like '2024-03-04T05:06:07.123Z'")
        return day

    def derived(self, record: dict) -> dict[str, Any]:
        """`resourcetype` comes from `resource.resourceType` when the finding has no own field for it."""
        if self.lookup(record, "resourcetype") is not None:
            return {}
        resource = self.lookup(record, "resource")
        if isinstance(resource, dict):
            for key, value in resource.items():
                if isinstance(key, str) and key.lower() == "resourcetype" and value is not None:
                    return {"resourcetype": value if type(value) is str else dumps(value)}
        return {}


class VpcFlowRules(TableRules):
    """VPC flow records as dicts with the header's hyphenated names or underscored ones."""

    def __init__(self) -> None:
        super().__init__(Plan(VPC_FLOW, key_name=vpc_key))

    def partition(self, record: Any) -> Partition:
        if not isinstance(record, dict):
            raise Rejected("not_an_object", f"a VPC flow record must be an object, got {type(record).__name__}")
        start = self.lookup(record, "start")
        return self.start_day(start)

    @staticmethod
    def start_day(start: Any) -> Partition:
        if start is None or start == "-":
            raise Rejected("missing_event_time", "VPC flow record has no start time")
        if start is _MISSING or type(start) is not int:
            raise Rejected("bad_event_time", f"VPC flow start {start!r} is not epoch seconds")
        try:
            return day_of_epoch(start)
        except (OverflowError, OSError, ValueError) as exc:
            raise Rejected("bad_event_time", f"VPC flow start {start!r} is out of range") from exc


RULES = {"cloudtrail": CloudTrailRules, "guardduty": GuardDutyRules, "vpc_flow": VpcFlowRules}
