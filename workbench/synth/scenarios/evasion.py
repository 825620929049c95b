"""Defence evasion and exposure: logging switched off, and a bucket opened to the whole internet."""

from __future__ import annotations

from datetime import timedelta

from workbench.synth import events, findings, ids, mutations
from workbench.synth.calls import get_object, s3_additional, s3_resources
from workbench.synth.scenarios.base import Scenario, ScenarioContext, register, session_principal
from workbench.synth.truth import Principal, ScenarioTruth

CT, GD, EC2 = "cloudtrail.amazonaws.com", "guardduty.amazonaws.com", "ec2.amazonaws.com"
READER_AGENTS = ("curl/8.5.0", "Wget/1.21.4", "python-requests/2.31.0", "aws-cli/2.15.0 (anonymous)")


@register
class LoggingTampering(Scenario):
    name = "logging-tampering"
    description = ("A stolen administrator session in the dev account inspects the account's logging, then "
                   "stops and reconfigures the account trail, deletes the GuardDuty detectors and the VPC flow "
                   "log, and finally deletes the trail. The organization trail in the log-archive account keeps "
                   "recording, which is why these calls are visible at all; the dev VPC's flow records stop.")
    techniques = ("T1562.008", "T1562.001", "T1078.004")
    duration = timedelta(minutes=40)

    def inject(self, ctx: ScenarioContext) -> ScenarioTruth:
        rng, org = ctx.rng, ctx.org
        dev = org.account("dev")
        human = ctx.pick_human(lambda h: h.admin)
        when = ctx.slot(self.duration)
        ident = events.sso_identity(human, dev.sso_roles["AdministratorAccess"], rng, when - timedelta(minutes=35))
        ip = ctx.ips.take()
        agent = events.ATTACKER_AGENTS[2]
        trail = dev.trail_arn()
        first = ctx.record(when, ident, dev, CT, "DescribeTrails", True, ({"includeShadowTrails": True}, None, None),
                           ip=ip, agent=agent)
        when = ctx.later(when, 2, 8)
        ctx.record(when, ident, dev, CT, "GetTrailStatus", True, mutations.trail_call(trail), ip=ip, agent=agent)
        for region in dev.detector_ids:
            when = ctx.later(when, 1, 5)
            ctx.record(when, ident, dev, GD, "ListDetectors", True, ip=ip, agent=agent, region=region)
        when = ctx.later(when, 2, 6)
        ctx.record(when, ident, dev, EC2, "DescribeFlowLogs", True, ({"describeFlowLogsRequest": {}}, None, None),
                   ip=ip, agent=agent)
        when = ctx.later(when, 30, 120)
        ctx.record(when, ident, dev, CT, "StopLogging", False, mutations.trail_call(trail), ip=ip, agent=agent)
        stopped_at = when
        when = ctx.later(when, 10, 60)
        ctx.record(when, ident, dev, CT, "UpdateTrail", False,
                   mutations.update_trail(trail, f"{dev.buckets[0]}-tmp"), ip=ip, agent=agent)
        deleted = []
        for region, detector in dev.detector_ids.items():
            when = ctx.later(when, 5, 30)
            ctx.record(when, ident, dev, GD, "DeleteDetector", False, mutations.delete_detector(detector),
                       ip=ip, agent=agent, region=region)
            deleted.append(detector)
        when = ctx.later(when, 5, 30)
        ctx.record(when, ident, dev, EC2, "DeleteFlowLogs", False, mutations.delete_flow_logs(rng, dev.flow_log_id),
                   ip=ip, agent=agent)
        ctx.flow_cutoffs[dev.id] = when
        when = ctx.later(when, 30, 180)
        ctx.record(when, ident, dev, CT, "DeleteTrail", False, mutations.trail_call(trail), ip=ip, agent=agent)
        ctx.findings.append(findings.finding(
            rng, dev, "us-east-1", type="Stealth:IAMUser/CloudTrailLoggingDisabled", severity=2.0,
            title=f"AWS CloudTrail trail {dev.trail_name} was disabled.",
            description=f"AWS CloudTrail trail {dev.trail_name} was disabled by {human.email} calling StopLogging "
                        "under unusual circumstances.",
            resource=findings.access_key_resource(ident["accessKeyId"], ident["principalId"],
                                                  ident["sessionContext"]["sessionIssuer"]["userName"],
                                                  "AssumedRole"),
            action=findings.api_call_action("StopLogging", CT, ip),
            first=stopped_at, last=stopped_at))
        return ctx.truth(
            self, attacker_ips=[ip], first=first, principals=[session_principal(ident, human.email)],
            answers={"initial_access_ip": ip, "compromised_principal": human.email,
                     "first_malicious_call": "DescribeTrails", "logging_disabled_call": "StopLogging",
                     "trail": dev.trail_name, "detectors_deleted": ",".join(deleted),
                     "flow_log_deleted": dev.flow_log_id})


