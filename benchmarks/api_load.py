"""Query API load: concurrent clients against a real Jupyter server on loopback, a mix of hunts.

    .venv/bin/python benchmarks/api_load.py [--clients 20] [--requests 2000] [--days 2]

Synthesises a demo lake (workbench.synth, seed 7) in a temporary folder, starts `jupyter server`
with the query API (tests/api/server.py), and sends `--requests` requests from `--clients`
concurrent httpx clients, each with its own API token: the library's hunts bound to the injected
attack's IPs and principal, over the whole demo window, plus some English questions and alert
listings. Prints throughput, latency percentiles, errors (target 0) and the server's resident
memory before and after the load.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.api.server import ApiServer, start_server, stop_server  # noqa: E402


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def workload(truth, start: str, end: str) -> list[tuple[str, str, dict | None]]:  # noqa: ANN001
    """(label, path, body) for each kind of request in the mix."""
    from workbench.hunts import get_hunt, load_hunts

    hunts = load_hunts()
    leak = truth.scenario("leaked-key")
    ip, arn = leak.attacker_ips[0], leak.compromised.arn
    window = {"start": start, "end": end, "limit": 1000}
    bound = {
        "suspicious_ip": {"ip": ip}, "trace_principal": {"principal": arn}, "privilege_escalation": {},
        "failed_console_logins": {}, "console_login_without_mfa": {}, "new_access_keys": {},
        "cloudtrail_tampering": {}, "access_denied_by_principal": {}, "vpc_top_talkers": {},
        "guardduty_by_resource": {},
    }
    mix: list[tuple[str, str, dict | None]] = []
    for name, values in bound.items():
        if name in hunts:
            mix.append((f"hunt {name}", "/mantissa/api/query", {"sql": get_hunt(name, hunts).bind(values), **window}))
    mix += [
        ("ask activity from ip", "/mantissa/api/query", {"question": f"Show all activity from {ip}", **window}),
        ("ask count from ip", "/mantissa/api/query", {"question": f"How many events came from {ip}?", **window}),
        ("alerts list", "/mantissa/api/alerts", None),
    ]
    return mix


async def client_loop(server: ApiServer, token: str, jobs: asyncio.Queue, out: list) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=120) as client:
        while True:
            try:
                label, path, body = jobs.get_nowait()
            except asyncio.QueueEmpty:
                return
            started = time.perf_counter()
            try:
                response = await (client.post(path, json=body) if body is not None else client.get(path))
                status = response.status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            out.append((label, status, time.perf_counter() - started))


async def drive(server: ApiServer, tokens: list[str], requests: list) -> tuple[list, float]:
    jobs: asyncio.Queue = asyncio.Queue()
    for item in requests:
        jobs.put_nowait(item)
    out: list = []
    started = time.perf_counter()
    await asyncio.gather(*(client_loop(server, token, jobs, out) for token in tokens))
    return out, time.perf_counter() - started


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="api.workers: queries the server runs at once")
    args = parser.parse_args()

    from workbench.api.tokens import TokenStore
    from workbench.synth import synthesize

    with tempfile.TemporaryDirectory(prefix="mantissa-api-load-") as tmp:
        root = Path(tmp)
        end = "2026-11-20T00:00:00Z"
        report = synthesize(root / "lake", days=args.days, seed=7, end=end, progress=False)
        start = f"2026-11-{20 - args.days:02d}T00:00:00Z"
        server = start_server(root / "server", root / "lake", {
            "requests_per_minute": 1_000_000, "workers": args.workers, "max_rows": 1000}, alerts=50)
        try:
            store = TokenStore.for_settings(server.settings())
            tokens = [store.create(f"load-{i:02d}", ["query", "alerts:read"]).token for i in range(args.clients)]
            mix = workload(report.truth, start, end)
            rng = random.Random(7)
            requests = [mix[rng.randrange(len(mix))] for _ in range(args.requests)]
            # One pass of the mix first: engines open their connections, caches fill.
            asyncio.run(drive(server, tokens[:1], mix))
            rss_before = rss_mib(server.process.pid)
            results, elapsed = asyncio.run(drive(server, tokens, requests))
            rss_after = rss_mib(server.process.pid)
        finally:
            stop_server(server)

    latencies = [t for _, _, t in results]
    statuses = Counter(status for _, status, _ in results)
    errors = sum(n for status, n in statuses.items() if status != 200)
    print(f"\nquery API load: {args.clients} clients, {len(results)} requests, {len(mix)} kinds of request, "
          f"{args.days}-day demo lake, api.workers={args.workers}\n")
    rows = [
        ("requests", f"{len(results):,}"),
        ("wall time", f"{elapsed:.1f} s"),
        ("throughput", f"{len(results) / elapsed:.1f} req/s"),
        ("latency p50", f"{pct(latencies, 0.50) * 1000:.0f} ms"),
        ("latency p95", f"{pct(latencies, 0.95) * 1000:.0f} ms"),
        ("latency max", f"{max(latencies) * 1000:.0f} ms"),
        ("latency mean", f"{statistics.mean(latencies) * 1000:.0f} ms"),
        ("errors (non-200)", f"{errors}" + (f"  {dict(statuses)}" if errors else "")),
        ("server RSS before", f"{rss_before:.0f} MiB"),
        ("server RSS after", f"{rss_after:.0f} MiB"),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"| {'measure':<{width}} | value |\n|{'-' * (width + 2)}|-------|")
    for key, value in rows:
        print(f"| {key:<{width}} | {value} |")
    print("\nper kind of request (p50 / p95 ms, count):")
    for label in sorted({label for label, _, _ in results}):
        times = [t for lab, _, t in results if lab == label]
        print(f"  {label:<34} {pct(times, 0.5) * 1000:7.0f} {pct(times, 0.95) * 1000:7.0f}  {len(times):5d}")


if __name__ == "__main__":
    main()
