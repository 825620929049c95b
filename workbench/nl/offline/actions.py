"""Verb + object → CloudTrail event names: "who created a user", "roles deleted", "new IAM roles".

CloudTrail names a call Verb+Object (CreateUser, DeleteBucket, StopInstances), so an English verb
and the thing it acts on name the call. Only pairs that are real CloudTrail calls are read; any
other pair stays in the text and, unexplained, refuses the question instead of guessing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from workbench.nl.base import TranslationError
from workbench.nl.intent import contains, eq, negate, one_of
from workbench.nl.offline.reading import Reading, event_filter

if TYPE_CHECKING:
    from workbench.nl.offline.mentions import Mentions

# English verb forms → the verb CloudTrail uses. "new X" reads as X created.
VERBS: dict[str, str] = {
    r"creat\w*|new|added|provision\w*|set up": "Create",
    r"delet\w*|remov\w*|destroy\w*|drop\w*|tore down|tear\w* down": "Delete",
    r"stop\w*|halt\w*|shut down|shutdown": "Stop",
    r"start\w*|boot\w*|resum\w*": "Start",
    r"terminat\w*|kill\w*": "Terminate",
    r"launch\w*|spun up|spin\w* up|ran|run": "Run",
    r"reboot\w*|restart\w*": "Reboot",
    r"import\w*|upload\w*": "Import",
    r"updat\w*|modif\w*|edit\w*|alter\w*": "Update",
    r"revok\w*": "Revoke", r"deactivat\w*": "Deactivate",
}
# Object words → the noun in the call's name (singular and plural both read).
OBJECTS: dict[str, str] = {
    r"(?:iam\s+)?users?": "User", r"(?:iam\s+)?roles?": "Role", r"access\s*keys?": "AccessKey",
    r"login\s+profiles?|console\s+passwords?": "LoginProfile", r"(?:s3\s+)?buckets?": "Bucket",
    r"(?:cloud ?trail\s+)?trails?": "Trail", r"key\s*pairs?|ssh\s+keys?": "KeyPair",
    r"security\s+groups?": "SecurityGroup", r"snapshots?": "Snapshot", r"(?:ebs\s+)?volumes?": "Volume",
    r"(?:cloudformation\s+)?stacks?": "Stack", r"secrets?": "Secret", r"(?:guard ?duty\s+)?detectors?": "Detector",
    r"(?:iam\s+)?groups?": "Group", r"(?:iam\s+|managed\s+)?polic(?:y|ies)": "Policy",
    r"(?:ec2\s+)?instances?|vms?|virtual machines?|servers?": "Instances", r"vpcs?": "Vpc", r"subnets?": "Subnet",
    # a bare "key" made for someone is an access key (what analysts mint and rotate); KMS keys are named so
    r"kms\s+keys?": "Key", r"keys?": "AccessKey", r"log\s+groups?": "LogGroup", r"(?:lambda\s+)?functions?": "Function",
    r"(?:vpc\s+)?flow\s*logs?": "FlowLogs", r"(?:ssm\s+)?sessions?": "Session", r"tags?": "Tags", r"(?:s3\s+)?objects?": "Object", r"(?:s3\s+)?(?:bucket\s+)?public\s+access\s+blocks?": "BucketPublicAccessBlock", r"images?|amis?": "Image", r"(?:mfa|virtual mfa)\s+devices?": "VirtualMFADevice",
    r"(?:security\s+groups?\s+)?ingress\s+rules?": "SecurityGroupIngress",
    r"(?:security\s+groups?\s+)?egress\s+rules?": "SecurityGroupEgress",
}
# The calls the grammar may name: CloudTrail's own spelling, from the AWS API references.
KNOWN = {
    "CreateUser", "DeleteUser", "UpdateUser", "CreateRole", "DeleteRole", "UpdateRole", "CreateAccessKey",
    "DeleteAccessKey", "UpdateAccessKey", "CreateLoginProfile", "DeleteLoginProfile", "UpdateLoginProfile",
    "CreateBucket", "DeleteBucket", "CreateTrail", "DeleteTrail", "UpdateTrail", "StopTrail", "CreateKeyPair",
    "DeleteKeyPair", "ImportKeyPair", "CreateSecurityGroup", "DeleteSecurityGroup", "CreateSnapshot",
    "DeleteSnapshot", "CreateVolume", "DeleteVolume", "CreateStack", "DeleteStack", "UpdateStack", "CreateSecret",
    "DeleteSecret", "UpdateSecret", "CreateDetector", "DeleteDetector", "UpdateDetector", "CreateGroup",
    "DeleteGroup", "UpdateGroup", "CreatePolicy", "DeletePolicy", "RunInstances", "StartInstances", "StopInstances",
    "TerminateInstances", "RebootInstances", "CreateVpc", "DeleteVpc", "CreateSubnet", "DeleteSubnet", "CreateKey",
    "CreateLogGroup", "DeleteLogGroup", "CreateFunction", "DeleteFunction", "CreateTags", "DeleteTags",
    "CreateImage", "CreateVirtualMFADevice", "DeleteVirtualMFADevice", "PutBucketPublicAccessBlock",
    "DeleteBucketPublicAccessBlock", "DeleteObject", "StartSession", "TerminateSession", "CreateFlowLogs",
    "DeleteFlowLogs", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "DeactivateMFADevice",
}
# Nouns whose created/deleted names CloudTrail keeps in the request: the dimension word the shape reads.
TARGETS = {"User": "target user", "Role": "target role", "Bucket": "bucket", "Group": "target group"}
_ARTICLE = r"(?:(?:a|an|the|any|new|some|our|their|his|her|its|these|those|iam|aws)\s+)*"
_BE = r"(?:(?:was|were|been|being|got|get|is|are|has been|have been)\s+)?"


def _event(verb: str, noun: str) -> str | None:
    if verb == "Run" and noun != "Instances" or verb in {"Start", "Stop", "Terminate", "Reboot"} and noun not in {
            "Instances", "Trail", "Session"}:
        return None
    if verb == "Create" and noun == "Instances":
        verb = "Run"
    if verb == "Stop" and noun == "Trail":
        return "StopLogging"
    if verb == "Deactivate" and noun == "VirtualMFADevice":  # a device is deactivated for a user, not deleted
        return "DeactivateMFADevice"
    if noun == "BucketPublicAccessBlock" and verb in {"Create", "Update"}:
        verb = "Put"
    if verb == "Deactivate" and noun == "AccessKey":  # a key is deactivated by setting its status, not by a call of its own
        return "UpdateAccessKey"
    if verb == "Create" and noun == "SecurityGroupIngress":  # a rule is added to a group by authorising it
        return "AuthorizeSecurityGroupIngress"
    name = verb + noun
    return name if name in KNOWN or name == "StopLogging" else None


def _verb_of(words: str) -> str | None:
    return next((v for pattern, v in VERBS.items() if re.fullmatch(pattern, words)), None)


def _noun_of(words: str) -> str | None:
    return next((n for pattern, n in OBJECTS.items() if re.fullmatch(pattern, words)), None)


_VERB = "|".join(f"(?:{p})" for p in VERBS)
_OBJECT = "|".join(f"(?:{p})" for p in OBJECTS)
# "created a user" / "new IAM roles" / "users (that were) deleted"
_FORWARD = re.compile(rf"\b({_VERB})\s+{_ARTICLE}({_OBJECT})\b(?!\s+(?:{_OBJECT})\b)")  # "user access keys": the keys
# "start/stop instances", "created or deleted users": two verbs on one object
_PAIR = re.compile(rf"\b({_VERB})\s*(?:/|,|\bor\b|\band\b|&)\s*({_VERB})\s+{_ARTICLE}({_OBJECT})\b")
# "deleted detectors, trails or flow logs": one verb on a list of objects, each of which it must name a call on.
# Commas are gone by now, so a space between two plurals also separates ("users roles and keys"); a singular
# before a space is a compound's first word ("user access keys")
_SEP = r"(?:\s*(?:/|\bor\b|\band\b|&)\s*|(?<=s)\s+)"
_LIST = re.compile(rf"\b({_VERB})\s+{_ARTICLE}((?:{_OBJECT})(?:{_SEP}{_ARTICLE}(?:{_OBJECT}))+)\b")
_BACKWARD = re.compile(rf"\b({_OBJECT})\s+(?:that\s+|which\s+)?{_BE}({_VERB})\b")
# "users and roles (that were) created": the passive of _LIST
_LIST_BACKWARD = re.compile(rf"\b((?:{_OBJECT})(?:{_SEP}{_ARTICLE}(?:{_OBJECT}))+)\s+(?:that\s+|which\s+)?{_BE}({_VERB})\b")


def _groups_opened(reading: object) -> None:
    """'which security groups did svc-reporting open up': a group is opened by an ingress rule added to it; opened
    'to the world' (0.0.0.0/0) is the public exposure phrase's, read later."""
    if not reading.has(r"\bsecurity\s+groups?\b"):  # type: ignore[attr-defined]
        return
    if match := reading.find(r"\bopen(?:ed|s|ing)?(?:\s+up)?\b(?!\s+(?:(?:an?|the|any|its|their)\s+)?(?:security\s+groups?\s+)?"  # type: ignore[attr-defined]
                             r"(?:up\s+)?(?:to|for|on)\b)(?!\s+ports?\b)"):
        reading.add(event_filter(("AuthorizeSecurityGroupIngress",)), reading.consume(match),  # type: ignore[attr-defined]
                    "security groups opened (ingress rules added)", "security group")


