"""Scenarios that show in the network and on instances: a port scan, crypto-mining, lateral movement."""

from __future__ import annotations

from datetime import timedelta

from workbench.synth import events, findings, flows, ids, mutations
from workbench.synth.org import UNUSED_REGIONS, Instance
from workbench.synth.scenarios.base import (
    Scenario,
    ScenarioContext,
    register,
    session_principal,
    user_principal,
)
from workbench.synth.truth import ScenarioTruth

EC2, SSM = "ec2.amazonaws.com", "ssm.amazonaws.com"
OPEN_PORTS = {80, 443}
MINER_TYPES = ("p3.16xlarge", "g4dn.12xlarge", "p4d.24xlarge", "c5.24xlarge", "g5.12xlarge")


@register
class PortScan(Scenario):
    name = "port-scan"
    description = ("One external host sweeps hundreds of TCP ports on an internet-facing web instance within "
                   "minutes; the security group rejects all but the web ports.")
    techniques = ("T1046", "T1595.001")
    duration = timedelta(minutes=15)

    def inject(self, ctx: ScenarioContext) -> ScenarioTruth:
        rng, prod = ctx.rng, ctx.org.account("prod")
        target = rng.choice([i for i in prod.instances if i.tier == "web"])
        ip = ctx.ips.take()
        start = ctx.slot(self.duration)
        ports = sorted(set(rng.sample(range(1, 1025), rng.randint(250, 500)))
                       | {1433, 3306, 3389, 5432, 5900, 6379, 8080, 8443, 9200, 27017})
        at = int(start.timestamp())
        for port in rng.sample(ports, len(ports)):
            at += rng.choice((0, 0, 1))
            ctx.flows.append(flows.probe(prod, target, rng, ip, port, at, accepted=port in OPEN_PORTS))
        ctx.findings.append(findings.finding(
            rng, prod, "us-east-1", type="Recon:EC2/PortProbeUnprotectedPort", severity=2.0,
            title=f"Unprotected port on EC2 instance {target.id} is being probed.",
            description="EC2 instance has an unprotected port which is being probed by a known malicious host.",
            resource=findings.instance_resource(prod, target), action=findings.port_probe_action([443, 80], ip),
            first=start, last=start + timedelta(seconds=at - int(start.timestamp())), count=len(OPEN_PORTS)))
        return ctx.truth(self, attacker_ips=[ip], answers={
            "initial_access_ip": ip, "scanner_ip": ip, "target_instance": target.id, "target_interface": target.eni,
            "ports_scanned": str(len(ports))})


