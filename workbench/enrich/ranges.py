"""AWS's published IP ranges (ip-ranges.json): the bundled dated snapshot, or the workspace's fresher
copy written by `mantissa enrich update`, indexed for longest-prefix lookups.

The file's shape is AWS's own: `createDate`, `syncToken`, `prefixes` (`ip_prefix`, `region`,
`service`, `network_border_group`) and `ipv6_prefixes` (`ipv6_prefix`, …). One prefix is listed
once per service, and `AMAZON` covers every other service's space, so a lookup returns every entry
of the most specific prefix that holds the address.
"""

from __future__ import annotations

import gzip
import ipaddress
import json
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
BUNDLED_AWS = DATA / "aws-ip-ranges.json.gz"
BUNDLED_PROVIDERS = DATA / "cloud-providers.json.gz"
WORKSPACE_AWS = Path("enrich") / "aws-ip-ranges.json"  # under the state folder


class RangesError(ValueError):
    """An ip-ranges file that is not what AWS publishes (says which file and what is wrong)."""


@dataclass(frozen=True)
class AwsRange:
    prefix: str
    region: str
    service: str
    border_group: str


class PrefixIndex:
    """Networks by (version, prefix length) → network address → values; lookups go longest first."""

    def __init__(self) -> None:
        self._by_len: dict[tuple[int, int], dict[int, list[Any]]] = {}
        self._lengths: dict[int, list[int]] = {4: [], 6: []}

    def add(self, network: ipaddress.IPv4Network | ipaddress.IPv6Network, value: Any) -> None:
        self.add_key(network.version, network.prefixlen, int(network.network_address), value)

    def add_key(self, version: int, length: int, number: int, value: Any) -> None:
        key = (version, length)
        if key not in self._by_len:
            self._by_len[key] = {}
            self._lengths[version] = sorted({*self._lengths[version], length}, reverse=True)
        self._by_len[key].setdefault(number, []).append(value)

    def longest(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list[Any]:
        """The values of the most specific network holding `address` (empty when none does)."""
        bits = address.max_prefixlen
        number = int(address)
        for length in self._lengths[address.version]:
            masked = number >> (bits - length) << (bits - length) if length else 0
            hit = self._by_len[(address.version, length)].get(masked)
            if hit:
                return hit
        return []

    def __len__(self) -> int:
        return sum(len(v) for table in self._by_len.values() for v in table.values())


def network_key(cidr: str) -> tuple[int, int, int]:
    """(version, prefix length, network number) of a CIDR; host bits are cleared. ipaddress.ip_network
    is ten times slower, which is seconds over the 30,000 bundled prefixes."""
    address, _, length_text = cidr.strip().partition("/")
    version = 6 if ":" in address else 4
    try:
        packed = socket.inet_pton(socket.AF_INET6 if version == 6 else socket.AF_INET, address)
        bits = 128 if version == 6 else 32
        length = int(length_text) if length_text else bits
    except (OSError, ValueError):
        raise ValueError(f"{cidr!r} is not an IP prefix") from None
    if not 0 <= length <= bits:
        raise ValueError(f"{cidr!r}: prefix length {length} is out of range")
    number = int.from_bytes(packed, "big")
    return version, length, number >> (bits - length) << (bits - length) if length else 0


@dataclass
class AwsRanges:
    path: Path
    create_date: str
    sync_token: str
    index: PrefixIndex = field(default_factory=PrefixIndex)
    count: int = 0

    @property
    def date(self) -> str:
        """The snapshot's day (createDate is `YYYY-MM-DD-hh-mm-ss`)."""
        return self.create_date[:10]

    def lookup(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list[AwsRange]:
        return self.index.longest(address)


def parse_aws_ranges(data: Any, path: Path | str) -> AwsRanges:
    """Check and index an ip-ranges.json document; a malformed entry names its list and position."""
    if not isinstance(data, dict) or not isinstance(data.get("prefixes"), list):
        raise RangesError(f"{path}: not AWS's ip-ranges.json (expected an object with a 'prefixes' list)")
    ranges = AwsRanges(Path(path), str(data.get("createDate") or "unknown"), str(data.get("syncToken") or ""))
    for key, address_key in (("prefixes", "ip_prefix"), ("ipv6_prefixes", "ipv6_prefix")):
        for position, entry in enumerate(data.get(key) or []):
            try:
                cidr = str(entry[address_key])
                key_parts = network_key(cidr)
                item = AwsRange(cidr, str(entry.get("region") or "GLOBAL"),
                                str(entry.get("service") or "AMAZON"),
                                str(entry.get("network_border_group") or entry.get("region") or ""))
            except (KeyError, TypeError, AttributeError, ValueError) as exc:
                raise RangesError(f"{path}: {key}[{position}]: not a valid prefix entry ({exc})") from None
            ranges.index.add_key(*key_parts, item)
            ranges.count += 1
    if not ranges.count:
        raise RangesError(f"{path}: holds no prefixes")
    return ranges


def read_json(path: Path) -> Any:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        raise RangesError(f"{path}: cannot read it as JSON ({exc})") from None


@lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int) -> AwsRanges:  # mtime in the key: an update is picked up
    try:
        return parse_aws_ranges(read_json(path), path)
    except RangesError as exc:
        if path == BUNDLED_AWS:
            raise
        raise RangesError(f"{exc}; re-run `mantissa enrich update`, or delete the file to use the bundled "
                          "snapshot") from None


def aws_ranges_path(state_dir: Path | None) -> Path:
    """The workspace's refreshed copy when there is one, else the bundled snapshot."""
    if state_dir is not None and (state_dir / WORKSPACE_AWS).is_file():
        return state_dir / WORKSPACE_AWS
    return BUNDLED_AWS


def load_aws_ranges(state_dir: Path | None = None) -> AwsRanges:
    path = aws_ranges_path(state_dir)
    return _load(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=1)
def load_providers() -> tuple[str, PrefixIndex]:
    """Other cloud providers' ranges (bundled only): their snapshot date and an index → provider name."""
    data = read_json(BUNDLED_PROVIDERS)
    index = PrefixIndex()
    for name, cidrs in data["providers"].items():
        for cidr in cidrs:
            index.add_key(*network_key(cidr), name)
    return str(data.get("date") or ""), index


def summarise(entries: Iterable[AwsRange]) -> tuple[str, list[str]]:
    """(region, services) of one prefix's entries; the catch-all AMAZON only when nothing is named."""
    entries = list(entries)
    services = sorted({e.service for e in entries if e.service != "AMAZON"}) or ["AMAZON"]
    regions = sorted({e.region for e in entries})
    return (regions[0] if len(regions) == 1 else ", ".join(regions)), services
