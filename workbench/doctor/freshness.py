"""Per-source freshness for `mantissa doctor`: each log source is judged by what its delivery
promises, not by "a partition for today".

- CloudTrail delivers within minutes: its newest event must be younger than
  `doctor.freshness.cloudtrail` (default 1h).
- VPC Flow Logs aggregate for up to 10 minutes and deliver to S3 in batches: about an hour
  (`doctor.freshness.vpc_flow`, default 2h).
- GuardDuty is quiet on a good day: no finding for days is normal. What must hold is that the
  detector is alive (checked through the GuardDuty API where AWS is configured) and that its
  findings export has delivered at least once; the newest finding's age is shown, never failed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.doctor.checks import CheckResult, DoctorContext, _age
from workbench.timewindow import parse_duration

if TYPE_CHECKING:
    from workbench.config import Settings

QUIET_SOURCES = {"guardduty"}  # findings only exist when something is found


def newest_event(lake: Path, table: str) -> tuple[datetime | None, date | None]:
    """(newest event time, its partition day) from the newest partitions holding events; the time
    comes from the Parquet footers' statistics where written, else from reading the column."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from workbench.catalog import TABLES, TimeFormat
    from workbench.lake.hygiene import day_partitions

    spec = TABLES[table]
    for part in reversed(day_partitions(lake, table)):
        newest = None
        for file in sorted(part.path.glob("*.parquet")):
            column = pq.read_table(file, columns=[spec.time_column])[spec.time_column]
            value = pc.max(column).as_py() if len(column) else None
            if value is not None and (newest is None or value > newest):
                newest = value
        if newest is None:
            continue
        if spec.time_format is TimeFormat.EPOCH_SECONDS:
            return datetime.fromtimestamp(int(newest), tz=UTC), part.day
        from workbench.timewindow import parse_time

        try:
            return parse_time(str(newest)), part.day
        except ValueError:
            return datetime.combine(part.day, time.max, UTC), part.day
    return None, None


def expected_age(settings: Settings, table: str) -> timedelta:
    return parse_duration(settings.doctor.freshness.get(table, "1h"))


def check_source(ctx: DoctorContext, table: str) -> CheckResult:
    from workbench.lake.hygiene import day_partitions

    settings = ctx.settings
    assert settings is not None
    label = f"table {table}"
    if not day_partitions(settings.lake, table):
        if table in QUIET_SOURCES:
            return CheckResult(label, "warn", f"no findings exported yet under {settings.lake / table}",
                               "GuardDuty exports a finding only when it finds something; check the detector "
                               "is enabled and its findings export (S3 publishing destination) is configured")
        return CheckResult(label, "fail", f"no partitions under {settings.lake / table}",
                           "ingest its logs with `mantissa ingest PATH` (or run `mantissa demo`)")
    newest, day = newest_event(settings.lake, table)
    if newest is None:
        return CheckResult(label, "fail", "its partitions hold no events",
                           "check that ingest is running: `mantissa ingest PATH`")
    return judge(table, newest, ctx.now, expected_age(settings, table))


def judge(table: str, newest: datetime, now: datetime, expected: timedelta) -> CheckResult:
    label = f"table {table}"
    age = now - newest
    when = f"newest {'finding' if table in QUIET_SOURCES else 'event'} {_age(max(age, timedelta(0)))} ago " \
           f"({newest:%Y-%m-%dT%H:%MZ})"
    if table in QUIET_SOURCES:
        note = "" if age <= expected else "; GuardDuty is quiet on a good day"
        return CheckResult(label, "ok", when + note)
    if age > expected:
        return CheckResult(label, "fail", f"{when}; {table} should be fresher than {_age(expected)}",
                           "check the log delivery and that `mantissa ingest` runs (a demo lake holds only "
                           "the days it was generated for: `mantissa demo` makes fresh ones); "
                           f"or set doctor.freshness.{table} in mantissa.yaml")
    return CheckResult(label, "ok", f"{when}, within {_age(expected)}")


def check_athena_source(ctx: DoctorContext, table: str) -> CheckResult:
    """The newest event through the engine, over the expected age and a day before it."""
    from workbench.catalog import TABLES, TimeFormat
    from workbench.engines import get_engine
    from workbench.timewindow import Window

    settings = ctx.settings
    assert settings is not None
    spec, label = TABLES[table], f"table {table}"
    expected = expected_age(settings, table)
    reach = max(expected, timedelta(days=1)) + timedelta(days=1)
    try:
        with get_engine(settings.engine, settings) as engine:
            frame = engine.run(f"SELECT max({spec.time_column}) AS newest FROM {table}",
                               Window(ctx.now - reach, ctx.now)).frame
    except Exception as exc:  # noqa: BLE001
        return CheckResult(label, "fail", f"{type(exc).__name__}: {exc}",
                           "create the tables with `mantissa athena setup --location s3://…/`")
    value = frame.iloc[0, 0] if len(frame) else None
    if value is None or value != value:
        if table in QUIET_SOURCES:
            return CheckResult(label, "ok", f"no finding in the last {_age(reach)}; GuardDuty is quiet on a good day")
        return CheckResult(label, "fail", f"no events in the last {_age(reach)}",
                           "check the log delivery into the lake's S3 location")
    from workbench.timewindow import parse_time

    newest = (datetime.fromtimestamp(int(value), tz=UTC) if spec.time_format is TimeFormat.EPOCH_SECONDS
              else parse_time(str(value)))
    return judge(table, newest, ctx.now, expected)


def check_guardduty_detector(ctx: DoctorContext) -> list[CheckResult]:
    """Every configured region's GuardDuty detector is enabled (skipped without doctor.guardduty_regions)."""
    settings = ctx.settings
    if settings is None or not settings.doctor.guardduty_regions:
        return []
    import boto3

    results = []
    for region in settings.doctor.guardduty_regions:
        label = f"guardduty detector {region}"
        try:
            client = boto3.client("guardduty", region_name=region, endpoint_url=settings.doctor.endpoint_url)
            ids = client.list_detectors()["DetectorIds"]
            if not ids:
                results.append(CheckResult(label, "fail", "no detector", "enable GuardDuty in this region "
                                           "(or delegate it to the organisation's security account)"))
                continue
            detector = client.get_detector(DetectorId=ids[0])
        except Exception as exc:  # noqa: BLE001 - credentials, permissions, endpoint: shown as they are
            results.append(CheckResult(label, "fail", f"{type(exc).__name__}: {exc}",
                                       "check AWS credentials and guardduty:ListDetectors/GetDetector permissions"))
            continue
        status = detector.get("Status")
        frequency = detector.get("FindingPublishingFrequency", "?")
        if status != "ENABLED":
            results.append(CheckResult(label, "fail", f"detector {ids[0]} is {status}",
                                       "re-enable it: `aws guardduty update-detector --enable`"))
        else:
            results.append(CheckResult(label, "ok", f"detector {ids[0]} enabled, updated findings exported "
                                       f"every {frequency.replace('_', ' ').lower()}"))
    return results
