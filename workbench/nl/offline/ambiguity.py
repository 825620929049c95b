"""Names the question gives only in part: refused as ambiguous, never guessed.

"what did bob do" or "garcia's activity" names a person by one word. Identities in CloudTrail are
written in full (an IAM user `bob.byrne`, an Identity Center user `bob.dubois@tyrell.com`, a role
`billing-lambda`): a filter on the one word matches nobody (an empty answer read as "bob did
nothing") or, matched loosely, several people at once. Either is a wrong answer; a refusal that
asks for the full name costs a rephrase.
"""

from __future__ import annotations

import re

from workbench.nl.base import TranslationError
from workbench.nl.offline.mentions import Mentions
from workbench.nl.offline.neutral import NEUTRAL

# Possessives that are not someone's name: "today's logins", "the user's keys"
_NOT_PEOPLE = {"today", "yesterday", "tonight", "week", "month", "year", "day", "night", "morning", "hour", "weekend",
               "account", "organization", "org", "company", "team", "bucket", "trail", "key", "role", "function",
               "instance", "service", "attacker", "intruder", "admin", "root"}


def _hint(word: str) -> str:
    return (f"{word!r} alone could be part of several identities (IAM users, Identity Center users, roles): name "
            "the identity in full as the logs write it, e.g. 'what did user <first>.<last> do' or 'activity of "
            "<first>.<last>@<domain>'")


def refuse_ambiguous_names(found: Mentions) -> None:
    """A one-word name the question did not call a user ("what did bob do"): which bob?"""
    for mention in found.of("bare_name"):
        raise TranslationError("ambiguous: " + _hint(mention.value))


def refuse_partial_possessive(text: str) -> None:
    """'garcia's activity': a possessive the reading did not place names someone by part of a name."""
    for match in re.finditer(r"(?<![\w.@-])([a-z][a-z-]*)'s\b", text):
        word = match.group(1)
        if word in NEUTRAL or word in _NOT_PEOPLE or word.removesuffix("s") in NEUTRAL:
            continue
        raise TranslationError("ambiguous: " + _hint(word))


# "what changed", "did anything change?": a change with nothing around it says neither where nor in what; read as
# every write call in the lake it is thousands of rows that answer none of the questions the analyst had in mind
_BARE_CHANGE = re.compile(r"\s*(?:(?:so|ok|okay|and|then|well)[,\s]+)?(?:what(?:'s|\s+has|\s+have|\s+was|\s+were|\s+got)?|"
                          r"(?:did|has|have)\s+(?:anything|something)|anything|something)\s+(?:been\s+)?"
                          r"(?:chang(?:e|ed|es)|modified|altered|different)\s*[?.!]*\s*", re.IGNORECASE)


def refuse_bare_change(question: str) -> None:
    if _BARE_CHANGE.fullmatch(question):
        raise TranslationError("ambiguous: a change with nothing to place it (no service, resource, person or time) "
                               "could be anything in the logs: say what and when, e.g. 'IAM changes since Monday' or "
                               "'security group changes yesterday'")
