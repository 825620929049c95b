"""Things a question names exactly: IP addresses, ARNs, access keys, event names, finding types.

They are read from the question as typed (case matters for `CreateUser`), then replaced in the
lower-cased text by neutral words so the intent rules do not trip over them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

IP = re.compile(r"\b(\d{1,3}(?:\.\d{1,3}){3})(?:/(\d{1,2}))?\b")
ARN = re.compile(r"\barn:aws[\w-]*:[\w-]*:[\w-]*:\d*:[\w+=,.@/:-]+")
ACCESS_KEY = re.compile(r"\b((?:AKIA|ASIA)[A-Z0-9]{16})\b")
FINDING_TYPE = re.compile(r"\b([A-Z][A-Za-z0-9]+:[A-Z][A-Za-z0-9]*/[A-Za-z0-9.!_-]+)")
CAMEL = re.compile(r"\b([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+)\b")
QUOTED = re.compile(r"'([^']+)'|\"([^\"]+)\"")

ERROR_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "ThrottlingException",
               "NoSuchBucket", "NoSuchBucketPolicy", "InvalidClientTokenId", "ExpiredToken"}
NOT_EVENTS = {"GuardDuty", "CloudTrail", "JupyterLab", "CloudFormation", "DynamoDB", "SecretsManager",
              "CloudWatch", "PowerUser", "ReadOnly"}
_FROM = re.compile(r"\b(from|by|source|src|origin)\s+(?:ip\s+|address\s+)?$")
_TO = re.compile(r"\b(to|towards|destination|dst|into|reaching|hit)\s+(?:ip\s+|address\s+)?$")


@dataclass
class Entities:
    ips: list[tuple[str, str]] = field(default_factory=list)  # (ip or cidr, direction: from|to|any)
    arns: list[str] = field(default_factory=list)
    access_keys: list[str] = field(default_factory=list)
    finding_types: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    error_codes: list[str] = field(default_factory=list)
    text: str = ""  # lower-cased question with the entities replaced


def extract(question: str) -> Entities:
    found = Entities()
    text = question
    for match in ARN.finditer(text):
        found.arns.append(match.group(0).rstrip(".,;?"))
    text = ARN.sub(" principalarn ", text)
    for match in FINDING_TYPE.finditer(text):
        found.finding_types.append(match.group(1).rstrip(".,;?"))
    text = FINDING_TYPE.sub(" findingtype ", text)
    found.access_keys = ACCESS_KEY.findall(text)
    text = ACCESS_KEY.sub(" accesskeyid ", text)
    for match in IP.finditer(text):
        before = text[: match.start()].lower()
        direction = "from" if _FROM.search(before) else "to" if _TO.search(before) else "any"
        found.ips.append((match.group(0), direction))
    text = IP.sub(" ipaddr ", text)
    for word in CAMEL.findall(text):
        if word in ERROR_CODES:
            found.error_codes.append(word)
        elif word not in NOT_EVENTS and word not in found.events:
            found.events.append(word)
    text = CAMEL.sub(lambda m: " eventname " if m.group(1) not in NOT_EVENTS | ERROR_CODES else
                     (" errorcodename " if m.group(1) in ERROR_CODES else m.group(1)), text)
    found.text = re.sub(r"[?!,;]", " ", text.lower())
    found.text = re.sub(r"\s+", " ", found.text).strip()
    return found
