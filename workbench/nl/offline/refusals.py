"""Questions the translator refuses before reading them: requests to act, and data no table holds.

A request to act ("block this IP") is not a query: it is pointed at `workbench.respond`, where
containment runs dry by default. A question about data the three tables do not hold names the
log source that would hold it, instead of answering with rows that look related.
"""

from __future__ import annotations

import re

from workbench.nl.base import TranslationError
from workbench.nl.offline.eventnames import EVENT_PREFIX
from workbench.nl.offline.findingtypes import FINDING_TAIL
from workbench.nl.offline.mentions import FINDING_TYPE

_POLITE = r"(?:please\s+|pls\s+|kindly\s+|now\s+|go\s+(?:and\s+)?|can you\s+|could you\s+|would you\s+|"\
          r"i want (?:you )?to\s+|i need (?:you )?to\s+|we need to\s+|we should\s+|let'?s\s+|help me\s+|"\
          r"(?:i|we) (?:want|need) to\s+|make sure (?:to|you)\s+|)"
ACTION = re.compile(
    rf"^\s*{_POLITE}((?:re-?)?(?:enable|attach|apply|activate)|re-?(?:create|start)|block|blacklist|ban|deny|delete|remove|disable|deactivate|revoke|quarantine|isolate|contain|"
    r"terminate|kill|stop|shut down|shutdown|turn off|switch off|shut off|lock|rotate|reset|suspend|detach|purge|wipe|drop|add|put|create|"
    r"attach|enable|tag|snapshot|notify|page|email|open a ticket|file a ticket|fix|patch|restore|update|modify|"
    r"null[- ]?route|sinkhole|firewall|whitelist|allowlist|denylist|throttle|evict|invalidate|expire|force|"
    r"log (?:out|off)|sign (?:out|off))"
    r"\b(?!\s+(?:events?|calls?|activity|api calls?|logins?)\b)"
)
ACTION_ANYWHERE = re.compile(
    r"^\s*(?:pull|take|strip|yank|rip|kick)\s+.+\s+(?:off|away from|out of)\s+\S|"  # "pull AdministratorAccess off bob"
    r"\b(?:block|quarantine|isolate|revoke|disable|deactivate)\s+(?:this|that|the|these|those|it|them|all|his|her|"
    r"their|ipaddr|username|accesskeyid|rolename|every)\b"
)
QUESTION_START = re.compile(r"^\s*(who|what|which|when|where|why|how|were|was|did|does|do|is|are|has|have|had|"
                            r"show|list|count|find|give|get me|any|all|top|number|tell)\b")

