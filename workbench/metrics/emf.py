"""The `emf` publisher: CloudWatch Embedded Metric Format lines (one JSON object per metric group).

Each line carries its values as top-level members, and under `_aws.CloudWatchMetrics` which of
them are metrics, their units, the namespace and the dimension set — CloudWatch Logs extracts the
metrics when the line reaches a log group (the CloudWatch agent tails the file; in Lambda or ECS,
standard output is the log stream). Metrics with the same dimensions share a line.
"""

from __future__ import annotations

import json
import sys
from itertools import groupby

from workbench.metrics import PUBLISHERS, Metric, Publisher


@PUBLISHERS.register("emf")
class EmfPublisher(Publisher):
    def lines(self, metrics: list[Metric]) -> list[str]:
        def key(m: Metric) -> tuple:
            return tuple(sorted({**self.dimensions, **m.dimensions}.items())), int(m.at.timestamp() * 1000)

        out = []
        for (dims, millis), group in groupby(sorted(metrics, key=key), key=key):
            group = list(group)
            document: dict = {"_aws": {"Timestamp": millis, "CloudWatchMetrics": [{
                "Namespace": self.namespace, "Dimensions": [[name for name, _ in dims]],
                "Metrics": [{"Name": m.name, "Unit": m.unit} for m in group]}]}}
            document.update(dict(dims))
            for m in group:
                document[m.name] = m.value
            out.append(json.dumps(document, separators=(",", ":")))
        return out

    def publish(self, metrics: list[Metric]) -> None:
        text = "".join(line + "\n" for line in self.lines(metrics))
        target = self.settings.metrics.emf_path
        if target == "-":
            sys.stdout.write(text)
            return
        path = self.settings.resolve(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:  # appends of one write each: tailers see whole lines
            out.write(text)
