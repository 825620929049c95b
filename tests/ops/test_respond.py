"""Containment against the moto server: each action dry-run (nothing changes, the exact calls are
shown and audited) and confirmed (the effect is read back with boto3)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.ops.conftest import make_alert
from workbench.alerts import AlertNotFound, AlertStore
from workbench.respond import DENY_ALL_POLICY, REVOKE_POLICY, ContainmentError, Responder

ALERT = "a-ops-1"


def unique(name: str) -> str:
    """The moto server lives for the whole session: names must not collide across tests."""
    return f"{name}-{uuid.uuid4().hex[:8]}"


def client(service: str, endpoint: str):  # noqa: ANN201 - a boto3 client
    return boto3.client(service, region_name="us-east-1", endpoint_url=endpoint)


def containment_audit(store: AlertStore) -> list:
    return [e for e in store.get(ALERT).audit if e.action.startswith("containment")]


@pytest.fixture()
def responder(store: AlertStore, aws_env: str) -> Responder:
    return Responder(store=store, actor="ana", endpoint_url=aws_env, region="us-east-1")


def test_disable_access_keys(responder: Responder, store: AlertStore, aws_env: str) -> None:
    iam = client("iam", aws_env)
    bot = unique("build-bot")
    iam.create_user(UserName=bot)
    keys = sorted(iam.create_access_key(UserName=bot)["AccessKey"]["AccessKeyId"] for _ in range(2))

    dry = responder.disable_access_keys(bot, alert_id=ALERT)
    assert dry.dry_run and dry.ok and dry.responses == []
    assert [c.operation for c in dry.reads] == ["ListAccessKeys"]
    assert sorted(c.params["AccessKeyId"] for c in dry.calls) == keys
    assert all(c.params == {"UserName": bot, "AccessKeyId": c.params["AccessKeyId"], "Status": "Inactive"}
               for c in dry.calls)
    assert f"aws iam update-access-key --user-name {bot} --access-key-id" in dry.format()
    states = {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(UserName=bot)["AccessKeyMetadata"]}
    assert set(states.values()) == {"Active"}

    done = responder.disable_access_keys(bot, alert_id=ALERT, confirm=True)
    assert done.mode == "executed" and len(done.responses) == 2
    states = {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(UserName=bot)["AccessKeyMetadata"]}
    assert states == dict.fromkeys(keys, "Inactive")

    audit = containment_audit(store)
    assert [e.action for e in audit] == ["containment-dry-run", "containment-executed"]
    assert all(e.who == "ana" for e in audit)
    recorded = audit[1].changes["containment"][1]
    assert [c["params"]["AccessKeyId"] for c in recorded["calls"]] == [c.params["AccessKeyId"] for c in done.calls]

    again = responder.disable_access_keys(bot, confirm=True)
    assert again.calls == [] and "no active access key" in again.notes[0]


@pytest.mark.parametrize("kind", ["user", "role"], ids=["user", "role"])
def test_deny_all(kind: str, responder: Responder, store: AlertStore, aws_env: str) -> None:
    iam = client("iam", aws_env)
    name = unique(f"suspect-{kind}")
    if kind == "user":
        iam.create_user(UserName=name)
    else:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    get = (lambda: iam.get_user_policy(UserName=name, PolicyName=DENY_ALL_POLICY)) if kind == "user" else (
        lambda: iam.get_role_policy(RoleName=name, PolicyName=DENY_ALL_POLICY))

    dry = responder.deny_all(**{f"{kind}_name": name}, alert_id=ALERT)
    assert dry.calls[0].operation == f"Put{kind.title()}Policy"
    with pytest.raises(ClientError, match="NoSuchEntity"):
        get()
    responder.deny_all(**{f"{kind}_name": name}, alert_id=ALERT, confirm=True)
    statement = get()["PolicyDocument"]["Statement"][0]
    assert (statement["Effect"], statement["Action"], statement["Resource"]) == ("Deny", "*", "*")
    assert [e.action for e in containment_audit(store)] == ["containment-dry-run", "containment-executed"]


def test_revoke_role_sessions(responder: Responder, store: AlertStore, aws_env: str) -> None:
    iam = client("iam", aws_env)
    role = unique("deploy")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    now = datetime(2026, 11, 28, 10, 30, 15, 999, tzinfo=UTC)
    dry = responder.revoke_role_sessions(role, alert_id=ALERT, now=now)
    assert json.loads(dry.calls[0].params["PolicyDocument"])["Statement"][0]["Condition"] == {
        "DateLessThan": {"aws:TokenIssueTime": "2026-11-28T10:30:15Z"}}
    assert iam.list_role_policies(RoleName=role)["PolicyNames"] == []

    responder.revoke_role_sessions(role, alert_id=ALERT, now=now, confirm=True)
    doc = iam.get_role_policy(RoleName=role, PolicyName=REVOKE_POLICY)["PolicyDocument"]
    assert doc["Statement"][0]["Effect"] == "Deny"
    assert doc["Statement"][0]["Condition"]["DateLessThan"]["aws:TokenIssueTime"] == "2026-11-28T10:30:15Z"


def test_block_cidr_takes_lowest_free_rule_numbers(responder: Responder, store: AlertStore, aws_env: str) -> None:
    ec2 = client("ec2", aws_env)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for number in (1, 2, 4):  # ingress rules already at 1, 2, 4: the deny goes to 3
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=number, Protocol="6", RuleAction="allow",
                                     Egress=False, CidrBlock=f"10.{number}.0.0/16", PortRange={"From": 443, "To": 443})

    dry = responder.block_cidr(acl, "198.51.100.23", alert_id=ALERT)
    assert [(c.params["Egress"], c.params["RuleNumber"], c.params["CidrBlock"]) for c in dry.calls] == [
        (False, 3, "198.51.100.23/32"), (True, 1, "198.51.100.23/32")]
    assert "--no-egress" in dry.calls[0].cli() and "--egress" in dry.calls[1].cli()

    responder.block_cidr(acl, "198.51.100.23", alert_id=ALERT, confirm=True)
    entries = ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"][0]["Entries"]
    denies = sorted((e["Egress"], e["RuleNumber"]) for e in entries
                    if e["RuleAction"] == "deny" and e.get("CidrBlock") == "198.51.100.23/32")
    assert denies == [(False, 3), (True, 1)]

    again = responder.block_cidr(acl, "198.51.100.23/32", ingress=True, egress=False, confirm=True)
    assert again.calls == [] and "already denied by rule 3" in again.notes[0]


def test_cognito_global_sign_out(responder: Responder, store: AlertStore, aws_env: str) -> None:
    idp = client("cognito-idp", aws_env)
    pool = idp.create_user_pool(PoolName=unique("customers"))["UserPool"]["Id"]
    app = idp.create_user_pool_client(UserPoolId=pool, ClientName="web",
                                      ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    app_id = app["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username="mallory")
    idp.admin_set_user_password(UserPoolId=pool, Username="mallory", Password="Sup3r-secret!", Permanent=True)
    tokens = idp.admin_initiate_auth(UserPoolId=pool, ClientId=app_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": "mallory", "PASSWORD": "Sup3r-secret!"})
    access = tokens["AuthenticationResult"]["AccessToken"]

    dry = responder.cognito_sign_out(pool, "mallory", alert_id=ALERT)
    assert dry.calls[0].as_dict() == {"service": "cognito-idp", "operation": "AdminUserGlobalSignOut",
                                      "params": {"UserPoolId": pool, "Username": "mallory"}}
    assert idp.get_user(AccessToken=access)["Username"] == "mallory"  # still signed in

    responder.cognito_sign_out(pool, "mallory", alert_id=ALERT, confirm=True)
    with pytest.raises(ClientError, match="NotAuthorized"):
        idp.get_user(AccessToken=access)


def test_failed_call_is_audited_as_failed(responder: Responder, store: AlertStore) -> None:
    result = responder.deny_all(user_name="nobody-by-this-name", alert_id=ALERT, confirm=True)
    assert result.mode == "failed" and "NoSuchEntity" in (result.error or "")
    assert "FAILED" in result.format()
    entry = containment_audit(store)[-1]
    assert entry.action == "containment-failed" and entry.changes["containment"][1]["executed"] == 0


@pytest.mark.parametrize(("call", "message"), [
    (lambda r: r.block_cidr("acl-1", "not-an-ip"), "not an IP address"),
    (lambda r: r.block_cidr("acl-1", "0.0.0.0/0"), "refusing to deny"),
    (lambda r: r.block_cidr("acl-1", "10.0.0.1", ingress=False, egress=False), "ingress=True"),
    (lambda r: r.deny_all(), "exactly one"),
    (lambda r: r.disable_access_keys(""), "user_name is required"),
], ids=["bad-cidr", "everything", "no-direction", "no-principal", "no-user"])
def test_bad_input_calls_nothing(call, message: str, responder: Responder) -> None:  # noqa: ANN001
    with pytest.raises(ContainmentError, match=message):
        call(responder)


def test_unknown_alert_fails_before_acting(responder: Responder, aws_env: str) -> None:
    iam = client("iam", aws_env)
    kept = unique("kept")
    iam.create_user(UserName=kept)
    with pytest.raises(AlertNotFound):
        responder.deny_all(user_name=kept, alert_id="a-ops-typo", confirm=True)
    assert iam.list_user_policies(UserName=kept)["PolicyNames"] == []


# ---- across accounts -------------------------------------------------------------------------------
MEMBER = "222233334444"


def member_session(endpoint: str, account: str = MEMBER) -> boto3.Session:
    """Credentials in another account of the organisation (moto: an assumed role there)."""
    creds = client("sts", endpoint).assume_role(RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
                                                RoleSessionName="setup")["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"], region_name="us-east-1")


def test_acts_in_the_alerts_account_through_the_responder_role(store: AlertStore, aws_env: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    member = member_session(aws_env)
    iam = member.client("iam", endpoint_url=aws_env)
    bot = unique("build-bot")
    iam.create_user(UserName=bot)
    key = iam.create_access_key(UserName=bot)["AccessKey"]["AccessKeyId"]
    iam.create_role(RoleName="MantissaResponder", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}))
    alert_id = unique("a-member")
    store.upsert_alert(make_alert(alert_id, account=MEMBER), ["e1"])
    responder = Responder(store=store, actor="ana@example.com", endpoint_url=aws_env, region="us-east-1",
                          external_id="mantissa-ext")

    plan = responder.disable_access_keys(bot, alert_id=alert_id)  # dry run first: reads in the member account
    assert plan.ok and plan.dry_run and plan.account == MEMBER
    assert plan.role_arn == f"arn:aws:iam::{MEMBER}:role/MantissaResponder"
    assert f"in account {MEMBER} as arn:aws:iam::{MEMBER}:role/MantissaResponder" in plan.format()
    assert [c.params["AccessKeyId"] for c in plan.calls] == [key]
    done = responder.disable_access_keys(bot, alert_id=alert_id, confirm=True)
    assert done.ok and not done.dry_run
    assert iam.list_access_keys(UserName=bot)["AccessKeyMetadata"][0]["Status"] == "Inactive"
    with pytest.raises(ClientError):  # nothing happened in the running credentials' own account
        client("iam", aws_env).list_access_keys(UserName=bot)
    audit = [e for e in store.get(alert_id).audit if e.action.startswith("containment")]
    assert [e.action for e in audit] == ["containment-dry-run", "containment-executed"]
    assert audit[-1].changes["containment"][1]["account"] == MEMBER
    assert responder.session_name() == "mantissa-ana@example.com"


def test_an_explicit_account_id_wins_and_a_bad_one_is_refused(store: AlertStore, aws_env: str) -> None:
    responder = Responder(store=store, actor="ana", endpoint_url=aws_env, region="us-east-1")
    with pytest.raises(ContainmentError, match="12-digit AWS account id"):
        responder.deny_all(user_name="x", account_id="prod")
    plan = responder.deny_all(user_name="x", account_id="333344445555")
    assert plan.ok and plan.account == "333344445555" and plan.calls[0].method == "put_user_policy"
    home = responder.deny_all(user_name="x", account_id="123456789012")
    assert home.account is None and home.role_arn is None  # its own account: no role to assume


def test_a_role_that_cannot_be_assumed_names_the_account_and_the_role(store: AlertStore, aws_env: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    responder = Responder(store=store, actor="ana", endpoint_url=aws_env, region="us-east-1")
    responder.home_account()
    real_client = boto3.Session.client

    def sts_refusing_assume_role(self, service, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        made = real_client(self, service, *args, **kwargs)
        if service == "sts":  # moto lets anyone assume any role; AWS refuses a role that does not trust us

            def refuse(**_params):  # noqa: ANN003, ANN202
                raise ClientError({"Error": {"Code": "AccessDenied",
                                             "Message": "not authorized to perform: sts:AssumeRole"}}, "AssumeRole")

            made.assume_role = refuse
        return made

    monkeypatch.setattr(boto3.Session, "client", sts_refusing_assume_role)
    result = responder.disable_access_keys("bot", account_id="444455556666", confirm=True)
    assert not result.ok and result.responses == [] and result.calls == []
    assert "cannot assume arn:aws:iam::444455556666:role/MantissaResponder in account 444455556666" in result.error
    assert "AccessDenied" in result.error and "create the role there" in result.error