# (pattern over the lower-cased question, the log source that would answer it)
MISSING_DATA: tuple[tuple[str, str], ...] = (
    (r"\bdns\b|domain names? (?:resolved|looked up|queried)|\bresolver\b|\bnslookup\b|\bdomains?\b|"
     r"\blook(?:ed)? up\b|\blookups?\b|\bhostnames? (?:resolved|queried)",
     "DNS queries are in Route 53 Resolver query logs, which are not in the lake"),
    (r"\burls?\b|\bhttp (?:requests?|paths?|status|methods?|headers?)\b|\buser[- ]agents? of web|\bwaf\b|"
     r"\bload balancer\b|\balb\b|\belb\b|\bcloudfront\b|web requests?|\bweb logs?\b",
     "web requests are in ALB/CloudFront/WAF access logs, which are not in the lake"),
    (r"\bpayloads?\b|packet (?:contents?|data|bodies|body)|contents of (?:the )?(?:packets?|traffic)|\bpcap\b|what (?:data|files) "
     r"(?:was|were) (?:sent|transferred|exfiltrated)|"
     # "what was in the packets from X", "what did the packets contain": what was carried, not how much
     r"\bwhat(?: data)? (?:was|is|were|are) (?:(?:inside|in|within|carried in|sent in) )(?:the |those |these |its |their )?"
     r"packets?\b|\b(?:inside|within) (?:the |those |these )?packets?\b|"
     r"\bpackets?\b[^?]{0,60}?\b(?:contain(?:s|ed|ing)?|carr(?:y|ied|ies|ying))\b",
     "packet contents need VPC Traffic Mirroring captures; flow logs hold only addresses, ports and counts"),
    (r"\bprocess(?:es)?\b|command lines?|\bshell commands?\b|\bterminal\b|\bkeystrokes?\b|commands? (?:typed|run|executed) (?:on|in) (?:the )?(?:host|instance|box|"
     r"server|shell)|\bshell history\b|\bbash\b|\bedr\b|\bsyslog\b|\bauth\.log\b|files? (?:on|in) (?:the )?"
     r"(?:disk|host|instance)|\bmalware (?:on|in) (?:the )?(?:disk|host)|"
     # "what did bob type in the ssm session": CloudTrail logs StartSession, never what was typed inside it
     r"\b(?:typ(?:e|ed|es|ing)|enter(?:ed|s)?|r[au]n|execut(?:e|ed|es))\s+(?:\w+\s+){0,2}(?:in|into|inside|during|"
     r"within|over)\s+(?:the\s+|a\s+|an\s+|his\s+|her\s+|their\s+|that\s+)?(?:ssm\s+|session manager\s+|shell\s+|"
     r"interactive\s+|remote\s+)?sessions?\b|\bsession (?:contents?|transcripts?|recordings?|output|history)\b",
     "host activity is in EDR, OS or SSM Session Manager logs, which are not in the lake"),
    (r"\bemails?\b|\bphish(?:ing)?\b|\bslack\b|\bokta\b|\bazure\b|\bentra\b|\bgcp\b|\bgoogle workspace\b|"
     r"\bo365\b|\boffice 365\b|\bgithub audit\b",
     "that system's own audit logs are not in the lake (only CloudTrail, VPC flow logs and GuardDuty)"),
    (r"\bcost\b|\bbill(?:ing)? (?:amount|total)|\bspend(?:ing)?\b|how much (?:did|does|will) .* cost",
     "spend is in the AWS Cost and Usage Report, which is not in the lake (see `mantissa cost` for query cost)"),
    (r"\bcurrently\b|\bright now\b|\bat the moment\b|\bcurrent (?:state|config|configuration|members|policy|"
     r"rules?)\b|\bstill (?:open|running|attached|active|enabled|exist)|\bare (?:still )?running\b|"
     r"\bports? (?:are|is) open\b|\bopen ports?\b|\b(?:is|are) (?:publicly )?(?:exposed|public|reachable)\b|"
     r"\binventory\b|\bcompliant\b|\bcompliance\b",
     "current configuration is in AWS Config (or the service's own API), not in event logs"),
    (r"\boutside (?:the |of )?(?:us|usa|u\.s\.|eu|europe|country)\b(?!-)|\bcountr(?:y|ies)\b|\bgeo(?:location|ip)?\b|"
     r"\bforeign (?:ips?|addresses|locations?)\b|\bwhich cit(?:y|ies)\b|\bfrom (?:russia|china|north korea|iran)\b",
     "IP geolocation is not in these tables: enrich the source IPs with a GeoIP database, then ask about the "
     "addresses"),
    (r"\bcpu\b|\bmemory (?:usage|use|utili[sz]ation)\b|\bdisk (?:usage|space)\b|\blatency\b|\butili[sz]ation\b|"
     r"\bmetrics?\b|\bthroughput\b",
     "performance metrics are in CloudWatch metrics, which are not in the lake"),
    (r"\bwindows event\b|\bevent ?logs? (?:on|of|for) (?:the )?(?:host|server|domain controller)|\bdomain controllers?\b|"
     r"\bactive directory\b|\bsysmon\b",
     "Windows and directory logs are not in the lake (only CloudTrail, VPC flow logs and GuardDuty)"),
    (r"\bon[- ]?call\b|\bpager\b|\bwho (?:is|are) (?:the )?(?:owner|responsible|admin)|\bwho owns\b|\bowner of\b",
     "ownership and on-call are not in logs: ask your asset inventory; the logs say who called what"),
    (r"\b(?:have|has|hold|holds)\s+(?:admin\w*|administrator\w*|full access|(?:\w+\s+)?(?:rights|permissions|"
     r"privileges))\b|\bwho can\b|\bis allowed to\b|\bare allowed to\b",
     "who holds which permissions now is IAM state (the IAM API, Access Analyzer or AWS Config), not in event "
     "logs; ask who attached a policy, or privilege escalation attempts"),
    # whether a user has MFA is a property of the account; the events say only whether a sign-in or session used it,
    # and EnableMFADevice / DeactivateMFADevice (who changed it) stay answerable
    (r"^(?!.*\b(?:sessions?|log(?:ged)? ?ins?|logins?|sign(?:ed)?[- ]?ins?|console)\b).*(?:"
     r"\b(?:is|are|was|were|has|have|does|do)\s+(?:\S+\s+){0,3}?mfa\s+(?:enabled|configured|set ?up|turned on|"
     r"activated|enforced|registered|on(?=\s*(?:$|[?.!,;]|for\b)))\b|\bmfa\s+(?:is|are)\s+(?:not\s+)?(?:enabled|"
     r"configured|set ?up|turned on|activated|enforced|registered|on|off|disabled)\b|\b(?:has|have|does|do)\s+"
     r"(?:\S+\s+){0,3}?(?:an?\s+)?mfa(?:\s+devices?)?\s*(?:$|[?.!,;]|for\b)|\b(?:with|without|no|lack\w*|missing)\s+"
     r"(?:an?\s+)?mfa\s+(?:devices?|enabled|configured|set ?up|registered)\b)|"
     r"\bcan (?:be )?assum\w*|\bcan\s+\S+\s+assume\b|\bare able to assume\b",
     "whether an account has MFA or may assume a role is IAM state (the IAM API or a credential report), not in "
     "event logs; ask for sign-ins without MFA, or who enabled or deactivated an MFA device"),
    (r"\bmalicious\b(?!\s+ips?\b)|\breputation\b|\bthreat intel\w*\b|\bblocklists?\b|\bknown[- ]bad\b",
     "threat intelligence is not in these tables: ask for GuardDuty findings involving the address instead"),
    (r"\b(?:security ?hub|inspector|macie|detective|access analyzer|trusted advisor|config rules?)\s+(?:findings?|alerts?|"
     r"results?|vulnerabilit\w+|scans?|reports?|checks?)\b|\b(?:findings?|alerts?|vulnerabilit\w+) (?:from|in|of|by) "
     r"(?:aws |amazon )?(?:security ?hub|inspector|macie|detective|access analyzer|trusted advisor)\b",
     "other AWS services' findings (Security Hub, Inspector, Macie, Access Analyzer) are not in the lake; only "
     "GuardDuty's are"),
    (r"\bkubernetes\b|\bk8s\b|\bkubectl\b|\beks audit\b|\bpods?\b",
     "Kubernetes activity is in EKS audit logs, which are not in the lake"),
    (r"\bpasswords? (?:was|were|is|are) (?:used|typed|entered)|what (?:was|is) (?:the|their|his|her) password|"
     r"\bplaintext\b|\bwhat (?:was|were|is|are) (?:the |its |their )?secret values?\b|"
     r"\bsecret values? (?:(?:were|was|are|is) )?(?:returned|read out|revealed)|\bcontents? of (?:the )?secret",
     "secret and password values are never logged (CloudTrail records only that a secret was read)"),
    # "lambda invocation logs", "execution logs of the function": what a function printed, not its API calls
    (r"\blambda (?:(?:function|invocation|execution|runtime) )?(?:logs?|output|stdout|print)|"
     r"\b(?:invocation|execution) logs?\b|\bapplication logs?\b|\bcloudwatch logs? (?:contents?|lines?|"
     r"messages?)|\blog lines?\b",
     "application output is in CloudWatch Logs, which is not in the lake"),
    (r"\bs3 (?:object|data) (?:contents?|downloads?)|\b(?:which|what) (?:files|objects)\b.{0,40}\b(?:download\w*|read|"
     r"copied|copy|exfiltrat\w*|take|took|access\w*)|\bobjects? (?:downloaded|read) from\b",
     "object-level reads are CloudTrail S3 data events; ask about GetObject calls, or enable data events "
     "for the bucket if they are missing"),
)


