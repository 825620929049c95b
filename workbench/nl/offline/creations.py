"""A named user or role as what a call made or removed: "who created terraform-runner-aed5", "when was the role
billing-lambda created", "when did X get deleted".

The verb alone, beside a name, says which call: the name is in the request (`userName`, `roleName`), never the one
acting. A name the question does not call a user or a role may be either (as elsewhere, a bare name is matched as
both), so both calls are searched, each on its own request field. A name shaped like a bucket or an Identity Center
address is left alone: no user or role call makes those, and the question stays refused as before.
"""

from __future__ import annotations

import re

from sqlglot import exp

from workbench.nl.base import TranslationError
from workbench.nl.intent import Filter, Intent, any_of, eq
from workbench.nl.offline.mentions import PLACEHOLDER, Mentions

_VERBS = {"Create": r"creat(?:e|es|ed|ing)", "Delete": r"delet(?:e|es|ed|ing)|remov(?:e|es|ed|ing)"}
_VERB = "|".join(f"(?P<{name}>{forms})" for name, forms in _VERBS.items())
_BE = r"(?:was|were|is|are|got|get|gets|getting|been|being|has been|had been|have been)"
_KIND = {"user": ("User", "userName"), "role": ("Role", "roleName")}
# "terraform-runner-aed5" names a user; "tyrell-backups-33c922" a bucket, which no user or role call makes
_BUCKET_SHAPED = re.compile(r"(?:^|[-.])(?:[0-9a-f]{6,}|backups?|logs?|data|lake|archive|assets|bucket|artifacts?|"
                            r"uploads?|exports?|invoices?|static|media|reports?|cloudtrail)(?:[-.]|$)")


def _made(verb: str, kinds: tuple[str, ...], value: str) -> exp.Expression:
    calls = [exp.and_(eq("eventname", verb + _KIND[k][0]),
                      eq(f"json_extract_scalar(requestparameters, '$.{_KIND[k][1]}')", value)) for k in kinds]
    return any_of(*(exp.Paren(this=c) for c in calls)) if len(calls) > 1 else calls[0]


def named_creations(found: Mentions, text: str) -> tuple[str, list[Filter]]:
    """The working text with the verb read, and the filters for the name it made or removed."""
    named = found.of("user", "role")
    if len(named) != 1 or (mention := named[0]).negated or "@" in mention.value or _BUCKET_SHAPED.search(mention.value):
        return text, []
    spot = PLACEHOLDER[mention.kind]
    # "when was the role X created": the kind word before the name says which call; a bare name may be either
    noun = rf"(?:(?:the\s+|a\s+|an\s+)?(?:iam\s+)?{mention.kind}\s+)" if mention.typed else r"(?:the\s+)?"
    # the name ends the verb's object: "who created heidi.smith's access key" made a key, not the user
    ends = (r"(?=\s*$|\s*[?!.,;:)(-]|\s+(?:and|or|from|on|in|at|during|between|since|before|after|when|with|via|who|"
            r"which|what|please|pls|user|role)\b)")
    forward = rf"\b(?:{_VERB})\s+{noun}{spot}{ends}"
    # "when was X created" (the be-verb before the name), "X got deleted" (after it); "what has X created" is X acting
    adverb = r"(?:(?:first|ever|recently|actually|just)\s+)?"
    passives = (rf"\b{_BE}\s+(?P<noun>{noun}?){spot}\s+{adverb}(?:{_VERB})\b",
                rf"\b(?P<noun>{noun}?){spot}(?P<kind>\s+{mention.kind})?\s+{_BE}\s+{adverb}(?:{_VERB})\b")
    if mention.typed and mention.kind == "user":
        # "who created the user X": the verb on the noun is read with the other calls (actions.py) and the name is
        # the request's; only the passive, where the verb stands after the name, is left to read here
        forward = r"(?!)"
    match = re.search(forward, text) or re.search(passives[0], text) or re.search(passives[1], text)
    if match is None:
        return text, []
    verb = next(name for name in _VERBS if match.group(name))
    if match.re.pattern == forward:
        start, end = match.start(), match.end() - len(spot)  # the noun with its verb: the name is left in place
    else:  # the kind words before the name were read with it ("the iam user X": the user made, not the caller's type)
        for said in ("noun", "kind"):
            if match.group(said) if said in match.re.groupindex else None:
                text = text[:match.start(said)] + " " * len(match.group(said)) + text[match.end(said):]
        start, end = match.span(verb)
    kinds = (mention.kind,) if mention.typed else ("user", "role")
    mention.kind, mention.placed = "request", True  # a value of the request, never the one acting
    done = "created" if verb == "Create" else "deleted"
    filters = [Filter(_made(verb, kinds, mention.value), f"{text[start:end].strip()} {mention.words}",
                      f"{' or '.join(kinds)} {mention.value} {done}", (mention.value,))]
    return text[:start] + " " * (end - start) + text[end:], filters


def place_creations(intent: Intent, filters: list[Filter]) -> None:
    if filters and intent.table != "cloudtrail":
        raise TranslationError(f"{filters[0].description!r} is a CloudTrail event, but the rest of the question is "
                               "about another log source: ask about one at a time")
    for item in filters:
        intent.add(item)
