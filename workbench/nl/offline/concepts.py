"""What analysts ask about CloudTrail, in their words → filters: root use, privilege escalation, logging
tampering, credential access, public exposure, MFA changes, role chains, identity types, object reads
and writes, named groups of calls. Console sign-ins and call outcomes are in outcomes.py, VPC flows'
and GuardDuty's vocabulary in flows_findings.py.

Each rule reads the working text (mentions already replaced by placeholders), adds filters tied
to the words it read, and blanks those words so no later rule reads them twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlglot import exp

from workbench.nl.base import TranslationError
from workbench.nl.intent import any_of, contains, eq, like
from workbench.nl.offline.actions import passwords_changed, verb_object_events, verb_object_lists
from workbench.nl.offline.outcomes import console_logins
from workbench.nl.offline.reading import Reading, event_filter, opens_request
from workbench.nl.offline.trails import trail_concepts
from workbench.nl.offline.vocab import (
    CREDENTIAL_ACCESS,
    EVENT_GROUPS,
    IDENTITY_TYPE_NAMES,
    LOGGING_TAMPERING,
    MFA_CHANGES,
    POLICY_GRANTS,
    PRIVILEGE_ESCALATION,
    PUBLIC_EXPOSURE,
    WELL_KNOWN_PORTS,
)


def _cloudtrail_rules() -> list[tuple[str, str, Callable[[Reading, str], None]]]:
    def events(names: tuple[str, ...], description: str) -> Callable[[Reading, str], None]:
        return lambda reading, words: reading.add(event_filter(names), words, description, description)

    def root(reading: Reading, words: str) -> None:
        reading.add(eq("useridentity.type", "Root"), words, "by the account root user", "root")

    def role_chain(reading: Reading, words: str) -> None:
        reading.add(event_filter(("AssumeRole",)), words, "role assumptions", "assume-role chain")
        reading.add(eq("useridentity.type", "AssumedRole"), words, "made from an already assumed role")

    def open_world(reading: Reading, words: str) -> None:
        reading.add(event_filter(("AuthorizeSecurityGroupIngress",)), words, "security group ingress opened",
                    "public exposure")
        reading.add(contains("requestparameters", "0.0.0.0/0"), words, "to 0.0.0.0/0")
        for name, port in WELL_KNOWN_PORTS.items():
            if re.search(rf"\b{name}\b", words):
                port_in_request(reading, port, name)

    def policy_grants(reading: Reading, words: str) -> None:
        # "policies attached to roles": the one kind of grantee named; "to which user" stays for the shape
        # "attached to users or roles": each kind named, never the first alone
        kinds = r"(?:iam\s+)?(?:roles?|users?|groups?)"
        grantee = reading.find(rf"\b(?:to|on)\s+(?:(an?|the|any|which|what)\s+)?({kinds}(?:\s*(?:,|or|and|/|&)\s*"
                               rf"(?:to\s+)?(?:an?\s+|the\s+|any\s+)?{kinds})*)\b")
        if grantee is None:
            reading.add(event_filter(POLICY_GRANTS), words, "policy grants", "policy grants")
            return
        found = list(dict.fromkeys(k.rstrip("s").title() for k in re.findall(r"roles?|users?|groups?", grantee.group(2))))
        inline = re.search(r"\b(?:put|inline)\b", words)
        names = tuple(f"Put{kind}Policy" if inline else f"Attach{kind}Policy" for kind in found)
        if grantee.group(1) not in {"which", "what"}:
            words = f"{words} {reading.consume(grantee)}"
        elif len(found) > 1:
            raise TranslationError(f"cannot list {grantee.group(0)!r} at once: ask for one kind of grantee, e.g. "
                                   "'policies attached to which users'")
        reading.add(event_filter(names), words, f"policies granted to {' or '.join(k.lower() + 's' for k in found)}",
                    "policy grants")

    def ssm_reads(reading: Reading, words: str) -> None:
        reading.add(event_filter(("GetParameter", "GetParameters")), words, "SSM parameter reads", "credential access")
        if match := reading.find(r"\bwith\s+decrypt\w*\b"):
            reading.add(eq("json_extract_scalar(requestparameters, '$.withDecryption')", "true"), reading.consume(match),
                        "decrypted")

    def public_exposure(reading: Reading, words: str) -> None:
        # a bucket policy or ACL, or a security group opened to 0.0.0.0/0
        opened = exp.and_(eq("eventname", "AuthorizeSecurityGroupIngress"), contains("requestparameters", "0.0.0.0/0"))
        # "public exposure on buckets": only the bucket grants; "… of security groups": only the opened groups
        if match := reading.find(r"\b(?:(?:on|of|for|to|in)\s+(?:the\s+|any\s+|our\s+)?)?(?:s3\s+)?(?:buckets?|bucketname|s3)\b"):
            reading.add(event_filter(PUBLIC_EXPOSURE), f"{words} {reading.consume(match)}", "public exposure of buckets",
                        "public exposure")
        elif match := reading.find(r"\b(?:(?:on|of|for|to|in)\s+(?:the\s+|any\s+|our\s+)?)?security groups?\b"):
            reading.add(exp.Paren(this=opened), f"{words} {reading.consume(match)}", "security groups opened to the world",
                        "public exposure")
        else:
            reading.add(any_of(event_filter(PUBLIC_EXPOSURE), exp.Paren(this=opened)), words, "public exposure",
                        "public exposure")

    def made_public(reading: Reading, words: str) -> None:
        # "were any buckets made public": the bucket grants; "was anything made public": every kind of exposure
        # the noun may stand inside the phrase itself: "made a bucket public", "made the security group public"
        buckets = r"\b(?:s3|buckets?|bucketname|acls?|bucket polic(?:y|ies))\b"
        if reading.buckets or reading.has(buckets) or re.search(buckets, words):
            reading.add(event_filter(PUBLIC_EXPOSURE), words, "bucket grants", "bucket grants")
        elif re.search(r"\b(?:security groups?|sgs?)\b", words):
            opened = exp.and_(eq("eventname", "AuthorizeSecurityGroupIngress"), contains("requestparameters", "0.0.0.0/0"))
            reading.add(exp.Paren(this=opened), words, "security groups opened to the world", "public exposure")
        elif groups := reading.find(r"\b(?:any\s+|the\s+|our\s+)?(?:security groups?|sgs?)\b"):
            opened = exp.and_(eq("eventname", "AuthorizeSecurityGroupIngress"), contains("requestparameters", "0.0.0.0/0"))
            reading.add(exp.Paren(this=opened), f"{reading.consume(groups)} {words}", "security groups opened to the world",
                        "public exposure")
        else:
            public_exposure(reading, words)

    return [
        (r"\b(?:any\s+|the\s+)?(?:tamper\w*|mess\w*) with (?:the\s+)?(?:logging|logs|audit logs|cloud ?trail|trails?)|"
         r"\blog(?:ging)? tampering\b|\bdefen[cs]e evasion\b|\bcover(?:ing)? (?:their|his|her) tracks\b|"
         r"\b(?:disabl\w*|(?:turn|switch)\w* off|blind\w*) (?:the\s+)?(?:logging|monitoring|defenders)\b",
         "", events(LOGGING_TAMPERING, "logging tampering")),
        (r"\b(?:(?:vpc\s+)?flow[- ]?logs?\s+(?:(?:was|were|being|been|got|is|has been|have been)\s+)?"
         r"(?:deleted|removed|disabled|(?:turn|switch)ed off|stopped|deletes?|deletions?)|(?:delet\w*|remov\w*|disabl\w*|stop\w*|(?:turn|switch)\w* off)\s+"
         r"(?:the\s+|any\s+|a\s+|our\s+)?(?:vpc\s+)?flow[- ]?logs?)\b", "", events(("DeleteFlowLogs",), "flow log deletion")),
        (r"\b(?:guard ?duty(?:\s+detectors?)?\s+(?:(?:was|were|being|been|got|is)\s+)?(?:deleted|removed|disabled|"
         r"(?:turn|switch)ed off|suspended|stopped)|(?:delet\w*|disabl\w*|(?:turn|switch)\w* off|suspend\w*|stop\w*)\s+(?:the\s+)?"
         r"guard ?duty(?:\s+detectors?)?)\b", "",
         lambda r, w: r.add(event_filter(("DeleteDetector",) if re.search(r"delet|remov", w) else ("DeleteDetector", "UpdateDetector")),
                            w, "GuardDuty disabled", "GuardDuty disabled")),
        (r"\b(?:privilege[- ]escalation|privesc|priv[- ]esc|escalat\w+ (?:of\s+)?(?:their\s+|his\s+|her\s+)?"
         r"(?:privileges?|permissions?|access)|(?:privileges?|permissions?) (?:were\s+)?escalat\w+)"
         r"(?:\s+attempts?)?\b", "", events(PRIVILEGE_ESCALATION, "privilege escalation")),
        (r"\b(?:attach\w*|grant\w*|add\w*|put)\s+(?:an?\s+|the\s+|any\s+|inline\s+|managed\s+)?(?:policyname\s+)?"
         r"(?:inline\s+|managed\s+|iam\s+)?polic(?:y|ies)\b|\bpolic(?:y|ies)\s+(?:were\s+|was\s+)?attach\w*\b|"
         r"\bpolicy attachments?\b|\battach\w*\s+(?=policyname)|(?<=policyname)\s+(?:was\s+|were\s+|got\s+)?attach\w*\b",
         "", policy_grants),
        (r"\b(?:(?:as|by|from|with)\s+)?(?:the\s+)?root(?:\s+(?:account|user|identity|credentials?|usage|use|used))?"
         r"(?![\w.-])", "", root),
        (r"\b(?:role[- ]chain\w*|chain\w* (?:of\s+)?(?:role|assume[- ]?role)s?|assume[- ]role chains?|"
         r"roles? assum\w+ (?:by|from) (?:other|another|assumed) roles?)\b", "", role_chain),
        (r"\b(?:(?:ssm\s+)?(?:parameter store\s+)?parameters?\s+(?:names?\s+)?(?:(?:were|was|being|got|been)\s+)?(?:reads?|read|accessed|"
         r"retriev\w*|fetched|pulled)|(?:read\w*|access\w*|retriev\w*|pull\w*|fetch\w*|get|got)\s+(?:any\s+|the\s+)?"
         r"(?:ssm\s+)?parameters?|ssm parameter (?:reads|access)|parameter store (?:reads?|access\w*)|"
         # "who read /prod/db-password", "reads of /prod/…": a parameter named by its path is read by these calls
         r"(?:read|reads|reading|accessed|retriev\w*|fetch\w*|pulled)(?=\s+(?:of\s+)?(?:the\s+)?parameterpath)|"
         r"(?<=parameterpath)\s+(?:(?:was|were|got|been)\s+)?(?:read|accessed|retrieved|fetched|pulled))\b", "", ssm_reads),
        (r"\b(?:credential access|credential theft|secrets? (?:(?:were|was|being|got|been)\s+)?(?:reads?|read|accessed|"
         r"access|retriev\w*|fetched|pulled)|"
         r"(?:read|accessed|retrieved|pulled|fetched)\s+(?:any\s+|the\s+)?secrets?)\b", "",
         lambda r, w: r.add(event_filter(("GetSecretValue",) if "secret" in w else CREDENTIAL_ACCESS), w,
                            "secret reads" if "secret" in w else "credential access", "credential access")),
        (r"\b(?:(?:" + "|".join(WELL_KNOWN_PORTS) + r"|port portnumber)\s+(?:was\s+|is\s+)?(?:opened|open|exposed)\s+to\s+"
         r"(?:the\s+)?(?:world|internet|public|everyone|anyone|anywhere)|"
         r"(?:security groups?\s+(?:rules?\s+|ingress\s+)?|ingress\s+(?:rules?\s+)?(?:(?:that\s+|which\s+)?(?:was|were|got|been)\s+)?)"
         r"(?:opened|open|exposed|allowing\w*)\s+to\s+(?:the\s+)?(?:whole\s+|entire\s+)?(?:world|internet|public|everyone|"
         r"anyone)|(?:opened|exposed|allowed)\s+(?:a\s+|any\s+)?(?:security groups?\s+|port portnumber\s+|"
         + "|".join(rf"{p}\s+" for p in WELL_KNOWN_PORTS) + r")?(?:ingress\s+)?(?:access\s+)?(?:to|from)\s+"
         r"(?:the\s+)?(?:world|internet|public|everyone|anyone|anywhere))\b", "", open_world),
        (r"\b(?:public (?:exposure|exposures)|(?:exposed|exposure) to the (?:internet|world|public)|"
         r"publicly exposed|internet exposure)\b", "", public_exposure),
        # "anything that exposed stuff publicly", "exposed a bucket publicly": made public, said with another verb
        (r"\bmade (?:\w+\s+){0,3}public\b|\bexposed (?:\w+\s+){0,3}publicly\b", "", made_public),
        (r"\b(?:public (?:access(?!\s+blocks?)|(?:s3\s+)?buckets?|read)|(?:buckets?|acls?) (?:opened|exposed) to "
         r"the (?:internet|world|public)|publicly (?:accessible|readable))\b", "",
         events(PUBLIC_EXPOSURE, "bucket grants")),
        (r"\bmfa (?:devices?\s+)?(?:were\s+|was\s+)?(?:deactivated|removed|deleted|disabled|changes?|changed)\b|"
         r"\b(?:deactivat\w*|remov\w*|delet\w*|disabl\w*)\s+(?:an?\s+|the\s+|their\s+)?mfa(?:\s+devices?)?\b", "",
         lambda r, w: r.add(event_filter(MFA_CHANGES if re.search(r"chang", w) else MFA_CHANGES[:2]), w,
                            "MFA device changes" if re.search(r"chang", w) else "MFA devices removed", "MFA")),
        (r"\b(?:assum\w+ (?:a\s+|the\s+|any\s+)?roles?|role assumptions?|(?<!which )(?<!what )(?<!distinct )"
         r"(?<!unique )(?<!different )roles? (?:were\s+)?assumed)\b(?!\s+(?:more|fewer|less|over|under|at least)\b)", "",
         events(("AssumeRole",), "role assumptions")),
    ]


IDENTITY_TYPES = {"assumed[- ]roles?|assumed[- ]role sessions?|role sessions?": "AssumedRole",
                  "iam users": "IAMUser", "aws services?(?: principals?)?": "AWSService",
                  "federated users?|web identit(?:y|ies)": "WebIdentityUser"}


def _identity_type(reading: Reading) -> None:
    # "identity type AWSAccount (anonymous)", "usertype=AssumedRole": the type as the logs write it
    names = "|".join(n for n in IDENTITY_TYPE_NAMES if n != "root")
    if match := reading.find(rf"\b(?:(?:by|from|made by|as)\s+(?:an?\s+|the\s+)?)?(?:(?:identity|user|principal|"
                             rf"useridentity)\s*\.?\s*types?\s+(?:is\s+|of\s+)?(root|{names})|({names}))\b"
                             r"(?:\s+(?:identit(?:y|ies)|principals?|callers?|sessions?))?"):
        kind = IDENTITY_TYPE_NAMES[match.group(1) or match.group(2)]
        reading.add(eq("useridentity.type", kind), reading.consume(match), f"by {kind} identities", "identity type")
        if kind == "AWSAccount" and (anonymous := reading.find(r"\banonymous(?:\s+(?:identit(?:y|ies)|callers?|"
                                                                r"principals?|users?))?\b")):
            reading.consume(anonymous)  # AWSAccount is how CloudTrail records an anonymous caller: the same filter
        for words, named in IDENTITY_TYPES.items():
            # "made by aws service principals (identity type AWSService)": the type in words and as the logs write
            # it is one filter said twice; left unread, the words would turn into a grouping by calling service
            if named == kind and (same := reading.find(rf"\b(?:by|from|made by|of|as)\s+(?:an?\s+|the\s+)?(?:{words})\b")):
                reading.consume(same)
        return
    for words, kind in IDENTITY_TYPES.items():
        if match := reading.find(rf"\b(?:by|from|made by|of|as)\s+(?:an?\s+|the\s+)?(?:{words})\b"):
            reading.add(eq("useridentity.type", kind), reading.consume(match), f"by {kind} identities", "identity type")
            return


def _keys_by_kind(reading: Reading) -> None:
    """'long-term AKIA keys', 'temporary (ASIA) credentials': the key's kind is its prefix; the noun stays to list."""
    if match := reading.find(r"\b(?:long[- ]?term\s+(?:akia\s+)?|akia\s+)(?=(?:access\s+)?(?:keys?|credentials?)\b)"):
        reading.add(like("useridentity.accesskeyid", "AKIA%"), reading.consume(match), "long-term (AKIA) keys", "key kind")
    elif match := reading.find(r"\b(?:temporary\s+(?:asia\s+)?|short[- ]?term\s+(?:asia\s+)?|asia\s+)"
                               r"(?=(?:access\s+)?(?:keys?|credentials?)\b)"):
        reading.add(like("useridentity.accesskeyid", "ASIA%"), reading.consume(match), "temporary (ASIA) keys", "key kind")