@register
class CryptoMining(Scenario):
    name = "crypto-mining"
    description = ("A machine user's long-lived key is used from a new IP to launch large GPU instances in "
                   "regions the organisation never uses, after importing a key pair and opening SSH to the world.")
    techniques = ("T1078.004", "T1496", "T1535")
    duration = timedelta(hours=1)

    def inject(self, ctx: ScenarioContext) -> ScenarioTruth:
        rng, dev = ctx.rng, ctx.org.account("dev")
        victim = next(u for u in dev.iam_users if u.name == "svc-reporting")
        ident = events.iam_user_identity(victim)
        ip, agent = ctx.ips.take(), events.ATTACKER_AGENTS[1]
        when = ctx.slot(self.duration)
        first = ctx.record(when, ident, dev, "sts.amazonaws.com", "GetCallerIdentity", True, ip=ip, agent=agent)
        when = ctx.later(when, 2, 10)
        ctx.catalog_call(when, ident, dev, "DescribeRegions", ip=ip, agent=agent)
        regions = rng.sample(UNUSED_REGIONS, 3)
        launched: list[str] = []
        types_used: set[str] = set()
        key_name = f"k{ids.hexid(rng, 6)}"
        for n, region in enumerate(regions):
            when = ctx.later(when, 10, 60)
            ctx.record(when, ident, dev, EC2, "ImportKeyPair", False,
                       ({"keyName": key_name, "publicKeyMaterial": "<sensitiveDataRemoved>"},
                        {"requestId": ids.uid(rng), "keyName": key_name, "keyPairId": f"key-{ids.hexid(rng, 17)}",
                         "keyFingerprint": ":".join(ids.hexid(rng, 2) for _ in range(16))}, None),
                       ip=ip, agent=agent, region=region)
            sg = ids.resource_id(rng, "sg")
            when = ctx.later(when, 2, 10)
            ctx.record(when, ident, dev, EC2, "AuthorizeSecurityGroupIngress", False,
                       ({"groupId": sg, "ipPermissions": {"items": [{
                           "ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "groups": {},
                           "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}, "ipv6Ranges": {}, "prefixListIds": {}}]}},
                        {"requestId": ids.uid(rng), "_return": True}, None), ip=ip, agent=agent, region=region)
            for itype in rng.sample(MINER_TYPES, 2):
                when = ctx.later(when, 5, 40)
                count = rng.randint(2, 8)
                doc, instance_ids = mutations.run_instances(rng, dev.id, region, itype, count, when, key_name)
                if n == 0 and not launched:  # the first try hits the account's vCPU quota
                    ctx.record(when, ident, dev, EC2, "RunInstances", False, doc, ip=ip, agent=agent, region=region,
                               error=("Client.VcpuLimitExceeded", "You have requested more vCPU capacity than your "
                                      "current vCPU limit of 64 allows for the instance bucket that the specified "
                                      "instance type belongs to."))
                    launched.append("")
                    continue
                ctx.record(when, ident, dev, EC2, "RunInstances", False, doc, ip=ip, agent=agent, region=region)
                launched.extend(instance_ids)
                types_used.add(itype)
        launched = [i for i in launched if i]
        miner = Instance(id=launched[0], eni=ids.resource_id(rng, "eni"), private_ip="172.31.9.10",
                         public_ip=None, subnet=ids.resource_id(rng, "subnet"), az=f"{regions[-1]}a",
                         az_id="", tier="miner", region=regions[-1])
        ctx.findings.append(findings.finding(
            rng, dev, regions[-1], type="CryptoCurrency:EC2/BitcoinTool.B!DNS", severity=8.0,
            title=f"EC2 instance {launched[0]} is querying a domain name that is associated with Bitcoin activity.",
            description=f"EC2 instance {launched[0]} is querying a domain name associated with cryptocurrency mining.",
            resource=findings.instance_resource(dev, miner, "p3.16xlarge"),
            action={"actionType": "DNS_REQUEST", "dnsRequestAction": {"domain": "xmr.pool.minergate.com",
                                                                     "protocol": "UDP", "blocked": False}},
            first=when + timedelta(minutes=10), last=when + timedelta(minutes=40), count=rng.randint(50, 400)))
        return ctx.truth(self, attacker_ips=[ip], first=first, principals=[user_principal(victim)], answers={
            "initial_access_ip": ip, "compromised_principal": victim.name,
            "compromised_access_key": victim.access_key_id, "first_malicious_call": "GetCallerIdentity",
            "regions": ",".join(sorted(regions)), "instance_types": ",".join(sorted(types_used)),
            "execution_call": "RunInstances"})


@register
class LateralMovement(Scenario):
    name = "lateral-movement"
    description = ("A stolen Identity Center session runs shell commands on instances through SSM SendCommand, "
                   "opens a Session Manager shell, and pushes an SSH key with EC2 Instance Connect to the bastion, "
                   "then moves from the bastion to internal hosts over SSH.")
    techniques = ("T1078.004", "T1651", "T1021.004", "T1021.007")
    duration = timedelta(hours=1)

    def inject(self, ctx: ScenarioContext) -> ScenarioTruth:
        rng, prod = ctx.rng, ctx.org.account("prod")
        human = ctx.pick_human(lambda h: not h.admin and h.iam_user is None)
        when = ctx.slot(self.duration)
        ident = events.sso_identity(human, prod.sso_roles["PowerUserAccess"], rng, when - timedelta(minutes=10))
        ip, agent = ctx.ips.take(), events.ATTACKER_AGENTS[0]
        first = ctx.catalog_call(when, ident, prod, "DescribeInstances", ip=ip, agent=agent)
        when = ctx.later(when, 5, 30)
        ctx.catalog_call(when, ident, prod, "DescribeInstanceInformation", ip=ip, agent=agent)
        apps = [i for i in prod.instances if i.tier in ("app", "batch")]
        targets = rng.sample(apps, 2)
        when = ctx.later(when, 30, 120)
        rec = ctx.record(when, ident, prod, SSM, "SendCommand", False,
                         mutations.send_command(rng, [t.id for t in targets], when, ident["arn"]), ip=ip, agent=agent)
        command_id = rec["responseElements"]["command"]["commandId"]
        for t in targets:
            when = ctx.later(when, 3, 15)
            ctx.record(when, ident, prod, SSM, "GetCommandInvocation", True,
                       ({"commandId": command_id, "instanceId": t.id}, None, None), ip=ip, agent=agent)
        when = ctx.later(when, 60, 300)
        ctx.record(when, ident, prod, SSM, "StartSession", False,
                   mutations.start_session(rng, "us-east-1", targets[0].id, human.email), ip=ip, agent=agent)
        bastion = next(i for i in prod.instances if i.tier == "bastion")
        when = ctx.later(when, 120, 600)
        ctx.record(when, ident, prod, "ec2-instance-connect.amazonaws.com", "SendSSHPublicKey", False,
                   mutations.send_ssh_public_key(rng, bastion.id), ip=ip, agent=agent)
        at = int(when.timestamp()) + rng.randrange(5, 30)
        ctx.flows.extend(flows.connection(prod, bastion, rng, src=ip, dst=bastion.private_ip, dstport=22, at=at,
                                          inbound=True, nbytes=rng.randrange(40_000, 400_000)))
        for peer in [i for i in prod.instances if i.tier in ("app", "db")]:
            at += rng.randrange(30, 240)
            ctx.flows.extend(flows.connection(prod, bastion, rng, src=bastion.private_ip, dst=peer.private_ip,
                                              dstport=22, at=at, inbound=False,
                                              nbytes=rng.randrange(5_000, 90_000), peer=(prod, peer)))
        return ctx.truth(self, attacker_ips=[ip], first=first, principals=[session_principal(ident, human.email)],
                         answers={"initial_access_ip": ip, "compromised_principal": human.email,
                                  "first_malicious_call": "DescribeInstances", "execution_call": "SendCommand",
                                  "pivot_instance": bastion.id})
