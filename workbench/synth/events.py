"""CloudTrail records as AWS writes them: identities, user agents, TLS details and the record itself.

Field order and spelling follow real delivered records (camelCase, `requestID`, `ARN` inside
`resources`, `tlsDetails.clientProvidedHostHeader`), so ingest is exercised on the real shape.
"""

from __future__ import annotations

import random
from datetime import datetime

from workbench.synth import ids
from workbench.synth.org import Human, IamUser, Role
from workbench.timewindow import iso_z

CONSOLE_AGENTS = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.6; rv:132.0) Gecko/20100101 Firefox/132.0",
)
CLI_AGENTS = (
    "aws-cli/2.18.5 md/awscrt#0.22.0 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 "
    "md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{cmd}",
    "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.8.0-45-generic md/arch#x86_64 "
    "lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off "
    "md/command#{cmd}",
    "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 "
    "md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36",
)
TERRAFORM_AGENT = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.75.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.3 ua/2.1 os/linux "
    "lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/{svc}#1.0.0"
)
WORKLOAD_AGENTS = (
    "aws-sdk-java/2.28.16 Linux/5.10.226-214.880.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.12+7-LTS "
    "Java/17.0.12 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_EC2 io/sync http/Apache "
    "cfg/retry-mode/legacy",
    "Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.226-214.880.amzn2.x86_64 md/arch#x86_64 "
    "lang/python#3.11.10 md/pyimpl#CPython exec-env#AWS_Lambda_python3.11 cfg/retry-mode#legacy "
    "Botocore/1.34.145",
    "aws-sdk-nodejs/2.1691.0 linux/v20.17.0 exec-env/AWS_Lambda_nodejs20.x promise",
)
CI_AGENT = (
    "aws-cli/2.18.0 md/awscrt#0.21.5 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.6 "
    "md/pyimpl#CPython exec-env#GitHubActions cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 "
    "md/prompt#off md/command#{cmd}"
)
# Attackers' tooling: older SDKs and scripted clients.
ATTACKER_AGENTS = (
    "aws-cli/1.22.34 Python/3.10.12 Linux/6.5.0-kali3-amd64 botocore/1.23.34",
    "Boto3/1.26.45 Python/3.9.2 Linux/5.10.0-21-cloud-amd64 Botocore/1.29.45",
    "aws-sdk-go/1.44.122 (go1.19.3; linux; amd64)",
)
TLS_SUITES = (("TLSv1.3", "TLS_AES_128_GCM_SHA256"), ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256"))

GLOBAL_SOURCES = frozenset({"iam.amazonaws.com", "signin.amazonaws.com", "organizations.amazonaws.com",
                            "sso.amazonaws.com"})


def host_for(source: str, region: str) -> str:
    service = source.split(".", 1)[0]
    if service in ("iam", "signin", "organizations"):
        return f"{service}.amazonaws.com"
    if service == "s3":
        return f"s3.{region}.amazonaws.com"
    return f"{service}.{region}.amazonaws.com"


def iam_user_identity(user: IamUser, key_id: str | None = None) -> dict:
    """An IAM user calling with a long-term access key: no session context."""
    return {"type": "IAMUser", "principalId": user.principal_id, "arn": user.arn,
            "accountId": user.account_id, "accessKeyId": key_id or user.access_key_id, "userName": user.name}


def iam_console_identity(user: IamUser, rng: random.Random, created: datetime, mfa: bool) -> dict:
    """An IAM user in the console: temporary ASIA credentials with a session context."""
    return {"type": "IAMUser", "principalId": user.principal_id, "arn": user.arn,
            "accountId": user.account_id, "accessKeyId": ids.access_key_id(rng, temporary=True),
            "userName": user.name,
            "sessionContext": {"attributes": {"creationDate": iso_z(created),
                                              "mfaAuthenticated": "true" if mfa else "false"}}}


def role_identity(role: Role, session: str, rng: random.Random, created: datetime,
                  mfa: bool = False, invoked_by: str | None = None) -> dict:
    ident = {"type": "AssumedRole", "principalId": f"{role.principal_id}:{session}",
             "arn": f"arn:aws:sts::{role.account_id}:assumed-role/{role.name}/{session}",
             "accountId": role.account_id, "accessKeyId": ids.access_key_id(rng, temporary=True),
             "sessionContext": {
                 "sessionIssuer": {"type": "Role", "principalId": role.principal_id, "arn": role.arn,
                                   "accountId": role.account_id, "userName": role.name},
                 "attributes": {"creationDate": iso_z(created), "mfaAuthenticated": "true" if mfa else "false"}}}
    if invoked_by:
        ident["invokedBy"] = invoked_by
    return ident


def sso_identity(human: Human, role: Role, rng: random.Random, created: datetime) -> dict:
    # Identity Center sessions are named after the person; MFA happened at the IdP, so "false" here.
    return role_identity(role, human.email, rng, created)


def service_identity(service: str) -> dict:
    return {"type": "AWSService", "invokedBy": service}


def api_event(
    rng: random.Random, *, when: datetime, identity: dict, source: str, name: str, region: str,
    ip: str, agent: str, recipient: str, read_only: bool, request: dict | None = None,
    response: dict | None = None, resources: list[dict] | None = None, additional: dict | None = None,
    data: bool = False, event_type: str = "AwsApiCall", error: tuple[str, str] | None = None,
    tls: bool = True, console: bool = False, vpce: str | None = None, shared_event_id: str | None = None,
    service_details: dict | None = None, api_version: str | None = None,
) -> dict:
    """One CloudTrail record. Global services are recorded in us-east-1, as CloudTrail does."""
    if source in GLOBAL_SOURCES:
        region = "us-east-1"
    rec: dict = {
        "eventVersion": "1.08" if event_type == "AwsConsoleSignIn" else ("1.10" if data else "1.09"),
        "userIdentity": identity,
        "eventTime": iso_z(when),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": agent,
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
        response = None
    rec["requestParameters"] = request
    rec["responseElements"] = response
    if additional is not None:
        rec["additionalEventData"] = additional
    if service_details is not None:
        rec["serviceEventDetails"] = service_details
    rec["requestID"] = ids.s3_request_id(rng) if source == "s3.amazonaws.com" else ids.uid(rng)
    rec["eventID"] = ids.uid(rng)
    rec["readOnly"] = read_only
    if resources:
        rec["resources"] = resources
    rec["eventType"] = event_type
    if api_version:
        rec["apiVersion"] = api_version
    rec["managementEvent"] = not data
    rec["recipientAccountId"] = recipient
    if shared_event_id:
        rec["sharedEventID"] = shared_event_id
    if vpce:
        rec["vpcEndpointId"] = vpce
        rec["vpcEndpointAccountId"] = recipient
    rec["eventCategory"] = "Data" if data else "Management"
    if tls:
        version, suite = TLS_SUITES[0] if rng.random() < 0.85 else TLS_SUITES[1]
        rec["tlsDetails"] = {"tlsVersion": version, "cipherSuite": suite,
                             "clientProvidedHostHeader": host_for(source, region)}
    if console:
        rec["sessionCredentialFromConsole"] = "true"
    return rec


def denied(source: str, name: str, arn: str, resource: str = "*") -> tuple[str, str]:
    """The error code and message AWS returns for a call the principal may not make."""
    service = source.split(".", 1)[0]
    if service == "ec2":
        return ("Client.UnauthorizedOperation", "You are not authorized to perform this operation. "
                f"User: {arn} is not authorized to perform: ec2:{name} because no identity-based policy "
                f"allows the ec2:{name} action")
    if service == "s3":
        return ("AccessDenied", "Access Denied")
    action = name.removesuffix("20150331").removesuffix("20150331v2")
    return ("AccessDenied", f"User: {arn} is not authorized to perform: {service}:{action} on resource: "
            f"{resource} because no identity-based policy allows the {service}:{action} action")


def console_login(
    rng: random.Random, *, when: datetime, user: IamUser, ip: str, agent: str, success: bool, mfa: bool,
) -> dict:
    """A ConsoleLogin event for an IAM user, success or failure, with or without MFA."""
    identity = {"type": "IAMUser", "principalId": user.principal_id, "arn": user.arn,
                "accountId": user.account_id, "accessKeyId": "", "userName": user.name}
    additional = {"LoginTo": "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true"
                             "&state=hashArgsFromTB_us-east-1_" + ids.hexid(rng, 16),
                  "MobileVersion": "No", "MFAUsed": "Yes" if mfa else "No"}
    if mfa:
        additional["MFAIdentifier"] = f"arn:aws:iam::{user.account_id}:mfa/{user.name}"
    rec = api_event(
        rng, when=when, identity=identity, source="signin.amazonaws.com", name="ConsoleLogin",
        region="us-east-1", ip=ip, agent=agent, recipient=user.account_id, read_only=False,
        response={"ConsoleLogin": "Success" if success else "Failure"}, additional=additional,
        event_type="AwsConsoleSignIn",
    )
    if success:
        return rec
    # A failed login carries errorMessage only (no errorCode), placed where CloudTrail puts errors.
    out: dict = {}
    for key, value in rec.items():
        if key == "requestParameters":
            out["errorMessage"] = "Failed authentication"
        out[key] = value
    return out
