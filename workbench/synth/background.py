"""Benign CloudTrail activity: people in sessions, CI jobs, workloads and AWS services, hour by hour.

Counts per hour are Poisson draws around a rhythm (office hours, weekends, the 02:00 nightly run);
everything inside an hour is drawn from the same seeded generator, so a seed and an end time give
the same records every time.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

import numpy as np

from workbench.synth import events, ids, mutations, rhythm
from workbench.synth.calls import CALLS, CI_MIX, CONFIG_MIX, HUMAN_MIX, WORKLOAD_MIX, Call, mix
from workbench.synth.org import ORG_REGIONS, PRIMARY_REGION, Account, Human, Org

# Events per hour at weight 1.0 and scale 1.0 (a busy weekday hour); ~15k events a weekday.
HUMAN_RATE = 600
CI_RATE = 150
WORKLOAD_RATE = 300
SERVICE_RATE = 120
HUMAN_SESSION_MEAN = 25
CI_JOB_MEAN = 30
NIGHTLY_JOB_EVENTS = 120
ERROR_RATE = 0.012
ADMIN_CHANGES_PER_WEEKDAY = 0.8

_REGIONS, _REGION_CUM = list(ORG_REGIONS), list(np.cumsum(list(ORG_REGIONS.values())))
_HUMAN, _CI, _WORKLOAD, _CONFIG = mix(HUMAN_MIX), mix(CI_MIX), mix(WORKLOAD_MIX), mix(CONFIG_MIX)


def _kebab(name: str) -> str:
    name = re.sub(r"20150331(v2)?$", "", name)
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


_COMMAND = {c.name: f"{c.service}.{_kebab(c.name)}" for c in CALLS.values()}


class Background:
    def __init__(self, org: Org, seed: int, scale: float) -> None:
        self.org, self.scale = org, scale
        self.rng = random.Random(f"background:{seed}")
        self.np = np.random.default_rng([seed, 101])
        self.out: list[dict] = []
        self._identities: dict[tuple[str, str, int], dict] = {}

    # -- helpers -----------------------------------------------------------------------------
    def _region(self) -> str:
        return self.rng.choices(_REGIONS, cum_weights=_REGION_CUM)[0]

    def _call(self, call: Call, when: datetime, identity: dict, acct: Account, ip: str, agent: str,
              region: str, error_rate: float = ERROR_RATE, deny_writes: bool = False, console: bool = False,
              tls: bool = True, vpce: str | None = None) -> None:
        rng = self.rng
        req, resp, resources, additional = call.build(rng, acct, region)
        error = None
        if (deny_writes and not call.read_only) or rng.random() < error_rate:
            error = events.denied(call.source, call.name, identity.get("arn", ""))
        self.out.append(events.api_event(
            rng, when=when, identity=identity, source=call.source, name=call.name, region=region, ip=ip,
            agent=agent, recipient=acct.id, read_only=call.read_only, request=req, response=resp,
            resources=resources, additional=additional, data=call.data, error=error, console=console,
            tls=tls, vpce=vpce if call.service == "s3" else None))

    def _draw(self, rate: float) -> int:
        return int(self.np.poisson(rate * self.scale)) if rate > 0 else 0

    # -- actors ------------------------------------------------------------------------------
    def human_session(self, hour: datetime) -> None:
        rng, org = self.rng, self.org
        human: Human = rng.choice(org.humans)
        when = hour + timedelta(seconds=rng.uniform(0, 3600))
        ip = rng.choice(org.office_ips) if rng.random() < 0.6 else human.home_ip
        console = rng.random() < 0.4
        deny_writes = False
        if human.iam_user and rng.random() < 0.3:
            user = human.iam_user
            acct = org.by_id(user.account_id)
            if console:
                identity = self._console_login(human, when, ip)
                when += timedelta(seconds=rng.uniform(5, 40))
            else:
                identity = events.iam_user_identity(user)
        else:
            acct = rng.choices(list(org.accounts.values()), weights=(0.4, 0.5, 0.1))[0]
            perm = rng.choice(human.sso_roles)
            deny_writes = perm == "ReadOnlyAccess"
            identity = events.sso_identity(human, acct.sso_roles[perm], rng,
                                           when - timedelta(minutes=rng.uniform(1, 50)))
        agent_tpl = rng.choice(events.CONSOLE_AGENTS if console else events.CLI_AGENTS)
        region = self._region()
        calls, cum = _HUMAN
        count = max(1, int(rng.expovariate(1 / HUMAN_SESSION_MEAN)))
        for call in rng.choices(calls, cum_weights=cum, k=count):
            agent = agent_tpl if console else agent_tpl.replace("{cmd}", _COMMAND[call.name])
            self._call(call, when, identity, acct, ip, agent, region, deny_writes=deny_writes, console=console)
            when += timedelta(seconds=rng.expovariate(1 / 20))

    def _console_login(self, human: Human, when: datetime, ip: str) -> dict:
        rng, user = self.rng, human.iam_user
        assert user is not None
        agent = rng.choice(events.CONSOLE_AGENTS)
        if rng.random() < 0.04:  # a mistyped password now and then
            self.out.append(events.console_login(rng, when=when - timedelta(seconds=20), user=user, ip=ip,
                                                 agent=agent, success=False, mfa=False))
        self.out.extend(self.credential_events(when - timedelta(seconds=8), user, ip, agent, user.mfa))
        self.out.append(events.console_login(rng, when=when, user=user, ip=ip, agent=agent, success=True,
                                             mfa=user.mfa))
        return events.iam_console_identity(user, rng, when, user.mfa)

    def credential_events(self, when: datetime, user, ip: str, agent: str, mfa: bool) -> list[dict]:
        """The signin service's own AwsServiceEvent records around a console login."""
        identity = {"type": "IAMUser", "principalId": user.principal_id, "arn": user.arn,
                    "accountId": user.account_id, "userName": user.name}
        out = []
        for kind in ("PASSWORD", "TOTP") if mfa else ("PASSWORD",):
            for name in ("CredentialChallenge", "CredentialVerification"):
                out.append(events.api_event(
                    self.rng, when=when, identity=identity, source="signin.amazonaws.com", name=name,
                    region="us-east-1", ip=ip, agent=agent, recipient=user.account_id, read_only=False,
                    additional={"CredentialType": kind}, event_type="AwsServiceEvent",
                    service_details={name: "Success"}, tls=False))
        return out

    def ci_job(self, hour: datetime, acct: Account, count: int, start: datetime | None = None) -> None:
        rng, role = self.rng, acct.ci_role
        assert role is not None
        when = start or hour + timedelta(seconds=rng.uniform(0, 3600))
        ip = rng.choice(self.org.ci_ips)
        repo = f"repo:{self.org.company}/platform:ref:refs/heads/main"
        provider = f"arn:aws:iam::{acct.id}:oidc-provider/token.actions.githubusercontent.com"
        session = f"GitHubActions-{rng.randrange(10**9, 10**10)}"
        key = ids.access_key_id(rng, temporary=True)
        self.out.append(events.api_event(
            rng, when=when, source="sts.amazonaws.com", name="AssumeRoleWithWebIdentity", region=PRIMARY_REGION,
            identity={"type": "WebIdentityUser", "principalId": f"{provider}:sts.amazonaws.com:{repo}",
                      "userName": repo, "identityProvider": provider},
            ip=ip, agent=events.CI_AGENT.replace("{cmd}", "sts.assume-role-with-web-identity"),
            recipient=acct.id, read_only=True,
            request={"roleArn": role.arn, "roleSessionName": session, "durationSeconds": 3600},
            response={"credentials": {"accessKeyId": key, "sessionToken": ids.alnum(rng, 64),
                                      "expiration": "Dec 31, 2026, 11:59:59 PM"},
                      "subjectFromWebIdentityToken": repo, "audience": "sts.amazonaws.com",
                      "provider": provider,
                      "assumedRoleUser": {"assumedRoleId": f"{role.principal_id}:{session}",
                                          "arn": f"arn:aws:sts::{acct.id}:assumed-role/{role.name}/{session}"}},
            resources=[{"accountId": acct.id, "type": "AWS::IAM::Role", "ARN": role.arn}]))
        identity = events.role_identity(role, session, rng, when)
        identity["accessKeyId"] = key
        calls, cum = _CI
        for call in rng.choices(calls, cum_weights=cum, k=count):
            when += timedelta(seconds=rng.expovariate(1 / 8))
            agent = events.CI_AGENT.replace("{cmd}", _COMMAND[call.name])
            self._call(call, when, identity, acct, ip, agent, PRIMARY_REGION, error_rate=ERROR_RATE / 4)

    def workloads(self, hour: datetime, count: int) -> None:
        rng, org = self.rng, self.org
        accts = list(org.accounts.values())
        calls, cum = _WORKLOAD
        picks = rng.choices(calls, cum_weights=cum, k=count)
        seconds = sorted(rng.uniform(0, 3600) for _ in range(count))
        for call, sec in zip(picks, seconds, strict=True):
            acct = rng.choices(accts, weights=(0.7, 0.25, 0.05))[0]
            role = rng.choice(acct.workload_roles)
            key = (acct.id, role.name, int(hour.timestamp()) // 3600)
            identity = self._identities.get(key)
            if identity is None:
                session = (rng.choice(acct.instances).id if role.name.endswith("-ec2")
                           else role.name.removesuffix("-role"))
                identity = events.role_identity(role, session, rng, hour - timedelta(minutes=rng.uniform(0, 50)))
                self._identities[key] = identity
            agent = events.WORKLOAD_AGENTS[0 if role.name.endswith("-ec2") else 1 + (len(role.name) % 2)]
            ip = acct.instances[0].private_ip if call.service == "s3" else acct.nat_ip
            self._call(call, hour + timedelta(seconds=sec), identity, acct, ip, agent, PRIMARY_REGION,
                       error_rate=0.003, vpce=acct.vpce_s3)

    def services(self, hour: datetime, count: int) -> None:
        rng, org = self.rng, self.org
        accts = list(org.accounts.values())
        calls, cum = _CONFIG
        for _ in range(count):
            acct = rng.choice(accts)
            when = hour + timedelta(seconds=rng.uniform(0, 3600))
            pick = rng.random()
            if pick < 0.35:  # instance profiles and Lambda roles refreshed by the services themselves
                svc = "ec2.amazonaws.com" if rng.random() < 0.6 else "lambda.amazonaws.com"
                req, resp, resources, _ = CALLS["AssumeRole"].build(rng, acct, PRIMARY_REGION)
                self.out.append(events.api_event(
                    rng, when=when, identity=events.service_identity(svc), source="sts.amazonaws.com",
                    name="AssumeRole", region=PRIMARY_REGION, ip=svc, agent=svc, recipient=acct.id,
                    read_only=True, request=req, response=resp, resources=resources, tls=False,
                    shared_event_id=ids.uid(rng)))
                continue
            svc = ("config.amazonaws.com" if pick < 0.85 else
                   "autoscaling.amazonaws.com" if pick < 0.93 else "cloudformation.amazonaws.com")
            role = acct.service_roles[svc]
            session = {"config.amazonaws.com": "AWSConfig-Describe", "autoscaling.amazonaws.com": "AutoScaling",
                       "cloudformation.amazonaws.com": "AWSCloudFormation"}[svc]
            identity = events.role_identity(role, session, rng, hour, invoked_by=svc)
            call = rng.choices(calls, cum_weights=cum)[0] if svc == "config.amazonaws.com" else CALLS[
                "DescribeInstances" if svc == "autoscaling.amazonaws.com" else "DescribeStacks"]
            self._call(call, when, identity, acct, svc, svc, self._region(), error_rate=0.0, tls=False)

    def admin_change(self, hour: datetime) -> None:
        """The occasional benign IAM change by an administrator: a new service role or a key rotation."""
        rng, org = self.rng, self.org
        admin = rng.choice([h for h in org.humans if h.admin])
        when = hour + timedelta(seconds=rng.uniform(0, 3000))
        ip = rng.choice(org.office_ips)
        agent = rng.choice(events.CONSOLE_AGENTS)
        if admin.iam_user and rng.random() < 0.5:
            user = admin.iam_user
            identity = events.iam_console_identity(user, rng, when - timedelta(minutes=5), user.mfa)
            new_key = ids.access_key_id(rng)
            steps = [("CreateAccessKey", mutations.create_access_key(user.name, new_key, when)),
                     ("UpdateAccessKey", mutations.update_access_key(user.name, user.access_key_id, "Inactive"))]
            acct = org.by_id(user.account_id)
        else:
            acct = rng.choice([org.account("prod"), org.account("dev")])
            identity = events.sso_identity(admin, acct.sso_roles["AdministratorAccess"], rng, when)
            role = f"{rng.choice(('reporting', 'backup', 'metrics', 'ingest'))}-{ids.hexid(rng, 4)}-role"
            steps = [("CreateRole", mutations.create_role(rng, acct.id, role, when, "lambda.amazonaws.com")),
                     ("AttachRolePolicy", mutations.attach_role_policy(
                         role, "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"))]
        for name, (req, resp, resources) in steps:
            self.out.append(events.api_event(
                rng, when=when, identity=identity, source="iam.amazonaws.com", name=name, region=PRIMARY_REGION,
                ip=ip, agent=agent, recipient=acct.id, read_only=False, request=req, response=resp,
                resources=resources, console=True))
            when += timedelta(seconds=rng.uniform(10, 90))

    # -- the whole window --------------------------------------------------------------------
    def run(self, start: datetime, end: datetime) -> list[dict]:
        for hour in rhythm.hours(start, end):
            hw, ww = rhythm.human_weight(hour), rhythm.workload_weight(hour)
            for _ in range(self._draw(HUMAN_RATE * hw / HUMAN_SESSION_MEAN)):
                self.human_session(hour)
            for _ in range(self._draw(CI_RATE * hw / CI_JOB_MEAN)):
                acct = self.org.account("dev" if self.rng.random() < 0.7 else "prod")
                self.ci_job(hour, acct, max(3, int(self.rng.expovariate(1 / CI_JOB_MEAN))))
            if rhythm.is_nightly_hour(hour):
                for name in ("dev", "prod"):
                    self.ci_job(hour, self.org.account(name), max(10, int(NIGHTLY_JOB_EVENTS * self.scale)),
                                start=hour + timedelta(minutes=self.rng.uniform(0, 5)))
            self.workloads(hour, self._draw(WORKLOAD_RATE * ww))
            self.services(hour, self._draw(SERVICE_RATE))
            if not rhythm.is_weekend(hour) and self.rng.random() < ADMIN_CHANGES_PER_WEEKDAY * hw / 9:
                self.admin_change(hour)
        return self.out


def background_cloudtrail(org: Org, seed: int, start: datetime, end: datetime, scale: float = 1.0) -> list[dict]:
    return Background(org, seed, scale).run(start, end)
