"""VPC Flow Logs, version 5 field set: ENIs in VPCs, web traffic from the internet, tiers talking to
each other, egress to AWS services, and the steady drizzle of internet scanners being rejected.

Records are dicts keyed by the catalog's column names (`account_id`, `interface_id`, …); absent
values are None and become "-" in the delivered file, as AWS writes them.
"""

from __future__ import annotations

import random
from datetime import datetime

import numpy as np

from workbench.synth import ids, rhythm
from workbench.synth.org import Account, Instance, Org

# The v5 custom-format field list, in the order of the file's header line.
V5_FIELDS = ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start "
             "end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr "
             "region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service "
             "flow-direction traffic-path").split()
COLUMNS = tuple(f.replace("-", "_") for f in V5_FIELDS)
TCP, UDP = 6, 17
SYN, SYN_ACK, ACK_FIN = 2, 18, 19
WEB_FLOWS_PER_HOUR = 25
SCANNER_PROBES_PER_HOUR = 4
COMMON_PROBE_PORTS = (22, 23, 80, 443, 445, 1433, 3306, 3389, 5900, 6379, 8080, 8443, 9200)


def flow(acct: Account, inst: Instance, *, src: str, dst: str, srcport: int, dstport: int, protocol: int,
         packets: int, nbytes: int, start: int, duration: int, action: str, direction: str, tcp_flags: int,
         pkt_src_service: str | None = None, pkt_dst_service: str | None = None,
         traffic_path: int | None = None) -> dict:
    """One flow record as seen on `inst`'s network interface."""
    values = (5, acct.id, inst.eni, src, dst, srcport, dstport, protocol, packets, nbytes, start, start + duration,
              action, "OK", acct.vpc_id, inst.subnet, inst.id, tcp_flags, "IPv4", src, dst, inst.region,
              inst.az_id, None, None, pkt_src_service, pkt_dst_service, direction, traffic_path)
    return dict(zip(COLUMNS, values, strict=True))


def _ephemeral(rng: random.Random) -> int:
    return rng.randrange(32768, 65535)


def probe(acct: Account, inst: Instance, rng: random.Random, src: str, dstport: int, at: int,
          accepted: bool) -> dict:
    """One inbound SYN to `dstport` on the instance's public side: REJECT unless a rule lets it in."""
    return flow(acct, inst, src=src, dst=inst.private_ip, srcport=_ephemeral(rng), dstport=dstport,
                protocol=TCP, packets=1 if not accepted else 2, nbytes=44 if not accepted else 88, start=at,
                duration=rng.randrange(1, 30), action="ACCEPT" if accepted else "REJECT",
                direction="ingress", tcp_flags=SYN)


