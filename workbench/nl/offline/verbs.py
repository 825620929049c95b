"""Plain-English verbs on the things EC2 and IAM calls act on → the calls: "who tried to stop i-0abc…",
"what instance types were launched", "has anyone deactivated an access key", "who created <user>".

Each verb is read only beside its object (a named instance, the noun "instance(s)", "access key", …), so
"start" or "created" elsewhere in a question ("when did the scan start", "the role created yesterday") is
left to the other readers.
"""

from __future__ import annotations

import re

from workbench.nl.intent import contains, negate
from workbench.nl.offline.mentions import Mentions
from workbench.nl.offline.reading import Reading, event_filter

# verb → the EC2 call that does it to an instance
_INSTANCE_VERBS = (
    (r"stop(?:s|ped|ping)?", ("StopInstances",), "stopped"),
    (r"start(?:s|ed|ing)?|boot(?:s|ed|ing)?(?! up)", ("StartInstances",), "started"),
    (r"terminat(?:e|es|ed|ing)|kill(?:s|ed|ing)?|destroy(?:s|ed|ing)?", ("TerminateInstances",), "terminated"),
    (r"reboot(?:s|ed|ing)?|restart(?:s|ed|ing)?", ("RebootInstances",), "rebooted"),
    (r"launch(?:es|ed|ing)?|spin(?:s|ning)? up|spun up", ("RunInstances",), "launched"),
)
_INSTANCE_NOUN = r"(?:ec2\s+)?(?:instances?|resourceid|vms?|servers?)"
# verb and object of IAM and EC2 calls that name no instance
_OBJECT_VERBS = (
    (r"\b(?:deactivat(?:e|es|ed|ing)|disabl(?:e|es|ed|ing))\s+(?:an?\s+|the\s+|any\s+)?(?:iam\s+)?access\s+keys?\b|"
     r"\baccess\s+keys?\s+(?:(?:was|were|got|been)\s+)?(?:deactivated|disabled|made inactive)\b",
     ("UpdateAccessKey",), "access keys deactivated"),
    (r"\b(?:revok(?:e|es|ed|ing)|remov(?:e|es|ed|ing))\s+(?:an?\s+|the\s+|any\s+)?(?:security\s+group\s+)?ingress"
     r"(?:\s+rules?)?\b|\b(?:security\s+group\s+)?ingress\s+rules?\s+(?:(?:was|were|got|been)\s+)?(?:revoked|removed)\b",
     ("RevokeSecurityGroupIngress",), "ingress rules revoked"),
    (r"\b(?:add(?:s|ed|ing)?|creat(?:e|es|ed|ing))\s+(?:an?\s+|the\s+|any\s+)?(?:security\s+group\s+)?ingress"
     r"(?:\s+rules?)?\b", ("AuthorizeSecurityGroupIngress",), "ingress rules added"),
    (r"\b(?:add(?:s|ed|ing)?|put|creat(?:e|es|ed|ing))\s+(?:an?\s+|the\s+|any\s+|new\s+)?tags?\b|\btagged\b",
     ("CreateTags",), "tags added"),
)


# verb → the EC2 call that does it to a key pair; only the verb is read, the noun may still be what is listed
_KEY_PAIR_VERBS = ((r"import(?:s|ed|ing)?|upload(?:s|ed|ing)?", "ImportKeyPair", "imported"),
                   (r"creat(?:e|es|ed|ing)|generat(?:e|es|ed|ing)|made|mak(?:e|es|ing)", "CreateKeyPair", "created"),
                   (r"delet(?:e|es|ed|ing)|remov(?:e|es|ed|ing)", "DeleteKeyPair", "deleted"))
_KEY_PAIR = r"(?:ssh\s+|ec2\s+)?key\s*pairs?(?:\s+names?)?"


def _key_pair_verb(reading: Reading) -> bool:
    """'key pair names imported by svc-reporting', 'who created a key pair': the key pair call of the verb."""
    for verbs, event, description in _KEY_PAIR_VERBS:
        match = reading.find(rf"\b(?P<verb>{verbs})\s+(?:an?\s+|the\s+|any\s+|new\s+)?{_KEY_PAIR}\b|"
                             rf"\b{_KEY_PAIR}\s+(?:(?:was|were|got|been|being|is|are)\s+)?(?P<after>{verbs})\b")
        if match:
            # "who imported ec2 key pairs": the noun after the verb is its object, read with it; "key pair names
            # imported by X", "which key pairs were created": the noun before it is what is listed, left to list
            words = reading.consume(match) if match.group("verb") else reading.consume_span(match.start("after"),
                                                                                             match.end("after"))
            reading.add(event_filter((event,)), words, f"key pairs {description}", "iam and ec2 calls")
            return True
    return False


def read_verbs(reading: Reading, found: Mentions) -> None:
    # "AuthorizeSecurityGroupIngress with 0.0.0.0/0" (read as "the world"): the range is in the rule's request
    if any(m.kind == "event" and re.search(r"SecurityGroup(?:Ingress|Egress)$", m.value) for m in found.items) and (
            match := reading.find(r"\b(?:(without)\s+|(?:with|for|allow(?:s|ed|ing)?|containing|including|opening|granting)"
                                  r"\s+(?:to\s+)?|to\s+)?the world(?:\s+in\s+(?:the|its|their)\s+requests?)?\b")):
        opened = contains("requestparameters", "0.0.0.0/0")
        reading.add(negate(opened) if match.group(1) else opened, reading.consume(match),
                    ("not " if match.group(1) else "") + "to 0.0.0.0/0")
    if _key_pair_verb(reading):
        return
    instance_named = any(m.kind == "resource_id" and m.value.lower().startswith("i-") for m in found.items)
    for verbs, events, description in _INSTANCE_VERBS:
        # "who tried to stop i-0abc", "instance types launched", "which instances were stopped"
        pattern = (rf"\b(?:{verbs})\s+(?:the\s+|an?\s+|any\s+|new\s+|some\s+)?{_INSTANCE_NOUN}\b|"
                   rf"\b{_INSTANCE_NOUN}(?:\s+types?)?\s+(?:(?:was|were|got|been|being|is|are|has been|have been)\s+)?"
                   rf"(?:{verbs})\b")
        if not (match := reading.find(pattern)) and instance_named:
            match = reading.find(rf"\b(?:{verbs})\b(?!\s+(?:time|date|at|of)\b)")
        if match is None:
            continue
        verb = re.search(rf"\b(?:{verbs})\b", match.group(0))
        assert verb is not None
        reading.add(event_filter(events), reading.consume_span(match.start() + verb.start(), match.start() + verb.end()),
                    f"instances {description}", "instance calls")
        return
    for pattern, events, description in _OBJECT_VERBS:
        if match := reading.find(pattern):
            reading.add(event_filter(events), reading.consume(match), description, "iam and ec2 calls")
            return
