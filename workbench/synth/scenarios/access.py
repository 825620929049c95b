"""Credential-based intrusions: a leaked access key, and a console password guessed by brute force."""

from __future__ import annotations

from datetime import timedelta

from workbench.synth import events, findings, ids, mutations
from workbench.synth.calls import get_object, s3_additional, s3_resources
from workbench.synth.org import IamUser
from workbench.synth.scenarios.base import (
    Scenario,
    ScenarioContext,
    register,
    session_principal,
    user_principal,
)
from workbench.synth.truth import ScenarioTruth

IAM, STS = "iam.amazonaws.com", "sts.amazonaws.com"
BACKDOOR_NAMES = ("svc-backup", "aws-support-ops", "cloudops-automation", "terraform-runner", "datadog-int")
RECON = ("ListBuckets", "ListUsers", "ListRoles", "ListPolicies", "DescribeInstances", "DescribeSecurityGroups",
         "DescribeVpcs", "ListFunctions20150331", "DescribeRegions", "GetBucketPolicy", "GetBucketAcl",
         "ListTables", "DescribeLogGroups", "ListAliases", "DescribeStacks", "ListDetectors", "DescribeTrails")


@register
class LeakedAccessKey(Scenario):
    name = "leaked-key"
    description = ("An engineer's long-term access key leaks (committed to a public repository). From a new IP "
                   "the attacker checks whose key it is, maps the account, creates an administrator user with "
                   "its own access key and console password, and with it downloads a bucket's objects.")
    techniques = ("T1078.004", "T1087.004", "T1580", "T1619", "T1136.003", "T1098.001", "T1098.003", "T1530")
    duration = timedelta(hours=3)

    def inject(self, ctx: ScenarioContext) -> ScenarioTruth:
        rng, org = ctx.rng, ctx.org
        prod = org.account("prod")
        victim: IamUser = rng.choice([u for u in prod.iam_users if u.mfa])
        ip, agent = ctx.ips.take(), rng.choice(events.ATTACKER_AGENTS[:2])
        ident = events.iam_user_identity(victim)
        when = t0 = ctx.slot(self.duration)
        first = ctx.record(when, ident, prod, STS, "GetCallerIdentity", True, ip=ip, agent=agent)
        for name in rng.sample(RECON, len(RECON)):
            when = ctx.later(when, 1, 6)
            region = rng.choice(("us-east-1", "us-east-1", "us-west-2", "eu-west-1"))
            ctx.catalog_call(when, ident, prod, name, ip=ip, agent=agent, region=region)
        for _ in range(2):  # a member account may not list the organization: refused
            when = ctx.later(when, 1, 4)
            ctx.record(when, ident, prod, "organizations.amazonaws.com", "ListAccounts", True, ip=ip, agent=agent,
                       error=("AccessDeniedException", "You don't have permissions to access this resource."))
        when = ctx.later(when, 5, 15)
        ctx.record(when, ident, prod, IAM, "ListAttachedUserPolicies", True, ({"userName": victim.name}, None, None),
                   ip=ip, agent=agent)

        when = ctx.later(when, 600, 1800)  # privilege escalation: an admin user of the attacker's own
        backdoor = f"{rng.choice(BACKDOOR_NAMES)}-{ids.hexid(rng, 4)}"
        doc, backdoor_id = mutations.create_user(rng, prod.id, backdoor, when)
        ctx.record(when, ident, prod, IAM, "CreateUser", False, doc, ip=ip, agent=agent)
        when = ctx.later(when, 2, 10)
        ctx.record(when, ident, prod, IAM, "AttachUserPolicy", False, mutations.attach_user_policy(backdoor),
                   ip=ip, agent=agent)
        when = ctx.later(when, 2, 10)
        new_key = ids.access_key_id(rng)
        ctx.record(when, ident, prod, IAM, "CreateAccessKey", False,
                   mutations.create_access_key(backdoor, new_key, when), ip=ip, agent=agent)
        when = ctx.later(when, 2, 10)
        ctx.record(when, ident, prod, IAM, "CreateLoginProfile", False,
                   mutations.create_login_profile(backdoor, when), ip=ip, agent=agent)

        backdoor_user = IamUser(prod.id, backdoor, backdoor_id, new_key, mfa=False)
        bident = events.iam_user_identity(backdoor_user)
        bucket = rng.choice(prod.buckets[:2])  # data-lake or customer-exports
        when = ctx.later(when, 300, 900)
        ctx.record(when, bident, prod, STS, "GetCallerIdentity", True, ip=ip, agent=agent)
        ctx.catalog_call(ctx.later(when, 1, 3), bident, prod, "ListBuckets", ip=ip, agent=agent)
        keys = [f"exports/{rng.choice(('customers', 'orders', 'payments'))}/{2026}-{m:02d}/part-{n:05d}.csv.gz"
                for m in range(1, 12) for n in range(40)]
        for _ in range(3):
            when = ctx.later(when, 2, 8)
            req = {"bucketName": bucket, "Host": f"{bucket}.s3.us-east-1.amazonaws.com", "list-type": "2",
                   "prefix": "exports/", "encoding-type": "url"}
            ctx.record(when, bident, prod, "s3.amazonaws.com", "ListObjects", True,
                       (req, None, s3_resources(prod.id, bucket)), ip=ip, agent=agent, data=True,
                       additional=s3_additional(rng))
        for key in rng.sample(keys, rng.randint(150, 260)):
            when = ctx.later(when, 0.5, 6)
            req, _, resources, additional = get_object(rng, prod, "us-east-1", bucket, key,
                                                       int(rng.lognormvariate(16.5, 0.6)))
            ctx.record(when, bident, prod, "s3.amazonaws.com", "GetObject", True, (req, None, resources),
                       ip=ip, agent=agent, data=True, additional=additional)
        ctx.findings.append(findings.finding(
            rng, prod, "us-east-1", type="Discovery:IAMUser/AnomalousBehavior", severity=5.0,
            title=f"The API ListUsers was invoked using IAM user {victim.name} in an unusual way.",
            description="APIs commonly used in Discovery tactics were invoked by a user in an unusual way.",
            resource=findings.access_key_resource(victim.access_key_id, victim.principal_id, victim.name),
            action=findings.api_call_action("ListUsers", "iam.amazonaws.com", ip),
            first=t0, last=t0 + timedelta(minutes=5)))
        return ctx.truth(
            self, attacker_ips=[ip], buckets=[bucket], first=first,
            principals=[user_principal(victim), user_principal(backdoor_user, role="created", key=new_key)],
            answers={"initial_access_ip": ip, "compromised_principal": victim.name,
                     "compromised_access_key": victim.access_key_id, "first_malicious_call": "GetCallerIdentity",
                     "privilege_escalation": "AttachUserPolicy", "backdoor_user": backdoor,
                     "persistence_mechanism": "CreateAccessKey", "exfiltrated_bucket": bucket})


