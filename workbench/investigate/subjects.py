"""Who and what an alert is about: the acting principals, their access keys, source IPs, instances.

Read from the alert's group keys, its fields and its evidence rows, by column name. Targets of an
action (the user an access key was created *for*, a new user) are not actors and are left out;
values that are not what their column promises (an AWS service name in `sourceipaddress`) too.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

# Normalised column names (lower case, alphanumerics only) → what their values are.
_PRINCIPAL = {"principal", "actorarn", "arn", "userarn", "principalarn", "useridentityarn", "creatorarn",
              "username", "user", "principalname", "callerarn", "issuer", "sessionissuerarn"}
_ACCESS_KEY = {"accesskeyid", "accesskey", "useridentityaccesskeyid", "callerkey"}
_IP = {"sourceipaddress", "sourceip", "srcaddr", "srcip", "ip", "ipaddress", "callerip", "remoteip",
       "remoteipaddress"}
_INSTANCE = {"instanceid", "instance", "target"}
_NOT_ACTORS = {"targetuser", "newuser", "newaccesskeyid", "target"}
MAX_PER_KIND = 10  # an alert about hundreds of IPs is summarised by its first few


def _norm(key: str) -> str:
    return "".join(ch for ch in key.lower() if ch.isalnum())


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


@dataclass
class Subjects:
    principals: list[str] = field(default_factory=list)
    access_keys: list[str] = field(default_factory=list)
    ips: list[str] = field(default_factory=list)
    instances: list[str] = field(default_factory=list)

    def add(self, kind: str, value: str) -> None:
        values: list[str] = getattr(self, kind)
        if value and value not in values and len(values) < MAX_PER_KIND:
            values.append(value)

    @property
    def empty(self) -> bool:
        return not (self.principals or self.access_keys or self.ips or self.instances)

    @property
    def user_names(self) -> list[str]:
        """The last path segment of each principal (GuardDuty findings name users, not ARNs)."""
        names = []
        for principal in self.principals:
            name = principal.rsplit("/", 1)[-1] if "/" in principal else principal
            if name and name not in names and not name.isdigit():
                names.append(name)
        return names

    def as_rows(self) -> list[dict[str, str]]:
        rows = [{"kind": "principal", "value": v} for v in self.principals]
        rows += [{"kind": "access key", "value": v} for v in self.access_keys]
        rows += [{"kind": "source IP", "value": v} for v in self.ips]
        rows += [{"kind": "instance", "value": v} for v in self.instances]
        return rows


def classify(key: str, value: Any) -> tuple[str, str] | None:
    """(kind, value) for an actor-identifying column, else None."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text, norm = str(value).strip(), _norm(key)
    if not text or norm in _NOT_ACTORS and not (norm == "target" and text.startswith("i-")):
        return None
    if norm in _INSTANCE and text.startswith("i-"):
        return "instances", text
    if norm in _ACCESS_KEY and text.startswith(("AKIA", "ASIA")):
        return "access_keys", text
    if norm in _IP:
        return ("ips", text) if _is_ip(text) else None
    if norm in _PRINCIPAL:
        # An account id alone (root's principalId) says little; an ARN or a user name does.
        return ("principals", text) if not text.isdigit() else None
    return None


def subjects_of(alert: Any) -> Subjects:
    """The alert's actors, group keys first (they define the alert), then fields, then evidence rows."""
    found = Subjects()
    sources: list[dict[str, Any]] = [alert.group_keys, alert.fields, *alert.evidence.rows]
    for source in sources:
        for key, value in source.items():
            if isinstance(value, dict):  # a useridentity struct kept whole
                for inner in ("arn", "accesskeyid", "username"):
                    hit = classify(inner, value.get(inner))
                    if hit:
                        found.add(*hit)
                continue
            hit = classify(key, value)
            if hit:
                found.add(*hit)
    return found