# a hyphenated name of three parts or more, or of two with a digit ("dns-resolver-lambda", "metrics-319c"); never a
# compound word ("on-call", "known-bad")
_RESOURCE_NAME = re.compile(r"(?<![\w.@/-])(?:[a-z0-9]+(?:-[a-z0-9]+){2,}|[a-z]*\d[a-z0-9]*-[a-z0-9]+|[a-z0-9]+-[a-z]*\d[a-z0-9]*)"
                            r"(?![\w@/-])")


# "who did not log in", "which users have not called X": the ones acting, with their action negated
ABSENCE = re.compile(r"\b(?:who|whom|which|what)\s+(?:\w+\s+){0,2}?(?:did|do|does|have|has|had)\s+not\s+(?:yet\s+|ever\s+)?"
                     r"(?:log\w*|sign\w*|call\w*|use[ds]?|using|access\w*|make|made|touch\w*|run|ran|creat\w*|delet\w*|"
                     r"connect\w*|assum\w*|rotat\w*|enabl\w*|send|sent|talk\w*|read|writ\w*|do|done)\b")


SQL_SYNTAX = re.compile(r"\bunion\s+(?:all\s+)?select\b|\bselect\b.+\bfrom\b|\b(?:drop|truncate|alter)\s+table\b|"
                        r"\binsert\s+into\b|\bdelete\s+from\b|;\s*(?:select|with|drop|delete|insert|update|alter|create|grant)\b|"
                        r"'\s*--|--(?!-*>)\S|/\*|\binformation_schema\b")