def _calls_by_verb(reading: Reading) -> None:
    """'describe calls by X', 'how many delete calls': the calls whose name starts with that verb.

    'get calls …' and 'list calls …' opening a question are requests ('get me the calls'), read as such.
    """
    verbs = r"get|list|describe|delete|create|put|update|modify|attach|detach|remove|start|stop|run|assume|decrypt"
    for match in re.finditer(rf"\b({verbs})\s+(?:api\s+)?(?:calls|events|requests|operations|actions)\b", reading.text):
        if match.group(1) in {"get", "list", "run"} and opens_request(reading.text[:match.start()], match.group(1)):
            continue
        verb = match.group(1).title()
        said = re.compile(re.escape(match.group(1))).match(reading.text, match.start())
        reading.add(like("eventname", f"{verb}%"), reading.consume(said), f"{verb}* calls", "calls by verb")  # type: ignore[arg-type]
        return


def _recon_calls(reading: Reading) -> None:
    """'recon from 192.0.2.238 (list/describe calls)': discovery in CloudTrail is its List* and Describe* calls."""
    if reading.has(r"\bfindings?\b|\bguard ?duty\b|\balerts?\b|\bflows?\b|\btraffic\b|\bports?\b"):
        return  # GuardDuty's Recon family, or a port scan in the flows
    if match := reading.find(r"\b(?:recon(?:naissance)?|enumeration|discovery)(?:\s+(?:calls?|activity|events?|attempts?))?"
                             r"(?:\s+\(?\s*list\s*(?:/|and|or|,)\s*describe(?:\s+calls)?\s*\)?)?"):
        reading.add(any_of(like("eventname", "List%"), like("eventname", "Describe%")), reading.consume(match),
                    "List* and Describe* calls (reconnaissance)", "recon")
        if again := reading.find(r"\(?\s*list\s*(?:/|and|or|,)\s*describe(?:\s+calls)?\s*\)?"):
            reading.consume(again)