def connection(acct: Account, inst: Instance, rng: random.Random, *, src: str, dst: str, dstport: int,
               at: int, inbound: bool, nbytes: int, peer: tuple[Account, Instance] | None = None,
               dst_service: str | None = None) -> list[dict]:
    """An accepted TCP conversation: the request flow and its reply, on each ENI that sees them."""
    sport = _ephemeral(rng)
    packets = max(3, nbytes // 1200)
    reply = max(60, int(nbytes * rng.uniform(0.05, 0.4)))
    dur = rng.randrange(1, 120)
    here_dir, there_dir = ("ingress", "egress") if inbound else ("egress", "ingress")
    path = None if inbound else (8 if dst_service else 1)
    out = [flow(acct, inst, src=src, dst=dst, srcport=sport, dstport=dstport, protocol=TCP, packets=packets,
                nbytes=nbytes, start=at, duration=dur, action="ACCEPT", direction=here_dir, tcp_flags=SYN,
                pkt_dst_service=dst_service, traffic_path=path),
           flow(acct, inst, src=dst, dst=src, srcport=dstport, dstport=sport, protocol=TCP,
                packets=max(2, reply // 1200), nbytes=reply, start=at, duration=dur, action="ACCEPT",
                direction=there_dir, tcp_flags=SYN_ACK | ACK_FIN, pkt_src_service=dst_service)]
    if peer is not None:  # the other ENI in our VPC logs the same conversation from its side
        pacct, pinst = peer
        out.append(flow(pacct, pinst, src=src, dst=dst, srcport=sport, dstport=dstport, protocol=TCP,
                        packets=packets, nbytes=nbytes, start=at, duration=dur, action="ACCEPT",
                        direction="ingress", tcp_flags=SYN))
    return out


def background_flows(org: Org, seed: int, start: datetime, end: datetime, scale: float = 1.0) -> list[dict]:
    rng = random.Random(f"flows:{seed}")
    draw = np.random.default_rng([seed, 202])
    out: list[dict] = []
    accounts = [org.account("prod"), org.account("dev")]
    for hour in rhythm.hours(start, end):
        base = int(hour.timestamp())
        ww, hw = rhythm.workload_weight(hour), rhythm.human_weight(hour)
        for acct in accounts:
            tiers: dict[str, list[Instance]] = {}
            for inst in acct.instances:
                tiers.setdefault(inst.tier, []).append(inst)
            factor = scale * (1.0 if acct.name == "prod" else 0.3)
            for web in tiers.get("web", []):
                for _ in range(int(draw.poisson(WEB_FLOWS_PER_HOUR * ww * factor))):
                    out += connection(acct, web, rng, src=ids.benign_ip(rng), dst=web.private_ip,
                                      dstport=443, at=base + rng.randrange(3600), inbound=True,
                                      nbytes=int(rng.lognormvariate(8.5, 1.2)))
                    if tiers.get("app") and rng.random() < 0.5:
                        app = rng.choice(tiers["app"])
                        out += connection(acct, web, rng, src=web.private_ip, dst=app.private_ip, dstport=8080,
                                          at=base + rng.randrange(3600), inbound=False,
                                          nbytes=int(rng.lognormvariate(8, 1)), peer=(acct, app))
            for app in tiers.get("app", []) + tiers.get("batch", []):
                for db in tiers.get("db", []):
                    for _ in range(int(draw.poisson(6 * ww * factor))):
                        out += connection(acct, app, rng, src=app.private_ip, dst=db.private_ip, dstport=5432,
                                          at=base + rng.randrange(3600), inbound=False,
                                          nbytes=int(rng.lognormvariate(9, 1.3)), peer=(acct, db))
                for _ in range(int(draw.poisson(4 * ww * factor))):
                    out += connection(acct, app, rng, src=app.private_ip,
                                      dst=f"52.216.{rng.randrange(256)}.{rng.randrange(1, 255)}", dstport=443,
                                      at=base + rng.randrange(3600), inbound=False,
                                      nbytes=int(rng.lognormvariate(10, 1.5)), dst_service="S3")
            for bastion in tiers.get("bastion", []):
                for _ in range(int(draw.poisson(3 * hw * factor))):
                    out += connection(acct, bastion, rng, src=rng.choice(org.office_ips), dst=bastion.private_ip,
                                      dstport=22, at=base + rng.randrange(3600), inbound=True,
                                      nbytes=int(rng.lognormvariate(11, 1)))
            exposed = tiers.get("web", []) + tiers.get("bastion", [])
            for _ in range(int(draw.poisson(SCANNER_PROBES_PER_HOUR * factor))):
                # Internet background radiation: a stranger tries one to three ports and is mostly turned away.
                target, scanner = rng.choice(exposed), ids.benign_ip(rng)
                at = base + rng.randrange(3600)
                for port in rng.sample(COMMON_PROBE_PORTS, rng.randint(1, 3)):
                    opened = port == 443 or (port == 22 and target.tier == "bastion")
                    out.append(probe(acct, target, rng, scanner, port, at + rng.randrange(5), opened))
    stop = int(end.timestamp())
    return [f for f in out if f["start"] < stop]

