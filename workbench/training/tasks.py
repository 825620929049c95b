"""What an answer to a task looks like, and how two spellings of the same answer become one.

Each task has a kind; the kind's normaliser turns what a trainee types (an ARN or a user name, an
API call with or without its service prefix, a list in any order) and what the ground truth holds
into one canonical text. The answer key stores only a salted digest of the canonical truth, so a
check never needs the answer in plain text.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass

from workbench.registry import unknown_name_message

_QUOTES = "\"'`“”‘’"


def _clean(value: object) -> str:
    return str(value if value is not None else "").strip().strip(_QUOTES).strip()


def _ip(value: object) -> str:
    text = _clean(value).strip("[]")
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text.lower()


def _arn_resource(text: str) -> str:
    """The resource part of an ARN (after the fifth colon), else the text itself."""
    if text.lower().startswith("arn:"):
        parts = text.split(":", 5)
        return parts[5] if len(parts) == 6 else text
    return text


def _principal(value: object) -> str:
    # IAM user and role names are unique without regard to case; e-mail addresses too, in practice.
    # user/path/alice -> alice; assumed-role/Role/jane@corp.com -> the session, the person behind an SSO role
    return _arn_resource(_clean(value)).rsplit("/", 1)[-1].lower()


def _api_call(value: object) -> str:
    text = _clean(value).removesuffix("()")
    return text.rsplit(":", 1)[-1].strip().lower()  # iam:CreateAccessKey, iam.amazonaws.com:CreateAccessKey


def _bucket(value: object) -> str:
    text = _clean(value)
    for prefix in ("s3://", "arn:aws:s3:::"):
        if text.lower().startswith(prefix):
            text = text[len(prefix):]
    return text.split("/", 1)[0].lower()


def _key(value: object) -> str:
    return _clean(value).upper()


def _resource(value: object) -> str:
    return _arn_resource(_clean(value)).rsplit("/", 1)[-1].lower()


def _items(value: object) -> str:
    parts = re.split(r"[\s,;]+", _clean(value).strip("[]()"))
    return ",".join(sorted({_resource(p) for p in parts if p.strip(_QUOTES)}))


def _number(value: object) -> str:
    text = _clean(value).replace(",", "").replace("_", "")
    try:
        number = float(text)
    except ValueError:
        return text.lower()
    return str(int(number)) if number.is_integer() else str(number)


def _yes_no(value: object) -> str:
    text = _clean(value).lower()
    if text in {"yes", "y", "true", "1"}:
        return "yes"
    if text in {"no", "n", "false", "0", "none"}:
        return "no"
    return text


NORMALISERS: dict[str, Callable[[object], str]] = {
    "ip": _ip, "principal": _principal, "api_call": _api_call, "bucket": _bucket, "access_key": _key,
    "resource": _resource, "list": _items, "number": _number, "yes_no": _yes_no,
}

# What each kind accepts, shown under the answer box.
FORMATS: dict[str, str] = {
    "ip": "an IP address, e.g. 203.0.113.7",
    "principal": "a user name, an e-mail (SSO) or the ARN",
    "api_call": "the event name, e.g. CreateUser (iam:CreateUser works too)",
    "bucket": "the bucket name (s3:// or the ARN works too)",
    "access_key": "an access key id, e.g. AKIA…",
    "resource": "the resource id (the ARN works too)",
    "list": "every item, separated by commas, in any order",
    "number": "a whole number",
    "yes_no": "yes or no",
}


@dataclass(frozen=True)
class Task:
    """One question of an exercise: `name` is the ground truth's `answers` key."""

    name: str
    kind: str
    question: str
    hints: tuple[str, ...] = ()

    def canonical(self, value: object) -> str:
        return canonical(self.kind, value)

    @property
    def format(self) -> str:
        return FORMATS[self.kind]


def canonical(kind: str, value: object) -> str:
    """The one spelling of an answer that both the truth and a submission are reduced to."""
    try:
        normalise = NORMALISERS[kind]
    except KeyError:
        raise ValueError(unknown_name_message("answer kind", kind, list(NORMALISERS))) from None
    return normalise(value)


def digest(salt: str, task: str, canonical_answer: str) -> str:
    """A salted SHA-256 of a canonical answer: what the answer key stores instead of the answer."""
    return hashlib.sha256(f"{salt}\x1f{task}\x1f{canonical_answer}".encode()).hexdigest()