def refuse_unanswerable(question: str) -> None:
    """Raise a one-line TranslationError for a request to act or for data the tables do not hold."""
    # a finding type names no data source ("CryptoCurrency:EC2/BitcoinTool.B!DNS" is not about DNS logs)
    question = FINDING_TAIL.sub("findingtype", FINDING_TYPE.sub("findingtype", question))
    question = EVENT_PREFIX.sub("eventname", question)  # "Delete* calls" asks about deletions
    text = re.sub(r"\s+", " ", question.strip().lower())
    if SQL_SYNTAX.search(text):
        raise TranslationError("refused: the question contains SQL syntax; %ask takes English — to run SQL "
                               "write it in a %%athena cell, where the guard checks it")
    if not QUESTION_START.match(text) and (ACTION.match(text) or ACTION_ANYWHERE.search(text)):
        verb = (ACTION.match(text) or ACTION_ANYWHERE.search(text)).group(0).strip()  # type: ignore[union-attr]
        raise TranslationError(
            f"refused ({verb!r} is a request to act, not a question): %ask only reads logs. Containment lives in "
            "workbench.respond (e.g. respond.block_ip, respond.disable_access_keys — dry run by default); "
            "to look first, ask e.g. 'what did 203.0.113.42 do in the last day'")
    if ACTION_ANYWHERE.search(text) and re.match(r"^\s*(?:can|could|would|should|will)\s+(?:you|we|i)\b", text):
        raise TranslationError(
            "refused (a request to act, not a question): %ask only reads logs; containment lives in "
            "workbench.respond (dry run by default)")
    if re.search(r"^\W*(?:but\s+|so\s+|and\s+)?why\b|\bwhy\s+(?:did|does|do|was|were|is|are|would|has|have)\b", text):
        # the logs record what was done, by whom, when and from where; a motive is no column
        raise TranslationError("refused (asks why): the logs record what was done, by whom, when and from where, "
                               "not why; ask e.g. 'what did heidi.smith do yesterday' and read the calls around it")
    if re.search(r"\bwhat\s+(?:should|do|can|must|shall)\s+(?:i|we)\s+do\b|\bhow\s+(?:should|do|can|shall)\s+(?:i|we)\s+"
                 r"(?:respond|fix|remediate|contain|handle|stop|clean up)\b", text):
        raise TranslationError("refused (asks what to do): %ask only reads logs; containment lives in workbench.respond "
                               "(dry run by default) and the alert's investigation playbook; to look first, ask e.g. "
                               "'what did heidi.smith do in the last day'")
    if ABSENCE.search(text):
        # "who did not log in" is everyone minus those who did: the logs hold what happened, not who is missing
        raise TranslationError(
            "refused (asks who did not do something): the logs hold only what happened; ask who did it (e.g. "
            "'which users logged in to the console') and compare with your list of users")
    # "who created metrics-319c-role": a word inside a name the logs write (joined by hyphens or dots, with a digit;
    # or of three hyphenated parts, "dns-resolver-lambda") names no data source
    named = re.sub(r"(?<![\w.-])(?=[\w.-]*\d)[a-z0-9]+(?:[-.][a-z0-9]+)+(?![\w.-])", "name", text)
    named = _RESOURCE_NAME.sub("resourcename", named)
    for pattern, source in MISSING_DATA:
        if re.search(pattern, named):
            raise TranslationError(
                f"refused (data these tables do not hold): {source}. The lake has CloudTrail (API calls), "
                "VPC flow logs (connections) and GuardDuty (findings); ask about those instead")


