"""Columns a question asks of a listing: "ImportKeyPair calls, with region" adds the region to the listing's own
columns, "… with time and event name" asks for nothing the listing lacks, and "event name and time only" — a
listing restricted to a few of its columns — is refused rather than answered with columns not asked for.
"""

from __future__ import annotations

import re

from workbench.nl.base import TranslationError
from workbench.nl.intent import Dimension, Intent
from workbench.nl.offline.mentions import PLACEHOLDER
from workbench.nl.offline.reading import Reading
from workbench.nl.offline.vocab import DIMENSIONS

# A listing already shows these: "findings about access keys, with severity" asks for nothing more
_SHOWN = {"guardduty": r"severit(?:y|ies)|types?|titles?|times?|timestamps?|ids?|resource types?",
          "cloudtrail": r"times?|timestamps?|users?(?! ?agents?)(?! names?)|(?:source )?ips?|(?:source )?ip address(?:es)?|event names?|error codes?|"
                        r"errors?|principals?|arns?|event ids?|services?|event sources?",
          "vpc_flow": r"times?|timestamps?|ports?|bytes|packets|actions?|protocols?|interfaces?|(?:source|destination) "
                      r"(?:ips?|address(?:es)?)"}


# Columns a listing may carry beside its own ("with region"), each to its vocabulary key
_EXTRA = {"cloudtrail": {"region": "region", "regions": "region", "aws region": "region", "user agent": "user agent",
                         "user agents": "user agent", "useragent": "user agent", "account id": "account id",
                         "account": "account id", "access key": "access key", "access key id": "access key",
                         # what a call was about, from its request: "denied s3 calls, list them w/ the bucket"
                         "bucket": "bucket", "bucket name": "bucket", "object key": "object key",
                         "secret": "secret", "secret name": "secret", "secret id": "secret",
                         "key pair name": "key pair name", "instance type": "instance type",
                         # the instance the call acted on (instances.instance_of_the_call picks the call's field)
                         "instance": "instance", "instance id": "instance",
                         # the user or role a call acted on is in its request, said with the verb that did it
                         **{f"{kind}{name} {they} {verb}": f"target {kind}" for kind in ("role", "user")
                            for name in ("", " name") for they in ("they", "it", "each one", "each call")
                            for verb in ("targeted", "acted on", "touched", "changed", "modified")},
                         **{f"{adj} {kind}{name}": f"target {kind}" for kind in ("role", "user")
                            for name in ("", " name") for adj in ("target", "targeted")}},
          "guardduty": {"region": "region", "account id": "account id", "account": "account id",
                        },
          "vpc_flow": {"region": "region", "account id": "account id", "account": "account id",
                       "instance": "instance", "instance id": "instance", "direction": "direction", "vpc": "vpc"}}


# "with bucket tyrell-backups-33c922": the noun before a named value is that value's kind, a filter, not a column
_VALUE_NAMED = "|".join(sorted(set(PLACEHOLDER.values())))


# Columns a question may restrict a listing to ("event name and time only"); not error codes, which as
# "errors only" are a filter
_PICKABLE = (r"(?:event |api )?names?|times?|timestamps?|dates?|(?:source )?ips?|(?:source )?ip address(?:es)?|"
             r"principals?|arns?|users?|user ?names?|event ids?|services?|event sources?|user ?agents?|regions?")
_ONLY_COLUMNS = re.compile(rf"\b(?:{_PICKABLE})(?:\s*(?:,|and|&|\+)\s*(?:the\s+)?(?:{_PICKABLE}))+\s+only\b|"
                           rf"\b(?:only|just)\s+(?:the\s+)?(?:{_PICKABLE})(?:\s*(?:,|and|&|\+)\s*(?:the\s+)?"
                           rf"(?:{_PICKABLE}))+\b")


