"""Whether a word with a slash in it is a secret's name or English ("and/or", "i/o", "start/stop", "tcp/udp").

Secrets Manager names are paths by habit ("prod/db-password", "prod/payments/stripe-key"); English joins words
with a slash too. Only a path-shaped value is taken for a secret: one read as English is left to the words
around it, and an unknown word is refused there — never searched for in every request as a secret.
"""

from __future__ import annotations

import re

from workbench.nl.offline.vocab import SERVICES

# Words joined by a slash in plain English ("start/stop", "list/describe"): never a secret's path
SLASHED_WORDS = {"start", "stop", "list", "describe", "read", "write", "and", "or", "create", "delete", "get", "put",
                 "allow", "deny", "accept", "reject", "accepted", "rejected", "in", "out", "inbound", "outbound",
                 "ingress", "egress", "tcp", "udp", "yes", "no", "with", "without", "success", "failure", "on", "off",
                 "login", "logout", "upload", "download", "src", "dst", "source", "destination", "user", "users",
                 "role", "roles", "day", "hour", "attach", "detach", "add", "remove", "enable", "disable", "either",
                 "low", "medium", "high", "critical", "update", "modify", "change", "stopped", "deleted", "updated",
                 "created", "removed", "changed", "modified"}
# the first segment of a secret's path in practice: an environment or a team's prefix
_PATH_ROOTS = {"prod", "production", "prd", "dev", "development", "staging", "stage", "stg", "test", "qa", "uat",
               "sandbox", "shared", "internal", "app", "apps", "svc", "service", "services", "db", "rds", "infra",
               "ops", "ci", "cicd", "platform", "security", "secrets", "payments", "billing", "data"}
_KIND_BEFORE = re.compile(r"\b(?:secrets?|parameters?|params?|paths?|ssm)\s+(?:named\s+|called\s+)?$")
_KIND_AFTER = re.compile(r"\s*(?:secrets?|parameters?|params?)\b")


def secret_path(value: str, before: str, after: str) -> str | None:
    """'secret' when the value has a path's shape, None when it reads as English."""
    parts = value.split("/")
    # "s3/iam calls": two services, read as alternatives; "trail stopped/deleted/updated": participles
    if all(part.lower() in SLASHED_WORDS or part.lower() in SERVICES or re.fullmatch(r"[a-z]{3,}ed", part)
           for part in parts):
        return None
    if value.lower().startswith(("http", "tcp/", "udp/")):
        return None
    # "i/o", "w/e", "a/b": one-letter halves are shorthand, never a path
    if any(len(part) < 2 for part in parts):
        return None
    shaped = len(parts) >= 3 or re.search(r"[\d_.-]", value) or parts[0].lower() in _PATH_ROOTS \
        or _KIND_BEFORE.search(before) or _KIND_AFTER.match(after)
    return "secret" if shaped else None
