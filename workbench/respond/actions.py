"""Containment actions. Each plans its exact API calls (reading AWS only where the plan needs it —
which keys are active, which NACL rule numbers are free), then stops there unless `confirm=True`.
Either way the plan, the actor and the outcome land in the alert's audit trail when an alert is given.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from workbench.respond.calls import ActionResult, ApiCall
from workbench.timewindow import iso_z

if TYPE_CHECKING:
    from workbench.alerts import AlertStore
    from workbench.config import Settings

DEFAULT_ROLE = "MantissaResponder"  # the role a team creates in each member account for containment
DENY_ALL_POLICY = "MantissaContainmentDenyAll"
REVOKE_POLICY = "AWSRevokeOlderSessions"  # the name the IAM console's "Revoke active sessions" uses
NACL_MAX_RULE = 32766  # 32767 is the default rule every NACL ends with
Plan = tuple[list[ApiCall], list[ApiCall], list[str]]  # reads done, calls to make, notes


class ContainmentError(ValueError):
    """Bad input to a containment action (nothing was called); the message says what to pass."""


class _AssumeFailed(Exception):
    """The role in the target account could not be assumed (the message names account and role)."""


def deny_all_document() -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "MantissaContainmentDenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}]}


def revoke_sessions_document(before: datetime) -> dict[str, Any]:
    """Deny every action to credentials issued before `before` (the role's current sessions)."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Action": ["*"], "Resource": ["*"],
        "Condition": {"DateLessThan": {"aws:TokenIssueTime": iso_z(before)}}}]}


def _required(value: str | None, what: str) -> str:
    if not value or not str(value).strip():
        raise ContainmentError(f"{what} is required")
    return str(value).strip()


