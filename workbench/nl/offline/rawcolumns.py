"""Columns written as the logs name them ("useridentity.type", "recipientaccountid") → the words the readers know.

A dotted column name has the shape of a value (a user "first.last", a bucket): read as one, "events per
useridentity.type" filtered on a user called 'useridentity.type'. A column named in parentheses after the words
that already say it ("events by account (recipientaccountid)") restates them and is dropped.
"""

from __future__ import annotations

import re

# the longest first: "useridentity.sessioncontext.sessionissuer.username" before "useridentity.username"
RAW_COLUMNS: dict[str, str] = {
    "useridentity.sessioncontext.sessionissuer.username": "role",
    "useridentity.sessioncontext.sessionissuer.arn": "role arn",
    "sessioncontext.sessionissuer.username": "role",
    "sessionissuer.username": "role",
    "useridentity.type": "identity type",
    "useridentity.arn": "principal",
    "useridentity.username": "username",
    "useridentity.accesskeyid": "access key",
    "useridentity.invokedby": "invoking service",
    "invokedby": "invoking service",
    "recipientaccountid": "account",
    "additionaleventdata.mfaused": "mfa",
}
_RAW = "|".join(re.escape(name) for name in sorted(RAW_COLUMNS, key=len, reverse=True))
# after a word that is not a preposition, a parenthesised column restates that word
_RESTATED = re.compile(rf"(?<=[a-z0-9])(?<!\bby)(?<!\bper)(?<!\bof)(?<!\bon)\s*\(\s*(?:{_RAW})\s*\)", re.IGNORECASE)
_BARE = re.compile(rf"(?<![\w.@/:-])(?:{_RAW})(?![\w.@/:-])", re.IGNORECASE)


def plain_column_names(text: str) -> str:
    text = _RESTATED.sub("", text)
    return _BARE.sub(lambda m: RAW_COLUMNS[m.group(0).lower()], text)