@register
class PublicBucket(Scenario):
    name = "public-bucket"
    description = ("An engineer removes a bucket's public access block and grants read to everyone by ACL and "
                   "by bucket policy; strangers on the internet then list and download its objects anonymously.")
    techniques = ("T1098", "T1530", "T1567")
    duration = timedelta(hours=6)

    def inject(self, ctx: ScenarioContext) -> ScenarioTruth:
        rng, org = ctx.rng, ctx.org
        prod = org.account("prod")
        human = ctx.pick_human(lambda h: not h.admin)
        when = ctx.slot(self.duration)
        ident = events.sso_identity(human, prod.sso_roles["PowerUserAccess"], rng, when - timedelta(minutes=20))
        ip, agent = human.home_ip, events.CONSOLE_AGENTS[1]
        bucket = rng.choice(prod.buckets[2:])  # app-assets, backups or invoices
        region = "us-east-1"
        ctx.record(when, ident, prod, "s3.amazonaws.com", "GetBucketPolicy", True,
                   ({"bucketName": bucket, "Host": f"{bucket}.s3.{region}.amazonaws.com", "policy": ""}, None,
                    s3_resources(prod.id, bucket)), ip=ip, agent=agent, console=True,
                   error=("NoSuchBucketPolicy", "The bucket policy does not exist"))
        when = ctx.later(when, 20, 90)
        first = ctx.record(when, ident, prod, "s3.amazonaws.com", "DeleteBucketPublicAccessBlock", False,
                           mutations.delete_public_access_block(prod.id, bucket, region), ip=ip, agent=agent,
                           console=True, additional=s3_additional(rng))
        owner = ids.hexid(rng, 64)
        when = ctx.later(when, 20, 90)
        ctx.record(when, ident, prod, "s3.amazonaws.com", "PutBucketAcl", False,
                   mutations.put_bucket_acl_public(prod.id, bucket, region, owner), ip=ip, agent=agent,
                   console=True, additional=s3_additional(rng))
        when = ctx.later(when, 20, 90)
        ctx.record(when, ident, prod, "s3.amazonaws.com", "PutBucketPolicy", False,
                   mutations.put_bucket_policy_public(prod.id, bucket, region), ip=ip, agent=agent,
                   console=True, additional=s3_additional(rng))
        exposed_at = when
        anonymous = {"type": "AWSAccount", "principalId": "", "accountId": "anonymous"}
        readers = [ctx.ips.take() for _ in range(rng.randint(3, 5))]
        for n, reader in enumerate(readers):
            at = ctx.later(exposed_at, 600 + n * 1800, 1800 + n * 2400)
            ragent = rng.choice(READER_AGENTS)
            req = {"bucketName": bucket, "Host": f"{bucket}.s3.amazonaws.com", "list-type": "2", "prefix": ""}
            extra = s3_additional(rng)
            for key in ("SignatureVersion", "AuthenticationMethod"):
                extra.pop(key)
            ctx.record(at, anonymous, prod, "s3.amazonaws.com", "ListObjects", True,
                       (req, None, s3_resources(prod.id, bucket)), ip=reader, agent=ragent, data=True,
                       additional=extra)
            for _ in range(rng.randint(8, 30)):
                at = ctx.later(at, 1, 20)
                req, _, resources, extra = get_object(rng, prod, region, bucket)
                for key in ("SignatureVersion", "AuthenticationMethod"):
                    extra.pop(key)
                ctx.record(at, anonymous, prod, "s3.amazonaws.com", "GetObject", True, (req, None, resources),
                           ip=reader, agent=ragent, data=True, additional=extra)
        for ftype, sev, title in (
            ("Policy:S3/BucketBlockPublicAccessDisabled", 2.0,
             f"Amazon S3 Block Public Access was disabled for S3 bucket {bucket}."),
            ("Policy:S3/BucketAnonymousAccessGranted", 8.0,
             f"Amazon S3 bucket {bucket} allows anonymous access."),
        ):
            ctx.findings.append(findings.finding(
                rng, prod, region, type=ftype, severity=sev, title=title,
                description=f"{title} The change was made by {human.email} and may expose the bucket's data.",
                resource=findings.bucket_resource(prod, bucket, exposed_at),
                action=findings.api_call_action("PutBucketPolicy", "s3.amazonaws.com", ip),
                first=exposed_at, last=exposed_at))
        return ctx.truth(
            self, attacker_ips=readers, buckets=[bucket], first=first,
            principals=[session_principal(ident, human.email, role="actor"),
                        Principal(arn="anonymous", username="anonymous", account_id="anonymous",
                                  type="AWSAccount", role="anonymous")],
            answers={"initial_access_ip": readers[0], "exposed_bucket": bucket, "exfiltrated_bucket": bucket,
                     "responsible_principal": human.email, "first_malicious_call": "DeleteBucketPublicAccessBlock",
                     "exposure_mechanism": "PutBucketPolicy"})
