"""What a containment action is made of: the exact AWS API calls, and what became of them."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import asdict, dataclass, field
from typing import Any


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()


@dataclass(frozen=True)
class ApiCall:
    """One AWS API call: service (boto3 client name), operation (AWS's name) and its parameters."""

    service: str
    operation: str
    params: dict[str, Any]

    @property
    def method(self) -> str:
        """The boto3 client method (`UpdateAccessKey` → `update_access_key`)."""
        from botocore import xform_name

        return xform_name(self.operation)

    def format(self) -> str:
        return f"{self.service}.{self.operation}({json.dumps(self.params, sort_keys=True)})"

    def cli(self) -> str:
        """The equivalent AWS CLI line, values shell-quoted, for a responder who acts by hand."""
        parts = ["aws", self.service, _kebab(self.operation)]
        for key, value in self.params.items():
            flag = f"--{_kebab(key)}"
            if isinstance(value, bool):
                parts.append(flag if value else f"--no-{_kebab(key)}")
            elif isinstance(value, dict | list):
                parts += [flag, shlex.quote(json.dumps(value, separators=(",", ":")))]
            else:
                parts += [flag, shlex.quote(str(value))]
        return " ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {"service": self.service, "operation": self.operation, "params": self.params}


@dataclass
class ActionResult:
    """A containment action: the reads that planned it, the calls it makes (or would make) and,
    when executed, each call's response. `error` says what stopped it; calls after it did not run."""

    action: str
    target: str
    dry_run: bool
    actor: str
    alert_id: str | None = None
    reads: list[ApiCall] = field(default_factory=list)
    calls: list[ApiCall] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    account: str | None = None  # the account acted in; None: the running credentials' own
    role_arn: str | None = None  # the role assumed to act there

    @property
    def where(self) -> str:
        return f" in account {self.account} as {self.role_arn}" if self.role_arn else ""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def mode(self) -> str:
        return "failed" if self.error else ("dry-run" if self.dry_run else "executed")

    def format(self) -> str:
        what = f"{self.action} {self.target}{self.where}"
        head = {"dry-run": f"DRY RUN — {what}: would call (pass confirm=True to execute)",
                "executed": f"{what}: executed",
                "failed": f"{what}: FAILED — {self.error}"}[self.mode]
        lines = [head]
        lines += [f"  read  {c.format()}" for c in self.reads]
        for i, call in enumerate(self.calls):
            done = "done " if i < len(self.responses) else ("call " if self.dry_run else "skip ")
            lines += [f"  {done} {call.format()}", f"        {call.cli()}"]
        lines += [f"  note  {n}" for n in self.notes]
        if self.alert_id:
            lines.append(f"  audit recorded on alert {self.alert_id} as {self.actor}")
        return "\n".join(lines)

    __str__ = format

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython shows the plan, not a dataclass dump
        printer.text(self.format())

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["mode"] = self.mode
        return data

    def audit_summary(self) -> dict[str, Any]:
        """What the alert's audit trail keeps: the calls exactly, outcomes without bulky responses."""
        return {"action": self.action, "target": self.target, "mode": self.mode, "account": self.account,
                "role_arn": self.role_arn,
                "calls": [c.as_dict() for c in self.calls], "executed": len(self.responses),
                "reads": [c.format() for c in self.reads], "notes": self.notes, "error": self.error}