def _strip(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


class Responder:
    """Runs containment actions with one boto3 session, recording each on the alert it answers.

        r = Responder(store=store, actor="ana")
        r.disable_access_keys("build-bot", alert_id=alert.id)             # dry run: shows the calls
        r.disable_access_keys("build-bot", alert_id=alert.id, confirm=True)
    """

    def __init__(self, *, store: AlertStore | None = None, actor: str | None = None,
                 endpoint_url: str | None = None, region: str | None = None, session: Any = None,
                 role_name: str = DEFAULT_ROLE, external_id: str | None = None) -> None:
        from workbench.history import current_user

        self.store, self.actor = store, actor or current_user()
        self.endpoint_url, self.region, self._session = endpoint_url, region, session
        self.role_name, self.external_id = role_name, external_id
        self._clients: dict[tuple[str, str | None, str | None], Any] = {}
        self._sessions: dict[str, Any] = {}
        self._home: str | None = None
        self._account: str | None = None  # the account the action in progress acts in

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> Responder:
        """Role name and external id from `respond:` in mantissa.yaml (see the README)."""
        cfg = settings.respond
        return cls(role_name=cfg.role_name, external_id=cfg.external_id,
                   endpoint_url=kwargs.pop("endpoint_url", cfg.endpoint_url), **kwargs)

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.region, self._account)
        if key not in self._clients:
            session = self._session_for(self._account)
            self._clients[key] = session.client(service, region_name=key[1], endpoint_url=self.endpoint_url)
        return self._clients[key]

    # ---- accounts -----------------------------------------------------------------------------------
    def role_arn(self, account: str) -> str:
        return f"arn:aws:iam::{account}:role/{self.role_name}"

    def session_name(self) -> str:
        """Names the analyst in the target account's CloudTrail (RoleSessionName: 2-64 of [\\w+=,.@-])."""
        return ("mantissa-" + re.sub(r"[^\w+=,.@-]", "-", self.actor))[:64]

    def home_account(self) -> str:
        """The account of the running credentials (asked of STS once)."""
        if self._home is None:
            import boto3

            session = self._session or boto3.Session()
            self._home = session.client("sts", region_name=self.region, endpoint_url=self.endpoint_url
                                        ).get_caller_identity()["Account"]
        return self._home

    def _session_for(self, account: str | None) -> Any:
        import boto3

        base = self._session or boto3.Session()
        if account is None or account == self.home_account():
            return base
        if account not in self._sessions:
            sts = base.client("sts", region_name=self.region, endpoint_url=self.endpoint_url)
            params = {"RoleArn": self.role_arn(account), "RoleSessionName": self.session_name(),
                      "DurationSeconds": 900}
            if self.external_id:
                params["ExternalId"] = self.external_id
            creds = sts.assume_role(**params)["Credentials"]
            self._sessions[account] = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"], region_name=self.region)
        return self._sessions[account]

    def _target(self, account_id: str | None, alert_id: str | None) -> str | None:
        """The account to act in: given, else the alert's, else the running credentials' own."""
        if account_id is not None:
            account = str(account_id).strip()
            if not re.fullmatch(r"\d{12}", account):
                raise ContainmentError(f"account_id must be a 12-digit AWS account id, got {account_id!r}")
            return account
        if alert_id is not None and self.store is not None:
            return self.store.get(alert_id).account or None
        return None

    # ---- the common path --------------------------------------------------------------------------
    def _act(self, action: str, target: str, alert_id: str | None, confirm: bool,
             plan: Callable[[], Plan], region: str | None = None, account_id: str | None = None) -> ActionResult:
        from botocore.exceptions import BotoCoreError, ClientError

        if alert_id is not None:
            if self.store is None:
                raise ContainmentError("alert_id given but no store: pass store=get_store() to record the audit")
            self.store.get(alert_id)  # an unknown alert fails before anything runs, never after
        result = ActionResult(action, target, dry_run=not confirm, actor=self.actor, alert_id=alert_id)
        try:
            account = self._target(account_id, alert_id)
            if account is not None and account != self.home_account():
                result.account, result.role_arn = account, self.role_arn(account)
                try:
                    self._session_for(account)
                except (ClientError, BotoCoreError) as exc:
                    raise _AssumeFailed(f"cannot assume {result.role_arn} in account {account} as "
                                        f"{self.session_name()}: {exc} — create the role there, trusting this "
                                        "account (and respond.external_id), or act from that account") from exc
            self._account = account
            result.reads, result.calls, result.notes = plan()
            if confirm:
                for call in result.calls:
                    method = getattr(self.client(call.service, region), call.method)
                    result.responses.append(_strip(method(**call.params)))
        except _AssumeFailed as exc:
            result.error = str(exc)
        except (ClientError, BotoCoreError) as exc:
            where = f" (account {result.account}, role {result.role_arn})" if result.role_arn else ""
            result.error = f"{type(exc).__name__}: {exc}{where}"
        finally:
            self._account = None
        self._audit(result)
        return result

    def _audit(self, result: ActionResult) -> None:
        if result.alert_id is None or self.store is None:
            return
        # A dedicated audit action (not a note): reports and exports find containment by action name.
        self.store.record_action(result.alert_id, self.actor, f"containment-{result.mode}",
                                 {"containment": [None, result.audit_summary()]})

    # ---- actions ------------------------------------------------------------------------------------
    def disable_access_keys(self, user_name: str, access_key_ids: list[str] | None = None, *,
                            alert_id: str | None = None, confirm: bool = False,
                            account_id: str | None = None) -> ActionResult:
        """Set the user's access keys (all active ones, or those given) Inactive: reversible, unlike delete."""
        user = _required(user_name, "user_name")

        def plan() -> Plan:
            reads, notes = [], []
            keys = list(access_key_ids or [])
            if not keys:
                reads.append(ApiCall("iam", "ListAccessKeys", {"UserName": user}))
                listed = self.client("iam").list_access_keys(UserName=user)["AccessKeyMetadata"]
                keys = [k["AccessKeyId"] for k in listed if k["Status"] == "Active"]
                if not keys:
                    notes.append(f"user {user} has no active access key; nothing to disable")
            calls = [ApiCall("iam", "UpdateAccessKey", {"UserName": user, "AccessKeyId": k, "Status": "Inactive"})
                     for k in keys]
            return reads, calls, notes

        return self._act("disable-access-keys", f"user {user}", alert_id, confirm, plan, account_id=account_id)

    def deny_all(self, *, user_name: str | None = None, role_name: str | None = None,
                 alert_id: str | None = None, confirm: bool = False, account_id: str | None = None) -> ActionResult:
        """Put an inline deny-all policy on a user or a role (removing the policy undoes it)."""
        if bool(user_name) == bool(role_name):
            raise ContainmentError("deny_all needs exactly one of user_name= or role_name=")
        kind, name = ("User", _required(user_name, "user_name")) if user_name else (
            "Role", _required(role_name, "role_name"))
        call = ApiCall("iam", f"Put{kind}Policy", {f"{kind}Name": name, "PolicyName": DENY_ALL_POLICY,
                                                     "PolicyDocument": json.dumps(deny_all_document())})
        return self._act("deny-all", f"{kind.lower()} {name}", alert_id, confirm, lambda: ([], [call], []),
                         account_id=account_id)

    def revoke_role_sessions(self, role_name: str, *, alert_id: str | None = None, confirm: bool = False,
                             now: datetime | None = None, account_id: str | None = None) -> ActionResult:
        """Deny everything to the role's sessions issued before now (new sessions still work)."""
        role = _required(role_name, "role_name")
        before = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        call = ApiCall("iam", "PutRolePolicy", {"RoleName": role, "PolicyName": REVOKE_POLICY,
                                                "PolicyDocument": json.dumps(revoke_sessions_document(before))})
        note = f"sessions issued before {iso_z(before)} are denied; the role can be assumed again afterwards"
        return self._act("revoke-role-sessions", f"role {role}", alert_id, confirm, lambda: ([], [call], [note]),
                         account_id=account_id)

    def block_cidr(self, network_acl_id: str, cidr: str, *, ingress: bool = True, egress: bool = True,
                   alert_id: str | None = None, confirm: bool = False, account_id: str | None = None) -> ActionResult:
        """Add a deny entry for an IP or CIDR at the lowest free rule number (evaluated first)."""
        acl = _required(network_acl_id, "network_acl_id")
        net = _network(cidr)
        if not (ingress or egress):
            raise ContainmentError("block_cidr needs ingress=True, egress=True or both")
        field = "CidrBlock" if net.version == 4 else "Ipv6CidrBlock"

        def plan() -> Plan:
            reads = [ApiCall("ec2", "DescribeNetworkAcls", {"NetworkAclIds": [acl]})]
            found = self.client("ec2").describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"]
            entries = found[0]["Entries"] if found else []
            calls, notes = [], []
            for is_egress in [d for d, wanted in ((False, ingress), (True, egress)) if wanted]:
                side = [e for e in entries if e["Egress"] == is_egress]
                direction = "egress" if is_egress else "ingress"
                existing = [e for e in side if e["RuleAction"] == "deny" and e.get(field) == str(net)]
                if existing:
                    notes.append(f"{direction}: {net} already denied by rule {existing[0]['RuleNumber']}")
                    continue
                calls.append(ApiCall("ec2", "CreateNetworkAclEntry", {
                    "NetworkAclId": acl, "RuleNumber": _lowest_free({e["RuleNumber"] for e in side}, acl),
                    "Protocol": "-1", "RuleAction": "deny", "Egress": is_egress, field: str(net)}))
            return reads, calls, notes

        return self._act("block-cidr", f"{net} in {acl}", alert_id, confirm, plan, account_id=account_id)

    def cognito_sign_out(self, user_pool_id: str, username: str, *, alert_id: str | None = None,
                         confirm: bool = False, account_id: str | None = None) -> ActionResult:
        """Sign a Cognito user out of every device: its refresh and access tokens stop working."""
        pool, user = _required(user_pool_id, "user_pool_id"), _required(username, "username")
        region = self.region or (pool.split("_", 1)[0] if "_" in pool else None)
        call = ApiCall("cognito-idp", "AdminUserGlobalSignOut", {"UserPoolId": pool, "Username": user})
        return self._act("cognito-sign-out", f"user {user} in {pool}", alert_id, confirm,
                         lambda: ([], [call], []), region=region, account_id=account_id)


def _network(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        net = ipaddress.ip_network(str(cidr).strip(), strict=False)
    except ValueError:
        message = f"{cidr!r} is not an IP address or CIDR (e.g. 203.0.113.7 or 203.0.113.0/24)"
        raise ContainmentError(message) from None
    if net.prefixlen == 0:
        raise ContainmentError(f"refusing to deny {net}: it would cut the subnet off from everything")
    return net


def _lowest_free(used: set[int], acl: str) -> int:
    for number in range(1, NACL_MAX_RULE + 1):
        if number not in used:
            return number
    raise ContainmentError(f"network ACL {acl} has no free rule number")
