"""`mantissa enrich update`: fetch AWS's ip-ranges.json and keep it in the workspace (state/enrich/).

The download is checked before it replaces anything: it must parse as ip-ranges.json and must not be
older than the copy in use. Written to a temporary file and renamed, so a reader never sees half a
file. Without a network the bundled dated snapshot (or the last good copy) stays in use.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from workbench.enrich.ranges import WORKSPACE_AWS, RangesError, load_aws_ranges, parse_aws_ranges

AWS_URL = "https://ip-ranges.amazonaws.com/ip-ranges.json"
MAX_BYTES = 64 * 1024 * 1024  # the real file is a few MB; anything far larger is not it


class UpdateError(RuntimeError):
    """The refresh failed; the copy in use is unchanged."""


@dataclass(frozen=True)
class UpdateResult:
    path: Path
    previous_date: str
    date: str
    prefixes: int
    changed: bool

    def line(self) -> str:
        if not self.changed:
            return f"AWS IP ranges already current ({self.date}, {self.prefixes:,} prefixes): {self.path}"
        return (f"AWS IP ranges updated {self.previous_date} → {self.date} ({self.prefixes:,} prefixes): "
                f"{self.path}")


def update_aws_ranges(state_dir: Path, url: str = AWS_URL, timeout_s: float = 30.0) -> UpdateResult:
    """Download `url`, check it, and install it as the workspace's AWS ranges."""
    import httpx

    current = load_aws_ranges(state_dir)
    try:
        with httpx.Client(timeout=httpx.Timeout(timeout_s), follow_redirects=True) as client:
            response = client.get(url)
    except httpx.HTTPError as exc:
        raise UpdateError(f"cannot fetch {url} ({type(exc).__name__}: {exc}); still using the AWS ranges of "
                          f"{current.date} ({current.path.name}). Try again when the network allows, or pass "
                          "--url with a reachable copy") from None
    if response.status_code != 200:
        raise UpdateError(f"{url} answered HTTP {response.status_code}; still using the AWS ranges of "
                          f"{current.date}")
    if len(response.content) > MAX_BYTES:
        raise UpdateError(f"{url} sent {len(response.content):,} bytes, more than ip-ranges.json ever is; "
                          "not installed")
    try:
        data = json.loads(response.content)
    except ValueError:
        raise UpdateError(f"{url} is not AWS's ip-ranges.json (not JSON); still using the AWS ranges of "
                          f"{current.date}") from None
    try:
        fresh = parse_aws_ranges(data, url)
    except RangesError as exc:
        raise UpdateError(f"{exc}; not installed, still using the AWS ranges of {current.date}") from None
    if fresh.create_date < current.create_date and current.path.name != "aws-ip-ranges.json.gz":
        raise UpdateError(f"{url} is dated {fresh.date}, older than the copy in use ({current.date}); not installed")
    target = state_dir / WORKSPACE_AWS
    changed = fresh.create_date != current.create_date or fresh.sync_token != current.sync_token
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".json.tmp")
    temporary.write_bytes(response.content)
    os.replace(temporary, target)
    return UpdateResult(target, current.date, fresh.date, fresh.count, changed)
