"""What an address is, in the words an analyst would look up by hand: an AWS service and region,
another cloud provider, a known scanner, a private / documentation / reserved range, or public.

    labeler(settings).label("52.95.110.1").text   # 'AWS S3 · us-east-1'
    ip_label("10.0.3.7")                           # 'private (RFC 1918)'

Sources, all local: AWS's ip-ranges.json (bundled dated snapshot, or the workspace's copy from
`mantissa enrich update`), other providers' published ranges (bundled), the IANA special-purpose
ranges (Python's ipaddress, plus the documentation blocks it does not name), and known-IP lists: the
bundled scanners and the workspace's `enrich/known-ips.csv` (`cidr,label,kind,source`).
"""

from __future__ import annotations

import csv
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.enrich.ranges import DATA, PrefixIndex, load_aws_ranges, load_providers, summarise

if TYPE_CHECKING:
    from workbench.config import Settings

BUNDLED_KNOWN = DATA / "known-ips.csv"
WORKSPACE_KNOWN = Path("enrich") / "known-ips.csv"  # under the workspace root, beside rules/
KNOWN_KINDS = ("scanner", "cloud", "vpn", "corporate", "partner", "threat", "other")
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_DOCUMENTATION = [ipaddress.ip_network(n) for n in
                  ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")]
_SPECIAL: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str, str]] = [
    (ipaddress.ip_network("169.254.169.254/32"), "link-local", "link-local: the instance metadata service"),
    (ipaddress.ip_network("100.64.0.0/10"), "private", "shared address space (carrier-grade NAT, RFC 6598)"),
    (ipaddress.ip_network("10.0.0.0/8"), "private", "private (RFC 1918)"),
    (ipaddress.ip_network("172.16.0.0/12"), "private", "private (RFC 1918)"),
    (ipaddress.ip_network("192.168.0.0/16"), "private", "private (RFC 1918)"),
    (ipaddress.ip_network("fc00::/7"), "private", "private (unique local, RFC 4193)"),
]


@dataclass(frozen=True)
class IpInfo:
    """One value's labels. `kind` is the headline: aws, cloud, scanner (or another known-list kind),
    private, documentation, loopback, link-local, multicast, reserved, public, aws-service, not-an-ip."""

    value: str
    kind: str
    text: str  # the short label shown beside the address
    aws_region: str = ""
    aws_services: tuple[str, ...] = ()
    provider: str = ""
    known: str = ""  # the known-IP list's label, when one matched
    details: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "kind": self.kind, "label": self.text, "aws_region": self.aws_region,
                "aws_services": list(self.aws_services), "provider": self.provider, "known": self.known}


@dataclass(frozen=True)
class KnownRange:
    label: str
    kind: str
    source: str


def read_known(path: Path, problems: list[str]) -> list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network,
                                                                KnownRange]]:
    """`cidr,label,kind,source` rows; a bad row becomes a `file:line: …` problem and is skipped."""
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        for line_no, row in enumerate(csv.reader(fh), start=1):
            if not row or not row[0].strip() or row[0].lstrip().startswith("#"):
                continue
            cells = [c.strip() for c in row]
            if cells[0].lower() == "cidr":
                continue  # a header row
            if len(cells) < 2 or not cells[1]:
                problems.append(f"{path}:{line_no}: expected 'cidr,label[,kind[,source]]', got {','.join(row)!r}; "
                                "fix or delete the line")
                continue
            try:
                network = ipaddress.ip_network(cells[0], strict=False)
            except ValueError:
                problems.append(f"{path}:{line_no}: {cells[0]!r} is not an IP address or CIDR "
                                "(e.g. 203.0.113.0/24); fix or delete the line")
                continue
            kind = (cells[2] if len(cells) > 2 and cells[2] else "other").lower()
            if kind not in KNOWN_KINDS:
                problems.append(f"{path}:{line_no}: kind {kind!r} is not one of {', '.join(KNOWN_KINDS)}; "
                                "the line is used with kind 'other'")
                kind = "other"
            out.append((network, KnownRange(cells[1], kind, cells[3] if len(cells) > 3 else str(path.name))))
    return out


