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
  tool in brackets.
"""

from __future__ import annotations

import re

_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern, re.IGNORECASE), replacement) for
                                                            pattern, replacement in (
    (r"\b(did|does|do|was|were|is|are|has|have|had|could|would|should)nt\b", r"\1n't"),
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
    (r"\b(earliest|first|latest|last|most\s+recent)\s+((?:vpc\s+)?flow)\s+start(?:\s+(?:time|timestamp)s?)?\b",
     r"\1 \2"),
    # "52.216.x.x (s3 range)", "the 10.0.0.0/8 (vpc cidr)": what the address is, said aside, adds no condition
    (r"(?<=[\dx*])\s*\((?:the\s+|an?\s+)?(?:s3|aws|amazon|ec2|cloudfront|vpc|corporate|office|vpn|internal|private|"
     r"public)\s+(?:ip\s+)?(?:range|block|prefix|space|cidr|network|subnet)\)", ""),
    # "a browser user agent (Mozilla)": the tool in brackets is the user agent named
    (r"\b(?:an?\s+|the\s+)?(?:browser|web|console)\s+user[\s_-]?agent\s*\(\s*([\w./-]+)\s*\)", r"the \1 user agent"),
    (r"\b(?:sgs?|security\s+groups?)\s+ids?\b", "security groups"),  # the groups are named by their ids
    # "security groups that got an ingress rule for 0.0.0.0/0": opened to the world, as the rules read it
    (r"\b(?:got|received|gained|were\s+given|was\s+given|had)\s+(?:an?\s+|new\s+|any\s+)?(?:ingress|inbound)\s+rules?\s+"
     r"(?:added\s+)?(?:for|to|from|allowing|opening)\s+(?=0\.0\.0\.0/0|::/0)", "were opened to "),
    # "which detector ids were deleted": a detector is GuardDuty's, whose deletion the rules read by that name
    (r"(?<!duty )\b(detectors?(?:\s+ids?)?\s+(?:(?:were|was|got|been|being)\s+)?(?:deleted|removed|disabled|suspended)\b)",
     r"guardduty \1"),
))


def plain_rare_phrases(question: str) -> str:
    for pattern, replacement in _REWRITES:
        question = pattern.sub(replacement, question)
    return question
