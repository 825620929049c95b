"""CloudWatch metrics: EMF lines a log group can extract, PutMetricData on moto, and the hooks in
detection, delivery and hunting."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from workbench.config import Settings, load_settings
from workbench.metrics import Metric, publish

AT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def settings_for(workspace: Path, **metrics: object) -> Settings:
    environ = {"MANTISSA_METRICS__ENABLED": "true"}
    environ |= {f"MANTISSA_METRICS__{k.upper()}": str(v) for k, v in metrics.items()}
    return load_settings(workspace, environ=environ)


def emf_lines(settings: Settings) -> list[dict]:
    path = settings.resolve(settings.metrics.emf_path)
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_off_by_default_writes_nothing(workspace: Path) -> None:
    settings = load_settings(workspace, environ={})
    publish(settings, [Metric("DetectionRuns", 1)])
    assert not settings.resolve(settings.metrics.emf_path).exists()


def test_emf_lines_follow_the_embedded_metric_format(workspace: Path) -> None:
    settings = settings_for(workspace)
    settings.metrics.dimensions = {"Workspace": "prod"}
    publish(settings, [Metric("DeliveriesSent", 3, at=AT), Metric("DeliveriesParked", 1, at=AT),
                       Metric("AlertsNew", 2, dimensions={"Severity": "high"}, at=AT)])
    lines = emf_lines(settings)
    assert len(lines) == 2  # one line per dimension set
    plain = next(line for line in lines if "Severity" not in line)
    assert plain["_aws"] == {"Timestamp": int(AT.timestamp() * 1000), "CloudWatchMetrics": [{
        "Namespace": "Mantissa", "Dimensions": [["Workspace"]],
        "Metrics": [{"Name": "DeliveriesSent", "Unit": "Count"}, {"Name": "DeliveriesParked", "Unit": "Count"}]}]}
    assert plain["Workspace"] == "prod" and plain["DeliveriesSent"] == 3 and plain["DeliveriesParked"] == 1
    by_severity = next(line for line in lines if "Severity" in line)
    assert by_severity["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Severity", "Workspace"]]
    assert by_severity["AlertsNew"] == 2 and by_severity["Severity"] == "high"


def test_putmetricdata_reaches_cloudwatch_in_batches(workspace: Path, aws_env: str) -> None:
    settings = settings_for(workspace, publisher="cloudwatch", endpoint_url=aws_env, namespace="MantissaTest")
    publish(settings, [Metric("QueryBytesScanned", 1000 + i, "Bytes", {"Source": "hunting"}, at=AT)
                       for i in range(1500)])  # two PutMetricData calls
    client = boto3.client("cloudwatch", endpoint_url=aws_env, region_name="us-east-1")
    names = client.list_metrics(Namespace="MantissaTest")["Metrics"]
    assert {(m["MetricName"], tuple((d["Name"], d["Value"]) for d in m["Dimensions"])) for m in names} == {
        ("QueryBytesScanned", (("Source", "hunting"),))}
    stats = client.get_metric_statistics(Namespace="MantissaTest", MetricName="QueryBytesScanned",
                                         Dimensions=[{"Name": "Source", "Value": "hunting"}],
                                         StartTime=AT - timedelta(minutes=1), EndTime=AT + timedelta(minutes=1),
                                         Period=60, Statistics=["SampleCount", "Sum"])["Datapoints"]
    assert sum(p["SampleCount"] for p in stats) == 1500


def test_a_failing_publisher_never_fails_the_work(workspace: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = settings_for(workspace, publisher="cloudwatch", endpoint_url="http://127.0.0.1:9")
    publish(settings, [Metric("DetectionRuns", 1)])
    assert "cloudwatch publisher failed" in caplog.text


def test_a_detection_run_publishes_status_duration_failures_alerts_and_cost(workspace: Path) -> None:
    from tests.detect.events import BURST_RULE, T0, burst
    from workbench.alerts import get_store
    from workbench.detect.runner import run_detections
    from workbench.engines import get_engine
    from workbench.lake import write_records
    from workbench.rules import Rule

    settings = settings_for(workspace)
    write_records("cloudtrail", burst("bob", T0 + timedelta(minutes=2), 12), settings.lake)
    broken = Rule.from_dict({**BURST_RULE, "id": "broken", "query": "SELECT nope FROM cloudtrail"})
    with get_engine("local", settings) as engine, get_store(settings) as store:
        run_detections([Rule.from_dict(BURST_RULE), broken], T0, T0 + timedelta(minutes=15), engine, store)
    values = {}
    for line in emf_lines(settings):
        for metric in line["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
            values[(metric["Name"], line.get("Status") or line.get("Severity") or line.get("Source"))] = line[metric["Name"]]
    assert values[("DetectionRuns", "failed")] == 1 and values[("RulesFailed", None)] == 1
    assert values[("AlertsNew", Rule.from_dict(BURST_RULE).severity)] == 1
    assert values[("DetectionDuration", None)] > 0 and ("QueryBytesScanned", "detection") in values


def test_hunting_queries_and_nl_outcomes_are_published(demo_lake_settings) -> None:  # noqa: ANN001
    from workbench.nl import TranslationError
    from workbench.session import Session

    settings = demo_lake_settings
    settings.metrics.enabled = True
    settings.metrics.emf_path = str(settings.state / "metrics.emf.jsonl")
    session = Session(settings)
    session.run_sql("SELECT eventname, count(*) AS n FROM cloudtrail GROUP BY eventname")
    with pytest.raises(TranslationError):
        session.ask("what is the weather in Paris tomorrow")
    lines = emf_lines(settings)
    names = {(m["Name"], line.get("Source") or line.get("Provider")) for line in lines
             for m in line["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert ("QueryBytesScanned", "hunting") in names and ("QueryCost", "hunting") in names
    assert ("NLRefusals", "offline") in names


def test_a_delivery_run_publishes_sent_failed_and_parked(workspace: Path) -> None:
    from tests.alerts.conftest import build_alert
    from workbench.alerts import get_store
    from workbench.routing.service import deliver

    (workspace / "mantissa.yaml").write_text(
        "routing:\n  destinations:\n    trail: {type: jsonl, path: state/deliveries.jsonl}\n  routes:\n    - to: trail\n")
    settings = settings_for(workspace)
    with get_store(settings) as store:
        store.upsert_alert(build_alert("a-0001"), ["e1"])
        store.upsert_alert(build_alert("a-0002"), ["e2"])
        run = deliver(settings, store)
    assert run is not None and run.sent.delivered == 2
    line = next(line for line in emf_lines(settings) if "DeliveriesSent" in line)
    assert (line["DeliveriesSent"], line["DeliveriesFailed"], line["DeliveriesParked"], line["DeliveriesParkedTotal"]) == (2, 0, 0, 0)
