"""The question as typed → the question as the readers expect it, before anything is read.

Only changes that cannot alter what is asked: sentence case ("Show …", "Dave.kowalski activity"),
greetings and thanks around the question ("hey, …", "… thanks"), and misspelt keywords that
say what kind a name is ("usr bob", "bukcet logs-archive") — so the name after them is read as
that kind. Everything else is read as typed.
"""

from __future__ import annotations

import re

from workbench.nl import TranslationError
from workbench.nl.offline.aftersignin import after_sign_in
from workbench.nl.offline.breakdowns import breakdowns
from workbench.nl.offline.findingtypes import resource_type_words
from workbench.nl.offline.rawcolumns import plain_column_names
from workbench.nl.offline.siem import siem_idioms
from workbench.nl.offline.spelling import closest
from workbench.nl.offline.triage import alert_title, triage_idioms
from workbench.nl.offline.vocab import NOT_NAMES, WELL_KNOWN_PORTS

# Words of a greeting or sign-off, not of the question
_OPENING = re.compile(r"^\s*(?:(?:hey|hi|hello|yo|ok|okay|um+|uh+|hmm+|quick (?:q|question)|q(?=\s*:)|fyi)\b"
                      r"(?:\s+(?:there|team|folks|all))?[\s,:;.!-]*)+(?=\S)", re.IGNORECASE)
_CLOSING = re.compile(r"(?:[\s,.;:!-]+|^)(?:(?:thanks|thank you|thx|ty|cheers|tia|please|pls|plz|asap|"
                      r"if possible|if you can|if any|when you get a chance)\b[\s.!?]*)+$", re.IGNORECASE)
# "Dave.Kowalski", "Github-actions-deploy", "Judy.byrne@tyrell.com": names are lower case in the logs
_CAPITALISED_NAME = re.compile(r"(?<![\w.@/:-])[A-Z][a-z0-9]+(?:[._@-][A-Za-z]?[a-z0-9]+)+(?![\w.@/:-]*\w)")
# CloudTrail's one-word calls keep their capital at the start of a sentence ("Decrypt calls by …")
_KEEP_CAPITAL = {"Decrypt", "Encrypt"}
# The kind words that decide how the next name is read: a typo in one of them misreads the name
_KIND_WORDS = frozenset({"user", "users", "role", "roles", "bucket", "buckets", "secret", "secrets", "port", "ports",
                         "trail", "trails", "named", "called", "account", "region", "principal", "identity"})


# "can you show me …", "i need to know which …": a request for what follows; a question word keeps its
# place at the start, where the readers look for it ("when was …" asks for times), a noun becomes "show …"
_REQUEST = re.compile(r"^\s*(?:(?:can|could|would|will) (?:you|u|we|i)(?: please)?|please|kindly|"
                      r"i(?:'d| would) (?:like|love)(?: to)?|i (?:need|want)(?: to)?|we (?:need|want)(?: to)?|"
                      r"help me|let me|lemme|i'm (?:looking for|trying to (?:find|see|figure out))|"
                      r"i am (?:looking for|trying to (?:find|see|figure out)))\s+"
                      r"(?:(?:show|list|find|get|give|pull|tell|see|know|check|display|figure out|find out|look up)"
                      r"(?: me| us)?\s+)?(?:(?:if|whether)\s+)?", re.IGNORECASE)
# "my manager is asking whether …", "the auditors want to know if …": who asks is not part of the question
_REPORTED = re.compile(r"^\s*(?:my|our|the)\s+(?:manager|boss|team lead|lead|ciso|cto|cio|auditors?|colleagues?|"
                       r"director|vp|soc)\s+(?:is\s+|was\s+|has\s+|have\s+|are\s+)?(?:asking|asked|asks|wants? to know|"
                       r"wanted to know|would like to know|needs? to know|wondering|wonders|wondered)\s+"
                       r"(?:(?:if|whether|about)\s+)?", re.IGNORECASE)
_QUESTION_WORD = re.compile(r"(?:who|whom|whose|what|which|when|where|how|were|was|did|does|do|is|are|has|have|had|"
                            r"any|show|list|count|top)\b", re.IGNORECASE)


# A lead-in before the question proper: "ok last thing before standup — how many …", "we got paged about X —
# can you pull … for her". The question proper starts after a sentence end, a dash or a colon with a request
# or question word.
_LEAD = re.compile(r"(?:(?<=[.!?;])\s+|\s+[—–]\s+|\s+--?\s+|:\s+)(?=(?:(?:so|and|ok|okay)\s+)?(?:(?:can|could|would|will) "
                   r"(?:you|u)|i(?:'d| would) like|i need|i want|we need|please|pls|how (?:many|much|often)|which|what|"
                   r"who|when|where|show|list|give|pull|get|find|count|did|does|has|have|was|were)\b)", re.IGNORECASE)
