"""What a scenario is, what it may use, and the registry that holds them.

A scenario is a small class: a name, a story, ATT&CK technique ids and an `inject()` that writes its
records through a `ScenarioContext` and returns its `ScenarioTruth`. Each scenario draws from its own
seeded generator (`scenario:<name>:<seed>`), so adding a scenario never changes the others, and one
scenario can be built alone on background activity (`generate(..., scenarios=["leaked-key"])`).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import ClassVar

from workbench.registry import Registry
from workbench.synth import events, ids
from workbench.synth.calls import CALLS
from workbench.synth.org import Account, Human, IamUser, Org
from workbench.synth.truth import FirstCall, Principal, ScenarioTruth
from workbench.timewindow import iso_z


class ScenarioContext:
    """The window, the organisation and the sinks a scenario writes into."""

    def __init__(self, org: Org, seed: int, start: datetime, end: datetime, name: str,
                 used_ips: set[str] | None = None) -> None:
        self.org, self.seed, self.start, self.end, self.name = org, seed, start, end, name
        self.rng = random.Random(f"scenario:{name}:{seed}")
        # Own generator per scenario, shared `used` set: distinct across scenarios, stable alone.
        self.ips = ids.AttackerIPs(random.Random(f"attackers:{name}:{seed}"), used_ips)
        self.cloudtrail: list[dict] = []
        self.flows: list[dict] = []
        self.findings: list[dict] = []
        # account id -> time after which that account's VPC flow logs no longer deliver (flow logs deleted)
        self.flow_cutoffs: dict[str, datetime] = {}

    # -- time ----------------------------------------------------------------------------------
    def slot(self, duration: timedelta) -> datetime:
        """A start time inside the window that leaves room for the whole scenario."""
        span = (self.end - self.start).total_seconds()
        earliest = self.start.timestamp() + 0.1 * span
        latest = max(earliest, self.end.timestamp() - duration.total_seconds() - 600)
        moment = self.rng.uniform(earliest, latest)
        return datetime.fromtimestamp(int(moment), tz=self.start.tzinfo)

    def later(self, when: datetime, low: float, high: float) -> datetime:
        return when + timedelta(seconds=self.rng.uniform(low, high))

    # -- people --------------------------------------------------------------------------------
    def pick_human(self, predicate) -> Human:
        candidates = [h for h in self.org.humans if predicate(h)]
        return self.rng.choice(candidates)

    # -- records -------------------------------------------------------------------------------
    def record(self, when: datetime, identity: dict, acct: Account, source: str, name: str, read_only: bool,
               doc: tuple[dict | None, dict | None, list[dict] | None] = (None, None, None), *, ip: str,
               agent: str, region: str = "us-east-1", additional: dict | None = None,
               error: tuple[str, str] | None = None, data: bool = False, console: bool = False) -> dict:
        req, resp, resources = doc
        rec = events.api_event(self.rng, when=when, identity=identity, source=source, name=name, region=region,
                               ip=ip, agent=agent, recipient=acct.id, read_only=read_only, request=req,
                               response=resp, resources=resources, additional=additional, data=data,
                               error=error, console=console)
        self.cloudtrail.append(rec)
        return rec

    def catalog_call(self, when: datetime, identity: dict, acct: Account, name: str, *, ip: str, agent: str,
                     region: str = "us-east-1", denied: bool = False, console: bool = False) -> dict:
        """A call from the background catalog (recon mostly), optionally refused."""
        call = CALLS[name]
        req, resp, resources, additional = call.build(self.rng, acct, region)
        error = events.denied(call.source, name, identity.get("arn", "")) if denied else None
        rec = events.api_event(self.rng, when=when, identity=identity, source=call.source, name=name,
                               region=region, ip=ip, agent=agent, recipient=acct.id, read_only=call.read_only,
                               request=req, response=resp, resources=resources, additional=additional,
                               data=call.data, error=error, console=console)
        self.cloudtrail.append(rec)
        return rec

    # -- truth ---------------------------------------------------------------------------------
    def truth(self, scenario: Scenario, *, attacker_ips: list[str], principals: list[Principal] | None = None,
              buckets: list[str] | None = None, answers: dict[str, str] | None = None,
              first: dict | None = None) -> ScenarioTruth:
        times = sorted([r["eventTime"] for r in self.cloudtrail]
                       + [iso_z(datetime.fromtimestamp(f["start"], tz=self.start.tzinfo)) for f in self.flows])
        first = first or (min(self.cloudtrail, key=lambda r: r["eventTime"]) if self.cloudtrail else None)
        accounts = sorted({r["recipientAccountId"] for r in self.cloudtrail} | {f["account_id"] for f in self.flows}
                          | {f["accountId"] for f in self.findings})
        return ScenarioTruth(
            name=scenario.name, description=scenario.description, techniques=list(scenario.techniques),
            start=times[0] if times else iso_z(self.start), end=times[-1] if times else iso_z(self.start),
            attacker_ips=attacker_ips, principals=principals or [],
            event_ids=[r["eventID"] for r in self.cloudtrail], finding_ids=[f["id"] for f in self.findings],
            flow_count=len(self.flows), buckets=buckets or [], accounts=accounts, answers=answers or {},
            first_malicious_call=FirstCall(event_name=first["eventName"], event_time=first["eventTime"],
                                           event_id=first["eventID"], event_source=first["eventSource"])
            if first else None,
        )


def user_principal(user: IamUser, role: str = "compromised", key: str | None = None) -> Principal:
    return Principal(arn=user.arn, username=user.name, account_id=user.account_id, type="IAMUser",
                     access_key_id=key or user.access_key_id, role=role)


def session_principal(identity: dict, username: str, role: str = "compromised") -> Principal:
    return Principal(arn=identity["arn"], username=username, account_id=identity["accountId"],
                     type=identity["type"], access_key_id=identity.get("accessKeyId"), role=role)


class Scenario:
    name: ClassVar[str]
    description: ClassVar[str]
    techniques: ClassVar[tuple[str, ...]]
    duration: ClassVar[timedelta] = timedelta(hours=2)

    def inject(self, ctx: ScenarioContext) -> ScenarioTruth:  # pragma: no cover - interface
        raise NotImplementedError


SCENARIOS: Registry[type[Scenario]] = Registry("scenario")


def register(cls: type[Scenario]) -> type[Scenario]:
    SCENARIOS.register(cls.name, cls)
    return cls