def verb_object_events(reading: object) -> None:
    """Add eventname filters for each Verb+Object the question names, consuming those words.

    "which users were created" is left alone: it asks for the created users (a request parameter),
    not the creators, and is refused rather than answered with the wrong column.
    """
    _groups_opened(reading)
    names: list[str] = []
    words: list[str] = []
    while pair := _PAIR.search(reading.text):  # type: ignore[attr-defined]
        noun = _noun_of(pair.group(3))
        events = [_event(v, noun) if (v := _verb_of(pair.group(i))) and noun else None for i in (1, 2)]
        if None in events:
            break
        words.append(reading.consume(pair))  # type: ignore[attr-defined]
        names.extend(e for e in events if e)
    for pattern, order in ((_FORWARD, (1, 2)), (_BACKWARD, (2, 1))):
        while match := pattern.search(reading.text):  # type: ignore[attr-defined]
            verb, noun = _verb_of(match.group(order[0])), _noun_of(match.group(order[1]))
            if verb is None or noun is None or (event := _event(verb, noun)) is None or re.search(
                    r"\binline\s+$", reading.text[:match.start()]):  # type: ignore[attr-defined]
                break  # not a call CloudTrail has (or an inline policy, read by the phrase list): left as is
            # "users added to groups": a user added to a group is AddUserToGroup, not a new user
            # (a group's name is not read here: "to the admins group" keeps 'admins', which is refused unread)
            to_group = re.match(r"\s+(?:in)?to\s+(?:an?\s+|the\s+|any\s+)?groups?\b",
                                reading.text[match.end():])  # type: ignore[attr-defined]
            if verb == "Create" and noun == "User" and re.match(r"add", match.group(order[0]), re.IGNORECASE):
                if to_group is None:
                    break  # "users added": to what is not said; left unread, refused
                event = "AddUserToGroup"
                reading.consume(re.compile(re.escape(to_group.group(0))).match(  # type: ignore[attr-defined]
                    reading.text, match.end()))  # type: ignore[attr-defined]
            before = reading.text[:match.start()]  # type: ignore[attr-defined]
            asked = re.search(r"\b(?:which|what)\s+$", before)
            if pattern is _BACKWARD and asked:
                # "which users were created": the created users, named in the request
                if noun not in TARGETS:
                    break
                words.append(match.group(0).strip())
                reading.text = (reading.text[:match.start()] + TARGETS[noun]  # type: ignore[attr-defined]
                                + " " * (match.end() - match.start() - len(TARGETS[noun])) + reading.text[match.end():])
            else:
                words.append(reading.consume(match))  # type: ignore[attr-defined]
            names.append(event)
            # "new IAM users created": the verb said twice is one call
            if again := re.match(rf"\s+{_BE}({_VERB})\b", reading.text[match.end():]):  # type: ignore[attr-defined]
                if _verb_of(again.group(1)) == verb or (verb == "Create" and _verb_of(again.group(1)) == "Run"):
                    span = re.compile(re.escape(again.group(0)))
                    reading.consume(span.match(reading.text, match.end()))  # type: ignore[attr-defined]
            # "new iam users created - who created them": the verb again, on a pronoun for the same object
            for later in list(re.finditer(rf"\b({_VERB})(?=\s+(?:them|it|those|these|ones?)\b)",
                                          reading.text)):  # type: ignore[attr-defined]
                if _verb_of(later.group(1)) == verb:
                    reading.consume(later)  # type: ignore[attr-defined]
    if names:
        reading.add(one_of("eventname", tuple(dict.fromkeys(names))), ", ".join(words),  # type: ignore[attr-defined]
                    "calls to " + ", ".join(dict.fromkeys(names)), "verb object")