def refuse_unreadable_values(question: str) -> None:
    """An address with its port ('198.51.100.149:4444') or a port range ('ports 1024-65535'): one part would be
    dropped (the port, or all but the first port of the range), so the question is refused with how to ask it."""
    if match := re.search(r"\b\d{1,3}(?:\.\d{1,3}){3}:(\d{1,5})\b", question):
        raise TranslationError(f"cannot read {match.group(0)!r}: write the port apart, e.g. 'from "
                               f"{match.group(0).split(':')[0]} on source port {match.group(1)}' or 'to port {match.group(1)}'")
    if match := re.search(r"\bports?\s+(\d{1,5})\s*(?:-|–|to|through|thru)\s*(\d{1,5})\b(?!\.)", question, re.IGNORECASE):
        raise TranslationError(f"cannot read the port range {match.group(0)!r}: name the ports, or ask e.g. "
                               f"'flows to ports above {int(match.group(1)) - 1}'")


def refuse_nested(question: str) -> None:
    """'events for the user with the most errors': rows of a value another ranking picks is two queries."""
    if match := re.search(r"\b(?:events?|calls?|activity|actions?|flows?|traffic|findings?|logins?|what did|what has)\b"
                          r".{0,30}?\b(?:for|of|by|from|to)\s+the\s+(?:[\w-]+\s+){1,2}(?:with|that (?:has|had|made)|"
                          r"having)\s+the\s+(?:most|fewest|least|highest|lowest|largest|biggest)\b", question, re.IGNORECASE):
        raise TranslationError(f"cannot answer {match.group(0)!r} in one query: ask first for the top one (e.g. "
                               "'the user with the most errors'), then for its rows by name")
    # "regions touched by 192.0.2.238 during the leaked key alert": the alert's time span is another query's answer;
    # read as a GuardDuty question or with the span dropped, the answer would be about something else
    if match := re.search(r"\b(?:during|while|throughout|around|at the time of)\s+(?:the|that|this)\s+(?:[\w-]+\s+){0,5}?"
                          r"(?:alerts?|findings?|incidents?|attacks?|scans?|outages?)\b", question, re.IGNORECASE):
        raise TranslationError(f"cannot place {match.group(0)!r}: a time relative to another event is not understood; "
                               "name the time, e.g. 'on 2026-11-19 between 14:00 and 16:00', or ask for the alert's "
                               "time first ('when was the first finding of that type')")
    # "which users were created, and did the new users then make calls?": the second part acts on the first's rows
    if match := _ACTS_ON_RESULT.search(question):
        raise TranslationError(f"cannot answer {match.group(0).strip(' ,;:-')!r} in one query: it asks about the rows "
                               "the first part finds; ask for those first (e.g. 'which users were created'), then for "
                               "their calls by name")


_ACTS_ON_RESULT = re.compile(
    r"[,;:-]?\s*\b(?:and|then)\s+(?:did|do|does|have|has|had|were|was)\s+(?:the\s+(?:new(?:ly created)?|created)\s+\w+|"
    r"th(?:ose|ese|at|is)\s+(?:new\s+)?\w+|they|it|he|she)\s+(?:then\s+|later\s+|afterwards?\s+|ever\s+|subsequently\s+|"
    r"go on to\s+|actually\s+)?(?:make|made|call|use|do|log|sign|access|assume|create|delete|touch|run|perform|get used)\w*\b",
    re.IGNORECASE)


