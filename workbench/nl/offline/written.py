"""The last check of an answer: every value the question writes out is in its filters.

The readers place what they recognise; a value they did not recognise, or read as something else, would
leave an answer that ignores it — the silent drop. Values shaped unmistakably like the logs' own (an IPv4
address, an access key id, an account number, a resource id, an e-mail, a first.last user, a name with a
digit in it, an API call in CamelCase) must each be covered by a literal of the query's WHERE or HAVING
(workbench.nl.check reads the tree); otherwise the translator refuses rather than answer without it.
"""

from __future__ import annotations

import re

from workbench.nl.base import TranslationError
from workbench.nl.offline.numbertalk import number_talk
from workbench.nl.offline.rawcolumns import plain_column_names
from workbench.nl.offline.vocab import NOT_NAMES

_WRITTEN = re.compile(
    r"(?<![\w.@/:*-])(?:"
    r"\d{1,3}(?:\.\d{1,3}){3}"  # an IPv4 address (a CIDR or a wildcard is followed by / or .x and does not match)
    r"|(?:AKIA|ASIA)[A-Z0-9]{16}"  # an access key id
    r"|\d{12}"  # an account
    r"|(?:i|eni|sg|vpc|subnet|vol|ami|snap)-[0-9a-f]{8,17}"  # a resource id
    r"|[a-z0-9._-]+@[a-z0-9.-]+\.[a-z]{2,}"  # an e-mail (an Identity Center user)
    r"|[a-z]+\.[a-z]+"  # first.last, an IAM user
    r"|[a-z]+(?:-[a-z0-9]+)*-(?:[a-z]*\d[a-z0-9]*)(?:-[a-z0-9]+)*"  # a hyphenated name with a digit (bucket, role)
    r")(?![\w@/*]|[.:-]\w|\s*[:=])")  # "source.ip: X", "user.name=X": a field's name, not a value
_CAMEL = re.compile(r"(?<![\w./:-])[A-Z][a-z]+(?:[A-Z][a-z0-9]+)+(?![\w:/])")
# CamelCase that names a product, an identity type or a finding family, never a value to filter on
_NOT_VALUES = {"GuardDuty", "CloudTrail", "CloudWatch", "AssumedRole", "IamUser", "AwsService", "SecurityHub",
               "AccessDenied", "UnauthorizedAccess", "CryptoCurrency", "PrivilegeEscalation", "DefenseEvasion",
               "InitialAccess", "PenTest", "CredentialAccess", "PowerShell", "GitHub", "ReadOnly", "ReadOnlyAccess",
               "AdministratorAccess", "PowerUserAccess", "ViewOnlyAccess", "SecurityAudit"}


def refuse_unused_values(question: str, sql: str) -> None:
    from workbench.nl.check import missing_entities  # check reads the mentions, which import this package

    question = plain_column_names(question)  # "per useridentity.type": a column, not a value
    question = number_talk(question)  # as read: a gloss the reading drops ("(service.count)") is no value
    # "non-s3 calls", "a multi-region trail": an English prefix makes a word, never a name
    written = [v for v in _WRITTEN.findall(question) if not re.fullmatch(r"[a-z]+\.(?:com|net|org|io|yaml|py)", v)
               and v.lower() not in NOT_NAMES and not re.match(r"(?:non|anti|pre|post|multi|cross|self|re|un|sub|inter|"
                                                                 r"intra|co|de|mis|over|under|semi)-", v)]
    written += [v.removesuffix("s") if v.endswith("s") and not v.endswith("ss") else v for v in _CAMEL.findall(question)
                if v not in _NOT_VALUES]
    if missing := missing_entities(sql, list(dict.fromkeys(written))):
        raise TranslationError(f"read {', '.join(repr(v) for v in missing)} but the answer would not filter on it: "
                               "say what it is (e.g. 'user bob.byrne', 'bucket logs-archive-1', 'calls to CreateUser'), "
                               "or ask without it")