def verb_object_lists(reading: object) -> None:
    """'deleted detectors, trails or flow logs': every object of the list, before any rule reads one of them alone."""
    names: list[str] = []
    words: list[str] = []
    for listed in list(_LIST.finditer(reading.text)):  # type: ignore[attr-defined]
        if (verb := _verb_of(listed.group(1))) is None or not re.search(r"/|&|\bor\b|\band\b", listed.group(2)):
            continue
        objects = [o.group(0) for o in re.finditer(rf"\b(?:{_OBJECT})\b", listed.group(2))]
        for obj in objects:
            noun = _noun_of(re.sub(rf"^{_ARTICLE}", "", obj.strip()))
            event = _event(verb, noun) if noun else None
            if event is None:  # reading the others alone would answer for part of the list
                raise TranslationError(f"cannot read {obj.strip()!r} in {listed.group(0)!r}: no CloudTrail call "
                                       f"{listed.group(1)} it; name the calls, e.g. 'DeleteTrail or DeleteDetector calls'")
            names.append(event)
        words.append(reading.consume(listed))  # type: ignore[attr-defined]
    for listed in list(_LIST_BACKWARD.finditer(reading.text)):  # type: ignore[attr-defined]
        if (verb := _verb_of(listed.group(2))) is None or not re.search(r"/|&|\bor\b|\band\b", listed.group(1)):
            continue
        if re.search(r"\b(?:which|what)\s+$", reading.text[:listed.start()]):  # type: ignore[attr-defined]
            # the names created are in different request fields per kind: one kind per question
            raise TranslationError(f"cannot list {listed.group(0)!r} at once: ask for one kind, e.g. "
                                   f"'which {listed.group(1).split()[0]} were {listed.group(2)}'")
        for obj in re.finditer(rf"\b(?:{_OBJECT})\b", listed.group(1)):
            noun = _noun_of(obj.group(0).strip())
            if noun is None or (event := _event(verb, noun)) is None:
                raise TranslationError(f"cannot read {obj.group(0)!r} in {listed.group(0)!r}: no CloudTrail call "
                                       f"{listed.group(2)} it; name the calls")
            names.append(event)
        words.append(reading.consume(listed))  # type: ignore[attr-defined]
    if names:
        reading.add(one_of("eventname", tuple(dict.fromkeys(names))), ", ".join(words),  # type: ignore[attr-defined]
                    "calls to " + ", ".join(dict.fromkeys(names)), "verb object")


