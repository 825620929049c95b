"""Agreement with an independent rule set: our rules' verdicts on Panther's rule-test events.

    .venv/bin/python benchmarks/panther_agreement.py [--corpus PATH] [--rule OUR_ID ...] [--verbose]

`../shared/corpus/panther-tests.jsonl` (next to the repository) holds the unit-test events of
panther-labs/panther-analysis' AWS rules, each with its Panther rule and whether that rule fires.
For every rule of ours that targets the same behaviour as a Panther rule (MAPPING, below, built by
reading both rule sets), each of that Panther rule's test events is evaluated alone: written to a
throwaway lake and run through the real runner on the local engine. Our verdict is "an alert was
raised"; it is compared with Panther's `expected`.

Thresholds cannot fire on one event, so for threshold rules only the match predicate is judged:
whether the event is among the query's output rows (the rule runs with its threshold removed).
Panther's threshold rules are judged the same way by their own tests (one event each).

Times are rewritten from Panther's normalised form to the ISO form AWS delivers, and a test event
with no usable time (some omit it or say 'redacted') gets FILL_TIME, so it has a partition and a
window; nothing else in an event is changed. Events marked needs_mocks were tested by Panther
with a mocked helper (a cache or a lookup), so their expected verdict may rest on state the event
does not carry; they are flagged in the output.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "panther-tests.jsonl"
SOURCE_TABLES = {"cloudtrail": "cloudtrail", "guardduty": "guardduty", "vpcflow": "vpc_flow"}
FILL_TIME = datetime(2024, 1, 15, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Mapping:
    """Our rule and the Panther rules that target the same behaviour. `scope` keeps only the test
    events whose field (top-level, as delivered) has one of the listed values, for a Panther rule
    broader than ours (e.g. any resource made public, where ours covers S3)."""

    ours: str
    panther: tuple[str, ...]
    scope: dict[str, tuple[str, ...]] = field(default_factory=dict)


# To extend: add a line. A rule not (yet) in the pack is reported and skipped.
MAPPING: list[Mapping] = [
    Mapping("cloudtrail-logging-tampered", ("AWS.CloudTrail.Stopped", "AWS.CloudTrail.EventSelectorsDisabled")),
    Mapping("cloudtrail-logging-tampered", ("AWS.CloudTrail.SecurityConfigurationChange",),
            {"eventSource": ("cloudtrail.amazonaws.com",)}),
    Mapping("root-account-usage", ("AWS.Root.Activity", "AWS.Console.RootLogin")),
    Mapping("iam-admin-policy-attached", ("AWS.IAM.AttachAdminUserPolicy", "AWS.IAM.AttachAdminRolePolicy")),
    Mapping("s3-bucket-policy-made-public", ("AWS.CloudTrail.ResourceMadePublic",),
            {"eventSource": ("s3.amazonaws.com",)}),
    Mapping("iam-login-profile-for-another-user",
            ("AWS.CloudTrail.LoginProfileCreatedOrModified", "AWS.User.Login.Profile.Modified")),
    Mapping("iam-access-key-created-for-another-user", ("AWS.IAM.Backdoor.User.Keys",)),
    Mapping("iam-role-trust-external-account", ("AWS.IAM.BackdoorRole",)),
    Mapping("console-login-failure-burst", ("AWS.CloudTrail.PasswordSpraying",)),
    Mapping("ec2-get-password-data-burst", ("AWS.EC2.ManyPasswordReadAttempts",)),
    Mapping("ec2-instance-connect-ssh-key-pushed", ("AWS.EC2.MultiInstanceConnect",)),
    Mapping("ssm-get-parameters-decryption-burst", ("AWS.SSM.DecryptSSMParams",)),
    Mapping("ssm-send-command", ("AWS.SSM.DistributedCommand",)),
    Mapping("secretsmanager-get-secret-value-burst",
            ("AWS.SecretsManager.RetrieveSecrets", "AWS.SecretsManager.BatchRetrieveSecrets",
             "AWS.SecretsManager.BatchRetrieveSecretsCatchAll")),
    Mapping("guardduty-critical-finding", ("AWS.GuardDuty.CriticalSeverityFinding",)),
    Mapping("guardduty-high-finding", ("AWS.GuardDuty.HighSeverityFinding",)),
    Mapping("guardduty-medium-finding", ("AWS.GuardDuty.MediumSeverityFinding",)),
    Mapping("ebs-default-encryption-disabled", ("AWS.EC2.EBS.Encryption.Disabled",)),
    Mapping("s3-versioning-suspended", ("AWS.S3.SuspendVersioning",)),
    Mapping("s3-lifecycle-expiry-added", ("AWS.CloudTrail.ShortLifecycle",)),
    Mapping("kms-key-disabled-or-scheduled-deletion", ("AWS.KMS.CustomerManagedKeyLoss",)),
    Mapping("access-denied-burst", ("AWS.IAMUser.ReconAccessDenied",)),
    Mapping("vpc-port-scan", ("AWS.VPC.PortScanning",)),
    Mapping("config-recorder-stopped", ("AWS.ConfigService.DisabledDeleted",)),
    Mapping("ec2-snapshot-or-ami-shared",
            ("AWS.CloudTrail.SnapshotMadePublic", "AWS.CloudTrail.AMIModifiedForPublicAccess")),
    Mapping("rds-snapshot-shared", ("AWS.RDS.SnapshotShared",)),
    Mapping("ec2-unusual-instance-types-launched", ("AWS.EC2.LaunchUnusualEC2Instances",)),
    Mapping("ec2-user-data-modified", ("AWS.EC2.Startup.Script.Change",)),
    Mapping("lambda-changed-by-human", ("AWS.Lambda.UpdateFunctionCode", "AWS.Lambda.UpdateFunctionConfiguration",
                                        "AWS.Potential.Backdoor.Lambda")),
    Mapping("organizations-leave", ("AWS.CloudTrail.AttemptToLeaveOrg",)),
    Mapping("route53-resolver-query-logging-deleted", ("AWS.CloudTrail.DNSLogsDeleted",)),
    Mapping("s3-public-access-block-deleted", ("AWS.S3.DeletePublicAccessBlock",)),
    Mapping("vpc-flow-logs-deleted", ("AWS.VPCFlow.LogsDeleted",)),
    Mapping("console-login-failure-burst-per-ip", ("AWS.CloudTrail.PasswordSpraying",)),
    Mapping("console-login-without-mfa", ("AWS.Console.LoginWithoutMFA",)),
    # Issue 22: the misses found against real tradecraft, and the Panther/Sigma gaps added.
    Mapping("secretsmanager-batch-read-by-filter",
            ("AWS.SecretsManager.BatchRetrieveSecrets", "AWS.SecretsManager.BatchRetrieveSecretsCatchAll")),
    Mapping("ec2-user-data-harvesting", ("AWS.EC2.DownloadInstanceUserData",)),
    Mapping("ec2-instance-credentials-from-two-addresses", ("AWS.CloudTrail.IMDSCredentialExfiltration",)),
    Mapping("s3-bucket-protection-removed",
            ("AWS.S3.DeleteBucketEncryption", "AWS.S3.DeleteBucketReplication", "AWS.S3.DisableBucketLogging",
             "AWS.S3.DisableMfaDelete")),
    Mapping("bedrock-guardrail-or-logging-removed",
            ("AWS.Bedrock.DeleteModelInvocationLoggingConfiguration", "AWS.Bedrock.GuardrailUpdateDelete")),
    Mapping("iam-compromised-key-quarantine", ("AWS.CloudTrail.IAMCompromisedKeyQuarantine",)),
    Mapping("console-signin-token-from-api-credentials", ("AWS.Console.GetSigninToken.Abuse",)),
    Mapping("ec2-traffic-mirroring-changed", ("AWS.EC2.Traffic.Mirroring",)),
    Mapping("account-region-enabled", ("AWS.CloudTrail.EnableRegion",)),
    Mapping("rds-database-exposed-or-password-reset",
            ("AWS.RDS.InstanceMadePublic", "AWS.RDS.MasterPasswordUpdated", "AWS.RDS.PublicRestore")),
]

# (our rule, Panther rule, Panther test name) → why we disagree, from reading both rules and the event.
EXPLANATIONS: dict[tuple[str, str, str], str] = {
    ("cloudtrail-logging-tampered", "AWS.CloudTrail.EventSelectorsDisabled", "Event Selector Enabled"):
        "ours alerts on any successful PutEventSelectors (a selector change can drop data events even when "
        "management events stay on); Panther only when includeManagementEvents becomes false. Kept: broader by design",
    ("root-account-usage", "AWS.Root.Activity", "Root Activity - CreateServiceLinkedRole"):
        "Panther allowlists CreateServiceLinkedRole; ours counts every root action not made by an AWS service "
        "(invokedBy, AwsServiceEvent), and this call was made by the root user. Kept",
    ("root-account-usage", "AWS.Root.Activity", "Root User Failed Activity"):
        "a failed root sign-in step (ExternalIdPDirectoryLogin with an error); Panther drops failed root activity, "
        "ours keeps it: someone holding or guessing root credentials is the point. Kept",
    ("root-account-usage", "AWS.Root.Activity", "Root Read-Only Enumeration"):
        "Panther ignores read-only root calls; ours alerts on any root use (CIS: root should not be used at all, "
        "and ListAccessKeys by root is a typical first step after theft). Kept",
    ("iam-login-profile-for-another-user", "AWS.CloudTrail.LoginProfileCreatedOrModified", "ChangeOwnPassword"):
        "actor is a role session named 'alice' resetting IAM user alice; Panther trusts the session name, ours "
        "does not (whoever assumes a role picks the session name), so any role session counts as 'another'. Kept",
    ("iam-login-profile-for-another-user", "AWS.User.Login.Profile.Modified", "ChangeOwnPassword"):
        "same event and reason as LoginProfileCreatedOrModified / ChangeOwnPassword. Kept",
    ("iam-login-profile-for-another-user", "AWS.User.Login.Profile.Modified",
     "User changed password for other reset required"):
        "Panther skips resets with passwordResetRequired=true (helpdesk flow); ours alerts and shows the flag: "
        "whoever set the temporary password can still sign in first. Kept",
    ("ssm-send-command", "AWS.SSM.DistributedCommand", "Single Command Send, No Cached IDs"):
        "Panther fires only when commands reach many instances (a cached count); ours alerts on every SendCommand "
        "by a principal outside the trusted automation list, so one instance is enough. Scope differs. Kept",
    ("secretsmanager-get-secret-value-burst", "AWS.SecretsManager.BatchRetrieveSecretsCatchAll",
     "BatchGetSecretValue Catch-All with other filters"):
        "predicate only: every secret read is a row for our distinct-secrets threshold; Panther's rule is about "
        "one catch-all filter, which extra filters defeat. Whether ours alerts depends on the count. Kept",
    ("vpc-port-scan", "AWS.VPC.PortScanning", "Egress to Non-Common Port"):
        "Panther flags each egress flow to a port outside its common list; ours counts REJECTed flows per source "
        "(action='REJECT', log_status='OK'), and these Panther-normalised records carry no action. Kept",
    ("vpc-port-scan", "AWS.VPC.PortScanning", "Egress from External IP - Default Severity"):
        "as 'Egress to Non-Common Port': no action field, so not a rejected probe under our definition. Kept",
    ("vpc-port-scan", "AWS.VPC.PortScanning", "Egress from Internal IP - High Severity"):
        "as 'Egress to Non-Common Port': no action field, so not a rejected probe under our definition. Kept",
    ("lambda-changed-by-human", "AWS.Potential.Backdoor.Lambda", "Lambda Add Permission Event"):
        "AddPermission by a plain assumed role ('tester', no SSO, no console-session flag); ours counts human "
        "principals only and treats other role sessions as automation (we do not key on the console user agent). Kept",
    ("lambda-changed-by-human", "AWS.Potential.Backdoor.Lambda", "Lambda Add Permission Event v2"):
        "same as 'Lambda Add Permission Event' (the v2 API name matches our pattern; the principal does not). Kept",
    ("console-login-without-mfa", "AWS.Console.LoginWithoutMFA", "No MFA Login - Root User"):
        "ours covers IAM users only; a root console sign-in (MFA or not) is root-account-usage's alert. Kept",
    ("s3-versioning-suspended", "AWS.S3.SuspendVersioning", "Versioning Disabled Successfully"):
        "the event sets VersioningConfiguration.Status 'Disabled', a value S3 does not accept (Enabled | "
        "Suspended; it refuses other values with MalformedXML), so a successful call like it cannot occur; "
        "ours parses the same field and alerts on 'Suspended'. Kept",
    ("access-denied-burst", "AWS.IAMUser.ReconAccessDenied", "Unauthorized API Call"):
        "the event carries userIdentity.invokedBy (signin.amazonaws.com: made through AWS on the user's behalf), "
        "which our predicate leaves out by design; Panther's silent sibling 'Unauthorized API Call - From AWS "
        "console' differs from it only in the user agent, which we never key on. Kept",
    ("console-login-without-mfa", "AWS.Console.LoginWithoutMFA", "No MFA Login - New User"):
        "Panther's test mocks a user-creation lookup to spare users who have not enrolled MFA yet; ours has no "
        "such state and alerts, as it should until MFA is on. Kept",
    ("secretsmanager-batch-read-by-filter", "AWS.SecretsManager.BatchRetrieveSecretsCatchAll",
     "BatchGetSecretValue Catch-All with other filters"):
        "Panther alerts only on a catch-all filter (a negated tag that matches every secret); ours alerts on any "
        "batch selected by filters rather than by ids, since a narrow tag filter also harvests what it matches. Kept",
    ("ec2-user-data-harvesting", "AWS.EC2.DownloadInstanceUserData", "Panther Cloud Security Scanning"):
        "Panther spares its own scanner by role name; ours spares the scanners a team declares under "
        "`automation: scanners` in the tuning file (none in the bundled one), never by name. Kept",
    ("ec2-instance-credentials-from-two-addresses", "AWS.CloudTrail.IMDSCredentialExfiltration",
     "SSM Messages Service Source"):
        "predicate only: the SSM agent calling from the instance's public address is a row; ours alerts only "
        "when the same credentials also call from a second public address, which the agent's own address is not. Kept",
    ("s3-bucket-protection-removed", "AWS.S3.DisableMfaDelete", "Different S3 Event"):
        "the event is a successful DeleteBucketEncryption: outside Panther's MFA-delete rule, but one of the four "
        "protections ours covers in one rule (AWS.S3.DeleteBucketEncryption fires on it, and ours agrees). Kept",
}


@dataclass
class Case:
    panther_rule: str
    test: str
    expected: bool
    needs_mocks: bool
    source: str
    event: dict[str, Any]


@dataclass
class Verdict:
    case: Case
    ours: bool | None  # None: could not be evaluated (reason in `note`)
    note: str = ""

    @property
    def agrees(self) -> bool | None:
        return None if self.ours is None else self.ours == self.case.expected


@dataclass
class PairResult:
    ours: str
    panther: str
    threshold: bool
    verdicts: list[Verdict] = field(default_factory=list)
    out_of_scope: int = 0


def load_corpus(path: Path) -> dict[str, list[Case]]:
    cases: dict[str, list[Case]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                d = json.loads(line)
                cases[d["panther_rule"]].append(Case(d["panther_rule"], d["test"], bool(d["expected"]),
                                                     bool(d.get("needs_mocks")), d["source"], d["event"]))
    return cases


def _with_time(table: str, event: dict[str, Any]) -> tuple[dict[str, Any], datetime, str]:
    """The event with its time as AWS delivers it, that time, and a note when it was changed.

    Panther's tests write times in Panther's normalised form ('2022-09-27 17:09:18.000000000');
    CloudTrail and GuardDuty deliver ISO 8601 with a T and a Z, which is what our lake and window
    bounds expect, so the time is rewritten to that form (same instant). A missing or 'redacted'
    time becomes FILL_TIME.
    """
    event = dict(event)
    if table == "vpc_flow":
        if event.get("start") is None:
            event["start"] = int(FILL_TIME.timestamp())
            event.setdefault("end", event["start"] + 60)
            return event, FILL_TIME, "time filled in"
        return event, datetime.fromtimestamp(int(event["start"]), UTC), ""
    key = "eventTime" if table == "cloudtrail" else "updatedAt"
    raw = event.get(key)
    try:
        stamp = pd.Timestamp(str(raw)) if raw else None
    except ValueError:
        stamp = None
    if stamp is None or pd.isna(stamp):
        when, note = FILL_TIME, "time filled in"
    else:
        when = (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")).to_pydatetime()
        note = ""
    text = when.strftime("%Y-%m-%dT%H:%M:%SZ") if table == "cloudtrail" else \
        when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    event[key] = text
    return event, when, note


def evaluate(rule: Any, case: Case) -> Verdict:
    """Run `rule` (threshold removed) over `case.event` alone on a throwaway lake."""
    from workbench.alerts import get_store
    from workbench.config import Settings
    from workbench.detect import run_detections
    from workbench.engines import get_engine
    from workbench.lake import write_records

    table = SOURCE_TABLES[case.source]
    if rule.table != table:
        return Verdict(case, None, f"event is {table}, rule reads {rule.table}")
    event, when, note = _with_time(table, case.event)
    with tempfile.TemporaryDirectory(prefix="mantissa-panther-") as tmp:
        settings = Settings(workspace=Path(tmp))
        summary = write_records(table, [event], settings.lake)
        if summary.total_quarantined:
            return Verdict(case, None, f"quarantined by ingest: {', '.join(summary.quarantined)}")
        single = rule.model_copy(update={"enabled": True, "threshold": None})
        with get_engine("local", settings) as engine, get_store(settings, backend="sqlite") as store:
            run = run_detections([single], when - timedelta(hours=1), when + timedelta(hours=1), engine, store,
                                 lookback=timedelta(0))
            if run.failed:
                return Verdict(case, None, f"rule failed: {run.failed[0].error}")
            return Verdict(case, bool(store.list(rule_id=rule.id, limit=10)), note)


def in_scope(mapping: Mapping, case: Case) -> bool:
    return all(str(case.event.get(k)) in v for k, v in mapping.scope.items())


def run_pairs(ruleset: Any, corpus: dict[str, list[Case]], only: list[str] | None) -> tuple[
        list[PairResult], list[str]]:
    results: list[PairResult] = []
    problems: list[str] = []
    by_id = {r.id: r for r in ruleset.rules}
    for mapping in MAPPING:
        if only and mapping.ours not in only:
            continue
        rule = by_id.get(mapping.ours)
        if rule is None:
            problems.append(f"our rule '{mapping.ours}' is not in the pack (yet); its mapping is skipped")
            continue
        for panther in mapping.panther:
            if panther not in corpus:
                problems.append(f"Panther rule '{panther}' has no tests in the corpus")
                continue
            pair = PairResult(rule.id, panther, rule.threshold is not None)
            for case in corpus[panther]:
                if not in_scope(mapping, case):
                    pair.out_of_scope += 1
                    continue
                pair.verdicts.append(evaluate(rule, case))
            results.append(pair)
    return results, problems


def _pct(agree: int, total: int) -> str:
    return f"{100 * agree / total:5.1f}%" if total else "    -"


def report(results: list[PairResult], problems: list[str], seconds: float, verbose: bool) -> str:
    lines = []
    w_ours = max([len(r.ours) + (4 if r.threshold else 0) for r in results] + [8])
    w_pan = max([len(r.panther) for r in results] + [13])
    lines.append(f"{'our rule':<{w_ours}}  {'Panther rule':<{w_pan}}  events  agree  disagree  n/a  agreement")
    total_agree = total_dis = 0
    for r in results:
        agree = sum(v.agrees is True for v in r.verdicts)
        dis = sum(v.agrees is False for v in r.verdicts)
        na = sum(v.agrees is None for v in r.verdicts)
        total_agree, total_dis = total_agree + agree, total_dis + dis
        mark = " (T)" if r.threshold else ""
        scope = f"  [{r.out_of_scope} out of scope]" if r.out_of_scope else ""
        lines.append(f"{r.ours + mark:<{w_ours}}  {r.panther:<{w_pan}}  {len(r.verdicts):>6}  {agree:>5}  "
                     f"{dis:>8}  {na:>3}  {_pct(agree, agree + dis):>9}{scope}")
    lines.append(f"{'overall':<{w_ours}}  {'':<{w_pan}}  {total_agree + total_dis:>6}  {total_agree:>5}  "
                 f"{total_dis:>8}  {'':>3}  {_pct(total_agree, total_agree + total_dis):>9}")
    lines.append("(T) threshold rule: judged on its match predicate only (is the event among the query's "
                 "output rows); thresholds cannot fire on a single event.")
    lines.append("")
    lines.append("Disagreements (M = the Panther test mocked a helper; its expectation may rest on state "
                 "the event does not carry):")
    for r in results:
        for v in r.verdicts:
            if v.agrees is False:
                why = EXPLANATIONS.get((r.ours, r.panther, v.case.test), "(not yet explained)")
                flag = "M" if v.case.needs_mocks else " "
                said = "alerts" if v.ours else "silent"
                lines.append(f" {flag} {r.ours} / {r.panther} / {v.case.test!r}: Panther "
                             f"{'fires' if v.case.expected else 'silent'}, ours {said} — {why}")
    not_evaluated = [(r, v) for r in results for v in r.verdicts if v.agrees is None]
    if not_evaluated:
        lines.append("")
        lines.append("Not evaluated:")
        lines += [f"   {r.ours} / {r.panther} / {v.case.test!r}: {v.note}" for r, v in not_evaluated]
    if verbose:
        lines.append("")
        lines += [f"   {r.ours} / {r.panther} / {v.case.test!r}: expected={v.case.expected} ours={v.ours} "
                  f"{v.note}" for r in results for v in r.verdicts]
    if problems:
        lines.append("")
        lines += [f"note: {p}" for p in problems]
    lines.append(f"\n{sum(len(r.verdicts) for r in results)} events evaluated in {seconds:.1f}s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rule", action="append", help="only this rule of ours (repeatable)")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every verdict")
    parser.add_argument("--rules", type=Path, help="a rule pack folder to judge instead of the bundled one "
                        "(e.g. an older pack exported with `git archive`, for a before/after table)")
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"error: the Panther corpus is not at {args.corpus}; it ships in shared/corpus/ beside the "
              "repository (pass --corpus PATH if it lives elsewhere)", file=sys.stderr)
        return 2
    from workbench.resources import bundled_dir
    from workbench.rules import load_rules

    rules_dir = args.rules or bundled_dir("rules")
    if rules_dir is None or not rules_dir.is_dir():
        print("error: no bundled rule pack found (rules/ in a checkout, workbench/bundled/rules in a wheel)",
              file=sys.stderr)
        return 2
    ruleset = load_rules([rules_dir])
    problems = [f"load error: {e.format()}" for e in ruleset.errors]
    started = time.perf_counter()
    results, more = run_pairs(ruleset, load_corpus(args.corpus), args.rule)
    print(report(results, problems + more, time.perf_counter() - started, args.verbose))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
