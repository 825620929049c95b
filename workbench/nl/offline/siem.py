"""The idioms of analysts who come from Splunk, Sentinel or Elastic → the English the readers know.

"stats count by X", "dc(X)", "distinct count of X", "timechart span=1d count by X", "bucketed per hour",
and column names typed as one word ("username", "eventName") that would otherwise read as the
placeholders the mentions leave in the text. Only rewrites that keep what is asked: a "timechart"
whose interval is not said is left as typed, and refused as a word not understood.
"""

from __future__ import annotations

import re

from workbench.nl.base import TranslationError
from workbench.nl.offline.vocab import IDENTITY_TYPE_NAMES

_SPAN_UNIT = {"m": "minute", "min": "minute", "minute": "minute", "h": "hour", "hr": "hour", "hour": "hour",
              "d": "day", "day": "day"}
# a bucket over time said elsewhere in the question: the timechart's interval
_INTERVAL = re.compile(r"\b(?:per|by|each|every|over)\s+(?:the\s+)?(?:minute|hour|day)\b|\b(?:hourly|daily)\b",
                       re.IGNORECASE)
# typed column names that are also the placeholders of mentions.py: spelt as words they are read as columns
# and the fields of SIEM schemas named without a value ("stats count by src_ip, dest_port")
_COLUMNS = ((r"user_?names?", "user name"), (r"event_?names?", "event name"), (r"access_?key_?ids?", "access key"),
            (r"src_ip|src_addr|source\.ip", "source ip"), (r"dest_ip|dst_ip|dest_addr|destination\.ip", "destination ip"),
            (r"dest_port|dst_port|destination\.port", "destination port"), (r"src_port|source\.port", "source port"),
            (r"event\.action", "event name"), (r"event_source|event\.provider", "event source"),
            (r"error_?codes?", "error code"))


# SPL's field=value and KQL's field: value, by the field's meaning: what the readers call it before a value
_FIELDS = (
    (r"src|src_?ip|src_?addr|srcaddr|source_?ip|source\.ip|client\.ip|sourceipaddress", "source ip "),
    (r"dest|dst|dest_?ip|dst_?ip|dest_?addr|dstaddr|destination\.ip|destination_?ip", "to "),
    (r"dest_?port|dst_?port|dstport|destination\.port", "to port "),
    (r"user|user_?name|user\.name|principal|actor|caller|src_?user", "user "),
    (r"event_?name|event\.action|operation|api", ""),
    (r"event_?source|event\.provider", "to "),  # a service host after "to" is the event source
    (r"error_?code|error\.code", "error code "),
    (r"recipientaccountid|account|account_?id|cloud\.account\.id", "account "),
    (r"aws_?region|region|cloud\.region", "in "),
)
_ACTIONS = {"accept": "accepted", "reject": "rejected", "allowed": "accepted", "blocked": "rejected"}


def _field(match: re.Match[str]) -> str:
    field, value = match.group(1).lower(), match.group(3)
    if match.group(2) in {"!=", "<>"}:  # "src_ip != 10.0.0.5": the field excluded
        words = next((w for pattern, w in _FIELDS if re.fullmatch(pattern, field)), None)
        if words is None or field == "action":
            raise TranslationError(f"cannot read {match.group(0)!r}: say what to exclude in words, e.g. "
                                   "'not from 10.0.0.5' or 'excluding user alice'")
        return f"not {words}{value}"
    if field == "action":
        return _ACTIONS.get(value.lower(), match.group(0))
    if field in {"index", "sourcetype", "source_type"}:  # "index=cloudtrail": the table the rest is about
        return value.replace("_", " ")
    words = next((w for pattern, w in _FIELDS if re.fullmatch(pattern, field)), None)
    return match.group(0) if words is None else f"{words}{value}"


def _span(match: re.Match[str]) -> str:
    unit = _SPAN_UNIT.get(match.group(2).lower())
    return f" per {unit} " if unit and match.group(1) == "1" else match.group(0)