# "… in which regions, and did any fail?": a second, yes/no question about the outcome. Read as a filter it would
# answer "regions where calls failed" — not what was asked — so it is asked apart.
_OUTCOME_FOLLOW_UP = re.compile(r"[,;:-]?\s*\b(?:and|&|also|plus)\s+(?:did|were|was|do|are|is)\s+(?:any(?:\s+of\s+(?:them|those|these))?|"
                                r"they|it|some|those|these)\s+(?:get\s+)?(fail\w*|succe\w*|error\w*|denied|work\w*|go through)"
                                r"\b[^.?]*\??\s*$", re.IGNORECASE)
_OTHER_ASK = re.compile(r"\b(?:which|what|who|whom|how many|per|by each|for each|list|show|count|top)\b", re.IGNORECASE)


# "rejected and total flow counts", "failed vs all logins": a count of some rows beside the count of all. One
# filter applies to the whole query, so the total would silently become the filtered count again.
_BESIDE_TOTAL = re.compile(
    r"\b(?:rejected|accepted|failed|failing|denied|successful|blocked|allowed|erro(?:r|red|rs)|unauthori[sz]ed)\s+"
    r"(?:\w+\s+){0,2}?(?:and|&|vs\.?|versus|against|compared (?:to|with)|out of|beside|alongside|plus)\s+"
    r"(?:the\s+|their\s+)?(?:total|all|overall|every)\b(?!\s+(?:the\s+)?(?:rejected|accepted|failed|denied|"
    r"successful|blocked|allowed|erro|unauthori))", re.IGNORECASE)


# "how many distinct ports did X hit, and how many of those flows got rejected": a second count over a part of
# the rows; its condition would become the first count's filter too, so both answers would be the part's
_COUNT_OF_PART = re.compile(
    r"\b(?:how many|number of|count of)\b.*?[,;:-]?\s*\b(?:and|&|plus|also)\s+(?:also\s+)?(?:how many|what number|"
    r"the number|the count|count)\s+(?:of\s+(?:them|those|these|which)\b(?:\s+\w+){0,2}?\s+(?:were|was|got|get|are|is|"
    r"did|failed|succeeded|errored|had|have|came)\b|(?:were|was|got|are)\s+(?:rejected|accepted|denied|failed|blocked|"
    r"successful|allowed|errors?)\b)", re.IGNORECASE)


# "services that only show up in one account": a condition on how many distinct values each one has, which no
# reading here keeps; answered, it would list every service
_IN_ONLY_ONE = re.compile(r"\b(?:only|just)\s+(?:(?:\w+\s+){0,3}?(?:in|from|by|on|for)\s+)?(?:one|a single|1)\s+"
                          r"(accounts?|regions?|ips?|users?|principals?|services?|buckets?|days?)\b", re.IGNORECASE)


def refuse_compound(question: str) -> None:
    if match := _IN_ONLY_ONE.search(question):
        raise TranslationError(f"cannot keep {match.group(0)!r}: a condition on how many distinct "
                               f"{match.group(1).rstrip('s')}s each value has is not read; ask for the count beside "
                               f"each value, e.g. 'services with their number of distinct accounts'")
    if match := _COUNT_OF_PART.search(question):
        part = match.group(0)[match.group(0).rfind(next(w for w in ("how many", "what number", "the number", "the count",
                                                                    "count") if w in match.group(0).lower())):]
        raise TranslationError(
            f"cannot count a part beside the whole ({part!r}) in one answer: ask them one at a time, e.g. the first "
            "count alone, then the same with the part's condition ('how many rejected flows from 10.0.0.5')")
    if match := _BESIDE_TOTAL.search(question):
        raise TranslationError(
            f"cannot count a part beside the whole ({match.group(0)!r}) in one answer: ask them one at a time, e.g. "
            "'rejected flows per account', then 'flows per account' (or 'flows per account and action')")
    match = _OUTCOME_FOLLOW_UP.search(question)
    if match and _OTHER_ASK.search(question[:match.start()]):
        raise TranslationError(
            f"two questions in one ({match.group(0).strip(' ,;:-')!r} asks about the outcome apart): ask them one at a "
            "time, e.g. the first part alone, then the same with 'failed' (or 'per error code')")


