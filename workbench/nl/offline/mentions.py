"""Named values in a question: IPs, ARNs, access keys, users, roles, event names, ports, secrets…

Each is read from the question as typed (case matters for `CreateUser`) with where it stood, and
replaced in the lower-cased working text by a placeholder word (`ipaddr`, `username`…) so the
vocabulary rules read the sentence around it. The translator must place every mention in the
intent — a filter on the right column — or refuse: a named value is never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from workbench.nl.offline.directions import direction as side_of
from workbench.nl.offline.eventnames import ASSUMED, ASSUMED_EXCEPT, EVENT_PREFIX, known_events
from workbench.nl.offline.findingtypes import FAMILY_STARTS, FINDING_TAIL
from workbench.nl.offline.paths import secret_path
from workbench.nl.offline.vocab import (
    ERROR_CODES,
    EVENT_VERBS,
    IDENTITY_TYPE_NAMES,
    KNOWN_POLICIES,
    NOT_EVENTS,
    NOT_NAMES,
    SERVICES,
)

COMMON_WORDS = {
    "use", "log", "do", "did", "make", "call", "access", "activity", "events", "event", "calls", "the", "a", "an",
    "any", "all", "that", "this", "who", "which", "what", "and", "or", "with", "from", "in", "on", "by",
    "agent", "agents", "name", "names", "type", "types", "account", "accounts", "has", "have", "was", "were",
    "is", "are", "created", "deleted", "logins", "login", "sessions", "session", "policy", "policies", "ever",
    "first", "last", "most", "per", "each", "count", "counts", "ids", "id", "keys", "key", "ip", "ips",
    "assumptions", "assumption", "assumed", "changes", "chain", "chains", "chaining", "reads", "read",
    "values", "value", "for", "of", "to", "at", "as", "changed", "usage", "creation", "deletion", "permissions", "trust", "public", "acl", "acls",
    "encryption", "rotation", "exposure", "manager", "managers", "arn", "arns",
    "anyone", "someone", "anybody", "somebody", "everyone", "everybody", "nobody", "they", "we", "he", "she", "it",
    "you", "i", "me", "root", "admin", "admins", "attacker", "attackers", "intruder", "these", "those",
    "them", "their", "its", "again", "so", "not", "already", "still", "also", "just", "really",
}

ARN = re.compile(r"\barn:aws[\w-]*:[\w-]*:[\w-]*:\d*:[\w+=,.@/:-]*[\w+=@/-]")
FINDING_TYPE = re.compile(r"\b([A-Z][A-Za-z0-9]+:[A-Za-z0-9]+/[A-Za-z0-9.!&_-]*[A-Za-z0-9!])")
ACCESS_KEY = re.compile(r"\b((?:AKIA|ASIA)[A-Z0-9]{14,18})\b")  # 20 characters in AWS; examples are written looser
IP = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})(?:/(\d{1,2}))?(?![\w.]*\d)")
SERVICE_HOST = re.compile(r"\b([a-z0-9-]+(?:\.[a-z0-9-]+)*\.amazonaws\.com)\b", re.IGNORECASE)
ACCOUNT = re.compile(r"(?<![\w.-])(\d{12})(?![\w.-])")
RESOURCE_ID = re.compile(r"\b((?:i|sg|eni|vpc|subnet|ami|vol|snap)-[0-9a-f]{8,17})\b", re.IGNORECASE)
REGION = re.compile(r"\b([a-z]{2}(?:-gov)?-(?:north|south|east|west|central|northeast|southeast|northwest|"
                    r"southwest)-\d)\b", re.IGNORECASE)
# One-word API names: written capitalised, or lower-case beside "kms" or "calls"
PREFIXED_ERROR = re.compile(r"\b((?:Client|Server)\.[A-Z][A-Za-z]+)\b")
SINGLE_EVENT = re.compile(r"\b(Decrypt|Encrypt)\b")
CAMEL = re.compile(r"\b((?:[A-Z]{2,}[a-z0-9]+|[A-Z][a-z0-9]+)(?:[A-Z][A-Za-z0-9_]*)+)\b")
QUOTED = re.compile(r"(?:[\"“]|(?<!\w)')([^\"“”']{1,120})(?:[\"”]|'(?!\w))")
PORTS = re.compile(r"\b(?:(source|src|destination|dst|dest|local|remote)\s+)?ports?\s+\(?\s*((?:\d{1,5}(?:\s*(?:,|and|or|&)\s*)?)+)")
# An SSM parameter is named by its path from the root: "/prod/orders-api/db-password"
PARAMETER_PATH = re.compile(r"(?<![\w/.:-])(/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+)(?![\w/])")
SECRET_PATH = re.compile(r"(?<![\w/.:-])([a-z0-9][\w.-]*(?:/[\w.-]+)+)(?![\w/])", re.IGNORECASE)
NAME = re.compile(r"(?<![\w.@/-])([a-z][a-z0-9]*(?:[._@-][a-z0-9]+)+)(?![\w.@/-]*\w)")
# "roles other than X", "users except bob": the kind word still says what the excepted name is
_EXCEPT = r"(?:(?:other than|except(?: for)?|excluding|besides|apart from|aside from|but not|not)\s+(?:the\s+)?)?"
_KIND_BEFORE = {
    "role": re.compile(rf"\b(?:role|roles|iam role)\s+{_EXCEPT}(?:named\s+|called\s+)?$"),
    "bucket": re.compile(rf"\b(?:bucket|buckets|s3 bucket)\s+{_EXCEPT}(?:named\s+|called\s+)?$"),
    "secret": re.compile(rf"\b(?:secret|secrets)\s+{_EXCEPT}(?:named\s+|called\s+)?$"),
    # "where the actor is heidi.smith": SIEM schemas call the one acting the actor or the caller
    "user": re.compile(rf"\b(?:(?:user|username|iam user|principal|identity|actor|caller)\s+{_EXCEPT}|users\s+{_EXCEPT[:-1]})"
                       r"(?:named\s+|called\s+|is\s+|was\s+)?$"),
    "trail": re.compile(rf"\b(?:trail|cloudtrail trail)\s+{_EXCEPT}(?:named\s+|called\s+)?$"),
}
_KIND_AFTER = {"role": re.compile(r"^\s*(?:iam\s+)?roles?\b"), "bucket": re.compile(r"^\s*(?:s3\s+)?buckets?\b"),
               "secret": re.compile(r"^\s*secrets?\b"), "user": re.compile(r"^\s*(?:iam\s+)?users?\b"),
               "trail": re.compile(r"^\s*(?:cloud ?trail\s+)?trails?\b")}
# A name followed by one of these acted ("number of buckets lena.garcia touched"): the actor, not the object
ACTOR_VERB = re.compile(r"\s*(?:touched|accessed|used|called|made|did|does|read|wrote|listed|deleted|created|"
                        r"modified|changed|downloaded|uploaded|ran|invoked|launched|logged|signed)\b(?!\s+by\b)")
_PLAIN_USER = [re.compile(p) for p in (
    r"(?<![\w-])(?:user|iam user)\s+(?:named\s+|called\s+)?([a-z][a-z0-9]{1,30})\b",
    r"\b(?:did|has|does|was)\s+([a-z][a-z0-9]{2,30})\s+(?:do|done|call|make|made|access|touch|use|log)\b",
)]
_KEYWORD_NAMES = [
    (re.compile(r"(?<![\w-])(?:s3\s+)?bucket\s+(?:named\s+|called\s+)?([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\b"), "bucket"),
    (re.compile(r"(?<![\w-])(?:iam\s+)?role\s+(?:named\s+|called\s+)?([a-z][\w+=,.@-]{1,63})\b"), "role"),
    (re.compile(r"(?<![\w-])secret\s+(?:named\s+|called\s+)?([a-z][\w.-]{1,63})\b"), "secret"),
]
PLACEHOLDER = {"ip": "ipaddr", "arn": "principalarn", "access_key": "accesskeyid", "finding_type": "findingtype",
               "event": "eventname", "error_code": "errorcodename", "user": "username", "role": "rolename",
               "bucket": "bucketname", "secret": "secretname", "policy": "policyname", "port": "portnumber",
               "account": "accountnumber", "resource_id": "resourceid", "region": "regionname", "parameter": "parameterpath",
               "service_host": "servicehost", "name": "username", "unknown": "unknownname", "trail": "trailname",
               "bare_name": "username"}


@dataclass
class Mention:
    kind: str  # a key of PLACEHOLDER
    value: str
    words: str  # as typed in the question
    direction: str = "any"  # IPs and ports: from | to | any
    placed: bool = False
    negated: bool = False  # "not from 10.0.0.5", "users other than bob", "excluding AssumeRole"
    target: bool = False  # a role named as what is acted on ("for the X role", "into X"), not who acts
    before: str = ""  # the words just before it, lower-cased (who acts, or what is acted on)
    typed: bool = True  # False for a bare name the question did not call a user, role or bucket
    after: str = ""  # the words just after it, lower-cased ("lena.garcia touched": the one acting)


@dataclass
class Mentions:
    items: list[Mention] = field(default_factory=list)
    text: str = ""  # lower-cased question, mentions replaced by placeholders
    compared: bool = False  # "A vs B": one count per value, never their sum

    def of(self, *kinds: str) -> list[Mention]:
        return [m for m in self.items if m.kind in kinds]

    def unplaced(self) -> list[Mention]:
        return [m for m in self.items if not m.placed]


# Verbs and adjectives that follow "user"/"role" in a question ("which user made the most calls"):
# read as a name they would filter on a user nobody has — a wrong answer, not a refusal.
ENGLISH = {
    "made", "make", "makes", "come", "came", "comes", "go", "went", "had", "has", "have", "did", "does", "do", "is",
    "was", "were", "are", "be", "been", "got", "get", "gets", "ran", "run", "runs", "sent", "send", "saw", "see",
    "logs", "sign", "signs", "signed", "took", "take", "takes", "gave", "give", "tried", "try", "tries", "can",
    "could", "would", "should", "will", "may", "might", "must", "account", "accounts", "activity", "names", "name",
    "agent", "agents", "with", "without", "who", "whose", "that", "which", "most", "least", "more", "less", "than",
    "count", "counts", "list", "lists", "listing", "creation", "deletion", "changes", "ever", "never", "not", "no",
    "other", "others", "another", "only", "also", "still", "all", "any", "each", "every", "per", "by", "in", "on",
    "accessed", "created", "deleted", "logged", "attempted", "failed", "used", "called", "changed",
    "modified", "attached", "launched", "triggered", "generated", "performed", "invoked", "touched", "opened",
    "connected", "downloaded", "uploaded", "requested", "read", "having", "doing", "making", "using", "calling",
    "accessing", "running", "trying", "getting", "sending", "reading", "pulled", "fetched", "retrieved", "hit",
    "hits", "work", "worked", "through", "via", "there", "here", "now", "then", "today", "yesterday",
    "writes", "downloads", "uploads", "deletes", "deletions", "creations", "failures", "denials", "puts", "logons",
    # a judgement of the user ("is that user bad?"), never a name: the logs hold no verdict, the question names nobody
    "bad", "good", "malicious", "compromised", "suspicious", "safe", "legit", "legitimate", "normal", "okay", "risky",
    "dangerous", "evil", "hacked", "infected", "clean", "trusted", "trustworthy", "sketchy", "shady", "fishy", "rogue",
    "hostile", "benign", "harmless", "really", "actually",
}


def _english(word: str) -> bool:
    """A plain English word rather than a name: never taken as a user, role, bucket or secret."""
    from workbench.nl.offline.neutral import NEUTRAL  # neutral.py reads this module's placeholders

    low = word.lower()
    return low in NOT_NAMES or low in COMMON_WORDS or low in ENGLISH or low in NEUTRAL


# The value a negation word stands before: "except (for) bob", "not from 10.0.0.5", "other than the user bob",
# "the source is not a 10.x address".
NEGATION = re.compile(r"\b(not|except(?: for)?|excluding|exclude|other than|besides|apart from|aside from|but not|"
                      r"ignoring|ignore|minus|without|leaving out|leave out|omitting|omit|(?<=\banywhere )but|(?<=\banyone )but|(?<=\banybody )but|"
                      r"(?<=\beveryone )but|(?<=\beverybody )but|(?<=\banything )but|(?<=\beverything )but)\s+"
                      r"(?:(?:from|by|to|for|the|a|an|user|users|ip|ips|address|role|calls? to|events? from|port|account|src|source|dst|dest|"
                      r"region|bucket|named|ones?|those|that|coming|came|made|sent|on|at|via|over|in)\s+){0,3}$", re.IGNORECASE)
# "the X user was created", "X got deleted": the name is what the call acted on, not who acted
_PASSIVE_TARGET = re.compile(r"\s*(?:user\s+(?:(?:was|were|got|gets?|has been|had been|is)\s+)?|"
                             r"(?:was|were|got|gets?|has been|had been)\s+)(?:created|deleted|removed)\b")


class _Reader:
    def __init__(self, question: str) -> None:
        self.text = question
        self.found: list[Mention] = []
        self.compared = False  # two values set against each other ("A vs B")

    def take(self, pattern: re.Pattern[str], kind: str | None, group: int = 1,
             classify: object = None) -> None:
        out, last = [], 0
        for match in pattern.finditer(self.text):
            value = match.group(group) or ""
            if group and not value:
                continue
            start, end = match.span(group) if group else match.span()
            chosen = classify(value, self.text[:start], self.text[end:]) if callable(classify) else kind
            if chosen is None:
                continue
            piece = self.text[last:start]
            if chosen != "keep":
                direction = (side_of(self.text[:start], self.text[end:], value)
                             if chosen in {"ip", "port", "service_host", "resource_id"} else "any")
                previous = self.found[-1] if self.found else None
                listed = previous is not None and previous.kind == chosen and re.fullmatch(
                    r"\s*(?:,\s*)?(?:or|and|&|/|,|nor|vs\.?|versus|against)?\s*", piece) is not None
                if listed and (versus := re.search(r"\b(?:vs\.?|versus|against)(?=\s)", piece)):
                    # "from A vs B": both values, one count each (conventions.per_value groups them)
                    piece = piece[:versus.start()] + " " * len(versus.group(0)) + piece[versus.end():]
                    self.compared = True
                if direction == "any" and listed:
                    direction = previous.direction  # "from 203.0.113.77 or 198.51.100.149": both from
                elif listed and previous.direction == "any" and chosen in {"ip", "port"}:
                    previous.direction = direction  # "did 68.62.167.181 or 69.56.160.124 connect": both sent
                # "anywhere outside us-east-1": every region but that one
                negation = NEGATION.search(piece) or (re.search(
                    r"\b(outside(?: of)?)\s+(?:the\s+)?(?:region\s+)?$", piece, re.IGNORECASE) if chosen == "region" else None)
                if listed and previous.negated and negation is None:
                    # "not made by lena.garcia or terraform-runner-aed5": neither one
                    negation = re.search(r"(\s*)$", piece)
                target = re.search(r"\b(?:for|into|to|of|assum\w*)\s+(?:the\s+|a\s+|an\s+)?(?:role\s+)?$", piece.lower()) \
                    or ASSUMED_EXCEPT.search(self.text[:start].lower()) \
                    or re.match(rf"\s*(?:role\s+)?{ASSUMED}", self.text[end:].lower()) \
                    or _PASSIVE_TARGET.match(self.text[end:].lower()) or re.search(
                        r"\b(?:creat\w*|delet\w*|remov\w*)\s+(?:the\s+|a\s+|an\s+)?(?:iam\s+)?(?:user|role)\s+$", piece.lower()) or (
                        re.search(r"\b(?:was|were|is|got)\s+(?:the\s+)?(?:user\s+)?$", piece.lower())
                        and re.match(r"\s*(?:user\s+)?(?:created|deleted|removed|made)\b", self.text[end:].lower()))
                self.found.append(Mention(chosen, value, self.text[start:end], direction, negated=negation is not None,
                                          target=target is not None, before=self.text[max(0, start - 30):start].lower(),
                                          after=self.text[end:end + 30].lower()))
                if negation:  # the word is read into the filter: blank it so it is not read twice
                    piece = piece[:negation.start(1)] + "_" * len(negation.group(1)) + piece[negation.end(1):]
            out.append(piece)
            out.append(value if chosen == "keep" else f" {PLACEHOLDER[chosen]} ")
            last = end
        out.append(self.text[last:])
        self.text = "".join(out)


THREAT_PURPOSES = {"UnauthorizedAccess", "CryptoCurrency", "PrivilegeEscalation", "DefenseEvasion", "InitialAccess",
                   "PenTest", "CredentialAccess", "Backdoor", "Behavior", "Discovery", "Execution", "Exfiltration",
                   "Impact", "Persistence", "Policy", "Recon", "Stealth", "Trojan"}


def _camel(value: str, before: str, after: str) -> str | None:
    if value in NOT_EVENTS or value in THREAT_PURPOSES or value.lower() in IDENTITY_TYPE_NAMES:
        return "keep"  # a GuardDuty threat purpose: read as a finding family
    if value in ERROR_CODES:
        return "error_code"
    if value in FAMILY_STARTS:
        return "finding_type"
    if re.fullmatch(r"AWSReservedSSO_\w+|AWSServiceRoleFor\w+", value):
        return "role"  # Identity Center's and AWS services' own role names, as the session issuer writes them
    if re.match(r"^\s*(?:(?:(?:sso\s+)?permission set\s+|sso\s+)?(?:roles?|sessions?)|(?:sso\s+)?permission sets?)\b", after.lower()):
        return "role"  # "the AdministratorAccess role": an SSO permission set's role
    if value in KNOWN_POLICIES or re.match(r"^\s*(?:managed\s+)?polic(?:y|ies)\b", after.lower()):
        return "policy"
    if re.match(r"(?:" + "|".join(EVENT_VERBS) + r")(?=[A-Z0-9]|$)", value):
        return "event"
    return "unknown"


# English prefixes written with a hyphen ("non-aws", "cross-account"): a word, never a part of a name
_PREFIXES = {"non", "anti", "pre", "post", "re", "multi", "cross", "self", "sub", "un", "de", "co", "mis", "over",
             "under", "semi", "inter", "intra", "third", "party", "high", "low", "read", "write", "well", "known",
             "medium", "critical", "unprotected", "sev"}  # "high-sev", "unprotected-port": descriptions
# English suffixes that make a compound modifier ("admin-level", "org-wide", "prod-facing"): a description,
# never a resource's name; left as words, which are read or refused
_SUFFIXES = {"level", "wide", "like", "based", "related", "style", "ish", "facing", "grade", "type", "scoped"}


def _named(value: str, before: str, after: str) -> str | None:
    low = value.lower()
    if low in NOT_NAMES or low in SERVICES or re.fullmatch(r"\d[\d.:-]*|top-?\d+|\d+[a-z]{1,2}", low):
        return None
    if re.fullmatch(r"[a-z]+-[a-z]+", low) and low.split("-")[1] in _SUFFIXES:
        return None
    before_low, after_low = before.lower(), after.lower()
    for kind, pattern in _KIND_BEFORE.items():
        if pattern.search(before_low):
            if kind == "bucket" and ACTOR_VERB.match(after_low):
                return "name"  # "the buckets lena.garcia touched": she acted; decided with the rest of the question
            return kind
    for kind, pattern in _KIND_AFTER.items():
        if pattern.match(after_low):
            return kind
    if re.search(r"\bassum\w*\s+(?:the\s+)?$", before_low) or re.match(rf"\s*{ASSUMED}", after_low) \
            or ASSUMED_EXCEPT.search(before_low):
        return "role"  # "who assumed billing-lambda", "how many times was billing-lambda assumed"
    if re.search(r"(?:^|[-_.])(?:trail|cloudtrail)(?:$|[-_.])", low):
        return "trail"  # "tyrell-dev-trail": trails are named for what they are
    if "-" in low and all(_english(part) or part in _PREFIXES for part in low.split("-")):
        return None  # "non-aws", "read-only", "cross-account": words joined, not a name (the words are read)
    return "name"  # a user unless the question is about buckets (decided once the vocabulary is read)


def _quoted(value: str, before: str, after: str) -> str | None:
    inner = value.strip()
    if not inner or inner.lower() in PLACEHOLDER.values() or re.search(r"\s", inner):
        return "keep"  # a quoted phrase is read as words; a quoted placeholder was already taken
    return _camel(inner, before, after) if CAMEL.fullmatch(inner) else _named(inner, before, after) or "keep"


def extract(question: str) -> Mentions:
    if re.search(r"[A-Z]", question) and not re.search(r"[a-z]", question):
        question = question.lower()  # "SHOW FAILED LOGINS FOR HEIDI.SMITH": caps lock, not CamelCase
    # "assumerole calls", "stopLogging on the trail": an API name typed in lower (or lower camel) case is still that call
    known = known_events()
    question = re.sub(r"(?<![\w.@/-])([a-z][a-zA-Z]{7,})(?![\w.@/-])", lambda m: known.get(m.group(1).lower(), m.group(1)),
                      question)
    # "failed ConsoleLogins", "AssumeRoles yesterday": a known call in the plural is that call, never a name of its own
    question = re.sub(r"(?<![\w.@/-])([A-Z][A-Za-z0-9]{5,})s(?![\w.@/-])", lambda m: m.group(1) if known.get(
        m.group(1).lower()) == m.group(1) and m.group(0).lower() not in known else m.group(0), question)
    # "kms decrypt calls": the one-word call names CloudTrail writes capitalised
    question = re.sub(r"\b(?<=kms )(decrypt|encrypt)\b|\b(decrypt|encrypt)\b(?=\s+(?:calls?|events?|requests?|api))",
                      lambda m: (m.group(1) or m.group(2)).title(), question)
    # shorthand with a slash would read as a secret path; "0.0.0.0/0" is the whole internet
    question = re.sub(r"(?<![\w/])w/o(?:ut)?(?![\w/])", "without", question, flags=re.IGNORECASE)
    question = re.sub(r"(?<![\w/])w/(?=\s)", "with", question, flags=re.IGNORECASE)
    question = re.sub(r"(?<![\w.:/])(?:0\.0\.0\.0/0|::/0)(?![\w/])", "the world", question)
    reader = _Reader(question)
    reader.take(ARN, "arn", group=0)
    reader.take(FINDING_TYPE, "finding_type")
    reader.take(FINDING_TAIL, "finding_type")
    reader.take(ACCESS_KEY, "access_key")
    reader.take(IP, "ip", group=0)
    reader.take(SERVICE_HOST, "service_host")
    reader.take(RESOURCE_ID, "resource_id")
    reader.take(ACCOUNT, "account")
    reader.take(REGION, "region")
    reader.take(PREFIXED_ERROR, "error_code")  # "Client.UnauthorizedOperation": EC2 writes its codes so
    reader.take(EVENT_PREFIX, None, group=0, classify=lambda v, b, a: "event")
    reader.take(QUOTED, None, classify=_quoted)
    reader.take(CAMEL, None, classify=_camel)
    reader.take(SINGLE_EVENT, "event")
    reader.take(PARAMETER_PATH, "parameter")
    reader.take(SECRET_PATH, None, classify=secret_path)
    reader.take(NAME, None, classify=_named)
    for pattern, kind in _KEYWORD_NAMES:  # "the bucket readers", "role holders": who or what acts, never a name
        reader.take(pattern, None, classify=lambda v, b, a, k=kind: None if _english(v) or re.fullmatch(
            r"[a-z]+(?:ers|ors|ing|ings)", v) else k)
    # "user bob" says the value is an IAM user name; "what did bob do" names a person by one word, which
    # may be part of several identities (bob.byrne, bob.dubois@…): refused as ambiguous, never guessed
    for pattern, kind in zip(_PLAIN_USER, ("user", "bare_name"), strict=True):
        reader.take(pattern, None, classify=lambda v, b, a, k=kind: None if _english(v) else k)
    _ports(reader)
    _bare_ports(reader)
    text = re.sub(r"[?!,;()]", " ", reader.text.lower())
    return Mentions(reader.found, re.sub(r"\s+", " ", text).strip(), reader.compared)


_UNITS = r"(?:calls?|events?|times|bytes|b|kb|mb|gb|packets|flows?|findings?|minutes?|mins?|hours?|hrs?|days?|weeks?|" \
         r"errors?|requests?|logins?|attempts?|connections?|%|percent|am|pm|utc|rows?|results?|users?|ips?)"
_SERVICE_PORT = re.compile(r"\b(ssh|rdp|telnet|https?|smb|mysql|postgres(?:ql)?|redis|vnc|elasticsearch|mssql|mongodb|"
                           r"ftp|smtp)(\s+\w+)?\s*(?:\(\s*(\d{2,5})\s*\)|(?<!\w)(\d{2,5})\b)")
# "database ports (1433, 3306)", "the web server (8080)": numbers alone in brackets after a noun are the ports it
# names; a year in brackets is not one, nor a count with its unit ("(5 calls)")
_BRACKETED_PORTS = re.compile(r"(?<=[a-z])\s*\(\s*((?!(?:19|20)\d\d\b)\d{2,5}(?:\s*(?:,|or|and|/)\s*"
                              r"(?!(?:19|20)\d\d\b)\d{2,5})*)\s*\)")
_ON_PORT = re.compile(rf"\b(?:on|via|over|to|at|hitting)\s+\(?(\d{{2,5}})\)?(?![\d:.,/-])(?!\s*{_UNITS}\b)")


def _bare_ports(reader: _Reader) -> None:
    """'mysql traffic (3306)', 'postgres 5432 flows', 'destinations on 443': a port written without the word."""
    def service(match: re.Match[str]) -> str:
        number = match.group(3) or match.group(4)
        if int(number) > 65535 or match.group(2) and not match.group(3):
            return match.group(0)  # "ssh traffic 22" is not a port written beside its name
        reader.found.append(Mention("port", number, number, "to"))
        return f"{match.group(1)}{match.group(2) or ''} port portnumber "
    reader.text = _SERVICE_PORT.sub(service, reader.text)

    def bare(match: re.Match[str]) -> str:
        if int(match.group(1)) > 65535:
            return match.group(0)
        reader.found.append(Mention("port", match.group(1), match.group(1), "to"))
        return " to port portnumber "
    reader.text = _ON_PORT.sub(bare, reader.text)

    def bracketed(match: re.Match[str]) -> str:
        numbers = re.findall(r"\d+", match.group(1))
        if any(int(n) > 65535 for n in numbers):
            return match.group(0)
        reader.found.extend(Mention("port", n, n, "to") for n in numbers)
        return " port portnumber "
    reader.text = _BRACKETED_PORTS.sub(bracketed, reader.text)
    # "database ports (1433, 3306)", "our db (5432)": the kind of service only names the ports just read
    reader.text = re.sub(r"\b(?:databases?|db|web|mail)(?:\s+(?:servers?|hosts?))?(?=\s+port portnumber\b)",
                         lambda m: " " * len(m.group(0)), reader.text)


def _ports(reader: _Reader) -> None:
    out, last = [], 0
    for match in PORTS.finditer(reader.text):
        side = (match.group(1) or "").lower()
        direction = "from" if side in {"source", "src", "local"} else "to"
        piece = reader.text[last:match.start()]
        negation = NEGATION.search(piece)
        if negation:
            piece = piece[:negation.start(1)] + " " * len(negation.group(1)) + piece[negation.end(1):]
        for number in re.findall(r"\d{1,5}", match.group(2)):
            if int(number) <= 65535:
                reader.found.append(Mention("port", number, f"port {number}", direction, negated=negation is not None))
        out.append(piece)
        out.append(f" {'source ' if direction == 'from' else ''}port portnumber ")
        last = match.end()
    out.append(reader.text[last:])
    reader.text = "".join(out)
