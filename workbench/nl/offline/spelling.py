"""Close misspellings of the translator's own vocabulary, corrected before reading ("faild logins").

The vocabulary is every word the rules are written with (the string literals of the offline
modules: regex patterns, phrase tables, dimension names) plus the neutral words. A word outside
it is replaced by the one vocabulary word within one edit (a letter dropped, added, changed, or
two neighbours swapped; two edits for long words) — only when exactly one word is that close, so
an ambiguous typo stays as typed and, if it matters, is refused rather than guessed.

Never corrected: names, numbers, anything with a dot, dash, @ or slash, a word the question
calls a user/role/bucket by ("user stoped" stays a user called `stoped`), words of three letters
or fewer (except a swap of two letters: "prot" → "port"), and a word that is a vocabulary word
with a prefix added or removed ("unsuccessful" is never "successful", "nonexistent" never "existent").
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

from workbench.nl.offline.mentions import PLACEHOLDER

TERMS = (
    "accepted", "activity", "addresses", "address", "assumed", "assumptions", "attached", "attempts", "blocked",
    "buckets", "changes", "cloudtrail", "connections", "console", "created", "credential", "credentials",
    "deleted", "denied", "destination", "destinations", "disabled", "distinct", "earliest", "errors", "escalation",
    "events", "failed", "failures", "finding", "findings", "guardduty", "logging", "logins", "modified",
    "network", "packets", "policies", "policy", "principal", "principals", "privilege", "privileges", "public",
    "recent", "regions", "rejected", "resource", "sessions", "secrets", "security", "service", "services",
    "severity", "signin", "source", "sources", "stopped", "successful", "talkers", "tampering", "traffic",
    "unauthorized", "unique", "users", "without", "yesterday", "accessdenied", "highest", "largest", "daily",
    "hourly", "minutes", "hours", "count", "number", "ports", "instances", "launched", "removed", "exposure",
    "unsuccessful", "successfully", "alerts", "originating", "yesterday's", "connection", "requests", "request", "between", "through",
)
# Shorthand analysts type in a notebook cell, expanded before reading ("gd findings by day").
ABBREVIATIONS = {
    "gd": "guardduty", "ct": "cloudtrail", "hw": "how", "hm": "how many", "src": "source", "dst": "destination",
    "dest": "destination", "evts": "events", "evt": "event", "acct": "account", "accts": "accounts",
    "pkts": "packets", "packet": "packets", "byte": "bytes", "conn": "connection", "conns": "connections", "num": "number", "cnt": "count",
    "yday": "yesterday", "ystrday": "yesterday", "ystrdy": "yesterday", "ystdy": "yesterday", "ystday": "yesterday",
    "yest": "yesterday", "nr": "number", "nbr": "number", "diff": "different", "w/o": "without", "w/out": "without",
    "sg": "security group", "sgs": "security groups", "svc": "service",
    "svcs": "services", "addr": "address", "addrs": "addresses", "usr": "user", "usrs": "users", "err": "error",
    "errs": "errors", "req": "request", "reqs": "requests", "mins": "minutes", "hrs": "hours", "secs": "seconds",
    "b/w": "between", "thru": "through", "pls": "please", "plz": "please", "u": "you",
    "ppl": "people", "info": "information", "sev": "severity", "crit": "critical", "wat": "what", "wht": "what",
    "incl": "including", "teh": "the", "hte": "the", "eventnames": "event names", "errorcodes": "error codes",
    "param": "parameter", "params": "parameters",
}
# Words and phrases with one reading the rules already know, rewritten to it after the names are taken out
SYNONYMS: tuple[tuple[str, str], ...] = (
    (r"\balerts\b", "findings"), (r"\balert\b", "finding"),
    (r"\bremote desktop\b", "rdp"),
    # "which access key ids", "instance ids in the findings": the ids are the things, as the bare plural asks
    (r"\b((?:which|what|distinct|unique|different|per|by|each)\s+(?:\w+\s+)?(?:access key|instance|detector|flow log|"
     r"key pair))\s+ids\b", r"\1s"),
    # "svc-reporting's access key id(s)", "access key ids used by X": the id is the key, as the value reads
    (r"\baccess key ids?\s*\(s\)", "access keys"), (r"\baccess key ids\b", "access keys"),
    (r"\baccess key id\b(?!\s+(?:is|was|were|are)\b)", "access key"),
    # "s3 deletes in the last 6h": the service's delete calls, as "s3 delete calls" reads (dev19 v144)
    (r"\b(s3|iam|ec2|kms|lambda)\s+deletes\b", r"\1 delete calls"),
    # "when did 192.0.2.23 first download something": what is downloaded from the lake's logs is an S3 object (GetObject)
    (r"\b(download(?:s|ed|ing)?)\s+(?:something|anything)\b", r"\1 objects"),
    # "every call signed with access key AKIA…": a call is signed with the key it was made with
    (r"\b(calls?|events?|requests?|activity|actions?)\s+signed\s+(?=(?:with|using|by)\b)", r"\1 made "),
    # "first & last failed console login from X": the ampersand is the "and" of the pair of times
    (r"\b(first|earliest)\s*&\s*(last|latest|most recent)\b", r"\1 and \2"),
    # "distinct useragent strings": the user agent is a string, the column itself
    (r"\b(user ?agent)\s+strings\b", r"\1s"), (r"\b(user ?agent)\s+string\b", r"\1"),
    (r"\bs3 (?:object )?keys\b", "object keys"),  # an S3 key names an object, never an access key
    # "which users got new access keys": the users the keys were made for (the request's userName), not the makers
    (r"\b(?:which|what) (users?|people) (?:got|received|were given|have been given|were issued|obtained)\s+(?:an?\s+|any\s+)?"
     r"(?:new\s+|fresh\s+)?(access keys?|mfa devices?)\b", r"new \2 for which \1"),
    # "hwo many": one swap from both "how" and "who", but only "how" goes before "many"/"much"/"often"
    (r"\b(?:hwo|ohw|hmo)\s+(?=(?:many|much|often|long)\b)", "how "),
    # "with the highest call volume", "the highest number of calls": the ranking word the rules read, "most"
    (r"\b(?:highest|largest|greatest|biggest)\s+(?:api\s+)?(?:call\s+(?:volume|count)|volume of (?:api\s+)?calls)\b",
     "most calls"),
    (r"\b(?:highest|largest|greatest|biggest)\s+(?:number|count)\s+of\b", "most"),
    # "the subnet with the highest total bytes": the sum ranked, as "with the most bytes" reads it
    (r"(?<=\bwith the )(?:highest|largest|greatest|biggest)\s+total\s+(?=(?:bytes|packets)\b)", "most "),
    (r"\b(?:lowest|smallest)\s+(?:number|count)\s+of\b", "fewest"),
    # "which source talked to the most distinct destination ports": ranked by how many distinct values, one
    # grouping (dev34 aj052), as "the most number of distinct" reads; never a top over both columns
    (r"\b(most|fewest)\s+(?=(?:distinct|different|unique)\s)", r"\1 number of "),
    # "3 iam users with the most calls": a bare count before the ranked noun, as "the 3 iam users …"
    (r"^\s*(\d+)\s+(?=(?:[a-z][\w-]*\s+){1,3}(?:with|having|that|who)\s+(?:\w+\s+){0,2}?the\s+(?:most|fewest|least)\b)",
     r"the \1 "),
    # "least used 3 event sources": the count after the ranking words, as "the 3 least used" reads
    (r"\b(most|least)\s+(used|called|active|common|frequent|seen|busy)\s+(\d+)\s+(?=[a-z])", r"\3 \1 \2 "),
    (r"\b(?:the\s+)?(?:full|complete|entire|whole)\s+(list|listing)\b", r"\1"),  # a listing is every row already
    (r"\b(findings?)\s+(?:land|landed|lands|arrive|arrived|arrives|come in|came in|comes in|fire|fired|fires)\b",
     r"\1 appear"),  # "when did the first X finding land": when it showed up
    # "instance ids named in guardduty findings": the ones the findings carry, as "in the findings" reads; so with the
    # findings described ("named in high-severity findings", dev28 ad188)
    (r"\b(?:named|mentioned|referenced|listed|cited|appearing|that appear)\s+in\s+(?=(?:the\s+|any\s+)?(?:guard ?duty\s+)?"
     r"(?:[\w:/.-]+\s+){0,3}?(?:findings?|alerts?)\b)", "in "),
    (r"\b(?:i|we)\s+(?:just\s+|only\s+)?(?:need|want|would like)\s+(?:the|their|its)\s+", "just the "),  # "… I need the ids"
    (r"(?<!\bto )\bnewest\b(?!\s+(?:to|first|last|on top|at)\b)", "latest"),  # never an order ("oldest to newest")
    # a finding's time is its last update: "the most recently updated finding" is the most recent one
    (r"\b(?:most\s+recently|last|latest)\s+updated\s+(?=(?:guard ?duty\s+)?findings?\b)", "most recent "),
    (r"\b(?:per|by|each|every)\s+calendar\s+(day|week|month|hour)\b", r"per \1"),  # a day is a calendar day
    (r"\bminted\b", "created"), (r"\bspun up\b", "launched"),
    # "which buckets did X put objects into": an object put is an upload, PutObject (dev31 ag077; "write to", "upload"
    # read so in dev12 o045, dev16 t105)
    (r"\bput\s+(?:any\s+|some\s+|the\s+|new\s+)?((?:s3\s+)?(?:objects?|files?))\s+(?=(?:into|in|to|on)\b)", r"upload \1 "),
    (r"\bcrypto[\s-]currenc(y|ies)\b", r"cryptocurrenc\1"),  # "any crypto currency findings?" (dev25 a065): one word
    # "brute-forced heidi.smith's console password": the password guessed at sign-in, not a login profile call
    (r"\b((?:brute[- ]?forc|password[- ]spray)\w*\b.*?)\s+(?:aws\s+)?(?:console\s+)?passwords?\b", r"\1"),
    (r"\bconsole passwords?\b", "login profile"),
    (r"\b(?:mfa-?less|no-mfa|non-mfa)\b", "without mfa"),
    # "logins where mfa wasn't used", "sign-ins that didn't use mfa": the MFA flag the phrases above read
    (r"\b(?:where|when|and)\s+(?:the\s+)?mfa\s+(?:wasn'?t|was\s+not|was\s+never|is\s+not|isn'?t)\s+used\b|"
     r"\b(?:that|which|who)\s+(?:didn'?t|did\s+not|never)\s+use[ds]?\s+mfa\b", "without mfa"),
    (r"\b(?:where|when|and)\s+(?:the\s+)?mfa\s+(?:was|is)\s+used\b|\b(?:that|which|who)\s+used\s+mfa\b", "with mfa"),
    (r"\b(source|destination)\s+ip\s+addresses\b", r"\1 ips"), (r"\b(source|destination)\s+ip\s+address\b", r"\1 ip"),
    (r"\bip\s+addresses\b", "ips"),
    (r"\bthe (?:whole|entire|open|public) (internet|world)\b", r"the \1"),
    (r"\b(?:opened|opening|opens|open)\s+(?=the world\b)", "opened to "),  # "opened 0.0.0.0/0"
    (r"\b(allowed|allowing|allows)\s+(?=the world\b)", r"\1 to "),
    # "who opened up tyrell-backups to the public": made it public, as the rules read it
    (r"\b(?:opened|exposed)\s+(?:up\s+)?(?:the\s+)?(?:s3\s+)?(?:bucket\s+)?(username|bucketname)(?:\s+bucket)?\s+(?:up\s+)?to\s+"
     r"(?:the\s+)?(?:public|internet|world)\b", r"made \1 public"),
    (r"\b(?:aws\s+)?(?:iam\s+)?(?:identity center|sso) (users?|identit(?:y|ies))\b(?!\s+username)",
     r"identity center \1"),
    (r"\b(?:aws\s+)?(?:iam\s+)?(?:identity center|sso) (?:users?|identit(?:y|ies))\s+(?=username)", ""),
    (r"(\busername\b.*?)\s+(?:via|through|over|using|with)\s+(?:aws\s+)?(?:identity center|sso)\b", r"\1"),
    (r"\bbreak(?:ing)?\s+down\b(?=.*\bby\b)", ""),
    # Identity Center permission sets are the AWSReservedSSO_<set>_<hash> roles its users act through
    (r"\b(?:aws\s+)?(?:identity center|sso)\s+permission\s+sets?\b|\bpermission\s+sets?\b", "sso roles"),
    (r"\b(?:no|without)\s+(?:dupes|dups|duplicates|repeats)\b|\bde-?duped\b", "distinct"),
    (r"\bweb[- ]identity(?:\s+federation)?\b|\boidc\b", "webidentity"),
    # a flow is recorded on its instance's own interface: the destination instance is the one of ingress flows
    (r"\bdestination\s+(instances?)\b", r"inbound \1"), (r"\bsource\s+(instances?)\b", r"outbound \1"),
    (r"\b(critical|high|medium|low)-sev\b", r"\1 severity"),
    (r"\b(?:source|src)\s*/\s*(?:destination|dst|dest)\b", "source and destination"),  # "high-sev": the abbreviation, hyphenated
    (r"\bunprotected[- ]port\s+(probes?|probing|scans?)\b", r"port \1"),  # GuardDuty's PortProbeUnprotectedPort
)
_SHORT = re.compile(r"(?<![\w.@/:-])(" + "|".join(re.escape(k) for k in sorted(ABBREVIATIONS, key=len, reverse=True))
                    + r")(?![\w.@/:-])")
# a colon or dot that ends the word ("cloudtral: count of events") is punctuation, one inside a token ("arn:aws",
# "heidi.smith") a name
_WORD = re.compile(r"(?<![\w.@/:'-])([a-z]{4,})(?![\w@/-]|[.:][\w@/-])")
# A name follows these words: never corrected ("user stoped", "role admin-ops", "bucket logz")
_NAMED = re.compile(r"\b(?:named|called)\s+$")
_ENDINGS = ("ed", "ing", "s", "es", "e", "er", "ers", "ion", "ions", "ation", "ations")
_PREFIXES = ("un", "non", "in", "im", "dis", "mis", "re", "de", "pre", "anti", "sub")
_MODULES = ("concepts", "reading", "outcomes", "conventions", "flows_findings", "shape", "dimensions", "measures",
            "thresholds", "vocab", "actions", "timephrases", "refusals", "mentions", "translator", "placement", "neutral",
            "accounting", "ambiguity", "directions", "siem", "normalise", "listing", "findingtypes",
            "useragents", "written", "columns", "rarecolumns")


def _words_of(source: str) -> tuple[set[str], set[str]]:
    """(the words of the module's non-docstring string literals, the words of its docstrings)."""
    tree = ast.parse(source)
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef) and node.body
            and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    used, prose = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            # a regex escape (\b, \w, \s, \d) is not a letter of the word beside it
            # a stem written open ("creat\w*", "tamper\w*") stands for its inflections
            stems = re.findall(r"([a-z]{4,})\\w[*+]", node.value)
            text = re.sub(r"\\[A-Za-z]", " ", node.value).lower()
            words = set(re.findall(r"[a-z]{3,}", text)) | {s + end for s in stems for end in _ENDINGS}
            (prose if id(node) in docs else used).update(words)
    return used, prose


