"""The synthetic organisation: accounts, people, roles, pipelines, buckets, instances — all from a seed.

Three accounts as in a small AWS Organization: `prod`, `dev` and `security` (log archive, GuardDuty
administrator). Humans reach the accounts through IAM Identity Center (AWSReservedSSO_* roles); some
also keep a legacy IAM user with an access key and console password, and a few of those never set
up MFA. A CI pipeline deploys through an OIDC-federated role from hosted-runner addresses.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from workbench.synth import ids

PRIMARY_REGION = "us-east-1"
# Regions the organisation works in, with their share of regional activity.
ORG_REGIONS: dict[str, float] = {"us-east-1": 0.8, "us-west-2": 0.15, "eu-west-1": 0.05}
# Regions the organisation never touches: where a crypto-miner goes to hide.
UNUSED_REGIONS = ("ap-southeast-1", "ap-northeast-2", "sa-east-1", "ap-south-1", "eu-north-1")
TEAM_TIMEZONE = "America/New_York"

_COMPANIES = ("acme", "globex", "initech", "hooli", "vandelay", "tyrell", "umbrella", "soylent",
              "wonka", "cyberdyne", "aperture", "massive", "stark", "wayne", "oscorp", "duff")
_FIRST = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
          "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter",
          "yasmin", "zoe", "omar", "priya", "lena", "mateo", "kenji", "fatima", "sven", "aisha", "liam")
_LAST = ("smith", "jones", "garcia", "chen", "patel", "kim", "nguyen", "mueller", "rossi", "silva",
         "kowalski", "haddad", "okafor", "larsen", "tanaka", "dubois", "novak", "ivanova", "reyes", "byrne")


@dataclass
class IamUser:
    account_id: str
    name: str
    principal_id: str
    access_key_id: str
    mfa: bool

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:user/{self.name}"


@dataclass
class Human:
    name: str  # first.last
    email: str
    home_ip: str
    iam_user: IamUser | None
    sso_roles: tuple[str, ...]  # permission sets this person may use (short names)
    admin: bool


@dataclass
class Role:
    account_id: str
    name: str
    principal_id: str
    path: str = "/"

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:role{self.path}{self.name}"


@dataclass
class Instance:
    id: str
    eni: str
    private_ip: str
    public_ip: str | None
    subnet: str
    az: str
    az_id: str
    tier: str  # web, app, db, batch, bastion
    region: str = PRIMARY_REGION


@dataclass
class Account:
    name: str
    id: str
    buckets: list[str]
    kms_key_ids: list[str]
    sso_roles: dict[str, Role]  # permission set short name -> role
    workload_roles: list[Role]
    service_roles: dict[str, Role]  # service principal -> service-linked role
    ci_role: Role | None
    vpc_id: str
    cidr: str
    instances: list[Instance]
    functions: list[str]
    stacks: list[str]
    tables: list[str]
    parameters: list[str]
    secrets: list[str]
    trail_name: str
    detector_ids: dict[str, str]
    flow_log_id: str
    security_groups: list[str]
    nat_ip: str = ""
    vpce_s3: str = ""
    iam_users: list[IamUser] = field(default_factory=list)

    def trail_arn(self, region: str = PRIMARY_REGION) -> str:
        return f"arn:aws:cloudtrail:{region}:{self.id}:trail/{self.trail_name}"


@dataclass
class Org:
    company: str
    org_id: str
    accounts: dict[str, Account]
    humans: list[Human]
    office_ips: list[str]
    ci_ips: list[str]
    sso_instance: str

    def account(self, name: str) -> Account:
        return self.accounts[name]

    def by_id(self, account_id: str) -> Account:
        return next(a for a in self.accounts.values() if a.id == account_id)


def _role(rng: random.Random, account_id: str, name: str, path: str = "/") -> Role:
    return Role(account_id, name, ids.principal_id(rng, "AROA"), path)


def _instances(rng: random.Random, second_octet: int, count_by_tier: dict[str, int]) -> list[Instance]:
    out = []
    azs = [("us-east-1a", "use1-az2"), ("us-east-1b", "use1-az4"), ("us-east-1c", "use1-az6")]
    for tier, count in count_by_tier.items():
        public = tier in ("web", "bastion")
        for i in range(count):
            az, az_id = azs[i % len(azs)]
            subnet_octet = (0 if public else 16) + i % len(azs)
            out.append(Instance(
                id=ids.resource_id(rng, "i"), eni=ids.resource_id(rng, "eni"),
                private_ip=f"10.{second_octet}.{subnet_octet}.{rng.randrange(10, 250)}",
                public_ip=f"{rng.choice((3, 18, 34, 44, 52, 54))}.{rng.randrange(0, 256)}."
                          f"{rng.randrange(0, 256)}.{rng.randrange(1, 255)}" if public else None,
                subnet=ids.resource_id(rng, "subnet"), az=az, az_id=az_id, tier=tier))
    return out


def _account(rng: random.Random, name: str, company: str, second_octet: int, tiers: dict[str, int]) -> Account:
    acct_id = ids.account_id(rng)
    suffix = ids.hexid(rng, 6)
    purposes = {"prod": ("data-lake", "customer-exports", "app-assets", "backups", "invoices"),
                "dev": ("dev-scratch", "ci-artifacts", "test-fixtures"),
                "security": ("cloudtrail-logs", "flowlogs-archive", "config-history")}[name]
    sso = {ps: _role(rng, acct_id, f"AWSReservedSSO_{ps}_{ids.hexid(rng, 16)}",
                     "/aws-reserved/sso.amazonaws.com/")
           for ps in ("AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess")}
    workloads = {"prod": ("orders-api-ec2", "billing-lambda", "etl-batch-ec2"),
                 "dev": ("orders-api-dev-ec2", "sandbox-lambda"),
                 "security": ("log-processor-lambda",)}[name]
    return Account(
        name=name, id=acct_id,
        buckets=[f"{company}-{p}-{suffix}" for p in purposes],
        kms_key_ids=[ids.uid(rng) for _ in range(2)],
        sso_roles=sso,
        workload_roles=[_role(rng, acct_id, w) for w in workloads],
        service_roles={
            "config.amazonaws.com": _role(rng, acct_id, "AWSServiceRoleForConfig",
                                          "/aws-service-role/config.amazonaws.com/"),
            "autoscaling.amazonaws.com": _role(rng, acct_id, "AWSServiceRoleForAutoScaling",
                                               "/aws-service-role/autoscaling.amazonaws.com/"),
            "cloudformation.amazonaws.com": _role(rng, acct_id, "cfn-exec-role"),
        },
        ci_role=_role(rng, acct_id, "github-actions-deploy") if name != "security" else None,
        vpc_id=ids.resource_id(rng, "vpc"), cidr=f"10.{second_octet}.0.0/16",
        instances=_instances(rng, second_octet, tiers),
        functions=[f"{name}-{f}" for f in ("orders-handler", "invoice-render", "s3-thumbnailer", "nightly-report")],
        stacks=[f"{name}-{s}" for s in ("network", "orders-api", "data-pipeline", "monitoring")],
        tables=[f"{name}-{t}" for t in ("orders", "sessions", "customers")],
        parameters=[f"/{name}/{p}" for p in ("orders-api/db-host", "orders-api/db-password",
                                              "billing/stripe-key", "shared/feature-flags")],
        secrets=[f"{name}/orders-api/db-{ids.alnum(rng, 6)}", f"{name}/billing/api-{ids.alnum(rng, 6)}"],
        trail_name=f"{company}-{name}-trail",
        detector_ids={r: ids.hexid(rng, 32) for r in ORG_REGIONS},
        flow_log_id=ids.resource_id(rng, "fl"),
        security_groups=[ids.resource_id(rng, "sg") for _ in range(4)],
        nat_ip=f"{rng.choice((3, 34, 44, 52, 54))}.{rng.randrange(0, 256)}.{rng.randrange(0, 256)}.{rng.randrange(1, 255)}",
        vpce_s3=f"vpce-{ids.hexid(rng, 17)}",
    )


def build_org(seed: int) -> Org:
    rng = random.Random(f"org:{seed}")
    company = rng.choice(_COMPANIES)
    accounts = {
        "prod": _account(rng, "prod", company, 10, {"web": 2, "app": 3, "db": 1, "batch": 1, "bastion": 1}),
        "dev": _account(rng, "dev", company, 20, {"web": 1, "app": 2, "db": 1}),
        "security": _account(rng, "security", company, 30, {"app": 1}),
    }
    names = rng.sample([f"{f}.{la}" for f in _FIRST for la in _LAST], 12)
    humans: list[Human] = []
    for i, name in enumerate(names):
        admin = i < 3
        iam_user = None
        if i < 8:  # legacy IAM users: the first three are admins; two of the rest never set up MFA
            home = accounts["prod"] if i % 2 == 0 else accounts["dev"]
            iam_user = IamUser(home.id, name, ids.principal_id(rng, "AIDA"), ids.access_key_id(rng),
                               mfa=i not in (4, 7))
            home.iam_users.append(iam_user)
        roles = (("AdministratorAccess", "ReadOnlyAccess") if admin
                 else ("PowerUserAccess", "ReadOnlyAccess"))
        humans.append(Human(name, f"{name}@{company}.com", ids.benign_ip(rng), iam_user, roles, admin))
    # A machine user too, as most orgs still have one: a reporting job's long-lived key.
    svc = IamUser(accounts["dev"].id, "svc-reporting", ids.principal_id(rng, "AIDA"), ids.access_key_id(rng), False)
    accounts["dev"].iam_users.append(svc)
    return Org(
        company=company, org_id=f"o-{ids.alnum(rng, 10).lower()}", accounts=accounts, humans=humans,
        office_ips=[ids.benign_ip(rng) for _ in range(2)], ci_ips=[ids.ci_ip(rng) for _ in range(6)],
        sso_instance=f"ssoins-{ids.hexid(rng, 16)}",
    )
