"""GuardDuty finding types named by their tail ("the BitcoinTool finding", "ConsoleLoginSuccess.B findings").

Analysts name a finding by the part after the slash, as the console's list shows it; the full type
(`ThreatPurpose:ResourceType/ThreatFamily.Mechanism!Artifact`) is what the table holds. A tail is read
only when it is one of GuardDuty's published threat families, so a CamelCase API call is never
taken for one; it matches every type with that family, whatever purpose, resource or suffix.
"""

from __future__ import annotations

import re

from sqlglot import exp

from workbench.nl.intent import any_of, like

# GuardDuty's threat families (docs: "GuardDuty finding types"), the part after the slash
FAMILIES = (
    "AnomalousBehavior", "BitcoinTool", "BlackholeTraffic", "BucketAnonymousAccessGranted",
    "BucketBlockPublicAccessDisabled", "BucketEncryptionDisabled", "BucketPublicAccessGranted",
    "BucketReplicatedExternally", "BucketSharedExternally", "BucketSharedWithCloudFront", "C&CActivity",
    "CloudTrailLoggingDisabled", "ConsoleLoginSuccess", "DGADomainRequest", "DNSDataExfiltration",
    "DenialOfService", "DropPoint", "IMDSv1CredentialUsage", "InstanceCredentialExfiltration",
    "MaliciousDomainRequest", "MaliciousFile", "MaliciousIPCaller", "MetadataDNSRebind", "NetworkPermissions",
    "PasswordPolicyChange", "PhishingDomainRequest", "PortProbeEMRUnprotectedPort", "PortProbeUnprotectedPort",
    "RDPBruteForce", "ResourcePermissions", "RootCredentialUsage", "S3BlockPublicAccessDisabled",
    "SSHBruteForce", "SpamBot", "SuspiciousFile", "TorClient", "TorIPCaller", "TorRelay", "TrafficVolumeUnusual",
    "UnusualNetworkPort", "UserPermissions",
)
# the family with its mechanism and artifact as written in the type: "ConsoleLoginSuccess.B", "BitcoinTool.B!DNS"
FINDING_TAIL = re.compile(r"(?<![\w/:.-])((?:" + "|".join(re.escape(f) for f in sorted(FAMILIES, key=len, reverse=True))
                          + r")(?:\.[A-Za-z0-9]+)*(?:![A-Za-z0-9]+)?)(?![\w/-])")


def is_tail(value: str) -> bool:
    return ":" not in value and "/" not in value


def tail_condition(tails: list[str]) -> exp.Expression:
    """Every type ending in the tail, with or without a further mechanism or artifact after it; every type whose
    family begins with a family's start."""
    return any_of(*(like("type", f"%/{tail}%") if tail in FAMILY_STARTS else any_of(
        *(like("type", f"%/{tail}{end}") for end in ("", ".%", "!%"))) for tail in tails))


# GuardDuty's resource types as the table writes them ("findings about S3Bucket resources"): in CamelCase they
# would be taken for an API call, in words the resource vocabulary reads them
_RESOURCE_TYPE_WORDS = {"S3Bucket": "s3 bucket", "AccessKey": "access key", "EKSCluster": "eks cluster"}


def resource_type_words(text: str) -> str:
    return re.sub(r"(?<![\w.@/:-])(" + "|".join(_RESOURCE_TYPE_WORDS) + r")(s?)(?![\w.@/:-])",
                  lambda m: _RESOURCE_TYPE_WORDS[m.group(1)] + m.group(2), text)


def _humps(family: str) -> list[str]:
    return re.findall(r"[A-Z0-9]+(?![a-z])|[A-Z0-9][a-z0-9]+|&", family)


# "findings excluding PortProbe ones": the start of a family's name, two words or more, names the family too; a
# start that is a service's name or an API call ("CloudTrail", "ConsoleLogin") is left to what it names
FAMILY_STARTS = frozenset("".join(_humps(f)[:n]) for f in FAMILIES for n in range(2, len(_humps(f)))) - {
    "CloudTrail", "ConsoleLogin", "PasswordPolicy", "C&", "C&C"}