@lru_cache(maxsize=1)
def vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """(words a typo may be corrected to, every word known as written)."""
    from workbench.nl.offline.neutral import NEUTRAL

    here = Path(__file__).parent
    targets: set[str] = {*TERMS, *ABBREVIATIONS.values(), *(w for w in NEUTRAL if len(w) >= 3)}
    known: set[str] = set(targets)
    for name in _MODULES:
        used, prose = _words_of((here / f"{name}.py").read_text())
        targets |= used
        known |= used | prose
    # the words this module rewrites itself ("no dupes", "spun up") are known as typed
    for pattern, _ in SYNONYMS:
        known |= set(re.findall(r"[a-z]{3,}", re.sub(r"\\[A-Za-z]", " ", pattern)))
    known |= {k for k in ABBREVIATIONS if k.isalpha()}
    return frozenset(targets), frozenset(known)


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of neighbours is one edit), or limit + 1 when over it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _affixed(word: str, other: str) -> bool:
    """'unsuccessful' / 'successful': one is the other with a prefix — a different word, not a typo."""
    long, short = (word, other) if len(word) > len(other) else (other, word)
    return any(long == p + short for p in _PREFIXES)


@lru_cache(maxsize=1)
def _by_initial() -> dict[str, tuple[str, ...]]:
    targets, _ = vocabulary()
    index: dict[str, list[str]] = {}
    for word in targets:
        index.setdefault(word[0], []).append(word)
    return {k: tuple(v) for k, v in index.items()}