@register
class ConsoleBruteForce(Scenario):
    name = "console-brute-force"
    description = ("Many failed console sign-ins for one IAM user from one IP, then a success without MFA, "
                   "then persistence: a new access key created for another user.")
    techniques = ("T1110.001", "T1078.004", "T1098.001")
    duration = timedelta(hours=1)

    def inject(self, ctx: ScenarioContext) -> ScenarioTruth:
        rng, org = ctx.rng, ctx.org
        victim = rng.choice([u for a in org.accounts.values() for u in a.iam_users
                             if not u.mfa and u.name != "svc-reporting"])
        acct = org.by_id(victim.account_id)
        ip, agent = ctx.ips.take(), events.CONSOLE_AGENTS[0]
        when = ctx.slot(self.duration)
        first = None
        for _ in range(rng.randint(35, 70)):
            rec = events.console_login(rng, when=when, user=victim, ip=ip, agent=agent, success=False, mfa=False)
            ctx.cloudtrail.append(rec)
            first = first or rec
            when = ctx.later(when, 3, 15)
        ctx.cloudtrail.append(events.console_login(rng, when=when, user=victim, ip=ip, agent=agent,
                                                   success=True, mfa=False))
        ident = events.iam_console_identity(victim, rng, when, mfa=False)
        for name in ("ListUsers", "ListRoles", "ListBuckets", "DescribeInstances"):
            when = ctx.later(when, 10, 60)
            ctx.catalog_call(when, ident, acct, name, ip=ip, agent=agent, console=True)
        target = rng.choice([u for u in acct.iam_users if u.name != victim.name])
        when = ctx.later(when, 20, 120)
        ctx.record(when, ident, acct, "iam.amazonaws.com", "ListAccessKeys", True,
                   ({"userName": target.name}, None, None), ip=ip, agent=agent, console=True)
        new_key = ids.access_key_id(rng)
        when = ctx.later(when, 5, 30)
        ctx.record(when, ident, acct, "iam.amazonaws.com", "CreateAccessKey", False,
                   mutations.create_access_key(target.name, new_key, when), ip=ip, agent=agent, console=True)
        ctx.findings.append(findings.finding(
            rng, acct, "us-east-1", type="UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B", severity=5.0,
            title=f"Unusual console login by {victim.name} was seen.",
            description="Multiple successful console logins for the same IAM user were observed around the same "
                        "time in various geographical locations.",
            resource=findings.access_key_resource("", victim.principal_id, victim.name),
            action=findings.api_call_action("ConsoleLogin", "signin.amazonaws.com", ip),
            first=when - timedelta(minutes=20), last=when))
        return ctx.truth(
            self, attacker_ips=[ip], first=first,
            principals=[user_principal(victim, key=None),
                        session_principal({"arn": target.arn, "accountId": target.account_id, "type": "IAMUser",
                                           "accessKeyId": new_key}, target.name, role="created")],
            answers={"initial_access_ip": ip, "compromised_principal": victim.name,
                     "first_malicious_call": "ConsoleLogin", "mfa_used": "No",
                     "persistence_mechanism": "CreateAccessKey", "persistence_target": target.name,
                     "persistence_access_key": new_key})