def passwords_changed(reading: Reading) -> None:
    # "were any passwords changed", "password resets": a console password set by an admin (login profile made or
    # updated) or by its user (ChangePassword); "set up a console password for X" is an admin's only
    done = r"(?:chang\w*|reset\w*|updat\w*|modif\w*|set)"
    # (normalise.py has written "console password" as "login profile"; "created a login profile" stays one call)
    if match := reading.find(r"\b(?:set\s+up|gave|give|gives|giving)\s+(?:an?\s+|the\s+)?(?:console\s+)?"
                             r"(?:passwords?|login\s+profiles?)\b"):
        reading.add(event_filter(("CreateLoginProfile", "UpdateLoginProfile")), reading.consume(match),
                    "console passwords set", "console passwords")
    elif match := reading.find(rf"\b(?:console\s+)?passwords?\s+(?:(?:was|were|been|got|being|has been|have been)\s+)?"
                               rf"{done}\b|\b(?:console\s+)?password\s+(?:changes|resets?|updates?)\b|\b{done}\s+"
                               rf"(?:an?\s+|the\s+|any\s+|some\s+|their\s+|his\s+|her\s+|its\s+)?(?:own\s+)?(?:console\s+)?"
                               rf"passwords?\b"):
        own = " own " in match.group(0)  # "changed their own password": the user's own call, not an admin's
        reading.add(event_filter(("ChangePassword",) if own else ("CreateLoginProfile", "UpdateLoginProfile",
                                                                  "ChangePassword")),
                    reading.consume(match), "passwords changed", "passwords")