def _subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return len(long) > len(short) and all(c in letters for c in short)


def _same_word(forms: list[str]) -> bool:
    """'fail', 'fails', 'failed': forms of one word (a shared stem of four letters or more)."""
    stem = forms[0]
    for form in forms[1:]:
        while not form.startswith(stem):
            stem = stem[:-1]
    return len(stem) >= 4


@lru_cache(maxsize=8192)
def closest(word: str) -> str:
    """The vocabulary word a misspelt word stands for, or the word unchanged."""
    _, known = vocabulary()
    if word in known or word.rstrip("s") in known or len(word) < 4:
        return word
    limit = 2 if len(word) >= 9 else 1
    best: list[str] = []
    best_distance = limit + 1
    index = _by_initial()
    # a typo keeps the first letter, or swaps it with the second
    pool = {*index.get(word[0], ()), *(w for w in index.get(word[1], ()) if w[1:2] == word[0])}
    for candidate in pool:
        if abs(len(candidate) - len(word)) > limit:
            continue
        distance = _distance(word, candidate, limit)
        if distance < best_distance:
            best, best_distance = [candidate], distance
        elif distance == best_distance:
            best.append(candidate)
    if len(best) > 1 and len(dropped := [w for w in best if _subsequence(word, w)]) == 1:
        best = dropped  # "logns": a letter left out of "logins" is the likelier slip than a letter changed
    if len(best) > 1 and _same_word(best):
        # "faild": failed, fails or fail — the form that ends as typed, else the one with the dropped letter
        best = [max(best, key=lambda w: (w[-1] == word[-1], len(w) > len(word), -abs(len(w) - len(word))))]
    if len(best) != 1 or _affixed(word, best[0]) or len(word) == 4 and sorted(word) != sorted(best[0]):
        return word  # none, or two different words equally close: which one is a guess
    return best[0]


