"""Logging tampering in an analyst's words: the trail stopped, deleted or changed, logging turned off.

Split from concepts.py (the rest of the CloudTrail vocabulary).
"""

from __future__ import annotations

import re

from workbench.nl.offline.reading import Reading, event_filter
from workbench.nl.offline.vocab import LOGGING_TAMPERING


def _trail_named(reading: Reading) -> bool:
    """A trail named ('on tyrell-dev-trail', 'the org trail'): flow logs cannot be stopped on it."""
    return bool(re.search(r"\btrail", reading.text)) or any("trail" in f.description for f in reading.filters)


TRAIL_TAMPERING = ("StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors")
# "cloudtrail configuration changes" (CIS 4.5's metric filter): the trail made, changed, deleted, started or stopped
TRAIL_CHANGES = ("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")


def _trail_changes(reading: Reading) -> None:
    """'trail changes', 'cloudtrail config changes': the noun names CIS 4.5's list (dev32 ah033, ah038, ah039), where a
    verb ('who modified the trail') keeps to the calls that change a trail in place."""
    if match := reading.find(r"\b(?:cloud ?trail|trails?)(?:\s+(?:config|configuration|settings))?\s+changes\b"):
        words = reading.consume(match)
        reading.add(event_filter(TRAIL_CHANGES), words, "trail " + "/".join(TRAIL_CHANGES), "trail changes")


def trail_concepts(reading: Reading) -> None:
    """'stopped the trail', 'logging turned off', 'tampered with cloudtrail': the trail's calls a verb names."""
    _trail_changes(reading)
    subject = (r"(?:(?:cloud ?trail (?:logging|logs?|trails?)|audit logging|cloud ?trail|trailname|trails?|logging)"
               r"(?:\s+(?:config|configuration|settings|selectors|event selectors))?)")
    verbs = {r"stop\w*|(?:turn|switch)\w* off|paus\w*|halt\w*|disabl\w*": ("StopLogging",),
             r"delet\w*|remov\w*|destroy\w*": ("DeleteTrail",),
             r"modif\w*|chang\w*|updat\w*|reconfigur\w*|tamper\w*|mess\w* with": ("UpdateTrail", "PutEventSelectors")}
    any_verb = "|".join(verbs)
    # "switched cloudtrail off": the particle moved back beside its verb, the same letters in the same span
    if split := reading.find(r"\b((?:turn|switch)\w*)(\s+(?:the\s+|any\s+|our\s+)?[\w-]+(?:\s+(?:logging|logs?|trails?))?)"
                             r"(\s+off)\b"):
        reading.text = (reading.text[:split.start()] + split.group(1) + split.group(3) + split.group(2)
                        + reading.text[split.end():])
    # "stopped or deleted", "stop/delete/update": a list of verbs; "the trail was first stopped": an adverb between
    sep = r"(?:\s+(?:or|and)\s+|\s*[/,]\s*)"
    pattern = (rf"\b(?:(?:{any_verb})(?:{sep}(?:{any_verb}))*\s+(?:the\s+|a\s+|any\s+|our\s+)?{subject}"
               rf"|{subject}\s+(?:(?:was|were|being|been|got|get|is|has been|have been)\s+)?(?:(?:first|last|ever)\s+)?"
               rf"(?:{any_verb})(?:{sep}(?:{any_verb}))*)\b")
    if (match := reading.find(pattern)) and not re.search(r"flow", match.group(0)):
        words = reading.consume(match)
        if adverb := re.search(r"\b(?:first|last|ever)\b", match.group(0)):
            # "when was the trail first stopped": the adverb is the shape's to read (the earliest time)
            at = match.start() + adverb.start()
            reading.text = reading.text[:at] + adverb.group(0) + reading.text[at + len(adverb.group(0)):]
        events = tuple(e for verb, names in verbs.items() if re.search(rf"\b(?:{verb})", words) for e in names)
        if re.fullmatch(r"(?:(?:stop\w*|(?:turn|switch)\w* off|disabl\w*)\s+)logging|logging\s+(?:\w+\s+)*?"
                        r"(?:stop\w*|(?:turn|switch)\w* off|disabl\w*)", words):
            # bare "logging" turned off: every log the lake keeps that a call can stop, the trail's and the flows';
            # "stopped logging on <a trail>" is the trail's own StopLogging
            # ("was logging stopped on any trail" alike: dev32 ah041)
            events = ("StopLogging",) if re.search(r"\bstop", words) and _trail_named(reading) else (
                "StopLogging", "DeleteTrail", "DeleteFlowLogs")
        elif re.search(r"\b(?:turn|switch)\w* off\b", words) and not re.search(r"chang|updat|modif|tamper|mess", words):
            # the trail "switched off": stopped or deleted, either leaves it off
            events = ("StopLogging", "DeleteTrail")
        if re.search(r"tamper|mess", words):  # the trail itself: flow logs are not its settings
            events = TRAIL_TAMPERING if re.search(r"trail", words) else LOGGING_TAMPERING
        reading.add(event_filter(events), words, "trail " + "/".join(events), "logging tampering")


