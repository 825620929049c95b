"""Automation principals: the tuning file's declaration of a team's machine identities.

    automation:
      iac:                  # infrastructure-as-code pipelines (Terraform, CloudFormation, CDK …)
        - arn:aws:iam::111122223333:role/terraform-deploy
      scanners:             # posture scanners, inventory, and the role used for posture reviews
        - arn:aws:iam::111122223333:role/security-audit

A kind is declared once and rules opt in by name, so silencing is never a matter of a tool's name
in the user agent (which anyone can send). Each kind fills an allowlist that rules reference as a
placeholder (`NOT contains(:iac_principals, coalesce(issuer_arn, arn, ''))`):

- `iac` → `:iac_principals`, honoured by the rules a pipeline trips when it creates and destroys
  what it owns (a role given AdministratorAccess, a login profile or key for a user it created,
  deleting a trail it created, reading the secrets it created).
- `scanners` → `:scanner_principals`.

Both kinds also join `:trusted_automation_principals`, which the read-volume burst rules honour:
a Terraform plan enumerates as widely as a scanner.

Entries are IAM role or user ARNs (every session of the role matches), never a session ARN: a
session name is chosen by whoever assumes the role.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.registry import unknown_name_message
from workbench.rules.issues import LintIssue

if TYPE_CHECKING:
    from workbench.rules.tuning import Tuning
    from workbench.rules.yamlsource import SourceMap

# kind -> the allowlist it fills
AUTOMATION_KINDS: dict[str, str] = {"iac": "iac_principals", "scanners": "scanner_principals"}
# Every kind's principals are added to this list too (the burst rules' existing allowlist).
SHARED_LIST = "trusted_automation_principals"
_PRINCIPAL = re.compile(r"^arn:aws(?:-[a-z]+)*:iam::\d{12}:(?:role|user)/[\w+=,.@/-]+$")
_SESSION = re.compile(r"^arn:(aws(?:-[a-z]+)*):sts::(\d{12}):assumed-role/([\w+=,.@-]+)/")


def principal_problem(value: Any) -> str | None:
    """Why `value` is not an IAM role or user ARN (with the fix), or None."""
    if not isinstance(value, str) or not value.strip():
        return f"must be an IAM role or user ARN, got {value!r}"
    value = value.strip()
    session = _SESSION.match(value)
    if session:
        partition, account, role = session.groups()
        return (f"{value!r} is a session ARN, whose session name the caller chooses; write the role: "
                f"arn:{partition}:iam::{account}:role/{role}")
    if not _PRINCIPAL.match(value):
        return (f"{value!r} is not an IAM role or user ARN like "
                "arn:aws:iam::111122223333:role/terraform-deploy")
    return None


def derived_lists() -> frozenset[str]:
    """Allowlist names filled from `automation:` (a team writes them there, not under allowlists)."""
    return frozenset(AUTOMATION_KINDS.values())


def add_automation(data: Any, path: Path, smap: SourceMap, tuning: Tuning) -> None:
    """Merge one file's `automation:` mapping into `tuning.allowlists`; problems become issues."""
    for name in AUTOMATION_KINDS.values():  # declared, even if empty, so rules may use them
        tuning.allowlists.setdefault(name, ())
        tuning.declared_at.setdefault(name, (path, smap.line_of("automation")))
    if data is None:
        return
    if not isinstance(data, dict):
        tuning.issues.append(LintIssue(path, smap.line_of("automation"), None, "automation",
                                       "must map kinds (" + ", ".join(AUTOMATION_KINDS) + ") to lists "
                                       "of IAM role or user ARNs"))
        return
    for kind, values in data.items():
        where = f"automation.{kind}"
        if kind not in AUTOMATION_KINDS:
            tuning.issues.append(LintIssue(path, smap.line_of(where), None, where, unknown_name_message(
                "automation kind", str(kind), list(AUTOMATION_KINDS)) + "; its entries are ignored"))
            continue
        values = [] if values is None else values
        if not isinstance(values, list):
            tuning.issues.append(LintIssue(path, smap.line_of(where), None, where, "must be a list of IAM "
                                           f"role or user ARNs (write `{kind}: []` for none)"))
            continue
        good: list[str] = []
        for i, value in enumerate(values):
            problem = principal_problem(value)
            if problem:
                tuning.issues.append(LintIssue(path, smap.line_of(f"{where}[{i}]"), None, f"{where}[{i}]",
                                               f"{problem}; the entry is ignored"))
            else:
                good.append(value.strip())
        for name in (AUTOMATION_KINDS[kind], SHARED_LIST):
            merged = list(tuning.allowlists.get(name, ()))
            merged += [v for v in good if v not in merged]
            tuning.allowlists[name] = tuple(merged)