# The late grammar: read after the table is chosen (translator.py), on what verb_object_events leaves. Late, since a
# flow question may name an instance beside a verb ("when did i-0abc start talking to 10.0.0.5"); narrower than
# VERBS, since beside a named instance any "run" or "new" would be read as a call.
class _LateVerb(NamedTuple):
    forms: str  # the English forms
    verb: str  # the verb CloudTrail uses
    done: str  # the participle the explanation says


class _LateObject(NamedTuple):
    noun: str  # the noun in the call's name
    words: str  # the object after its verb
    listed: str  # the object before a passive verb
    verbs: tuple[_LateVerb, ...]
    said: str  # the object as the explanation says it
    family: str
    # the noun is what is listed, left to the shape: after the verb ("which instances were stopped"), before it
    # ("key pair names imported by X"); a key pair after its verb ("who imported key pairs") is the verb's object
    keeps_after: bool = False
    keeps_before: bool = False
    alone: str = ""  # the verb that names its object itself ("tagged")


_INSTANCE = r"(?:ec2\s+)?(?:instances?|resourceid|vms?|servers?)"
_KEY_PAIR = r"(?:ssh\s+|ec2\s+)?key\s*pairs?(?:\s+names?)?"
_INGRESS = r"(?:security\s+group\s+)?ingress"
_LATE_OBJECTS = (
    _LateObject("KeyPair", _KEY_PAIR, _KEY_PAIR, (
        _LateVerb(r"import(?:s|ed|ing)?|upload(?:s|ed|ing)?", "Import", "imported"),
        _LateVerb(r"creat(?:e|es|ed|ing)|generat(?:e|es|ed|ing)|made|mak(?:e|es|ing)", "Create", "created"),
        _LateVerb(r"delet(?:e|es|ed|ing)|remov(?:e|es|ed|ing)", "Delete", "deleted")),
        "key pairs", "iam and ec2 calls", keeps_before=True),
    _LateObject("Instances", _INSTANCE, rf"{_INSTANCE}(?:\s+types?)?", (
        _LateVerb(r"stop(?:s|ped|ping)?", "Stop", "stopped"),
        _LateVerb(r"start(?:s|ed|ing)?|boot(?:s|ed|ing)?(?! up)", "Start", "started"),
        _LateVerb(r"terminat(?:e|es|ed|ing)|kill(?:s|ed|ing)?|destroy(?:s|ed|ing)?", "Terminate", "terminated"),
        _LateVerb(r"reboot(?:s|ed|ing)?|restart(?:s|ed|ing)?", "Reboot", "rebooted"),
        _LateVerb(r"launch(?:es|ed|ing)?|spin(?:s|ning)? up|spun up", "Run", "launched")),
        "instances", "instance calls", keeps_after=True, keeps_before=True),
    _LateObject("AccessKey", r"(?:iam\s+)?access\s+keys?", r"access\s+keys?", (
        _LateVerb(r"deactivat(?:e|es|ed|ing)|disabl(?:e|es|ed|ing)|made inactive", "Deactivate", "deactivated"),),
        "access keys", "iam and ec2 calls"),
    _LateObject("SecurityGroupIngress", rf"{_INGRESS}(?:\s+rules?)?", rf"{_INGRESS}\s+rules?", (
        _LateVerb(r"revok(?:e|es|ed|ing)|remov(?:e|es|ed|ing)", "Revoke", "revoked"),
        _LateVerb(r"add(?:s|ed|ing)?|creat(?:e|es|ed|ing)", "Create", "added")),
        "ingress rules", "iam and ec2 calls"),
    _LateObject("Tags", r"tags?", r"tags?", (_LateVerb(r"add(?:s|ed|ing)?|put|creat(?:e|es|ed|ing)", "Create", "added"),),
                "tags", "iam and ec2 calls", alone=r"tagged"),
)
_LATE_ARTICLE = r"(?:an?\s+|the\s+|any\s+|new\s+|some\s+)?"
_LATE_ACTOR = r"(?:the\s+)?(?:(?:iam\s+)?user\s+|role\s+)?(?:username|rolename|principalarn)"
_LATE_BE = r"(?:(?:was|were|got|been|being|is|are|has been|have been)\s+)?"


