"""A user agent named by what it contains: "calls with curl in the user agent", "useragent=curl/8.5.0",
"events from the aws-cli user agent".

A user agent string is long ("aws-cli/2.18.0 md/awscrt#0.21.5 ua/2.0 os/linux…"), so an analyst names the tool in
it, never the whole string: the filter is the tool anywhere in it, in any case. Read before the names are, since a
tool's name ("aws-cli", "curl/7.68.0") would otherwise be taken for a user, a bucket or a secret.
"""

from __future__ import annotations

import re

from sqlglot import exp

from workbench.nl.base import TranslationError
from workbench.nl.intent import Filter, col, literal, negate

_AGENT = r"user[\s_-]?agents?\b|useragents?\b"
_VALUE = r"""(?P<q>['"]?)(?P<value>[A-Za-z0-9][\w./#:+()-]*?)(?P=q)"""
_END = r"(?=[\s,;?!]|\.(?:\s|$)|$)"
_NOT = r"(?P<neg>\b(?:not|excluding|except(?:\s+for)?|other\s+than|without|but\s+not|besides|apart\s+from)\s+)?"
# "useragent=curl/8.5.0", "user agent contains boto3", "user agent not like 'python-requests'"
_SAID_AFTER = re.compile(rf"\b(?:{_AGENT})\s*(?:=|==|:|(?P<ne>!=|<>)|\s+(?:(?P<no>(?:is\s+not|isn'?t|was\s+not|wasn'?t|not|"
                         rf"does\s+not|doesn'?t|did\s+not|didn'?t|without))(?:\s+(?:contain\w*|includ\w*|mention\w*|like|match\w*|"
                         rf"start\w*\s+with|ha(?:ve|s|ving)))?|is|was|contains?|containing|includes?|including|like|mentions?|mentioning|"
                         rf"matching|matches|starting with|starts with))(?:(?<=[=:>])\s*|\s+){_VALUE}{_END}",
                         re.IGNORECASE)
# "calls with curl in the user agent", "events that have Wget in their useragent", "calls without curl in the ua"
_SAID_BEFORE = re.compile(rf"\b(?:(?:with|having|has|have|had|showing|contain\w*)|(?P<without>without|lacking))\s+{_VALUE}"
                          rf"\s+in\s+(?:the\s+|their\s+|its\s+|a\s+|an\s+)?(?:{_AGENT})", re.IGNORECASE)
# "calls from the aws-cli user agent", "which ips used a curl user agent", "calls excluding the aws-cli user agent"
_TOOL_NAMED = re.compile(rf"{_NOT}\b(?:from|by|using|used|use|with|via|through|over|(?P<only_not>(?<=\s)|^))\s*"
                         rf"(?:the\s+|a\s+|an\s+)?{_VALUE}\s+(?:{_AGENT})", re.IGNORECASE)
# Words that stand where a tool's name would and are not one: "with distinct user agents", "with the same user agent"
_NOT_A_TOOL = frozenset({
    "distinct", "different", "unique", "same", "other", "another", "most", "many", "multiple", "several", "their", "its",
    "any", "odd", "unusual", "strange", "weird", "new", "rare", "suspicious", "unknown", "each", "every", "no", "one",
    "that", "this", "which", "what", "a", "an", "the", "used", "seen", "empty", "blank", "missing", "null", "top",
    "browser", "console", "sdk", "cli", "script", "tool", "programmatic", "automated", "human", "non", "not", "and", "or",
    "count", "counts", "number", "calls", "call", "events", "event", "per", "by", "for", "in", "on", "of", "to", "from",
    "list", "show", "all", "least", "fewest", "highest", "lowest", "total", "called", "common", "frequent", "only",
    "also", "there", "set", "present", "given", "shown", "it", "them", "they"})
# A bare word before "user agent" is a tool only when it is one analysts look for; a value with a version, a slash or
# a dash ("aws-cli", "curl/8.5.0", "boto3") is a tool's name by its shape
# A tool's name with its version ("aws-cli/1.22.34", "Boto3/1.34.145", "Mozilla/5.0") is the start of a user agent
# string by its shape, said with or without "user agent": read anywhere, it is never a user, a secret or a bucket
_VERSIONED = re.compile(r"(?<![\w/.-])(?P<value>(?:aws-cli|aws-sdk-[a-z]+|boto3?|botocore|python-requests|curl|wget|mozilla|"
                        r"terraform|go-http-client|okhttp|postman\w*|powershell|java|python|aws-internal)/\d+(?:\.\d+)*)"
                        + _END, re.IGNORECASE)
_TOOLS = frozenset({"curl", "wget", "boto", "boto3", "botocore", "python", "terraform", "awscli", "mozilla", "chrome",
                    "firefox", "safari", "edge", "kali", "parrot", "postman", "powershell", "java", "go", "pacu",
                    "s3browser", "cyberduck", "rclone", "nmap", "sqlmap", "scoutsuite", "prowler"})


def take_user_agent(question: str) -> tuple[str, Filter | None]:
    """(the question without the user agent phrase, the filter it names, or None)."""
    for pattern in (_SAID_AFTER, _SAID_BEFORE, _TOOL_NAMED):
        for match in pattern.finditer(question):
            value = match.group("value")
            if value.lower() in _NOT_A_TOOL or value.isdigit():
                continue
            if pattern is _TOOL_NAMED and value.lower() not in _TOOLS and not re.search(r"[\d/.-]", value):
                continue
            groups = match.groupdict()
            if pattern is _TOOL_NAMED and groups["only_not"] is not None and not groups["neg"]:
                continue  # a bare "curl user agent" with no word relating it: read by the rules, or refused
            words = match.group(0).strip()
            condition: exp.Expression = exp.Like(this=exp.Lower(this=col("useragent")),
                                                 expression=literal(f"%{value.lower()}%"))
            description = f"user agent containing {value!r}"
            if any(groups.get(g) for g in ("neg", "ne", "no", "without")):
                # "calls excluding the aws-cli user agent": every other call, those without a user agent too
                condition, description = negate(condition), "not " + description
            rest = question[:match.start()] + " " + question[match.end():]
            return rest, Filter(condition, words, description, (value,))
    if (match := _VERSIONED.search(question)) is not None:
        value = match.group("value")
        rest = question[:match.start()] + " " + question[match.end():]
        return rest, Filter(exp.Like(this=exp.Lower(this=col("useragent")), expression=literal(f"%{value.lower()}%")),
                            value, f"user agent containing {value!r}", (value,))
    return question, None


def require_cloudtrail(agent: Filter | None, table: str) -> None:
    if agent is not None and table != "cloudtrail":
        raise TranslationError("user agents are recorded in CloudTrail, but the rest of the question is about "
                               f"{'VPC flows' if table == 'vpc_flow' else 'GuardDuty findings'}: ask about one log "
                               "source at a time")
