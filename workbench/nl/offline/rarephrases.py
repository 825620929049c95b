"""Phrasings of the rarer columns rewritten, before anything is read, to the words the readers know:

- contractions typed without their apostrophe ("didnt use mfa"), which spelling would otherwise take for
  another word ("didn");
- "error message" and "vpc endpoint", columns of their own, as one word: the "error" is no outcome, the "vpc"
  no flow;
- GuardDuty named as the service called ("guardduty api calls"), not as the findings' table;
- the services that call on a principal's behalf ("which aws services invoked calls on our behalf"): the invoking
  service;
- where an event was recorded ("events that landed in account X"): the account the event is in;
- read-only calls set against writes ("readonly vs write call counts"): a count per value of the read-only flag;
- a detector deleted (GuardDuty's), a security group's id (the group), an ingress rule for 0.0.0.0/0 (the group opened to the world);
- an ssh key pushed (SendSSHPublicKey), the instance that owns an interface, a flow's start time, an address range's kind said aside, a user agent's
  tool in brackets;
- identities broken down by type (the identity type), the session issuer (the role), the user a key was made for
  (the target user);
- dev32's checklist words: a leading CIS item label, console authentication failures, trail config changes with their
  calls listed, security group rule changes, kms keys disabled or scheduled for deletion, ssh key pairs, detector ids.
"""

from __future__ import annotations

