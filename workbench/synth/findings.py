"""GuardDuty findings with the full finding structure, and the few low-severity ones any estate sees.

Finding types, titles and severities follow GuardDuty's documented finding types. Delivered as
EventBridge envelopes (`detail-type: GuardDuty Finding`), the way most teams export them.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import numpy as np

from workbench.synth import ids
from workbench.synth.org import PRIMARY_REGION, Account, Instance, Org

FINDINGS_PER_DAY = 1.5


def gd_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def remote_ip(ip: str, country: str = "Unknown", org_name: str = "Unknown hosting") -> dict:
    return {"ipAddressV4": ip, "organization": {"asn": "0", "asnOrg": org_name, "isp": org_name, "org": org_name},
            "country": {"countryName": country}, "city": {"cityName": ""}, "geoLocation": {"lat": 0.0, "lon": 0.0}}


def instance_resource(acct: Account, inst: Instance, instance_type: str = "m5.large") -> dict:
    interface = {"networkInterfaceId": inst.eni, "privateIpAddress": inst.private_ip, "subnetId": inst.subnet,
                 "vpcId": acct.vpc_id, "securityGroups": [{"groupId": acct.security_groups[0],
                                                           "groupName": f"{inst.tier}-sg"}]}
    if inst.public_ip:
        interface["publicIp"] = inst.public_ip
    return {"resourceType": "Instance", "instanceDetails": {
        "instanceId": inst.id, "instanceType": instance_type, "instanceState": "running",
        "availabilityZone": inst.az, "imageId": "ami-0a1b2c3d4e5f60718", "networkInterfaces": [interface],
        "tags": [{"key": "Name", "value": f"{acct.name}-{inst.tier}"}]}}


def access_key_resource(key_id: str, principal_id: str, user: str, user_type: str = "IAMUser") -> dict:
    return {"resourceType": "AccessKey", "accessKeyDetails": {
        "accessKeyId": key_id, "principalId": principal_id, "userName": user, "userType": user_type}}


def bucket_resource(acct: Account, bucket: str, when: datetime) -> dict:
    return {"resourceType": "S3Bucket", "s3BucketDetails": [{
        "arn": f"arn:aws:s3:::{bucket}", "name": bucket, "type": "Destination", "createdAt": gd_time(when - timedelta(days=400)),
        "owner": {"id": ids.hexid(random.Random(acct.id), 64)},
        "publicAccess": {"effectivePermission": "PUBLIC"}}]}


def port_probe_action(ports: list[int], ip: str) -> dict:
    return {"actionType": "PORT_PROBE", "portProbeAction": {"blocked": False, "portProbeDetails": [
        {"localPortDetails": {"port": p, "portName": {22: "SSH", 80: "HTTP", 443: "HTTPS"}.get(p, "Unknown")},
         "remoteIpDetails": remote_ip(ip)} for p in ports]}}


def api_call_action(api: str, service: str, ip: str, error: str | None = None) -> dict:
    return {"actionType": "AWS_API_CALL", "awsApiCallAction": {
        "api": api, "serviceName": service, "callerType": "Remote IP", "remoteIpDetails": remote_ip(ip),
        **({"errorCode": error} if error else {})}}


def finding(rng: random.Random, acct: Account, region: str, *, type: str, severity: float, title: str,
            description: str, resource: dict, action: dict, first: datetime, last: datetime, count: int = 1,
            role: str = "TARGET") -> dict:
    fid = ids.hexid(rng, 32)
    detector = acct.detector_ids.get(region, ids.hexid(rng, 32))
    return {
        "schemaVersion": "2.0", "accountId": acct.id, "region": region, "partition": "aws", "id": fid,
        "arn": f"arn:aws:guardduty:{region}:{acct.id}:detector/{detector}/finding/{fid}",
        "type": type, "resource": resource,
        "service": {"serviceName": "guardduty", "detectorId": detector, "action": action,
                    "resourceRole": role, "additionalInfo": {"value": "{}", "type": "default"},
                    "eventFirstSeen": gd_time(first), "eventLastSeen": gd_time(last), "archived": False,
                    "count": count},
        "severity": severity, "createdAt": gd_time(last + timedelta(minutes=5)),
        "updatedAt": gd_time(last + timedelta(minutes=5)), "title": title, "description": description,
    }


def envelope(rng: random.Random, f: dict) -> dict:
    """The EventBridge event GuardDuty publishes for a finding."""
    return {"version": "0", "id": ids.uid(rng), "detail-type": "GuardDuty Finding", "source": "aws.guardduty",
            "account": f["accountId"], "time": f["updatedAt"][:19] + "Z", "region": f["region"],
            "resources": [], "detail": f}


def background_findings(org: Org, seed: int, start: datetime, end: datetime, scale: float = 1.0) -> list[dict]:
    rng = random.Random(f"findings:{seed}")
    days = (end - start).total_seconds() / 86400
    count = int(np.random.default_rng([seed, 303]).poisson(FINDINGS_PER_DAY * days * min(scale, 1.0)))
    prod = org.account("prod")
    exposed = [i for i in prod.instances if i.public_ip]
    out = []
    for _ in range(count):
        inst = rng.choice(exposed)
        last = start + timedelta(seconds=rng.uniform(3600, (end - start).total_seconds() - 900))
        first = last - timedelta(hours=rng.uniform(0, 6))
        scanner = ids.benign_ip(rng)
        if inst.tier == "bastion" and rng.random() < 0.5:
            out.append(finding(
                rng, prod, PRIMARY_REGION, type="UnauthorizedAccess:EC2/SSHBruteForce", severity=2.0,
                title=f"{scanner} is performing SSH brute force attacks against {inst.id}.",
                description=f"{scanner} is performing SSH brute force attacks against {inst.id}. Brute force "
                            "attacks are used to gain unauthorized access to your instance by guessing the SSH password.",
                resource=instance_resource(prod, inst),
                action={"actionType": "NETWORK_CONNECTION", "networkConnectionAction": {
                    "connectionDirection": "INBOUND", "remoteIpDetails": remote_ip(scanner), "protocol": "TCP",
                    "blocked": False, "localPortDetails": {"port": 22, "portName": "SSH"},
                    "remotePortDetails": {"port": rng.randrange(32768, 65535), "portName": "Unknown"}}},
                first=first, last=last, count=rng.randint(20, 300)))
        else:
            port = rng.choice((22, 80, 443)) if inst.tier == "web" else 22
            out.append(finding(
                rng, prod, PRIMARY_REGION, type="Recon:EC2/PortProbeUnprotectedPort", severity=2.0,
                title=f"Unprotected port on EC2 instance {inst.id} is being probed.",
                description="EC2 instance has an unprotected port which is being probed by a known malicious host.",
                resource=instance_resource(prod, inst), action=port_probe_action([port], scanner),
                first=first, last=last, count=rng.randint(1, 40)))
    return out