# A value as the logs write it: an address, a dotted/hyphenated name, an id, a CamelCase call
_VALUE = re.compile(r"(?<![\w.@/:-])(?:\d{1,3}(?:\.\d{1,3}){3}|[a-z0-9]+(?:[._@-][a-z0-9]+)+|[A-Z]+[a-z]+[A-Z]\w*|\d{12})"
                    r"(?![\w.@/:-]*\w)")
_BACK_REFERENCE = re.compile(r"\b(?:her|him|she|he|its|them|it|that (?:instance|user|ip|address|host|role|bucket|key)|"
                             r"this (?:instance|user|ip|address|host|role|bucket|key))\b", re.IGNORECASE)


# Words that shape an answer (a ranking, a grouping, a count, an exclusion, a time): a lead holding one is kept
_MODIFIER = re.compile(r"\b(?:top|bottom|per|each|every|by|count\w*|how many|number|most|least|first|earliest|latest|"
                       r"distinct|unique|only|not|except\w*|excluding|without|other than|besides|since|until|after|"
                       r"yesterday|today|hours?|days?|minutes?|week|between|denied|rejected|accepted|succe\w+|fail\w*)\b",
                       re.IGNORECASE)


_ADDRESS = r"\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?"
_ARROW = re.compile(rf"(?:\bfrom\s+)?(?<![\w.])({_ADDRESS})\s*(?:-+>|→|⟶|=+>|⇒|\s>\s)\s*({_ADDRESS})(?![\w.])",
                    re.IGNORECASE)
_BACK_ARROW = re.compile(rf"(?<![\w.])({_ADDRESS})\s*(?:<-+|←|⟵|⇐|\s<\s)\s*({_ADDRESS})(?![\w.])")


def _values(text: str) -> list[str]:
    return [v for v in dict.fromkeys(_VALUE.findall(text)) if v.lower() not in NOT_NAMES]


def without_lead_in(text: str) -> str:
    """The question proper after a chatty lead-in, tried only when the whole question was refused.

    A lead that names no value is dropped when it is talk ('ok last thing before standup', 'we were asked');
    a lead that names one value the question refers back to ('… heidi.smith — pull every failed sign-in for
    her') gives the question that value. Any other lead is kept: its words may be conditions."""
    splits = list(_LEAD.finditer(text))
    if not splits:
        return text
    cut = splits[-1]
    lead, rest = text[:cut.start()], text[cut.end():]
    values = _values(lead)
    # a digit inside a word ("ec2", "s3") is a service's name, not a number
    if re.search(r"(?<![a-z])\d", _VALUE.sub(" ", lead), re.IGNORECASE) or _MODIFIER.search(lead):
        return text  # a number or a modifier in the lead may be part of what is asked: never dropped
    if not values:
        talk = re.match(r"\s*(?:ok|okay|so|fyi|btw|also|quick one|one more|last thing)\b", lead, re.IGNORECASE) or re.search(
            r"\b(?:i|we|my|our|me|us|i'm|we're)\b", lead, re.IGNORECASE) or alert_title(lead)
        return rest if talk else text
    references = _BACK_REFERENCE.findall(rest)
    # "did X mess with logging? list it": a lead that asks something of its own is not only the value's source
    talk_only = not re.search(r"\?\s*$", lead)
    if len(values) == 1 and len(references) == 1 and not _values(rest) and talk_only:
        return _BACK_REFERENCE.sub(lambda m: values[0] + ("'s" if m.group(0).lower() == "its" else ""), rest)
    return text


# Why the analyst asks, after the question: "…, so I can see when things spiked", "… for my write-up". Dropped only
# when it names no value and shapes nothing (see _MODIFIER): then it cannot be a condition.
_PURPOSE = re.compile(r"(?:[\s,;:-]+)((?:so (?:that )?(?:i|we) (?:can|could|may)|(?:just )?to (?:see|check|understand|"
                      r"figure out|get a (?:sense|feel|picture))|for (?:my|our|the|a) (?:report|write-?up|post-?mortem|"
                      r"timeline|ticket|review|incident review|records?|notes|slides?|deck|audit|manager|boss)))\b([^?]*)\??\s*$",
                      re.IGNORECASE)


