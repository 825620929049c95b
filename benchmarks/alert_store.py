"""Alert store: what one triage page, the next page, each filter and a count cost as the store
grows, in each backend (DynamoDB on a moto server on 127.0.0.1).

    .venv/bin/python benchmarks/alert_store.py                 # 1k and 10k alerts
    .venv/bin/python benchmarks/alert_store.py --sizes 1000 --backends dynamodb
    .venv/bin/python benchmarks/alert_store.py --large         # adds 100k (moto: tens of minutes)

Seeding is not measured: SQLite takes the alerts in one transaction, DynamoDB gets the layout-2
items and counters written in batches (what the store would have written, without a round trip
per alert). Then, per operation: items read (DynamoDB: the items its answers returned — index
entries, records, counters; SQLite: rows the statement returned) and wall time. The target: the
items a page reads do not grow with the number of alerts.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.alerts import Alert, AlertStore, get_store  # noqa: E402
from workbench.config import load_settings  # noqa: E402

T0 = datetime(2026, 11, 1, tzinfo=UTC)
SEVERITIES = ["info", "low", "medium", "high", "critical"]
STATUSES = ["new", "acknowledged", "investigating", "resolved", "false_positive"]
LIMIT = 50


def make_alert(i: int) -> Alert:
    seen = T0 + timedelta(seconds=30 * i)
    return Alert.model_validate({
        "id": f"b{i:07d}", "rule_id": f"aws.rule_{i % 40}", "title": f"Finding {i} for user u{i % 300}",
        "severity": SEVERITIES[(i // 3) % 5], "status": STATUSES[i % 5], "assignee": "ana" if i % 50 == 0 else None,
        "first_seen": seen, "last_seen": seen, "version": 1, "count": 1,
        "group_keys": {"principal": f"arn:aws:iam::111122223333:user/u{i % 300}"}, "fields": {},
        "evidence": {"rows": [{"eventID": f"e{i}", "eventName": "ConsoleLogin"}], "sql": "SELECT 1",
                     "window": {"start": seen, "end": seen + timedelta(minutes=15)}}})


def seed(store: AlertStore, n: int) -> None:
    if store.name == "sqlite":
        with store._transaction():  # type: ignore[attr-defined]
            for i in range(n):
                store.restore_alert(make_alert(i), [f"e{i}"])
        return
    from workbench.alerts import dynamodb_layout as layout
    from workbench.alerts.dynamodb_migrate import _store_counters

    counts: list[Counter[str]] = [Counter() for _ in range(layout.SHARDS)]
    with store._table.batch_writer() as batch:  # type: ignore[attr-defined]
        for i in range(n):
            item = layout.alert_item(make_alert(i))
            batch.put_item(Item=item)
            counts[layout.shard_of(item["pk"][len("ALERT#"):])].update(layout.counter_names(item))
    _store_counters(store, counts)  # type: ignore[arg-type]


class Reads:
    """Items a DynamoDB store's answers returned (hooked on its boto3 client)."""

    def __init__(self, store: AlertStore) -> None:
        self.n = 0
        if store.name == "dynamodb":
            store._resource().meta.client.meta.events.register("after-call.dynamodb", self._tally)  # type: ignore[attr-defined]

    def _tally(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name in ("Query", "Scan"):
            self.n += parsed.get("ScannedCount", 0)
        elif model.name == "BatchGetItem":
            self.n += sum(len(v) for v in parsed.get("Responses", {}).values())
        elif model.name == "GetItem":
            self.n += "Item" in parsed


def operations(store: AlertStore) -> list[tuple[str, Callable[[], Any]]]:
    first = store.list(limit=LIMIT)
    return [
        ("first page", lambda: store.list(limit=LIMIT)),
        ("next page", lambda: store.list(limit=LIMIT, page_token=first.next_token)),
        ("status=new,acknowledged", lambda: store.list(status=["new", "acknowledged"], limit=LIMIT)),
        ("min_severity=high", lambda: store.list(min_severity="high", limit=LIMIT)),
        ("rule", lambda: store.list(rule_id="aws.rule_7", limit=LIMIT)),
        ("assignee", lambda: store.list(assignee="ana", limit=LIMIT)),
        ("text (one page)", lambda: store.list(text="user u42", limit=LIMIT)),
        ("count()", lambda: store.count()),
        ("count(status=new)", lambda: store.count(status="new")),
    ]


def measure(backend: str, n: int, endpoint: str | None, workdir: Path) -> list[tuple[str, int, int, float]]:
    environ = {"MANTISSA_STORE__BACKEND": backend}
    if endpoint:
        environ |= {"MANTISSA_STORE__ENDPOINT_URL": endpoint, "MANTISSA_STORE__TABLE_PREFIX": f"bench{n}-"}
    ws = workdir / f"{backend}-{n}"
    ws.mkdir()
    store = get_store(load_settings(ws, environ=environ))
    seed(store, n)
    reads = Reads(store)
    rows = []
    for name, op in operations(store):
        before, started = reads.n, time.perf_counter()
        result = op()
        elapsed = time.perf_counter() - started
        read = reads.n - before if backend == "dynamodb" else getattr(result, "scanned", 1)
        rows.append((name, n, read, elapsed * 1000))
    store.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--large", action="store_true", help="also 100,000 alerts")
    parser.add_argument("--backends", nargs="+", default=["sqlite", "dynamodb"], choices=["sqlite", "dynamodb"])
    args = parser.parse_args()
    sizes = [*args.sizes, *([100_000] if args.large else [])]
    server, endpoint = None, None
    if "dynamodb" in args.backends:
        from moto.server import ThreadedMotoServer

        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            os.environ.setdefault(key, "benchmark")
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
    print(f"{'backend':<9} {'operation':<24} {'alerts':>8} {'items read':>10} {'ms':>9}")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for backend in args.backends:
                for n in sizes:
                    for name, size, read, ms in measure(backend, n, endpoint, Path(tmp)):
                        print(f"{backend:<9} {name:<24} {size:>8} {read:>10} {ms:>9.1f}", flush=True)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
