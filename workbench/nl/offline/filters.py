"""Intent rules: words in the question → WHERE conditions, each with a few words of explanation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlglot import exp

from workbench.nl.offline.entities import Entities
from workbench.nl.offline.vocab import (
    DENIED_CODES,
    EVENT_GROUPS,
    FINDING_FAMILIES,
    RESOURCE_TYPES,
    SERVICES,
    WELL_KNOWN_PORTS,
)

_NAME = r"([a-z0-9][\w.@+=-]*[a-z0-9])\b(?!\s+keys?\b)"
_STOP = {"and", "or", "the", "a", "an", "in", "on", "with", "from", "to", "by", "do", "did", "per", "each",
         "is", "was", "were", "has", "have", "events", "calls", "activity", "that", "who", "which", "what",
         "ipaddr", "accesskeyid", "principalarn", "eventname", "count", "number", "bytes", "packets",
         "access", "all", "user", "users", "role", "roles", "errors", "error", "service", "region", "denied",
         "failed", "failures", "volume", "severity", "type", "source", "destination", "name",
         "hour", "day", "account", "ip", "ips", "address"}
USER = [re.compile(p) for p in (
    rf"\b(?:user|username|iam user|principal|identity)\s+(?:named\s+|called\s+)?{_NAME}",
    rf"\b(?:did|has|does)\s+{_NAME}\s+(?:do|done|call|make|access)\b",
    rf"\b(?:activity|actions|calls|events)\s+(?:of|for|by)\s+{_NAME}",
    rf"\bby\s+{_NAME}(?=\s|$)",
)]
ROLE = re.compile(rf"\brole\s+(?:named\s+|called\s+)?{_NAME}")
REGION = re.compile(r"\b([a-z]{2}(?:-gov)?-[a-z]+-\d)\b")
BUCKET = re.compile(r"\bbucket\s+(?:named\s+|called\s+)?([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\b")
PORT = re.compile(r"\b(?:destination\s+|dst\s+|dest\s+)?port\s+(\d{1,5})\b")
SOURCE_PORT = re.compile(r"\bsource\s+port\s+(\d{1,5})\b")
BYTES = re.compile(r"\b(more than|over|above|greater than|at least|larger than|bigger than)\s+([\d.,]+)\s*"
                   r"(bytes|b|kb|mb|gb)\b")
SEVERITY = re.compile(r"\bseverity\s+(?:of\s+|is\s+)?(above|over|greater than|more than|at least|below|under|"
                      r"less than)\s+(\d+(?:\.\d+)?)")
UNIT = {"bytes": 1, "b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}
PROTOCOLS = {"tcp": 6, "udp": 17, "icmp": 1}


def lit(value: str | int | float) -> str:
    if isinstance(value, int | float):
        return exp.Literal.number(value).sql("athena")
    return exp.Literal.string(value).sql("athena")


def in_list(column: str, values: tuple[str, ...] | list[str]) -> str:
    if len(values) == 1:
        return f"{column} = {lit(values[0])}"
    return f"{column} IN ({', '.join(lit(v) for v in values)})"


@dataclass
class Conditions:
    where: list[str] = field(default_factory=list)
    said: list[str] = field(default_factory=list)

    def add(self, condition: str, description: str) -> None:
        if condition not in self.where:
            self.where.append(condition)
            self.said.append(description)


def has(text: str, pattern: str) -> bool:
    return re.search(pattern, text) is not None


def principal_condition(name: str) -> str:
    return (f"(useridentity.username = {lit(name)} OR useridentity.arn LIKE {lit('%/' + name)} "
            f"OR useridentity.arn LIKE {lit('%/' + name + '@%')})")


def cloudtrail_filters(found: Entities, text: str, out: Conditions) -> str:
    """Add CloudTrail conditions; return the text with consumed phrases removed."""
    for ip, _ in found.ips:
        out.add(f"sourceipaddress = {lit(ip)}", f"from {ip}")
    for arn in found.arns:
        out.add(f"(useridentity.arn = {lit(arn)} OR useridentity.sessioncontext.sessionissuer.arn = {lit(arn)})",
                f"by {arn}")
    if found.access_keys:
        out.add(in_list("useridentity.accesskeyid", found.access_keys), f"with access key {', '.join(found.access_keys)}")
    if match := ROLE.search(text):
        if match.group(1) not in _STOP:
            out.add(f"useridentity.sessioncontext.sessionissuer.username = {lit(match.group(1))}",
                    f"in role {match.group(1)}")
            text = text.replace(match.group(0), " ")
    for pattern in USER:
        match = pattern.search(text)
        if match and match.group(1) not in _STOP and not match.group(1).isdigit():
            out.add(principal_condition(match.group(1)), f"by user {match.group(1)}")
            text = text.replace(match.group(0), " ")
            break
    login = has(text, r"\b(console\s+)?(log[- ]?ins?|sign[- ]?ins?|logged in|signed in)\b")
    if login:
        out.add("eventname = 'ConsoleLogin'", "console logins")
        if has(text, r"\b(failed|failures?|unsuccessful|bad)\b"):
            out.add("json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Failure'", "that failed")
        elif has(text, r"\b(successful|succeeded|success)\b"):
            out.add("json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success'", "that succeeded")
        if has(text, r"\b(without|no|not using|missing)\s+(mfa|multi-factor)"):
            out.add("json_extract_scalar(additionaleventdata, '$.MFAUsed') = 'No'", "without MFA")
    for phrase, events in sorted(EVENT_GROUPS.items(), key=lambda kv: -len(kv[0])):
        if phrase in text:
            out.add(in_list("eventname", events), phrase)
            text = text.replace(phrase, " ")
            break
    if found.events:
        out.add(in_list("eventname", found.events), f"calls to {', '.join(found.events)}")
    for word, service in SERVICES.items():
        if has(text, rf"\b{re.escape(word)}\b"):
            out.add(f"eventsource = {lit(service + '.amazonaws.com')}", f"in {word.upper()}")
    if found.error_codes:
        out.add(in_list("errorcode", found.error_codes), f"refused with {', '.join(found.error_codes)}")
    elif has(text, r"\b(denied|unauthori[sz]ed|forbidden|permission errors?)\b"):
        out.add(in_list("errorcode", DENIED_CODES), "that were denied")
    elif not login and has(text, r"\b(failed|failures?|errors?|unsuccessful|failing)\b"):
        out.add("errorcode IS NOT NULL", "that failed")
    if has(text, r"\b(changes?|changed|modifications?|modified|writes?|mutating|non-read-only)\b"):
        out.add("readonly = 'false'", "that changed something")
    elif has(text, r"\bread-only\b|\bread only\b"):
        out.add("readonly = 'true'", "read-only")
    if match := REGION.search(text):
        out.add(f"awsregion = {lit(match.group(1))}", f"in {match.group(1)}")
    if match := BUCKET.search(text):
        out.add(f"json_extract_scalar(requestparameters, '$.bucketName') = {lit(match.group(1))}",
                f"on bucket {match.group(1)}")
    return text


def vpc_filters(found: Entities, text: str, out: Conditions) -> str:
    for ip, direction in found.ips:
        if direction == "from":
            out.add(f"srcaddr = {lit(ip)}", f"from {ip}")
        elif direction == "to":
            out.add(f"dstaddr = {lit(ip)}", f"to {ip}")
        else:
            out.add(f"(srcaddr = {lit(ip)} OR dstaddr = {lit(ip)})", f"to or from {ip}")
    if match := SOURCE_PORT.search(text):
        out.add(f"srcport = {int(match.group(1))}", f"from port {match.group(1)}")
        text = text.replace(match.group(0), " ")
    if match := PORT.search(text):
        out.add(f"dstport = {int(match.group(1))}", f"to port {match.group(1)}")
    for name, port in WELL_KNOWN_PORTS.items():
        if has(text, rf"\b{name}\b"):
            out.add(f"dstport = {port}", f"to {name.upper()} (port {port})")
    if has(text, r"\b(rejected|blocked|denied|dropped|refused|reject)\b"):
        out.add("action = 'REJECT'", "rejected")
    elif has(text, r"\b(accepted|allowed|permitted|successful)\b"):
        out.add("action = 'ACCEPT'", "accepted")
    if match := BYTES.search(text):
        amount = int(float(match.group(2).replace(",", "")) * UNIT[match.group(3)])
        op = ">=" if match.group(1) == "at least" else ">"
        out.add(f"bytes {op} {amount}", f"{match.group(1)} {match.group(2)} {match.group(3)}")
    for name, number in PROTOCOLS.items():
        if has(text, rf"\b{name}\b"):
            out.add(f"protocol = {number}", name.upper())
    if match := REGION.search(text):
        out.add(f"region = {lit(match.group(1))}", f"in {match.group(1)}")
    return text


def guardduty_filters(found: Entities, text: str, out: Conditions) -> str:
    if found.finding_types:
        out.add(in_list("type", found.finding_types), f"of type {', '.join(found.finding_types)}")
    for ip, _ in found.ips:
        out.add(f"strpos(service, {lit(ip)}) > 0", f"involving {ip}")
    if match := SEVERITY.search(text):
        op = {"at least": ">=", "below": "<", "under": "<", "less than": "<"}.get(match.group(1), ">")
        out.add(f"severity {op} {match.group(2)}", f"with severity {match.group(1)} {match.group(2)}")
    elif has(text, r"\b(high|critical|severe)\b"):
        out.add("severity >= 7", "of high severity (7 or more)")
    elif has(text, r"\bmedium\b"):
        out.add("severity >= 4 AND severity < 7", "of medium severity (4 to 7)")
    elif has(text, r"\blow\b"):
        out.add("severity < 4", "of low severity (below 4)")
    for word, pattern in FINDING_FAMILIES.items():
        if has(text, rf"\b{word}\b"):
            out.add(f"type LIKE {lit(pattern)}", f"{word} findings")
            break
    for word, resource in RESOURCE_TYPES.items():
        if has(text, rf"\b{word}s?\b"):
            out.add(f"resourcetype = {lit(resource)}", f"on {resource} resources")
            break
    if match := REGION.search(text):
        out.add(f"region = {lit(match.group(1))}", f"in {match.group(1)}")
    return text
