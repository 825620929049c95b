"""The `cloudwatch` publisher: PutMetricData, batched (CloudWatch takes up to 1,000 values a call)."""

from __future__ import annotations

import os

from workbench.metrics import PUBLISHERS, Metric, Publisher

BATCH = 1000


@PUBLISHERS.register("cloudwatch")
class CloudWatchPublisher(Publisher):
    def data(self, metrics: list[Metric]) -> list[dict]:
        return [{"MetricName": m.name, "Value": float(m.value), "Unit": m.unit, "Timestamp": m.at,
                 "Dimensions": [{"Name": k, "Value": str(v)} for k, v in sorted({**self.dimensions, **m.dimensions}.items())]}
                for m in metrics]

    def publish(self, metrics: list[Metric]) -> None:
        import boto3

        cfg = self.settings.metrics
        region = cfg.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        client = boto3.client("cloudwatch", region_name=region, endpoint_url=cfg.endpoint_url)
        data = self.data(metrics)
        for i in range(0, len(data), BATCH):
            client.put_metric_data(Namespace=self.namespace, MetricData=data[i:i + BATCH])