class Labeler:
    """Labels addresses from the bundled data and one workspace's additions; results are cached."""

    def __init__(self, state_dir: Path | None = None, workspace: Path | None = None) -> None:
        self.aws = load_aws_ranges(state_dir)
        self.providers_date, self.providers = load_providers()
        self.problems: list[str] = []
        self.known = PrefixIndex()
        files = [BUNDLED_KNOWN]
        if workspace is not None and (workspace / WORKSPACE_KNOWN).is_file():
            files.append(workspace / WORKSPACE_KNOWN)
        for path in files:  # the workspace's file last: its entries are looked at first
            for network, known in read_known(path, self.problems):
                self.known.add(network, known)
        self._cache: dict[str, IpInfo] = {}

    @property
    def sources(self) -> str:
        """One line naming the data behind the labels (the reports print it under their tables)."""
        return (f"AWS IP ranges of {self.aws.date} ({self.aws.count:,} prefixes, {self.aws.path.name}); "
                f"other clouds' ranges of {self.providers_date}; IANA special-purpose ranges; known-IP lists")

    def label(self, value: Any) -> IpInfo:
        text = "" if value is None else str(value).strip()
        if text not in self._cache:
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[text] = self._label(text)
        return self._cache[text]

    def text(self, value: Any) -> str:
        return self.label(value).text

    def _label(self, text: str) -> IpInfo:
        try:
            address = ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            return _not_an_address(text)
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        known_hits = self.known.longest(address)
        known: KnownRange | None = known_hits[-1] if known_hits else None  # the last added: workspace wins
        base = self._base(text, address)
        if known is None:
            return base
        label = f"{known.label} · {base.text}" if base.kind in ("aws", "cloud") else known.label
        return IpInfo(text, known.kind, label, base.aws_region, base.aws_services, base.provider, known.label,
                      (f"known IP list: {known.source}", *base.details))

    def _base(self, text: str, address: Address) -> IpInfo:
        special = _special(text, address)
        if special is not None:
            return special
        entries = self.aws.lookup(address)
        if entries:
            region, services = summarise(entries)
            shown = "/".join(services)
            return IpInfo(text, "aws", f"AWS {shown} · {region}", region, tuple(services), "AWS",
                          details=(f"{entries[0].prefix} in AWS's ip-ranges.json of {self.aws.date}",))
        provider = self.providers.longest(address)
        if provider:
            return IpInfo(text, "cloud", provider[0], provider=provider[0],
                          details=(f"published ranges of {self.providers_date}",))
        return IpInfo(text, "public", "public, unlisted")


def _special(text: str, address: Address) -> IpInfo | None:
    for network in _DOCUMENTATION:
        if address in network:
            rfc = "RFC 3849" if address.version == 6 else "RFC 5737"
            return IpInfo(text, "documentation", f"documentation range ({rfc})")
    for network, kind, label in _SPECIAL:
        if address.version == network.version and address in network:
            return IpInfo(text, kind, label)
    checks = (("loopback", address.is_loopback, "loopback"), ("link-local", address.is_link_local, "link-local"),
              ("multicast", address.is_multicast, "multicast"),
              ("reserved", address.is_unspecified, "unspecified address"),
              ("reserved", address.is_reserved, "reserved (IANA)"),
              ("reserved", not address.is_global, "special-purpose (IANA), not routed on the internet"))
    for kind, hit, label in checks:
        if hit:
            return IpInfo(text, kind, label)
    return None


def _not_an_address(text: str) -> IpInfo:
    """CloudTrail puts a service's name where the caller was AWS itself (`ec2.amazonaws.com`)."""
    lowered = text.lower()
    if lowered.endswith(".amazonaws.com"):
        return IpInfo(text, "aws-service", f"AWS service {text} acting on your behalf", provider="AWS")
    if lowered == "aws internal":
        return IpInfo(text, "aws-service", "AWS internal", provider="AWS")
    return IpInfo(text, "not-an-ip", "" if not text else "not an IP address")


_labelers: dict[tuple[Path | None, Path | None], Labeler] = {}


def labeler(settings: Settings | None = None) -> Labeler:
    """The labeler of a workspace (its refreshed AWS ranges and known-ips.csv), or of the bundled data
    alone when no settings are given. Cached; a refreshed ip-ranges file is picked up by its mtime."""
    state = settings.state if settings is not None else None
    workspace = settings.workspace if settings is not None else None
    key = (state, workspace)
    current = _labelers.get(key)
    if current is None or current.aws is not load_aws_ranges(state):
        current = _labelers[key] = Labeler(state, workspace)
    return current


def label_ip(value: Any, settings: Settings | None = None) -> IpInfo:
    return labeler(settings).label(value)


def ip_label(value: Any, settings: Settings | None = None) -> str:
    """The short label for one address (empty for an empty value)."""
    return labeler(settings).text(value)