def cloudtrail_concepts(reading: Reading) -> None:
    verb_object_lists(reading)
    if match := reading.find(r"(?:(?<=\bmost )|(?<=\bleast )|(?<=\btop )|(?<=\bwhich )|(?<=\bwhat )|(?<=\bper )|"
                             r"(?<=\beach ))(?:\d+\s+)?(?:often\s+|frequently\s+)?assumed roles?\b|"
                             r"\b(?:roles?\s+assumed\s+(?:the\s+)?(?:most|least))\b"):
        # "top 3 most assumed roles": the roles named in AssumeRole requests, ranked
        reading.add(event_filter(("AssumeRole",)), match.group(0), "role assumptions", "role assumptions")
        tail = re.search(r"(?:the\s+)?(?:most|least)$", match.group(0))
        reading.text = reading.text[:match.start()] + (tail.group(0) + " " if tail else "") + "target role arns" \
            + reading.text[match.end():]
    if match := reading.find(r"\b(?:(?:through|via|using|with|by)\s+)?(webidentity|saml)(?:\s+(?:role\s+)?(?:assumptions?|"
                             r"logins?|sign-?ins?|calls?|federation))?\b"):
        # "web identity role assumptions", "assumed X via saml": OIDC's (SAML's) federation call of its own
        call = "AssumeRoleWithWebIdentity" if match.group(1) == "webidentity" else "AssumeRoleWithSAML"
        reading.add(event_filter((call,)), reading.consume(match), f"{match.group(1)} role assumptions", "role assumptions")
        if verb := reading.find(r"\bassum(?:ed|es|e|ing)\b"):
            reading.consume(verb)
    if match := reading.find(r"\b(?:aws\s+)?(?:identity center|sso)(?:\s+sessions?\b|(?=\s+roles?\b))"):
        # "sso roles", "sso sessions": the AWSReservedSSO_* roles Identity Center users act through
        reading.add(like("useridentity.arn", "%:assumed-role/AWSReservedSSO_%"), reading.consume(match),
                    "Identity Center sessions", "sso")
    _identity_type(reading)
    _keys_by_kind(reading)
    _recon_calls(reading)
    _calls_by_verb(reading)
    trail_concepts(reading)
    for pattern, _, apply in _cloudtrail_rules():
        if match := reading.find(pattern):
            asked = re.search(r"\b(?:(?:which|what|the|top)\s+(?:\d+|two|three|four|five|ten)|which|what|per|each|by)\s+$",
                              reading.text[:match.start()])  # the noun before the verb: "detectors were deleted" keeps both
            # "top 4 ssm parameters read with …": every word before the participle is the noun ranked
            noun = (re.match(r"\s*(?:\w+\s+)*?\w+(?=\s+(?:was|were|been|being|got|get|is|are|has|have)\b)", match.group(0))
                    or re.match(r"\s*(?:\w+\s+)*?\w+(?=\s+(?:read|\w+ed)\s*$)", match.group(0))
                    or re.match(r"\s*\w+", match.group(0))) if asked else None
            words = match.group(0).strip()
            # "which secrets were read": the filter, and the noun left for the shape to list
            reading.text = (reading.text[: match.start()] + (noun.group(0) if noun else "")
                            + " " * (match.end() - match.start() - (noun.end() if noun else 0)) + reading.text[match.end():])
            apply(reading, words)
    if reading.has(r"\bsecrets?\b|\bsecretname\b") and (
            match := reading.find(r"\b(?:read|reads|reading|pull\w*|fetch\w*|retriev\w*|access\w*|got|get|gets|view\w*|"
                                  r"dump\w*|open\w*)\b")):
        # "who read prod/billing/api", "secrets the billing-lambda role pulled": reading a secret is GetSecretValue
        reading.add(event_filter(("GetSecretValue",)), reading.consume(match), "secret reads", "credential access")
    if match := reading.find(r"\b(?:anonymous(?:ly)?|unauthenticated(?:ly)?)(?:\s+(?:users?|access|requests?|callers?|principals?|reads?))?\b"):  # "unauthenticated" callers are anonymous ones
        reading.add(eq("useridentity.accountid", "anonymous"), reading.consume(match), "anonymous callers", "anonymous")
    # "ingress rules that were added": the relative clause says the same as the participle alone
    if match := reading.find(r"\b(ingress|egress)\s+(?:rules?\s+)?(?:(?:that\s+|which\s+)?(?:was|were|got|been)\s+)?(?:added|authori[sz]ed|"
                             r"opened|allowed|created)\b|\b(?:added|authori[sz]ed|opened|allowed|created)\s+(?:an?\s+|the\s+)?"
                             r"(ingress|egress)(?:\s+rules?)?\b"):
        side = "Ingress" if "ingress" in match.group(0) else "Egress"
        reading.add(event_filter((f"AuthorizeSecurityGroup{side}",)), reading.consume(match), f"{side.lower()} rules added",
                    "security group")
    if (reading.buckets or reading.has(r"\bs3\b|\bbuckets?\b|\bbucketname\b|\bobject keys?\b")) and not reading.has(r"\bsecrets?\b|\bsecretname\b") and (
            match := reading.find(r"\b(download\w*|reads?(?![- ]only)|reading|upload\w*|(?<!only )(?<!just )writes?"
                                  r"(?!\s*only\b)(?!\s+(?:calls?|events?|actions?|apis?)\b)|wrote|written|(?:pull|fetch|grabb?|retriev)\w*(?=\s+(?:the\s+|any\s+|some\s+)?(?:objects?|files?)\b))\b")):
        # "s3 downloads by X", "who reads <bucket>": object reads and writes ("writes only", "s3 write calls" are the
        # calls that change something, outcomes.py's); "read objects in <bucket>": the objects are what is read
        event = "PutObject" if re.match(r"upload|writ|wrote", match.group(1)) else "GetObject"
        reading.add(event_filter((event,)), reading.consume(match), f"object {'reads' if event == 'GetObject' else 'writes'}", "objects")
        if noun := reading.find(r"\b(?:s3\s+)?(?:objects?|files?)\b(?!\s+keys?\b)"):  # "object keys": a column
            reading.consume(noun)
    elif match := reading.find(r"\b(?:objects?|files?)\s+(?:(?:were|was|got|been)\s+)?(download\w*|upload\w*)|"
                             r"\b(download\w*|upload\w*)\s+(?:any\s+|the\s+)?(?:s3\s+)?(?:objects?|files?)\b|"
                             r"\bobjects?\b(?!\s+keys?\b)(?=.*\b(download|upload)\b)"):
        verb = next(g for g in match.groups() if g)
        event = "GetObject" if verb.startswith("download") else "PutObject"
        reading.consume(match)
        if again := reading.find(rf"\b{verb[:6]}\w*\b"):
            reading.consume(again)
        reading.add(event_filter((event,)), match.group(0).strip(), f"object {'downloads' if event == 'GetObject' else 'uploads'}",
                    "objects")
    if reading.has(r"\broles?\b|\brolename\b|\bprincipalarn\b") and (match := reading.find(r"\bassum(?:e|ed|es|ing)\b")):
        # "which roles did dave assume", "who assumed the orders-api-ec2 role": AssumeRole calls
        reading.add(event_filter(("AssumeRole",)), reading.consume(match), "role assumptions", "role assumptions")
    passwords_changed(reading)
    verb_object_events(reading)  # before the phrase list: "created a login profile" is one call of three
    phrases = sorted(EVENT_GROUPS.items(), key=lambda kv: -len(kv[0]))
    for phrase, events in phrases:
        if match := reading.find(rf"\b{re.escape(phrase)}\b"):
            words = reading.consume(match)
            span = match.span()
            # "bucket policy or acl changes": phrases joined by or/and/a comma are one family of calls
            while joined := _joined_phrase(reading.text, span, phrases):
                span, other, more = joined
                reading.text = reading.text[:span[0]] + " " * (span[1] - span[0]) + reading.text[span[1]:]
                events = tuple(dict.fromkeys((*events, *more)))
                words = f"{words} / {other}"
            reading.add(event_filter(events), words, phrase, phrase)
            _consume_verb(reading, events)
            # "inline policies added": the verb only repeats what the phrase names
            if again := re.match(r"\s+(?:(?:were|was|got|been)\s+)?(?:added|created|made|attached|put|set up)\b",
                                 reading.text[match.end():]):
                reading.text = reading.text[:match.end()] + " " * again.end() + reading.text[match.end() + again.end():]
            break
    if match := reading.find(r"\biam users?\b"):
        # IAM users are the identities with a user name: "which 5 iam users" lists those names
        reading.add(eq("useridentity.type", "IAMUser"), match.group(0), "IAM users", "identity type")
        reading.text = reading.text[:match.start()] + "user name" + ("s" if match.group(0).endswith("s") else "") \
            + reading.text[match.end():]
    console_logins(reading)