# "traffic from that ip", "what did she do yesterday": a value named in an earlier question, which this one does not
# carry (each question is translated on its own); answered, it would be every row of the table
_REFERS_BACK = {
    "ip": r"\b(?:that|this|those|these|the same)\s+(?:ip|ips|address|addresses|host|hosts|source|scanner|attacker)\b",
    "user": r"\b(?:that|this|those|these|the same)\s+(?:user|users|person|guy|account|principal|identity)\b(?!\s+id)|"
            r"\b(?:she|he|her|him|his|hers)\b",
    "role": r"\b(?:that|this|the same)\s+role\b",
    "access_key": r"\b(?:that|this|the same)\s+(?:access\s+)?key\b",
    "bucket": r"\b(?:that|this|the same)\s+bucket\b",
    "resource_id": r"\b(?:that|this|the same)\s+(?:instance|machine|box|server|interface|eni)\b",
}
_KINDS_OF = {"ip": {"ip"}, "user": {"user", "name", "bare_name", "arn", "role", "access_key", "account"}, "role": {"role", "arn"},
             "access_key": {"access_key"}, "bucket": {"bucket", "name"}, "resource_id": {"resource_id"}}


# "and what about judy.byrne@tyrell.com?", "same for 10.0.0.5", "and for bob?": a new value for an earlier question,
# whose filters and shape this one does not carry; answered alone it would be every row of the value
_FOLLOW_UP = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|so|right|alright|thanks|thank you|cool|great|nice|and|also|now|then)\b\W*)*"
    r"(?:(?:what|how)\s+about|(?:the\s+)?same(?:\s+(?:thing|query|question|search|again|as before|one))*\s+(?:but\s+)?"
    r"(?:for|with|on|against|about)|(?<=and\s)(?:for|with)|(?:do|run|repeat)\s+(?:it|that|this)\s+(?:again\s+)?for)\b",
    re.IGNORECASE)


def refuse_follow_up(question: str) -> None:
    if match := _FOLLOW_UP.match(question):
        raise TranslationError(f"ambiguous: {match.group(0).strip()!r} reads as a follow-up to an earlier question; each question is "
                               "read on its own: ask it whole, e.g. 'what did judy.byrne@tyrell.com do yesterday' or "
                               "'failed console logins for heidi.smith'")


def refuse_back_reference(question: str, kinds: set[str]) -> None:
    for kind, pattern in _REFERS_BACK.items():
        if (match := re.search(pattern, question, re.IGNORECASE)) and not kinds & _KINDS_OF[kind]:
            raise TranslationError(f"ambiguous: {match.group(0)!r} refers to a value this question does not name (each "
                                   "question is read on its own): name it, e.g. 'traffic from 203.0.113.42 since "
                                   "midnight' or 'what did heidi.smith do yesterday'")
    # "when did the breach start", "how did they get in": an incident named by no value, time or rows of its own
    if not kinds and (match := re.search(r"\b(?:the|this|that|our)\s+(?:breach|incident|attack|compromise|intrusion|thing)\b(?!\s+(?:doc|report|"
                                         r"channel|ticket|notes?)\b)|^\W*(?:how|when|where|what|why)\s+(?:did|do|have|had|were|"
                                         r"are|could)\s+they\b", question, re.IGNORECASE)):
        raise TranslationError(f"ambiguous: {match.group(0).strip()!r} refers to something this question does not name "
                               "(each question is read on its own): name the IP, user, key or time, e.g. 'what did "
                               "192.0.2.88 do on the 18th' or 'failed console logins for heidi.smith'")
    if not kinds and re.search(r"\b(?:did|does|has|have|was|is)\s+it\b|\bits\s+(?:traffic|flows?|calls?|events?|"
                               r"activity|logins?)\b|^\W*(?:(?:so|and|but|ok)\W+)*(?:did|do|have|had|were|are|could)\s+"
                               r"they\b", question, re.IGNORECASE):
        raise TranslationError("ambiguous: 'it' or 'they' refers to something this question does not name (each "
                               "question is read on its own): name the IP, user, key or instance")