def without_purpose(text: str) -> str:
    match = _PURPOSE.search(text)
    if not match or match.start() == 0:
        return text
    tail = match.group(2)
    if _values(tail) or re.search(r"\d", tail) or _MODIFIER.search(tail):
        return text
    return text[:match.start()] + ("?" if match.group(0).rstrip().endswith("?") else "")


# A label in apposition before a named value says what it is, not which one: "the bastion 10.10.0.69",
# "the security account 569653782390". The value alone is the filter; the label is dropped.
_HOST_LABEL = re.compile(r"\b(?:bastion(?: host)?|jump ?(?:box|host)|server|box|machine|workstation|laptop|nat gateway|"
                         r"internal|private|external|public|office|corporate|corp|vpn|home)"
                         r"\s+(?=\d{1,3}(?:\.\d{1,3}){3}\b)", re.IGNORECASE)
# "not from X or Y (the office ips)", "excluding the two office ips X and Y": what the addresses are, not a condition
_IPS_LABEL = re.compile(r"\s*\((?:the\s+|our\s+)?(?:two\s+|both\s+)?(?:office|corporate|corp|vpn|home|known|trusted|"
                        r"internal|nat|bastion|scanner)\s+(?:ips?|address(?:es)?|hosts?)\)|"
                        r"\b(?:the\s+|our\s+)?(?:two\s+|three\s+|both\s+)?(?:office|corporate|corp|vpn|home|known|trusted|nat)"
                        r"\s+(?:ips?|address(?:es)?)\s+(?=\d{1,3}(?:\.\d{1,3}){3}\b)", re.IGNORECASE)
# "the bastion eni-8f0b…", "the web eni-…", "the miner i-…", "the prod vpc vpc-…": what the resource named by its id is
# (dev9 s111, dev22 y178, dev28 ad018/ad045/ad194); the id alone is the filter
_RESOURCE_LABEL = re.compile(r"\b(?:bastion|jump ?(?:box|host)|web|web ?server|app|api|db|database|miner|mining|nat|proxy|"
                             r"build|ci|prod|production|dev|development|staging|test|compromised|suspicious|infected)"
                             r"(?:\s+(?:host|server|box|instance|interface|eni|vpc|node|machine))?"
                             r"\s+(?=(?:i|eni|vpc|subnet)-[0-9a-f]{8,17}\b)", re.IGNORECASE)
_ACCOUNT_LABEL = re.compile(r"\b(?:security|prod|production|dev|development|staging|test|audit|logging|log archive|"
                            r"management|shared services|sandbox|payer|master)\s+(?=account\s+\d{12}\b)", re.IGNORECASE)

# "iam users (not roles)": a kind of principal excluded that the kind named already excludes restates it
_KIND_ASIDE = re.compile(r"(?<=\biam users)\s*(?:\(\s*(?:not|but not|and not|excluding|no)\s+(?:iam\s+)?(?:roles?|role "
                         r"sessions?|assumed roles?)\s*\)|,?\s+(?:but |and )?not (?:iam\s+)?(?:roles?|role sessions?|"
                         r"assumed roles?)\b)", re.IGNORECASE)


# "10.x sources", "10.10.*": an address written with a wildcard is the range its written octets fix
_WILDCARD_IP = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){0,2})\.(?:x|\*)(?:\.(?:x|\*))*(?![\w.])", re.IGNORECASE)


def _range(match: re.Match[str]) -> str:
    octets = match.group(1).split(".")
    return ".".join(octets + ["0"] * (4 - len(octets))) + f"/{8 * len(octets)}"


# "privesc-type calls", "privilege-escalation-related events": an English compound, never a name; the head is read
_COMPOUND = re.compile(r"(?<![\w.@/-])([a-z]+(?:-[a-z]+)*)-(?:type|related|like|style|ish|based|flavou?red|kind|sort)"
                       r"(?![\w.@/-])", re.IGNORECASE)


# "rdp attempts, rejected or not", "whether or not it failed": both outcomes, so no condition on the outcome
_EITHER_OUTCOME = re.compile(r"[,;-]?\s*\b(?:(?:accepted|rejected|allowed|blocked|denied|failed|successful|succeeded|"
                             r"mfa|with mfa)\s+or\s+not|(?:successful|failed|accepted|rejected|allowed|blocked)\s+or\s+"
                             r"(?:successful|failed|accepted|rejected|allowed|blocked)\s+alike)\b", re.IGNORECASE)