def _opened_to_the_world(reading: Reading, found: Mentions) -> None:
    # Not a verb on an object but the range a named security-group call opens ("AuthorizeSecurityGroupIngress
    # with 0.0.0.0/0", read as "the world"): a condition on the call's request, kept beside the late grammar
    # because it needs the event mentions, which only the late pass is given
    if any(m.kind == "event" and re.search(r"SecurityGroup(?:Ingress|Egress)$", m.value) for m in found.items) and (
            match := reading.find(r"\b(?:(without)\s+|(?:with|for|allow(?:s|ed|ing)?|containing|including|opening|granting)"
                                  r"\s+(?:to\s+)?|to\s+)?the world(?:\s+in\s+(?:the|its|their)\s+requests?)?\b")):
        opened = contains("requestparameters", "0.0.0.0/0")
        reading.add(negate(opened) if match.group(1) else opened, reading.consume(match),
                    ("not " if match.group(1) else "") + "to 0.0.0.0/0")


def _decrypted_reads(reading: Reading, found: Mentions) -> None:
    # "GetParameter calls with decryption": the SecureString read in clear, a flag of the named call's request (the
    # parameter reads said in words read it with their concept)
    if any(m.kind == "event" and m.value in {"GetParameter", "GetParameters"} and not m.negated for m in found.items) and (
            match := reading.find(r"\b(?:with\s+decrypt(?:ion|ed)|decrypted)\b")):
        reading.add(eq("json_extract_scalar(requestparameters, '$.withDecryption')", "true"), reading.consume(match),
                    "decrypted")


def late_verb_object_events(reading: Reading, found: Mentions) -> None:
    """'who tried to stop i-0abc', 'instance types launched', 'key pair names imported by X', 'has anyone
    deactivated an access key': plain verbs on the objects above; the first the question names is its call."""
    _opened_to_the_world(reading, found)
    _decrypted_reads(reading, found)
    instance_named = any(m.kind == "resource_id" and m.value.lower().startswith("i-") for m in found.items)
    for obj in _LATE_OBJECTS:
        for late in obj.verbs:
            match = reading.find(rf"\b(?P<verb>{late.forms})\s+{_LATE_ARTICLE}{obj.words}\b|"
                                 rf"\b{obj.listed}\s+{_LATE_BE}(?P<after>{late.forms})\b")
            if match is None:
                # "instance types svc-reporting launched", "what instance types did X launch": the object first, then
                # the one who acted on it (dev d178, dev29 ae050 read it so, as "instance types launched by X" reads)
                match = reading.find(rf"\b{obj.listed}\s+(?:(?:did|does|has|have|had)\s+)?{_LATE_ACTOR}\s+"
                                     rf"(?P<after>{late.forms})\b")
            if match is None and obj.alone:
                match = reading.find(rf"\b(?P<verb>{obj.alone})\b")
            if match is None and obj.noun == "Instances" and instance_named:
                # "who tried to stop i-0abc": the instance is named, so the verb alone is read (not "start time")
                match = reading.find(rf"\b(?P<verb>{late.forms})\b(?!\s+(?:time|date|at|of)\b)")
            if match is None:
                continue
            side = "verb" if match.groupdict().get("verb") else "after"
            keeps = obj.keeps_after if side == "verb" else obj.keeps_before
            words = reading.consume_span(match.start(side), match.end(side)) if keeps else reading.consume(match)
            event = _event(late.verb, obj.noun)
            assert event is not None, f"{late.verb} {obj.noun} is no call in KNOWN"
            reading.add(event_filter((event,)), words, f"{obj.said} {late.done}", obj.family)
            return
