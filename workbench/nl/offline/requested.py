"""Values a CloudTrail question names inside a call's request rather than as the one calling.

"FilterLogEvents calls mentioning prod-orders-handler", "GetSecretValue calls for prod-db-creds": the name after
"mentioning" / "about" / "for" beside a named call is something the request names (a log group, a secret, a
function), never a user; "who changed heidi.smith's console password": a possessive before the object is the
user acted on; "which bucket was the trail pointed at": the bucket a CreateTrail / UpdateTrail request names.
"""

from __future__ import annotations

import re

from sqlglot import exp

from workbench.nl.base import TranslationError
from workbench.nl.intent import Filter, Intent, contains, negate, one_of
from workbench.nl.offline.mentions import Mention, Mentions
from workbench.nl.offline.reading import Reading

# calls whose "for X" already has a column of its own: the user (userName) or the role assumed (roleArn)
_PLACED_ELSEWHERE = {
    "CreateAccessKey", "DeleteAccessKey", "UpdateAccessKey", "CreateLoginProfile", "UpdateLoginProfile",
    "DeleteLoginProfile", "AttachUserPolicy", "DetachUserPolicy", "PutUserPolicy", "AddUserToGroup", "CreateUser",
    "DeleteUser", "AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}
_ABOUT = re.compile(r"\b(?:mentioning|mentions|about|regarding|concerning|referencing|naming|involving)\s+(?:the\s+)?$")
# "for X" is the one calling ("RunInstances per region for svc-reporting"), except beside the calls that read one
# named resource ("GetSecretValue calls for orders-api"), where it is that resource unless X is shaped like a person
_FOR = re.compile(r"\bfor\s+(?:the\s+)?$")
_READS_ONE = {"GetSecretValue", "DescribeSecret", "PutSecretValue", "FilterLogEvents", "GetLogEvents",
              "DescribeLogStreams", "GetParameter", "GetParameters", "GetParameterHistory", "GetFunction", "Invoke"}
_PERSON = re.compile(r"[a-z]+\.[a-z]+|.*@.*")
# "who changed heidi.smith's …": a verb of change right before the possessive; "heidi.smith's calls" is her own
_CHANGED = re.compile(r"\b(?:chang|reset|updat|delet|creat|remov|modif|rotat|disabl|deactivat|enabl|set|add|attach|"
                      r"detach|edit|revok|touch)\w*\s+(?:the\s+)?$")
_POSSESSIVE = re.compile(r"\s*['’]s?\b")
_TRAIL = r"(?:the\s+|our\s+|a\s+|its\s+|any\s+)?(?:cloud ?trail\s+)?(?:trails?|cloud ?trail)"
_TRAIL_POINTED = re.compile(
    rf"\b{_TRAIL}\s+(?:(?:was|were|is|are|has been|have been|got|gets|get|been)\s+)?(?:(?:re)?pointed|points?|"
    r"pointing|deliver(?:s|ed|ing)?|writ(?:es|ing|e)|wrote|written|sen(?:ds?|t|ding)|log(?:s|ged|ging)?|"
    r"ship(?:s|ped|ping)?|configured|set)(?:\s+(?:up\s+)?(?:its\s+|their\s+)?(?:logs?|events?))?"
    r"(?:\s+(?:at|to|into|towards|in|for|with))?\b"
    # "who pointed the trail at a different bucket": the verb before the trail
    rf"|\b(?:(?:re)?point(?:ed|ing|s)?|redirect\w*|mov(?:ed|es?|ing)|switch\w*)\s+{_TRAIL}(?:['’]s)?"
    r"(?:\s+(?:logs?|delivery|destination))?\s+(?:at|to|into|towards)\b")


def request_values(found: Mentions) -> list[Mention]:
    """The bare names a named call's request holds, taken out of the users (placed by place_request_values)."""
    calls = {e.value for e in found.of("event") if not e.negated}
    if not calls or calls & _PLACED_ELSEWHERE:
        return []
    taken = [m for m in found.of("user") if not m.typed and (_ABOUT.search(m.before) or _FOR.search(m.before) and (
        calls <= _READS_ONE and not _PERSON.fullmatch(m.value)))]
    for mention in taken:
        mention.kind = "request"
    return taken


def place_request_values(intent: Intent, mentions: list[Mention]) -> None:
    for mention in mentions:
        condition, description = contains("requestparameters", mention.value), f"naming {mention.value} in the request"
        if mention.negated:
            condition, description = negate(condition), "not " + description
        intent.add(Filter(condition, mention.words, description, (mention.value,)))
        mention.placed = True


def possessive_targets(found: Mentions) -> None:
    """'who changed heidi.smith's console password': the possessed user is acted on (the request's userName)."""
    for mention in found.of("user", "name"):
        if _POSSESSIVE.match(mention.after) and _CHANGED.search(mention.before):
            mention.target = True


def trail_destination(reading: Reading) -> None:
    """'which bucket was the trail pointed at': the bucket named by the calls that set a trail's destination."""
    if not (match := reading.find(_TRAIL_POINTED.pattern)):
        return
    if not reading.find(r"\bbuckets?\b"):
        where = reading.find(r"\bwhere\b")
        if where is None or len(match.group(0)) < len("which bucket"):
            return
        # "where does the trail write its logs": the place asked is the bucket; said in the trail words' room,
        # so every later offset still holds
        reading.consume(where)
        words = reading.text[match.start():match.end()]
        reading.text = reading.text[:match.start()] + "which bucket".ljust(len(words)) + reading.text[match.end():]
        reading.add(one_of("eventname", ("CreateTrail", "UpdateTrail")), words.strip(),
                    "trail destinations (CreateTrail, UpdateTrail)")
        return
    # "which s3 bucket does the trail deliver to": "s3" says what kind of bucket, the calls are CloudTrail's own
    if kind := reading.find(r"\b(?:s3|amazon s3)\s+(?=buckets?\b)"):
        reading.consume(kind)
    reading.add(one_of("eventname", ("CreateTrail", "UpdateTrail")), reading.consume(match),
                "trail destinations (CreateTrail, UpdateTrail)")


_IPV6_WORLD = re.compile(r"(?<![\w.:/])::/0(?![\w/])")


def refuse_both_worlds(question: str) -> None:
    """'open to 0.0.0.0/0 or ::/0': both read as 'the world', and one range would be searched for twice."""
    if _IPV6_WORLD.search(question) and re.search(r"(?<![\w.])0\.0\.0\.0/0(?![\w/])", question):
        raise TranslationError("0.0.0.0/0 and ::/0 are two ranges (IPv4 and IPv6): ask about one at a time, e.g. "
                               "'security group ingress opened to ::/0'")


def ipv6_world(question: str, intent: Intent) -> None:
    """'::/0' is read as 'the world' like 0.0.0.0/0; the range searched for in the request must stay IPv6's own
    (a rule opened to ::/0 lists it in ipv6Ranges), never silently become the IPv4 range."""
    if not _IPV6_WORLD.search(question):
        return
    swapped = False

    def to_ipv6(node: exp.Expression) -> exp.Expression:
        nonlocal swapped
        if isinstance(node, exp.Literal) and node.is_string and node.this == "0.0.0.0/0":
            swapped = True
            return exp.Literal.string("::/0")
        return node

    intent.filters = [Filter(f.condition.transform(to_ipv6), f.words, f.description.replace("0.0.0.0/0", "::/0"),
                             f.entities) for f in intent.filters]
    if not swapped:
        raise TranslationError("::/0 (every IPv6 address) is read only in security-group requests here: ask e.g. "
                               "'who opened a security group to ::/0'")