# "credential access events (secrets, ssm params, new keys)": the concept's own calls named aside, which three writers
# (dev7 j094, dev21 x028, dev22 y137) read as the concept itself; an aside naming anything else stays to be read
_CREDENTIAL_PART = (r"(?:(?:ssm\s+|parameter\s+store\s+)?(?:params?|parameters?)(?:\s+reads?)?|(?:secrets?(?:\s+manager)?)"
                    r"(?:\s+reads?)?|(?:new|created)\s+(?:access\s+)?keys?|access\s+keys?(?:\s+created)?)")
_CREDENTIAL_GLOSS = re.compile(rf"\b(credential access(?:\s+(?:calls?|events?|activity|api calls?))?)\s*\(\s*"
                               rf"{_CREDENTIAL_PART}(?:\s*(?:,|/|&|\+|\band\b|\bor\b)\s*{_CREDENTIAL_PART})*\s*\)",
                               re.IGNORECASE)


def normalise(question: str) -> str:
    question = _CREDENTIAL_GLOSS.sub(r"\1", question)
    # "10.0.0.5 -> 203.0.113.42", "a → b", "a => b", "a > b": an arrow between two addresses points from the
    # source to the destination; left as punctuation, each address would match either side of the flow
    question = _ARROW.sub(r"from \1 to \2", _BACK_ARROW.sub(r"from \2 to \1", question))
    # "non-readonly calls", "not readonly": the column's name as a word, the read-only calls' negation
    question = re.sub(r"\b(non[- ]?|not\s+)readonly\b", lambda m: "not read-only" if m.group(1).startswith("not") else
                      "non-read-only", question, flags=re.IGNORECASE)
    # "users (iam)", "principals (sso)": the kind said aside, as "iam users" says it before the noun
    question = re.sub(r"\b(users?|principals?|identit(?:y|ies))\s*\(\s*(iam|sso|root|identity center)\s*\)",
                      r"\2 \1", question, flags=re.IGNORECASE)
    # "internal hosts 10.0.0.5 opened ssh connections to": a relative clause without its 'that', the hosts listed
    question = re.sub(r"^(\s*(?:(?:the|list|show|all)\s+)*(?:(?:internal|external|private|public)\s+)?(?:hosts|ips|addresses|"
                      r"ip addresses|destinations|machines|servers))\s+(?=\d{1,3}(?:\.\d{1,3}){3}\s+\S.*\b(?:to|into)\s*[?.!]?\s*$)",
                      r"\1 that ", question, flags=re.IGNORECASE)
    # "to non-10 addresses", "non-10.20.x ips": the addresses outside the range those octets begin
    # ("non-10.x source ips": the side named before the noun stays with it)
    question = re.sub(r"\bnon-(\d{1,3}(?:\.\d{1,3}){0,2})(?:\.(?:x|\*))?\s+((?:(?:source|src|destination|dest|dst)\s+)?"
                      r"(?:(?:ip\s+)?address(?:es)?|ips)|hosts)\b",
                      lambda m: f"{m.group(2)} outside {m.group(1)}{'.0' * (3 - m.group(1).count('.'))}/"
                                f"{8 * (m.group(1).count('.') + 1)}", question, flags=re.IGNORECASE)
    # "who pulled secrets? distinct arns pls", "count per arn": an ARN alone, asked for, is the caller's (a109, ab018,
    # ab165); a policy's or a role's ARN is said with its noun ("policy arns"), and "arn" in a list of columns is left
    # to the list's reader
    question = re.sub(r"\b(distinct|unique|different|per|by|each)\s+arn(s?)\b(?!:)", r"\1 principal\2", question,
                      flags=re.IGNORECASE)
    # "which AWSReservedSSO roles did X use": the prefix alone names the family of Identity Center roles, as "sso
    # roles" does, never one role called that (whose own noun would then hide the "which"); said aside in brackets
    # it glosses the noun before it, which reads it already
    question = re.sub(r"(?<!\()\bAWSReservedSSO(?:_\*?)?(?=\s+(?:roles?|sessions?)\b)", "sso", question)
    # "non-s3 calls", "non-failed calls": a negation, never a name ("non-read-only", "non-mfa" are phrases of their own)
    text = re.sub(r"\bnon-(?!read|mfa|human\b)(?=[a-z0-9])", "not ",
                  resource_type_words(breakdowns(plain_column_names(question))),
                  flags=re.IGNORECASE)
    # "crypto-mining", "brute-forcing", "back-door": GuardDuty's threat families said in prose; hyphenated they
    # look like a name and were searched for in the findings' resources
    text = re.sub(r"\b(?:crypto|coin|bitcoin|monero)[- ]?min(?:ing|ers?)\b|\bcrypto[- ]?jack(?:ing|ed)?\b", "crypto mining",
                  text, flags=re.IGNORECASE)
    text = re.sub(r"\bbrute[- ]?forc(?:ing|ed)\b", "brute force", text, flags=re.IGNORECASE)
    text = re.sub(r"\bback-doors?\b|\bbackdoored\b", "backdoor", text, flags=re.IGNORECASE)
    # "earliest/latest", "first / last seen": both ends of a span, never a name with a slash in it
    text = re.sub(r"\b(first|earliest|min)\s*/\s*(last|latest|max)\b", r"\1 and \2", text, flags=re.IGNORECASE)
    # "who/what/when": the columns asked, a list, never a value with slashes in it
    text = re.sub(r"\b(?:who|what|when|where)(?:\s*/\s*(?:who|what|when|where)\b)+",
                  lambda m: ", ".join(re.split(r"\s*/\s*", m.group(0))), text, flags=re.IGNORECASE)
    text = triage_idioms(siem_idioms(text))
    text = re.sub(r"(?<=[a-z])\s+\+\s+(?=[a-z])", " and ", text, flags=re.IGNORECASE)  # "src ip + count": a list
    text = re.sub(r"\bper-(?=[a-z])", "per ", text, flags=re.IGNORECASE)  # "per-bucket counts"
    # "source ip(s)", "bucket(s)", "address(es)": the plural marker asks for every value, as the plural does
    text = re.sub(r"\b([a-z]+)\((e?s)\)(?!\w)", r"\1\2", text, flags=re.IGNORECASE)
    # "eni's that sent 10 MB": an acronym's plural written with an apostrophe, never a possessive before a clause
    text = re.sub(r"\b(eni|ip|api|arn|ami|vpc)['’]s(?=\s+(?:that|which|with|where|whose|having)\b)", r"\1s", text,
                  flags=re.IGNORECASE)
    # "busiest 3 roles", "most active 5 users": the number after the superlative, as "the 3 busiest roles" says it
    text = re.sub(r"\b(busiest|noisiest|loudest|chattiest|quietest|rarest|(?:most|least)\s+(?:active|common|frequent))\s+"
                  r"(\d{1,4}|two|three|four|five|six|seven|eight|nine|ten)\s+(?=[a-z])", r"\2 \1 ", text, flags=re.IGNORECASE)
    # "who called X, list the events": a request after a comma opens a clause, as after a dash (where 'list calls'
    # cannot be the List* calls); "describe, list calls" joins verbs of calls instead
    text = re.sub(r"(?<!\bget)(?<!\bdescribe)(?<!\bread)\s*[,;]\s+(?=(?:just\s+|please\s+|pls\s+|now\s+|then\s+)?list\s+"
                  r"(?:me\s+)?(?:the\s+|all\s+(?:the\s+)?)?(?:events|calls|api calls|rows|records|entries)\b)", " - ", text,
                  flags=re.IGNORECASE)
    # "ips that ssh'd into 10.0.0.5": a service used as a verb got in over it, so the connection was let through
    text = re.sub(r"\b(ssh|rdp|telnet)(?:['’]?d|['’]?ed|-ed)\s+(?=(?:in)?to\b|onto\b)", r"had accepted \1 ", text,
                  flags=re.IGNORECASE)
    # "findings that aren't low", "calls that didn't fail": the contraction is the negation written out
    text = re.sub(r"\b(are|is|was|were|do|does|did|has|have|had)n['’]t\b", r"\1 not", text, flags=re.IGNORECASE)
    # "connections that did not come from A or B": the negated source, as "not from A or B" reads it
    text = re.sub(r"\b(?:(?:that|which)\s+)?(?:did\s+not|didn't|does\s+not|doesn't|do\s+not|don't|were\s+not|weren't|"
                  r"was\s+not|wasn't)\s+(?:(?:come|originate)\s+)?from\b", "not from", text, flags=re.IGNORECASE)
    # "calls from outside our office ips A and B": the addresses listed are the ones excluded, as "from ips outside A and B"
    text = re.sub(r"\bfrom\s+outside\s+(?:of\s+)?(?:(?:our|the)\s+)?(?:(?:office|corporate|company|vpn|known|trusted|home)\s+)?"
                  r"(ips?|addresses|ip addresses)\s+(?=\d)", r"from \1 outside ", text, flags=re.IGNORECASE)
    # "egress flows not on 443": a bare port after a negation, written with its word so the negation is read with it
    text = re.sub(r"\b(not|except|excluding|other than)\s+(on|to|over|via|at)\s+\(?(\d{2,5})\)?(?![\d:.,/-])"
                  r"(?!\s*(?:am|pm|utc|z|h|hrs?|hours?|mins?|minutes?|days?|[kmg]?b|bytes|packets|st|nd|rd|th|"
                  r"jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*)\b)",
                  r"\1 \2 port \3", text, flags=re.IGNORECASE)
    text = re.sub(r"\baccept\s+(vs\.?|versus|/|and|or)\s+reject\b", r"accepted \1 rejected", text, flags=re.IGNORECASE)
    # "who put a bucket policy on X": writing one is PutBucketPolicy (PutBucketAcl) alone, never its deletion too
    text = re.sub(r"\b(?:put(?:s|ting)?|set(?:s|ting)?|appl(?:y|ies|ied|ying)|attach(?:es|ed|ing)?|add(?:s|ed|ing)?|"
                  r"wr(?:ite|ites|ote|iting))\s+(?:(?:an?|the|any|new|its)\s+)+(?:s3\s+)?bucket\s+(polic(?:y|ies)|acls?)\b",
                  lambda m: "called " + ("PutBucketPolicy" if m.group(1).lower().startswith("polic") else "PutBucketAcl"),
                  text, flags=re.IGNORECASE)
    text = re.sub(r"\bwhat\s+sorts?\s+of\b", "which", text, flags=re.IGNORECASE)  # "what sorts of instance types": which
    # "rdp (3389) or mysql (3306)": the port restated in brackets is the service's own, one value not two
    text = re.sub(r"\b(" + "|".join(WELL_KNOWN_PORTS) + r")\s*\(\s*(?:port\s+)?(\d+)\s*\)",
                  lambda m: m.group(1) if WELL_KNOWN_PORTS[m.group(1).lower()] == int(m.group(2)) else m.group(0), text,
                  flags=re.IGNORECASE)
    # "AccessDenied-type errors", "access-denied-like errors": the family of denials, not the one code
    text = re.sub(r"\baccess[- ]?denied[- ]?(?:type|like|style|kind|ish)\b", "access denied", text, flags=re.IGNORECASE)
    if family := re.search(r"\b([A-Z][\w.]+)[- ](?:type|like|style|kind|ish)\s+(?:errors?|failures?|codes?)\b", text):
        # "ThrottlingException-type errors": which codes are alike is a judgement the logs do not record
        raise TranslationError(f"cannot tell which error codes are {family.group(0)!r}: name them, e.g. "
                               f"'{family.group(1)} errors per role', or ask for 'access denied errors'")
    # "which operations did X run via ssm", "what did X execute": the calls made; "run instances" is a call of its own
    text = re.sub(r"\b(?:run|ran|execute|executed|invoke|invoked)(?=\s+(?:via|through|from|in|on|against|using|yesterday|today|last|this|since|between|during)\b|\s*[?.!]?\s*$)",
                  "call", text, flags=re.IGNORECASE)
    # "calls from mfa-authenticated sessions": the session's MFA flag, never a user named "mfa-authenticated"
    text = re.sub(r"\b(?:(?:from|in|by|via)\s+)?(?:an?\s+)?(?:mfa|2fa)[- ](?:authenticated|protected|backed|enabled)"
                  r"(?:\s+(?:sessions?|credentials|callers?))?\b(?!\s+(?:console\s+)?(?:log|sign))", "with mfa", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(mfa|2fa)-(authenticated|protected|backed|enabled)\b", r"\1 \2", text, flags=re.IGNORECASE)
    # "no-mfa console logins", "non-mfa sign-ins", "mfa-less logins": the flag, never a user named "no-mfa" (dev27)
    text = re.sub(r"\b(?:no|non|without)-(?:mfa|2fa)\b|\b(?:mfa|2fa)-?less\b", "no mfa", text, flags=re.IGNORECASE)
    # "seen more than once", "at least twice": a count of times
    text = re.sub(r"\b(more than|at least|over|fewer than|less than|exactly)\s+(once|twice)\b",
                  lambda m: f"{m.group(1)} {1 if m.group(2).lower() == 'once' else 2} times", text, flags=re.IGNORECASE)
    text = _WILDCARD_IP.sub(_range, text)
    # "in the last half hour", "an hour and a half ago": minutes, which the time reader counts
    text = re.sub(r"\b(?:an?\s+|one\s+)?hour and a half\b", "90 minutes", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(?:a\s+)?half(?:\s+an|-an)?[\s-]+hour\b", "30 minutes", text, flags=re.IGNORECASE)
    # "in the last half hour", "an hour and a half ago": minutes, which the time reader counts
    text = re.sub(r"\b(?:an?\s+|one\s+)?hour and a half\b", "90 minutes", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(?:a\s+)?half(?:\s+an|-an)?[\s-]+hour\b", "30 minutes", text, flags=re.IGNORECASE)
    # "the most severe finding", "the two worst guardduty findings": the findings ranked by severity, never the
    # "severe" band, nor the severity alone
    text = re.sub(r"\b(?:the\s+)?(?:(\d{1,2}|one|two|three|four|five|ten)\s+)?(?:most severe|most critical|most serious|"
                  r"worst|highest[- ]severity|highest[- ]sev|top[- ]severity)\s+((?:guard ?duty\s+)?(?:findings?|alerts?))\b"
                  r"(?!.*\b(?:per|each|by)\b)",  # "the most severe finding per account" is a top 1 per group: refused
                  lambda m: f"the {m.group(1) + ' ' if m.group(1) else ''}{m.group(2)} with the highest severity"
                  if m.group(1) or not m.group(2).endswith("s") else m.group(0), text, flags=re.IGNORECASE)
    # with no number the finding is each one at the top severity (ties kept); "one" asks for a single row
    text = re.sub(r"\b(?:one)\s+((?:guard ?duty\s+)?(?:finding|alert))\s+with\s+the\s+(?:highest|worst|top)\s+"
                  r"severity\b", r"the 1 \1 with the highest severity", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(?:the|a)\s+((?:guard ?duty\s+)?(?:finding|alert))\s+with\s+the\s+(?:worst|top)\s+"
                  r"severity\b", r"the \1 with the highest severity", text, flags=re.IGNORECASE)
    # "the 10. range", "the 10/8 range", "172.16/12": a CIDR written with its zero octets left out
    text = re.sub(r"(?<![\w./])(\d{1,3}(?:\.\d{1,3}){0,2})\.\s+(?:range|block|network|subnet)\b",
                  lambda m: _range(m).rstrip(), text, flags=re.IGNORECASE)
    # "from a 192.0.2. address", "10.1. ips": the same prefix before an address noun, which stays to be read
    text = re.sub(r"(?<![\w./])(\d{1,3}(?:\.\d{1,3}){0,2})\.(?=\s+(?:ip\s+)?(?:address(?:es)?|ips?|hosts?)\b)",
                  _range, text, flags=re.IGNORECASE)
    text = re.sub(r"(?<![\w./])(\d{1,3}(?:\.\d{1,3}){0,2})/(\d{1,2})(?:\s+(?:range|block|network|subnet|cidr))?(?![\w./])",
                  lambda m: ".".join(m.group(1).split(".") + ["0"] * (4 - len(m.group(1).split(".")))) + "/" + m.group(2),
                  text)
    # "not counting X", "somewhere other than X", "ips outside 10.0.0.5", ", low sev excluded": an exclusion, in the
    # one wording the readers of names and of vocabulary know
    text = re.sub(r"\b(?:not counting|discounting|disregarding|leaving aside|setting aside)\b", "excluding", text,
                  flags=re.IGNORECASE)
    text = re.sub(r"\b(?:somewhere|someplace|elsewhere)\s+(?=other than\b|but\b|besides\b)", "anywhere ", text,
                  flags=re.IGNORECASE)
    text = re.sub(r"\boutside(?: of)?\s+(?:the\s+)?(?=\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?(?![\w.]))", "other than ", text,
                  flags=re.IGNORECASE)
    text = re.sub(r"([,;(]\s*)([\w.:/-]+(?:\s+[\w.:/-]+)?)\s+(?:excluded|left out|not included)\b", r"\1excluding \2", text,
                  flags=re.IGNORECASE)
    text = _EITHER_OUTCOME.sub("", text)
    text = _COMPOUND.sub(lambda m: m.group(1).replace("-", " "), text)
    text = _HOST_LABEL.sub("", text)
    # "the scanner 198.51.100.149": a scanner is what sends the probes, the source of its flows (dev11 j073, dev12
    # k108, dev26 ac079, dev30 af164 read it so)
    text = re.sub(r"\b(?:scanner|scanning)(?:\s+(?:ip|address|host))?\s+(?=\d{1,3}(?:\.\d{1,3}){3}\b)", "source ", text,
                  flags=re.IGNORECASE)
    text = _RESOURCE_LABEL.sub("", text)
    text = _IPS_LABEL.sub("", text)
    text = _ACCOUNT_LABEL.sub("", text)
    text = _KIND_ASIDE.sub("", text)
    text = _OPENING.sub("", text)
    # "quick one before standup: …": when the analyst asks, not a time the question is about
    text = re.sub(r"^\s*(?:(?:ok|okay|so)\s+)?(?:quick one|one (?:more )?(?:thing|question)|last (?:thing|one)|quick q(?:uestion)?)"
                  r"(?:\s+before\s+(?:the\s+)?(?:standup|stand-up|lunch|meeting|sync|eod|end of day|i (?:go|leave)))?\s*[:,—–]\s*",
                  "", text, flags=re.IGNORECASE)
    text = _REPORTED.sub("", text)
    text = after_sign_in(text)
    # "when, and what error if any": every outcome, and the error code of each row (the named columns keep it)
    text = re.sub(r"[,;]?\s*(?:and\s+)?(?:what|which|the|any)\s+(?:error(?:\s+code)?s?|failures?)\s*,?\s*if\s+any\b",
                  " and the error, including failures", text, flags=re.IGNORECASE)
    text = _CLOSING.sub("", text) or text
    text = without_purpose(text)
    # "show me the earliest flow from X": the first/last reading is the same without the request words
    text = re.sub(r"^\s*(?:show|give|get|pull|display)(?:\s+(?:me|us))?\s+(?:the\s+)?(?=(?:very\s+)?(?:first|earliest|"
                  r"oldest|last|latest|newest|most recent)\b)", "", text, flags=re.IGNORECASE)
    # "what user agent strings has X used": the user agent is a string; the word adds nothing (dev27, dev30)
    text = re.sub(r"\b(user[- ]?agent)\s+string(s?)\b", r"\1\2", text, flags=re.IGNORECASE)
    # "… in the logs", "… in the whole data set": where to look, which every question already is
    text = re.sub(r"\s+in\s+(?:the\s+)?(?:(?:whole|entire|full)\s+)?(?:logs?|data|lake|data ?lake|data ?set)\s*(?=[?.!]*\s*$)",
                  "", text, flags=re.IGNORECASE)
    # "show me who created keys", "tell me if root logged in": the question after the request is what is asked
    text = re.sub(r"^\s*(?:show|tell|give)\s+(?:me|us)\s+(?:(?:if|whether)\s+)?(?=(?:who|whom|whose|what|which|when|where|"
                  r"how|did|does|do|was|were|is|are|has|have)\b)", "", text, flags=re.IGNORECASE)
    if (request := _REQUEST.match(text)) and request.end() < len(text):
        rest = text[request.end():]
        text = rest
    text = _CAPITALISED_NAME.sub(lambda m: m.group(0).lower(), text)
    text = re.sub(r"(?<![\w&])#\s*of\b", "number of", text, flags=re.IGNORECASE)  # "# of console logins"
    # "by eventname", "per username": a column typed as one word is the placeholder a named value becomes
    # later, and would read as that value; spaced, it is the column the vocabulary knows
    text = re.sub(r"(?<![\w.@/:-])(event|user|role|bucket|secret|policy)(names?)(?![\w.@/:-])", r"\1 \2", text,
                  flags=re.IGNORECASE)
    # "flows per account_id", "by flow_direction": a column as the table names it, in the words the readers know
    text = re.sub(r"(?<![\w.@/:-])(account|instance|interface|subnet|flow|reject)_(id|direction|reason)"
                  r"(?![\w.@/:-])", r"\1 \2", text, flags=re.IGNORECASE)
    # "dstports 8080 or 5432": the port reader knows the column by its words
    text = re.sub(r"(?<![\w.@/:-])(dst|dest|src)(ports?)(?![\w.@/:-])",
                  lambda m: ("source " if m.group(1).lower() == "src" else "destination ") + m.group(2), text,
                  flags=re.IGNORECASE)
    first = re.match(r"\s*([A-Z][a-z]+)\b(?![.@:/-]\w)", text)
    if first and first.group(1) not in _KEEP_CAPITAL:
        text = text[:first.start(1)] + first.group(1).lower() + text[first.end(1):]

    def kind_word(match: re.Match[str]) -> str:
        fixed = closest(match.group(0))
        return fixed if fixed in _KIND_WORDS else match.group(0)

    return re.sub(r"(?<![\w.@/:-])[a-z]{4,8}(?![\w.@/:-])", kind_word, text)
