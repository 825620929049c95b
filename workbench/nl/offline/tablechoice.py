"""Which table a question is about: GuardDuty's, VPC flow's or CloudTrail's vocabulary, read before anything else.

The choice is made on a trial reading so that CloudTrail concepts ("flow logs were deleted") win over the traffic
words they contain, and a question that needs two log sources is refused rather than half answered.
"""

from __future__ import annotations

import copy
import re

from workbench.nl.base import TranslationError
from workbench.nl.offline.concepts import cloudtrail_concepts
from workbench.nl.offline.flows_findings import guardduty_concepts, vpc_concepts
from workbench.nl.offline.mentions import Mentions
from workbench.nl.offline.reading import Reading
from workbench.nl.offline.vocab import WELL_KNOWN_PORTS

CLOUDTRAIL_ONLY = {"arn", "access_key", "event", "error_code", "role", "bucket", "secret", "policy", "user",
                   "service_host", "parameter"}
_GUARDDUTY_CUE = (r"\b(?:guard ?duty(?!\s+detectors?)|findings?|severity|severities|detections?|threat intel\w*|"
                  r"eventfirstseen|eventlastseen)\b")  # the last two: a finding's own fields (seentimes.py)
_VPC_CUE = (r"\b(?:vpc flows?|flow ?logs?|flows?|traffic|rejects|rejected|accepted|srcaddr|dstaddr|srcport|dstport|"
            r"destination ips?|destination address\w*|dest ips?|protocols?|enis?|network interfaces?|talkers?|packets|network|port ?scan\w*|scan(?:s|ning|ned)?|bytes|ports?|"
            r"portnumber|inbound|outbound|egress|ingress traffic|" + "|".join(WELL_KNOWN_PORTS) + r")\b")
# Words that mean traffic only when nothing in the question names a CloudTrail column.
# "ec2 instance connect" is a service, not a connection
_WEAK_VPC_CUE = (r"\b(?:connections?|connected|targeted|targeting|(?<!instance-)(?<!instance )connect\w*|talk\w*|communicat\w*|reach\w*|"
                 r"contact\w*|prob(?:e|es|ed|ing)|send|sent|received|(?:allowed|let|permitted)\s+(?:in|through)|transferr?\w*|upload\w*|download\w*|how much data|data volume)\b")
# Rows only VPC flow logs hold, named outright: never a CloudTrail event's object ("flow logs were deleted")
_FLOW_ROWS = r"\b(?:vpc\s+)?flow(?:\s+log)?\s+(?:records?|entries|rows)\b|\b(?:vpc\s+)?flows\b|\bvpc\s+flow\b"
_CLOUDTRAIL_WORDS = r"\b(?:services?|api|apis|events?|calls?|users?|roles?|principals?|identit\w+|regions?|errors?)\b"


def choose_table(mentions: Mentions, reading: Reading) -> tuple[str, Reading]:
    """The table the question is about, and the reading with that table's vocabulary applied."""
    kinds = {m.kind for m in mentions.items}
    if "finding_type" in kinds or re.search(_GUARDDUTY_CUE, reading.text):
        # "findings about the IAM user heidi.smith": the kind of the name, not CloudTrail's identity type
        reading.text = re.sub(r"\biam\s+(?=users?\s+username\b)", lambda m: " " * len(m.group(0)), reading.text)
    trial = copy.deepcopy(reading)
    cloudtrail_concepts(trial)
    if "finding_type" in kinds or re.search(_GUARDDUTY_CUE, trial.text):
        if trial.concepts:
            # "ssh brute force findings", "logging disabled findings": a finding family GuardDuty's vocabulary reads
            # first leaves no CloudTrail concept behind
            findings = copy.deepcopy(reading)
            guardduty_concepts(findings)
            rest = Reading(findings.text)
            cloudtrail_concepts(rest)
            if findings.filters and not rest.concepts:
                return "guardduty", findings
            raise TranslationError(
                f"{trial.concepts[0]!r} is CloudTrail vocabulary but the question asks about GuardDuty findings: "
                "ask one at a time, e.g. 'GuardDuty findings of high severity' or 'privilege escalation attempts'")
        guardduty_concepts(reading)
        return "guardduty", reading
    if trial.concepts and (rows := re.search(_FLOW_ROWS, trial.text)):
        # "last flow record from X? its flow log was deleted": flows and a CloudTrail event in one question; read
        # as CloudTrail, the flows asked would be silently dropped
        raise TranslationError(f"{rows.group(0)!r} asks for VPC flow records but {trial.concepts[0]!r} is a "
                               "CloudTrail event: ask one log source at a time, e.g. 'last flow from 10.0.0.5', then "
                               "'when were flow logs deleted'")
    if trial.concepts:
        return "cloudtrail", trial
    # A traffic word beside a user or event name: flows it is, and the name is refused when placed
    # ("rejected flows from dave.kowalski") — never CloudTrail rows that ignore the traffic words.
    weak = re.search(_WEAK_VPC_CUE, reading.text) and not re.search(_CLOUDTRAIL_WORDS, reading.text)
    interfaces = any(m.kind == "resource_id" and m.value.lower().startswith(("eni-", "subnet-")) for m in mentions.items)
    if "port" in kinds or interfaces or re.search(_VPC_CUE, reading.text) or (weak and not kinds & CLOUDTRAIL_ONLY):
        vpc_concepts(reading)
        return "vpc_flow", reading
    return "cloudtrail", trial
