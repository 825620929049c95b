"""The words of alert triage that ask nothing of their own → the English the readers know.

"what else did judy.byrne@tyrell.com do", "what else came from 192.0.2.238": after an alert, "else" sets the
question beside the alerting event, but asks for all of the principal's or address's activity (two writers of
blind-style sets, dev21 and dev22, answer it so, the alerting event included). An exclusion said outright
("apart from the ConsoleLogin attempts, what else …") is read by the negation words, never by "else".
"""

from __future__ import annotations

import re

# "who else" keeps its word: the other principals than one the question does not name
_WHAT_ELSE = re.compile(r"\b(what|anything|something)\s+else\b", re.IGNORECASE)


# "high sev findings, triage list", "… for triage": what the list is for, which every listing already is
_FOR_TRIAGE = re.compile(r"\s*[,;:-]?\s*(?:(?:a|the|my|our|as\s+a)\s+)?(?:triage\s+(?:list|view|queue|table)|for\s+triage)\b",
                         re.IGNORECASE)
# "ssh from the bastion 10.10.0.69 to other internal hosts": a flow's far end is another host already
_OTHER_HOSTS = re.compile(r"\b(to|into|reach\w*|contact\w*)\s+(?:any\s+)?other\s+(?=(?:(?:internal|external|private|public)\s+)?"
                          r"(?:hosts?|machines?|servers?|instances?|boxes|addresses|ips|destinations)\b)", re.IGNORECASE)
# "flows to mining pool port 3333": what the port serves, said before it as "ssh port 22" is
_POOL_PORT = re.compile(r"\b(?:crypto\s*)?mining[- ]pools?\s+(?=ports?\s+\d)", re.IGNORECASE)


# "login profiles created for users - who did it and for whom": after the events named, "it" is those events; at the
# start of a question ("so who did it") it points at an earlier question and stays refused
_WHO_DID_IT = re.compile(r"(?<=\S)(\s*(?:\s[-—–]+|[:;,?])\s*(?:and\s+|so\s+)?)(who)\s+(?:did|does|made|performed|ran|triggered|"
                         r"called)\s+(?:it|that|this|them|those|these)\b", re.IGNORECASE)

# "is anyone still pulling from tyrell-backups-33c922": taking objects out of a bucket, which S3 logs as GetObject
_PULLING = re.compile(r"\b(?:pull(?:s|ed|ing)?|read(?:s|ing)?)\s+(?:down\s+)?(?:(?:data|files|objects|stuff)\s+)?from\s+"
                      r"(?=(?:the\s+)?(?:s3\s+)?(?:bucket\s+)?[a-z][a-z0-9]*(?:[-.][a-z0-9]+)+(?![\w.-]))", re.IGNORECASE)

# "activity in regions we dont use (ap-southeast-1, sa-east-1)": the regions listed say which are meant; without the
# list, which regions go unused is not in the logs and the words stay unread; the list may be of the regions used
# ("(anything outside us-east-1, us-west-2)", dev19 v207), which the bracket's own words then negate
_DESCRIBED_REGIONS = re.compile(r"\b(?:regions?\s+(?:that\s+)?we\s+(?:don['’]?t|do\s+not|never)\s+(?:use|operate\s+in|run\s+in)|"
                                r"(?:unused|weird|odd|unusual|unexpected|strange)\s+regions?)\s*(?=\(\s*(?:(?:anything|everything|"
                                r"any\s+regions?)\s+)?(?:(?:outside(?:\s+of)?|other\s+than|except|besides|not\s+in)\s+)?"
                                r"[a-z]{2}(?:-[a-z]+)+-\d)", re.IGNORECASE)

# "did 192.0.2.88 eventually log in successfully? when": the yes/no question answered by its times, as "when did …"
# asks it; "eventually" (at some point) bounds nothing
_THEN_WHEN = re.compile(r"^\s*(did|does|has|have|had|was|were)\s+(.+?)\s*\?+\s*(?:(?:and|if so|if yes)\s*,?\s*)?when\s*\?*\s*$",
                        re.IGNORECASE)
_EVENTUALLY = re.compile(r"\beventually\s+", re.IGNORECASE)

# "calls by humans (iam users)": the kind in brackets says which identities the loose word means
_GLOSSED_KIND = re.compile(r"\b(?:humans?|people|persons?|real\s+users|actual\s+users)\s*\(\s*((?:iam|sso|identity\s+center)\s+"
                           r"users?)\s*\)", re.IGNORECASE)


def triage_idioms(text: str) -> str:
    text = _GLOSSED_KIND.sub(r"\1", text)
    text = _THEN_WHEN.sub(r"when \1 \2", _EVENTUALLY.sub("", text))
    text = _DESCRIBED_REGIONS.sub("regions ", text)
    text = _PULLING.sub("downloading from ", text)
    text = _WHO_DID_IT.sub(r"\1\2", _FOR_TRIAGE.sub("", _WHAT_ELSE.sub(r"\1", text)))
    return _POOL_PORT.sub("", _OTHER_HOSTS.sub(r"\1 ", text))


def alert_title(lead: str) -> bool:
    """'cloudtrail logging disabled alert - who called StopLogging': the alert's title before the question proper says
    why the analyst asks, as 'we got paged' does; the question after it is read whole (a lead that names a value or
    a number is kept, see normalise.without_lead_in). CloudWatch alarms are a log the lake lacks, not a title."""
    return re.search(r"\b(?:alert|alarm)s?\s*[:.!]*\s*$", lead, re.IGNORECASE) is not None and not re.search(
        r"\bcloud ?watch\b", lead, re.IGNORECASE)