_JOIN = r"\s*(?:,|or|and|/|&)\s*(?:(?:or|and)\s+)?"


def _joined_phrase(text: str, span: tuple[int, int], phrases: list[tuple[str, tuple[str, ...]]]
                   ) -> tuple[tuple[int, int], str, tuple[str, ...]] | None:
    """A phrase of EVENT_GROUPS joined to the consumed span: the span with it, the phrase, its calls."""
    lo, hi = span
    for phrase, events in phrases:
        after = re.match(rf"{_JOIN}{re.escape(phrase)}\b", text[hi:])
        before = re.search(rf"\b{re.escape(phrase)}{_JOIN}$", text[:lo])
        if after or before:
            start, end = (hi, hi + after.end()) if after else (before.start(), lo)  # type: ignore[union-attr]
            return (min(lo, start), max(hi, end)), phrase, events
    return None


def _consume_verb(reading: Reading, events: tuple[str, ...]) -> None:
    """'who created new users': the verb the event names already say is accounted for by them."""
    verbs = {re.match(r"[A-Z][a-z]+", e).group(0).lower() for e in events}  # type: ignore[union-attr]
    if len(verbs) == 1:
        verb = verbs.pop()
        stem = verb[:-1] if verb.endswith("e") else verb
        # "new iam users created - who created them": the verb said twice is the same call
        while match := reading.find(rf"\b{stem}(?:e|es|ed|ing|s)?\b"):
            reading.consume(match)


def security_group_ports(reading: Reading) -> bool:
    """Security group changes name ports in their request; True when that is what the question asks about."""
    return any("security group" in c or c == "public exposure" for c in reading.concepts)


def port_in_request(reading: Reading, port: int, words: str) -> None:
    # CloudTrail writes ipPermissions compactly: "fromPort":22,"toPort":22
    reading.add(contains("requestparameters", f'"fromPort":{port},'), words, f"opening port {port}")
