"""Calls listed in brackets after the concept they spell out: the asker's own list is the concept's definition.

"iam enumeration (ListUsers, ListRoles, ListPolicies, ListAttachedUserPolicies, GetRole) per day" asks for those five
calls; read as the concept AND the list, GetRole (no List* or Describe* call) was dropped without a word (dev32
ah145). Only a bracket of two or more calls right after the concept's words is a definition; one call in brackets
still narrows the concept ("privilege escalation (AttachUserPolicy)"), as the readers of single values do.
"""

from __future__ import annotations

import re

from sqlglot import exp

from workbench.nl.intent import Intent

_BRACKET = re.compile(r"\(\s*([a-z0-9]+(?:\s*(?:,|/|\bor\b|\band\b)\s*(?:and\s+|or\s+)?[a-z0-9]+)+)\s*\)")


def _event_columns(condition: exp.Expression) -> bool:
    return all(column.name == "eventname" for column in condition.find_all(exp.Column))


def calls_spelling_out_a_concept(intent: Intent, asked: str) -> None:
    if intent.table != "cloudtrail" or not (bracket := _BRACKET.search(asked)):
        return
    named = {name.strip() for name in re.split(r"\s*(?:,|/|\bor\b|\band\b)\s*", bracket.group(1)) if name.strip()}
    listed = [f for f in intent.filters if isinstance(f.condition, exp.In) and _event_columns(f.condition)
              and {value.lower() for value in f.entities} == named]
    if len(listed) != 1 or len(named) < 2:
        return
    before = asked[:bracket.start()]
    concepts = [f for f in intent.filters if f is not listed[0] and _event_columns(f.condition) and f.words
                and f.words.split()[0].lower() in before.split()[-4:]]
    if concepts:
        intent.filters = [f for f in intent.filters if f not in concepts]