def listed_columns_asked(reading: Reading, intent: Intent) -> None:
    if intent.measures or intent.groups or not intent.columns:
        return
    if intent.distinct:  # "which key pair names …, and the region of each": a distinct listing's second column
        _extra_columns(reading, intent)
        return
    if match := _ONLY_COLUMNS.search(reading.text):
        # the listing's columns are fixed: dropping the rest silently would show what was not asked
        raise TranslationError(f"cannot restrict the listing to {' '.join(match.group(0).split())!r}: a listing "
                               "shows the time, principal, source IP, service, event name, error code and event id; "
                               "ask without the column list, or for distinct values, e.g. 'distinct event names from 10.0.0.5'")
    reading.text = re.sub(rf"(?:,\s*)?\b(?:with|including|incl\.?|plus|showing)\s+(?:the\s+|their\s+|its\s+)?"
                          rf"(?:{_SHOWN[intent.table]})(?:\s*(?:,|and|&)\s*(?:the\s+)?(?:{_SHOWN[intent.table]}))*\b",
                          lambda m: " " * len(m.group(0)), reading.text)
    _extra_columns(reading, intent)


def _extra_columns(reading: Reading, intent: Intent) -> None:
    # "ImportKeyPair calls, with region": a column beside the listing's own is asked for, never left unread
    keys = _EXTRA[intent.table]
    if any(f.description.startswith("trail destinations") for f in intent.filters):
        # "UpdateTrail calls with the s3 bucket the trail was pointed at": the trail's destination is no bucket a
        # call was about (its request's bucketName); beside a listing it stays unread (refused), as before
        keys = {k: v for k, v in keys.items() if v != "bucket"}
    extra = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    # "ImportKeyPair events + the region each one was in": "and" a column of each row asks for it too
    while match := re.search(rf"(?:,\s*)?\b(?:with|including|incl\.?|plus|showing|(?:along\s+)?and)\s+"
                             rf"(?:the\s+|their\s+|its\s+)?({extra})\b(?!\s+(?:(?:names?\s+)?(?:{_VALUE_NAMED})|of(?!\s+each\b)|is|was|=|named|"
                             rf"called)\b)"
                             rf"(?:\s+(?:of\s+)?(?:each(?:\s+one)?|it|they)(?:\s+(?:was|were|is|are|came|happened)"
                             rf"(?:\s+(?:in|from))?)?\b)?", reading.text):
        expr, alias, description = DIMENSIONS[intent.table][keys[match.group(1)]]
        if all(d.expression != expr for d in intent.columns):
            intent.columns.append(Dimension(expr, alias, description, match.group(0).strip(" ,")))
        reading.text = reading.text[:match.start()] + " " * len(match.group(0)) + reading.text[match.end():]
        # "with instance and vpc": the columns joined to the first are asked for too
        while more := re.match(rf"\s*(?:,|and|&|\+)\s*(?:the\s+)?({extra})\b", reading.text[match.end():]):
            expr, alias, description = DIMENSIONS[intent.table][keys[more.group(1)]]
            if all(d.expression != expr for d in intent.columns):
                intent.columns.append(Dimension(expr, alias, description, more.group(0).strip(" ,")))
            start = match.end()
            reading.text = reading.text[:start] + " " * len(more.group(0)) + reading.text[start + more.end():]
    if intent.distinct:
        # "regions used by iam users, with the user": a distinct listing shows only what it lists, so a column
        # asked with it is one more distinct column, never one "already shown"
        keys = "|".join(re.escape(k) for k in sorted(DIMENSIONS[intent.table], key=len, reverse=True))
        while match := re.search(rf"(?:,\s*)?\b(?:with|including|incl\.?|plus|showing)\s+(?:the\s+|their\s+|its\s+|each\s+)?"
                                 rf"({keys})(?:e?s)?\b(?=\s*$|\s*[,?.;])", reading.text):
            expr, alias, description = DIMENSIONS[intent.table][match.group(1)]
            if all(d.expression != expr for d in intent.columns):
                intent.columns.append(Dimension(expr, alias, description, match.group(0).strip(" ,")))
            reading.text = reading.text[:match.start()] + " " * len(match.group(0)) + reading.text[match.end():]
        return
    reading.text = re.sub(rf"(?:,\s*)?\b(?:with|including|incl\.?|plus|showing)\s+(?:the\s+|their\s+|its\s+)?"
                          rf"(?:{_SHOWN[intent.table]})(?:\s*(?:,|and|&)\s*(?:the\s+)?(?:{_SHOWN[intent.table]}))*\b",
                          lambda m: " " * len(m.group(0)), reading.text)
