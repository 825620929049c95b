"""Columns written as the logs name them ("useridentity.type", "recipientaccountid") → the words the readers know.

A dotted column name has the shape of a value (a user "first.last", a bucket): read as one, "events per
useridentity.type" filtered on a user called 'useridentity.type'. A column named in parentheses after the words
that already say it ("events by account (recipientaccountid)") restates them and is dropped.
"""

from __future__ import annotations

import re

from workbench.catalog.tables import TABLES

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


# "useridentity type", "useridentity_arn": the struct's field typed with a space or an underscore for its dot
_SPACED = re.compile(r"(?<![\w.@/:-])useridentity[ _](type|arn|username|accesskeyid|invokedby)\b", re.IGNORECASE)
# "top 5 srcaddr values", "sourceipaddress values": a column named as the logs write it, "values" its values, the
# column itself for the shape to read (dev28 ad003 and ad126 group by the column)
_NAMES = sorted({c for t in TABLES.values() for c in t.column_names} | set(RAW_COLUMNS), key=len, reverse=True)
_COLUMN_VALUES = re.compile(rf"(?<![\w.@/:-])({'|'.join(map(re.escape, _NAMES))})\s+values\b", re.IGNORECASE)


def plain_column_names(text: str) -> str:
    text = _COLUMN_VALUES.sub(r"\1", _SPACED.sub(r"useridentity.\1", text))
    text = _RESTATED.sub("", text)
    return _BARE.sub(lambda m: RAW_COLUMNS[m.group(0).lower()], text)