import re

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern, re.IGNORECASE), replacement) for
                                                            pattern, replacement in (
    (r"\b(did|does|do|was|were|is|are|has|have|had|could|would|should)nt\b", r"\1n't"),
    # "weekly report - api calls per region", "handover: total findings", "… for the report": where the answer goes
    # is no condition on it (dev28's reporting questions bound nothing by the report's period; "daily" would be a
    # grouping, so a daily report is left to be read or refused)
    (r"^\s*(?:for\s+(?:the|my|our|this)\s+)?(?:(?:weekly|monthly|quarterly|shift|exec(?:utive)?|management|status)\s+)?"
     r"(?:report|handover|hand-?off|recap)(?:\s+(?:numbers|stats|figures|metrics))?\s*(?::|,|;|\s[-—–]{1,2})\s*", ""),
    (r"[,;]?\s+for\s+(?:the|my|our|this)\s+(?:(?:weekly|monthly|quarterly|shift|exec(?:utive)?|management|status)\s+)?"
     r"(?:report|handover|hand-?off|recap)\s*([.?!]?)\s*$", r"\1"),
    # the message is a column of its own: "error" in it is no outcome ("Failed authentication" has no error code)
    (r"\berror[\s_-]?(?:message|msg)(s?)\b", r"errormessage\1"),
    (r"\bvpc[\s_-]?endpoint(?:[\s_-]?id)?(s?)\b", r"vpcendpointid\1"),  # never VPC flows' vpc
    (r"\bguard ?duty(?:'s)?\s+(?=(?:api\s+)?(?:calls?|requests?|apis?|api\s+activity)\b)", "guardduty.amazonaws.com "),
    (r"\b((?:api\s+)?calls?\s+(?:made\s+)?to\s+(?:the\s+)?)guard ?duty(?:\s+api)?\b(?![.\w-])(?!\s+(?:findings?|alerts?|detectors?)\b)",
     r"\1guardduty.amazonaws.com"),
    (r"\b(?:aws\s+)?services?\s+(?:that\s+)?(?:invoked|made|called|issued|performed|sent)\s+(?:api\s+)?calls?\s+"
     r"(?:on\s+(?:our|my|your|their|its|his|her|someone's|a user's)\s+behalf|for\s+(?:us|them|users?|principals?))",
     "invoking services"),
    (r"\b(?:landed|arrived|were\s+recorded|was\s+recorded|got\s+recorded|were\s+logged|was\s+logged|occurred|"
     r"happened)\s+(?=in\s+(?:the\s+)?account\b)", ""),
    (r"\b(?:read[- ]?only|reads?)\s+(?:vs\.?|versus|and|or)\s+(?:write|writes|mutating|non[- ]read[- ]?only)"
     r"((?:\s+(?:api\s+)?(?:calls?|events?|requests?))?(?:\s+counts?)?)", r"\1 per readonly"),
    # "which instance owns eni-…": the instance a flow's interface belongs to, as "which instance has eni-…" asks
    (r"\b(instances?)\s+(?:that\s+)?(?:owns?|owned|holds?|is\s+behind|sits\s+behind|is\s+attached\s+to)\s+(?=eni-)",
     r"\1 has "),
    # "ssh keys pushed to i-…", "who pushed an ssh key": a key sent to an instance is EC2 Instance Connect's
    # SendSSHPublicKey (dev d201, dev9 l100, dev13 p156 read it so), never a key pair imported
    (r"\b(?:an?\s+|the\s+|new\s+|any\s+)?ssh\s+(?:public\s+)?keys?\s+(?:(?:were|was|got|been|being)\s+)?"
     r"(?:pushed|sent|injected)\b", "SendSSHPublicKey calls"),
    (r"\b(?:push(?:ed|es|ing)?|sen(?:t|ds?|ding)|inject(?:ed|s|ing)?)\s+(?:an?\s+|the\s+|new\s+|their\s+)?"
     r"ssh\s+(?:public\s+)?keys?\b", "called SendSSHPublicKey"),
    # "SendSSHPublicKey events - who pushed a key": beside the call named, the key pushed is that call's
    (r"(\bSendSSHPublicKey\b.*?)\bpush(?:ed|es|ing)?\s+(?:an?\s+|the\s+)?keys?\b", r"\1called SendSSHPublicKey"),
    # "earliest vpc flow start time", "first and last flow start": the flow's start is the time a first / last
    # flow is read by (dev3 c150, dev9 l073, dev25 a007)
    # ("earliest ssh connection start out of X": a connection is a flow, dev27 ac117)
    (r"\b(earliest|first|latest|last|most\s+recent)\s+((?:vpc\s+)?(?:[a-z0-9]+\s+)?(?:flow|connection))\s+start"
     r"(?:\s+(?:time|timestamp)s?)?\b", r"\1 \2"),
    # "start time of the most recent rejected flow on eni-…", "when did the last flow from X start": the time the
    # first / last flow is read by is its start already (dev28 ad017, ad018); "start" left would read as "first"
    (r"\bstart\s+(?:time|timestamp)\s+of\s+(?:the\s+)?(first|earliest|last|latest|most\s+recent)\s+(?=(?:[a-z]+\s+)?"
     r"flows?\b)", r"the \1 "),
    (r"\bwhen\s+did\s+(the\s+(?:first|earliest|last|latest|most\s+recent)\s+(?:[a-z]+\s+)?flows?\b.*?)\s+(?:start|begin)"
     r"\s*(\??)\s*$", r"when was \1\2"),
    # "flows where 10.20.0.161 is the dst and port is 3389" (dev19 v032): the side and the port said as sentences, read
    # as "the dst is 10.20.0.161" and "port 3389" are
    (r"\b((?:(?:dst|dest|destination|src|source)\s+)?port)\s+(?:is|was|equals|=|==)\s+(?=\d{1,5}\b)", r"\1 "),
    (r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})\s+(?:is|was)\s+the\s+(dst|destination|src|source)\b(?!\s+(?:port|ip|address))",
     r"the \2 is \1"),
    # "52.216.x.x (s3 range)", "the 10.0.0.0/8 (vpc cidr)": what the address is, said aside, adds no condition
    (r"(?<=[\dx*])\s*\((?:the\s+|an?\s+)?(?:s3|aws|amazon|ec2|cloudfront|vpc|corporate|office|vpn|internal|private|"
     r"public)\s+(?:ip\s+)?(?:range|block|prefix|space|cidr|network|subnet)\)", ""),
    # "external source ips (not 10.x)", "to external (non-10.x) destinations", "internal (10.x)": the organisation's
    # range said aside restates the scope word (10.x is internal, dev28's header; dev9 o121 reads "(10.x destinations
    # only)" so); only a gloss that agrees with the word is dropped, one that contradicts it stays to be refused
    (r"\b(?:(?P<out>external|public)|internal|private)(?P<noun>(?:\s+(?:source|destination|src|dst))?(?:\s+(?:ips?|"
     r"addresses|address|hosts?|sources?|destinations?|dsts?|srcs?))?)\s*\(\s*(?P<neg>not\s+(?:in\s+)?|non-?\s*|"
     r"outside\s+(?:of\s+)?(?:the\s+)?)?10\.(?:x|\*)(?:\.(?:x|\*))*(?:\s+(?:range|addresses|ips|space))?\s*\)",
     lambda m: m.group(0) if bool(m.group("out")) != bool(m.group("neg")) else m.group(0)[:m.end("noun") - m.start()]),
    # "rejected flows on 11/19", "between 21:00 and 22:00 on 11/18": a month and day (dev3 c115, dev28 ad049), never the
    # range 11.0.0.0/19; only when the day cannot be a month, so "on 11/12" (November or December?) is left to refuse
    (r"\b(on|for|during)\s+(1[0-2]|0?[1-9])/(1[3-9]|2\d|3[01])(?:/(\d{4}))?(?![\w./-])",
     lambda m: f"{m.group(1)} {_MONTHS[int(m.group(2)) - 1]} {m.group(3)}{', ' + m.group(4) if m.group(4) else ''}"),
    # "flows on 19/11": a day and month, written day first (dev33 ai001, ai150); as above only when the day cannot be
    # a month, never the range 19.0.0.0/11
    (r"\b(on|for|during)\s+(1[3-9]|2\d|3[01])/(1[0-2]|0?[1-9])(?:/(\d{4}))?(?![\w./-])",
     lambda m: f"{m.group(1)} {_MONTHS[int(m.group(3)) - 1]} {m.group(2)}{', ' + m.group(4) if m.group(4) else ''}"),
    # "findings on 18 november", "on the 18th of november", "on 19 nov 2026": a date written day first, as "nov 18"
    # reads (dev33 ai003, ai013); "may" is left out, a verb as often as a month
    (r"\b(?:the\s+)?(3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\s+(?:of\s+)?(jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)"
     r"(?:uary|ruary|ch|il|e|y|ust|t|tember|ober|ember)?\.?(?:,?\s+(20\d\d))?\b(?![\w./-])",
     lambda m: f"{m.group(2)} {int(m.group(1))}{', ' + m.group(3) if m.group(3) else ''}"),
    # "minute by minute flow counts": a count per minute; "the timestamp of the first event": its time; "its final api
    # call": its last (dev33 ai047, ai049, ai051)
    (r"\b(minute|hour|day)\s+by\s+\1\b", r"per \1"),
    (r"\btimestamp(s?)(?=\s+of\b)", r"time\1"),
    (r"\bfinal\b", "last"),
    # "anything from 203.0.113.77 on 2026/11/18": a year first is always year/month/day, the ISO date
    (r"(?<![\w./-])(20\d\d)/(1[0-2]|0?[1-9])/(3[01]|[12]\d|0?[1-9])(?![\w./-])",
     lambda m: f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"),
    # "ssh flows where both source and destination are internal": each end scoped, as "from internal addresses to
    # internal addresses" reads (dev28 ad022)
    (r"\b(?:where|with|whose)\s+both\s+(?:the\s+)?(?:source|src)\s+and\s+(?:the\s+)?(?:destination|dst)\s+(?:are|were|is)\s+"
     r"(internal|private|external|public)\b", r"from \1 addresses to \1 addresses"),
    # "egress bytes (flow_direction egress)": the column and value said aside restate the direction named
    (r"\b(ingress|egress)\b(.*?)\s*\(\s*flow[_ ]direction\s*(?:=\s*)?'?\1'?\s*\)", r"\1\2"),
    # "bytes to s3 (pkt dst aws service S3)", "bytes to amazon S3 per instance, using pkt_dst_aws_service": the column
    # the service named is read from, said aside (the service is read as that column already)
    (r"\b(s3|dynamodb|cloudfront)\b(.*?)\s*\(\s*pkt[ _](?:dst|src)[ _]aws[ _]service\s*(?:=\s*)?'?\1'?\s*\)", r"\1\2"),
    (r"\b(s3|dynamodb|cloudfront)\b(.*?)[,;]?\s+(?:using|via|from|with)\s+(?:the\s+)?pkt[ _](?:dst|src)[ _]aws[ _]service"
     r"(?:\s+(?:field|column))?\s*([.?!]?)\s*$", r"\1\2\3"),
    # "management vs data events": the values of the event category set against each other, a count per value
    (r"\b(?:management|mgmt)\s+(?:vs\.?|versus)\s+data((?:\s+(?:api\s+)?(?:calls?|events?))?)(?:\s*[-:—]\s*"
     r"(?:totals?|counts?)\s+(?:by|per)\s+(?:event\s*category))?", r"\1 per event category"),
    # "REJECT flows in vpc_flow", "in the guardduty table": the table named as the lake names it is the log itself
    (r"\b(in|from|of)\s+(?:the\s+)?(?:vpc_flows?(?:\s+table)?|vpc\s+flows?\s+table)(?![\w.-])", r"\1 vpc flow logs"),
    (r"\b(in|from|of)\s+(?:the\s+)?(cloudtrail|guardduty)\s+table\b", r"\1 \2"),
    # "vpc flow bytes summed per account": the bytes added up, as "total bytes" says it ("500 bytes summed" is a
    # total compared, read with its number)
    (r"(?<![\d.,])(?<![\d.,]\s)\b(bytes|packets)\s+(?:summed|added\s+up|totall?ed)\b", r"total \1"),
    # "a browser user agent (Mozilla)": the tool in brackets is the user agent named
    (r"\b(?:an?\s+|the\s+)?(?:browser|web|console)\s+user[\s_-]?agent\s*\(\s*([\w./-]+)\s*\)", r"the \1 user agent"),
    # "sg rule changes", "attempts to change security groups": CIS 4.10's security group changes, as the readers say it
    (r"\b(?:sgs?|security\s+groups?)\s+(?:rules?\s+)?changes\b", "security group changes"),
    (r"\b(?:attempts?|tries|tried|trying)\s+to\s+(?:change|modify|alter)\s+(?:the\s+|any\s+|our\s+)?(?:sgs|security\s+groups)\b",
     "security group changes"),
    (r"\b(?:sgs?|security\s+groups?)\s+ids?\b", "security groups"),  # the groups are named by their ids
    # "security groups that got an ingress rule for 0.0.0.0/0": opened to the world, as the rules read it
    (r"\b(?:got|received|gained|were\s+given|was\s+given|had)\s+(?:an?\s+|new\s+|any\s+)?(?:ingress|inbound)\s+rules?\s+"
     r"(?:added\s+)?(?:for|to|from|allowing|opening)\s+(?=0\.0\.0\.0/0|::/0)", "were opened to "),
    # "which detector ids were deleted": a detector is GuardDuty's, whose deletion the rules read by that name
    (r"(?<!duty )\b(detectors?(?:\s+ids?)?\s+(?:(?:were|was|got|been|being)\s+)?(?:deleted|removed|disabled|suspended)\b)",
     r"guardduty \1"),
    # "kms keys disabled or scheduled for deletion" (CIS 4.7): the calls that do it, DisableKey and ScheduleKeyDeletion
    # ("which kms keys …" asks for the keys, a column these calls name in their request: left to be refused)
    (r"(?<!which )(?<!what )\b(?:kms\s+keys?|cmks?)\s+(?:(?:were|was|got|being|been)\s+)?(?:disabled\s+or\s+scheduled\s+for\s+deletion|"
     r"scheduled\s+for\s+deletion\s+or\s+disabled)\b", "DisableKey or ScheduleKeyDeletion calls"),
    (r"(?<!which )(?<!what )\b(?:kms\s+keys?|cmks?)\s+(?:(?:were|was|got|being|been)\s+)?disabled\b", "DisableKey calls"),
    (r"(?<!which )(?<!what )\b(?:kms\s+keys?|cmks?)\s+(?:(?:were|was|got|being|been)\s+)?scheduled\s+for\s+deletion\b",
     "ScheduleKeyDeletion calls"),
    # "ssh key pairs": an EC2 key pair is an ssh key; the word adds nothing to ImportKeyPair / CreateKeyPair
    (r"\bssh\s+(key\s*-?\s*pairs?)\b", r"\1"),
    # "the GuardDuty detector in eu-west-1 deleted": the place said between the detector and its deletion
    (r"\b(guard ?duty\s+detectors?)\s+(in\s+[a-z]{2}(?:-[a-z]+)+-\d)\s+((?:(?:was|were|got|been|being)\s+)?"
     r"(?:deleted|removed|disabled|suspended))\b", r"\1 \3 \2"),
    # "detectors deleted - detector id, region, who": the detector, named by its id
    (r"\bdetector\s+ids?\b(?!\s+(?:(?:were|was|got|been|being)\s+)?(?:deleted|removed|disabled|suspended)\b)", "detector"),
    # "break down identities by type": the identity's type, not each identity and its type
    (r"\b(?:cloudtrail\s+|caller\s+|principal\s+)?identit(?:y|ies)\s+(?:broken\s+down\s+)?(by|per)\s+(?:their\s+|its\s+)?type\b",
     r"events \1 identity type"),
    # "per role (session issuer)": the role a session was issued from, said aside as CloudTrail names the field
    (r"\b(roles?)\s*\(\s*(?:the\s+)?session\s*issuer(?:\s+(?:name|username))?\s*\)", r"\1"),
    (r"\bsession\s*issuers?(?:\s+(?:names?|usernames?))?\b", "role"),
    # "regions with findings": the regions that had any, not each region beside each finding type ("+ count" counts)
    (r"\b(regions?|accounts?|account\s*ids?|resource\s*types?)\s+with\s+(?:any\s+)?(?:guard\s*duty\s+|gd\s+)?findings\b"
     r"(?!\s*(?:\+|,|&|\band\b|\bwith\b|\bplus\b)\s*(?:a\s+|the\s+|their\s+)?(?:counts?|how many|number)\b)", r"\1 that had findings"),
    # "opened up to the whole internet": opened to the world, as the exposure readers say it
    (r"\b(open(?:ed|s|ing)?)\s+up\s+(?=to\b)", r"\1 "),
    (r"\bthe\s+(?:whole|entire|wide|open|public)\s+(internet|world)\b", r"the \1"),
    # "denials per day", "count the denials": the denied calls counted ("the ListAccounts denials" is left as it was)
    (r"\b((?:count(?:\s+of)?|number\s+of|how\s+many|total)\s+(?:the\s+)?)denials\b", r"\1denied calls"),
    (r"^(\W*)denials(?=\s+(?:per|by|each|over)\b)", r"\1denied calls"),
    # "has anyone been tampering with our logging?": logging tampering, the concept
    (r"\b(?:been|is|are|was|were)\s+tampering\s+with\s+(?:our\s+|the\s+)?(?:logging|logs|audit\s+logs?)\b",
     "done logging tampering"),
    # "which iam users did lena.garcia create": the passive the verb grammar reads ("which users were created by …")
    (r"\b(which|what)\s+((?:iam\s+)?(?:users|roles|buckets|groups|trails|secrets|security\s+groups|key\s*pairs|access\s+keys))"
     r"\s+did\s+([\w.@+=-]+)\s+(creat|delet|remov|updat)e\s*([?.!]?)\s*$", r"\1 \2 were \4ed by \3\5"),
    # "findings in the high severity band": of high severity, as the band readers say it
    (r"\bin\s+the\s+(critical|high|medium|low)\s+severity\s+(?:band|bucket|range|tier|level)\b", r"of \1 severity"),
    # "console logins - how many succeeded and how many failed?": a count per outcome
    (r"\b(?:how\s+many|count(?:\s+of)?)\s+(?:succeeded|were\s+successful|successes)\s*(?:,|and|vs\.?|versus|&)\s*"
     r"(?:how\s+many\s+)?(?:failed|were\s+unsuccessful|failures)\b", "count per outcome"),
    # "how many distinct api actions did X perform": the calls X made
    (r"\b(did|does|do)\s+([\w.@+=-]+)\s+perform\b", r"\1 \2 make"),
    # "break down the port 8080 traffic by accept/reject": per action (splitwords.py reads "by accept/reject action")
    (r"\b((?:per|by|split\s+by|broken\s+down\s+by|grouped\s+by)\s+)(?:accept(?:ed)?|allow(?:ed)?)\s*(?:/|vs\.?|or|and|&)\s*"
     r"(?:reject(?:ed)?|block(?:ed)?)\b(?!\s+actions?\b)", r"\1action"),
    # "which subnet is i-… in, per the flow logs", "going by guardduty": the log source named, not a grouping
    (r"\b(?:per|according\s+to|going\s+by|based\s+on|as\s+per)\s+(?:the\s+)?((?:vpc\s+)?flow\s+logs?|guard\s*duty|cloud\s*trail)\b"
     r"(?=\s*(?:[?.!,;]|$))", r"in the \1"),  # the source alone: "per guardduty finding type" is a grouping
    (r"\bwithout\s+using\s+(?:an?\s+)?mfa\b", "without mfa"),
    # "cis 4.3: console logins where mfa was not used": the checklist item's number labels the question, the words
    # after it ask it (the number is no port or count)
    (r"^\s*cis(?:\s+(?:aws\s+)?(?:benchmark|control|item|check))?\s+\d+(?:\.\d+)+\s*[:\-—–]\s*", ""),
    # "console authentication failures" (CIS 4.6's metric): failed console sign-ins, as the readers say it
    (r"\b(?:aws\s+)?(?:management\s+)?console\s+auth(?:entication)?\s+failures?\b", "failed console logins"),
    # "cloudtrail configuration changes (create/update/delete trail, start/stop logging)": the list spelled out beside
    # the concept restates it (CIS 4.5's calls)
    (r"\b((?:cloud ?trail|trails?)(?:\s+(?:config|configuration|settings))?\s+changes)\s*"
     r"\((?=[^()]*(?:[/,]|\band\b|\bor\b))(?:\s*(?:create|update|delete|start|stop|trails?|logging|and|or|[/,]))+\s*\)",
     r"\1"),  # (one call alone in brackets may narrow it, as accounting.drop_explanations reads it)
    # "list the first five things lena.garcia did": her first events
    (r"\bthe\s+(first|last|latest|earliest)\s+(\w+)\s+(?:things|actions|calls)\s+([\w.@+=-]+)\s+did\b", r"the \1 \2 events of \3"),
    # "every CreateAccessKey … with the user it was made for": the user the request names
    (r"\bthe\s+(user|role)s?\s+(?:(?:that\s+)?(?:it|they|each(?:\s+one)?|the\s+(?:key|keys|password|login\s+profile)s?)\s+)?"
     r"(?:was|were|got)\s+(?:made|created|minted|issued|generated|set\s+up|attached)\s+(?:for|to)\b", r"the target \1"),
))


def plain_rare_phrases(question: str) -> str:
    for pattern, replacement in _REWRITES:
        question = pattern.sub(replacement, question)
    return question