def siem_idioms(text: str) -> str:
    # "dest_port=22 action=ACCEPT", "source.ip: 192.0.2.88", "principal = svc-reporting": a field and its value
    text = re.sub(r"(?<![\w.])([a-z][\w.]*)\s*(!=|<>|==|=|:(?=\s))\s*['\"]?([\w.@:/-]*\w)['\"]?", _field, text,
                  flags=re.IGNORECASE)
    if sign := re.search(r"!=|<>", text):  # an exclusion on a field not read: never answered as the value itself
        raise TranslationError(f"cannot read {sign.group(0)!r} here: say what to exclude in words, e.g. 'not from "
                               "10.0.0.5' or 'excluding user alice'")
    for typed, words in _COLUMNS:
        # "by username", "eventName=…": the column; a name written with dots or dashes is left alone
        text = re.sub(rf"(?<![\w.@/:-]){typed}(?![\w.@/:-]*\w)", lambda m, w=words: w + ("s" if m.group(0).lower(
        ).endswith("s") and not w.endswith("key") else ""), text, flags=re.IGNORECASE)
    # "where the caller is X", "src 10.0.0.5", "dest 10.0.0.5": the one acting, the sides of a flow
    text = re.sub(r"\b(?:the\s+)?(?:actor|caller)\s+(?:is|was)\s+", "user ", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(?:(src|source)|dst|dest|destination)\s+(?=\d{1,3}(?:\.\d{1,3}){3}\b)",
                  lambda m: "from " if m.group(1) else "to ", text, flags=re.IGNORECASE)
    text = re.sub(r"\btimechart\s+span\s*=\s*(\d+)\s*([a-z]+)\b", _span, text, flags=re.IGNORECASE)
    # "timechart count by action per day": the interval is said, the chart is a count; "timechart by day" alone
    # names nothing to count and stays as typed
    named = re.sub(r"\b(?:timechart|count|of|by|per|the|a|an|do|can|you|u|me|over|each|every|minute|hour|day|"
                   r"hourly|daily)\b|\W", "", text, flags=re.IGNORECASE)
    if _INTERVAL.search(text) and named:
        text = re.sub(r"\b(?:do\s+)?(?:an?\s+)?timechart(?:\s+of)?\b", "count", text, flags=re.IGNORECASE)
    # "stats count by", "stats dc(x) by": SPL's reporting command before its function
    text = re.sub(r"\b(?:a\s+)?stats\s+(?=(?:count|dc|distinct_count)\b)", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(?:dc|distinct_count)\(\s*([\w. ]+?)\s*\)", r"number of distinct \1", text, flags=re.IGNORECASE)
    text = re.sub(r"\bdistinct\s+count\s+of\b", "number of distinct", text, flags=re.IGNORECASE)
    # "by action (accept vs reject)", "per result (success/failure)": the values of the column grouped by, not filters
    text = re.sub(r"\b(result|outcome|status|action)(s?)\s*\(\s*(?:success(?:es|ful)?|succeeded|ok|accept(?:ed|s)?|"
                  r"allow(?:ed|s)?)\s*(?:/|vs\.?|versus|or|and|,)\s*(?:failures?|failed|fail|reject(?:ed|s)?|den(?:y|ied|ies))"
                  r"\s*\)", r"\1\2", text, flags=re.IGNORECASE)
    # "rare error codes": SPL's rare, the least common values; "rare X - the 3 least frequent ones" says it twice
    text = re.sub(r"\brare\s+([a-z][\w ]*?)\s*[-—:,]\s*(?:the\s+)?(\d+|[a-z]+)\s+(least (?:frequent|common)) ones\b",
                  r"the \2 \3 \1", text, flags=re.IGNORECASE)
    text = re.sub(r"(?:^|(?<=[\s(]))rare\s+(?=[a-z])", "least common ", text, flags=re.IGNORECASE)
    # "where the errorcode is not null": SQL's test for an error, as the readers say it
    text = re.sub(r"\b(?:the\s+)?error_?\s?code\s+(?:is\s+not\s+null|!=\s*null|is\s+set|exists)\b", "with an error code",
                  text, flags=re.IGNORECASE)
    text = re.sub(r"\b(?:the\s+)?error_?\s?code\s+is\s+null\b", "that succeeded", text, flags=re.IGNORECASE)
    # "(IAMUser, AssumedRole, AWSService...)": the values of the identity type grouped by, listed as an example
    types = "|".join(IDENTITY_TYPE_NAMES)
    text = re.sub(rf"\(\s*(?:{types})(?:\s*(?:,|/|or|and)\s*(?:{types}))+\s*,?\s*(?:\.\.\.|…|etc\.?)?\s*\)", " ", text,
                  flags=re.IGNORECASE)
    # "show me the events incl. errors": errors kept is no condition (a filter on them would drop the rest)
    text = re.sub(r"[\s,;(]*\b(?:incl\.|incl\b|including|inclusive of|even)\s+(?:the\s+)?(?:errors|failures|failed ones|"
                  r"failed calls|denied ones)\b\)?", " ", text, flags=re.IGNORECASE)
    # "bucketed per hour", "binned by day": the bucket over time
    return re.sub(r"\b(?:bucketed|binned)\s+(?=(?:per|by|into|every|each)\b)", "", text, flags=re.IGNORECASE)
