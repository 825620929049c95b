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
    """Every type ending in the tail, with or without a further mechanism or artifact after it."""
    return any_of(*(like("type", f"%/{tail}{end}") for tail in tails for end in ("", ".%", "!%")))
