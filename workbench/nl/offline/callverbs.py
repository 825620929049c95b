"""A request's field asked with the verb of the call named beside it: "which instance types were requested in
RunInstances calls", "what user names were created w/ CreateUser", "which policy arns got attached via
AttachUserPolicy", "which trail did StopLogging target". The call says what was done, so its verb adds nothing
to read — but only a verb the call's name agrees with: "which users were deleted with CreateUser" says two
things that cannot both hold, and stays unread (refused).
"""

from __future__ import annotations

import re

from workbench.nl.offline.mentions import Mentions
from workbench.nl.offline.reading import Reading

# participle → the CamelCase verbs of the calls that do it; empty: any call ("requested", "targeted")
_DONE: dict[str, tuple[str, ...]] = {
    r"created|made|added|generated|issued": ("Create", "Add", "Put", "Run", "Import", "Allocate", "Generate"),
    r"deleted|removed|destroyed": ("Delete", "Remove", "Detach", "Revoke", "Terminate", "Deregister"),
    r"attached|granted": ("Attach", "Put", "Add", "Associate"),
    r"detached": ("Detach", "Delete", "Remove", "Disassociate"),
    r"launched|started": ("Run", "Start"),
    r"stopped|disabled|turned off": ("Stop", "Disable", "Delete", "Deactivate", "Suspend"),
    r"enabled|activated|turned on": ("Enable", "Start", "Create", "Activate"),
    r"imported|uploaded": ("Import", "Upload", "Put"),
    r"opened|authori[sz]ed": ("Authorize",),
    r"changed|modified|updated": ("Update", "Modify", "Put", "Set", "Change", "Attach", "Detach", "Authorize", "Revoke"),
    r"requested|used|named|passed|specified|given|targeted|touched|affected|referenced|acted on": (),
}
# the same verbs in the active, after "did <call>"
_DO: dict[str, tuple[str, ...]] = {
    r"create|make|add": _DONE[r"created|made|added|generated|issued"],
    r"delete|remove": _DONE[r"deleted|removed|destroyed"],
    r"attach|grant": _DONE[r"attached|granted"], r"stop|disable": _DONE[r"stopped|disabled|turned off"],
    r"change|modify|update": _DONE[r"changed|modified|updated"],
    r"target|touch|affect|hit|act on|name|use": (),
}
_BE = r"(?:were|was|got|get|gets|have\s+been|has\s+been|been|being|are|is)"
_VIA = r"(?:in|via|with|w/|by|using|through|during|under|for)"


def _agrees(verbs: tuple[str, ...], calls: list[str]) -> bool:
    return bool(calls) and all(not verbs or call.startswith(verbs) for call in calls)


def verbs_of_named_calls(reading: Reading, found: Mentions) -> None:
    """'which X were <done> in <call>', 'which X did <call> <do>': the verb is the named call's own."""
    calls = [m.value for m in found.of("event") if not m.negated]
    if not calls or not re.search(r"\b(?:which|what|distinct|unique)\b", reading.text):
        return
    for forms, verbs in _DONE.items():
        if (match := reading.find(rf"\b{_BE}\s+(?:(?:all|ever|first|last)\s+)?(?:{forms})\s+(?={_VIA}\s+(?:the\s+|an?\s+|"
                                  rf"any\s+|all\s+|those\s+)?eventname\b)")) and _agrees(verbs, calls):
            # "user names created by CreateUser": the names the call gave, which its request carries
            before = reading.text[:match.start()]
            if re.search(r"\buser\s*names?\s*$", before) and all(c.endswith("User") for c in calls):
                noun = re.search(r"\buser\s*names?\s*$", before)
                reading.text = before[:noun.start()] + "target users".ljust(len(noun.group(0))) + reading.text[match.start():]
            reading.consume(match)
            return
    for forms, verbs in _DO.items():
        if (match := reading.find(rf"\b(?:did|does|do)\s+(?=eventname\s+(?:calls?\s+|events?\s+)?(?:{forms})\b)")) \
                and _agrees(verbs, calls):
            verb = re.match(rf"eventname\s+(?:calls?\s+|events?\s+)?(?:{forms})\b", reading.text[match.end():])
            assert verb is not None
            reading.consume_span(match.end() + verb.end() - len(verb.group(0).split()[-1]), match.end() + verb.end())
            reading.consume(match)
            return