def correct(text: str) -> str:
    """The lower-cased text with abbreviations expanded and close misspellings of vocabulary words replaced."""
    text = _SHORT.sub(lambda m: ABBREVIATIONS[m.group(1)], text)
    for pattern, replacement in SYNONYMS:
        text = re.sub(pattern, replacement, text)
    # names were taken out before this runs; "named X" / "called X" may still hold one typed loosely
    return _WORD.sub(lambda m: m.group(1) if _NAMED.search(text[:m.start()]) else _not_a_placeholder(m.group(1)), text)


def _not_a_placeholder(word: str) -> str:
    """The correction, unless it is a placeholder a named value became ('eventname'): then the typo stays, unread."""
    fixed = closest(word)
    return word if fixed != word and fixed in _PLACEHOLDERS else fixed


# A name may follow these words: never corrected before the names are read ("user stoped", "role admin")
_PLACEHOLDERS = frozenset(PLACEHOLDER.values())
_KIND_BEFORE = re.compile(r"\b(?:named|called|users?|roles?|buckets?|secrets?|trails?|principals?|identit(?:y|ies)|"
                          r"accounts?|parameters?|keys?|groups?|polic(?:y|ies)|profiles?|functions?|by|for)\s+$",
                          re.IGNORECASE)


def correct_typed(question: str) -> str:
    """The question as typed, with close misspellings of plain lower-case words fixed before names are read: a
    typo beside a name decides how the name is read ("did X tuoch Y", "anyhwere but 10.0.0.5", "bucket polciy
    changes"). Case, names and values are kept; only whole lower-case words of four letters or more change."""
    def fix(match: re.Match[str]) -> str:
        fixed = closest(match.group(1))
        if _KIND_BEFORE.search(question[:match.start()]) and fixed not in _AFTER_KIND:
            return match.group(1)  # a name, as typed
        # "by eevntname": a column typed as one word is spaced, or it would read as a value's placeholder
        return _SPACED.get(fixed, fixed) if fixed != match.group(1) else fixed

    return _WORD.sub(fix, question)


# The words that follow a kind word in a phrase ("bucket policy", "role assumptions"): a typo of one is that word
_AFTER_KIND = frozenset({"policy", "policies", "assumptions", "assumption", "activity", "activities", "agent", "agents",
                         "changes", "change", "names", "name", "creation", "deletion", "sessions", "session", "types",
                         "type", "calls", "events", "logins", "errors", "access", "acls", "permissions", "chaining",
                         "public", "private", "exposed", "opened", "deleted", "created", "changed", "modified",
                         "eventname", "eventnames", "username", "usernames", "eventsource", "region", "regions",
                         "service", "services", "errorcode", "principal", "principals", "caller", "callers", "actor"})
_SPACED = {"eventname": "event name", "eventnames": "event names", "username": "user name", "usernames": "user names",
           "rolename": "role name", "bucketname": "bucket name", "eventsource": "event source"}

