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

A test event with no usable time (some Panther tests omit it or say 'redacted') gets FILL_TIME, so it has a partition
and a window; nothing else in an event is changed. Events marked needs_mocks were tested by Panther
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
    Mapping("guardduty-high-severity-finding",
            ("AWS.GuardDuty.HighSeverityFinding", "AWS.GuardDuty.CriticalSeverityFinding")),
    Mapping("vpc-port-scan", ("AWS.VPC.PortScanning",)),
]

# (our rule, Panther rule, Panther test name) → why we disagree, from reading both rules and the event.
EXPLANATIONS: dict[tuple[str, str, str], str] = {
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


def _with_time(table: str, event: dict[str, Any]) -> tuple[dict[str, Any], datetime, bool]:
    """The event, its time, and whether the time was filled in (see FILL_TIME)."""
    event = dict(event)
    key = {"cloudtrail": "eventTime", "guardduty": "updatedAt", "vpc_flow": "start"}[table]
    if table == "vpc_flow":
        if event.get("start") is None:
            event["start"] = int(FILL_TIME.timestamp())
            event.setdefault("end", event["start"] + 60)
            return event, FILL_TIME, True
        return event, datetime.fromtimestamp(int(event["start"]), UTC), False
    try:
        when = datetime.fromisoformat(str(event[key]).replace("Z", "+00:00")) if event.get(key) else None
    except ValueError:  # Panther's sanitised tests sometimes hold 'redacted' there
        when = None
    if when is None:
        event[key] = FILL_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
        return event, FILL_TIME, True
    return event, when if when.tzinfo else when.replace(tzinfo=UTC), False


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
    event, when, filled = _with_time(table, case.event)
    note = "time filled in" if filled else ""
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
    w_ours = max([len(r.ours) for r in results] + [8])
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
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"error: the Panther corpus is not at {args.corpus}; it ships in shared/corpus/ beside the "
              "repository (pass --corpus PATH if it lives elsewhere)", file=sys.stderr)
        return 2
    from workbench.resources import bundled_dir
    from workbench.rules import load_rules

    rules_dir = bundled_dir("rules")
    if rules_dir is None:
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
