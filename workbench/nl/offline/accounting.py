"""The last accounting of a read question: words left over that a part of the answer would ignore.

After the mentions are placed and the shape is read, what is left of the working text may only be
filler (neutral.py). These checks name the classes of leftover that used to be answered anyway: a
word of another table, a number, a modifier with no column to apply to ("distinct", "counts",
"most", "often", "each"), a time relative to another event. Each refuses with the word and what
to ask instead: a refusal costs the analyst a rephrase, a wrong answer costs an investigation.
"""

from __future__ import annotations

import re

from sqlglot import exp

from workbench.nl.base import TranslationError
from workbench.nl.intent import Filter, Intent
from workbench.nl.offline.reading import Reading

SOURCE_OF = {"cloudtrail": "CloudTrail", "vpc_flow": "VPC flow logs", "guardduty": "GuardDuty"}

# Words the rules understand for one table that mean nothing to another: left over after reading,
# they are a part of the question the answer would ignore.
FOREIGN_WORDS = {
    "cloudtrail": r"\b(?:rejected|accepted|bytes|packets|talkers?|inbound|outbound|findings?|severity|protocol)\b",
    "vpc_flow": r"\b(?:users?|principals?|roles?|api calls?|console|logins?|mfa|findings?|severity|errors?)\b",
    "guardduty": r"\b(?:bytes|packets|rejected|accepted|ports?|logins?|api calls?|talkers?|errors?)\b",
}


def refuse_stray_modifiers(reading: Reading, intent: Intent) -> None:
    """'calls from 10.0.0.5, distinct names': a modifier the shape did not tie to a column was not applied."""
    # "the distinct error codes and how often each": the values grouped are distinct already, one count each
    distinct = intent.distinct or any(m.func == "count_distinct" for m in intent.measures) or any(
        re.search(r"\b(?:distinct|unique|different)\b", d.words) for d in intent.group_by)
    if not distinct and (match := re.search(r"\b(?:distinct|unique|different|deduplicated|deduped)\b", reading.text)):
        raise TranslationError(
            f"cannot tell which column {match.group(0)!r} applies to: name it, e.g. 'distinct event names from "
            "10.0.0.5', 'unique source IPs of user alice', 'number of distinct users per region'")
    measures = {m.func for m in intent.measures}
    ranked = intent.limit is not None or any(o.descending for o in intent.order) or measures & {"max", "min"} \
        or reading.sort is not None
    if not ranked and (match := re.search(r"\b(?:most|least|busiest|noisiest|loudest|heaviest|chattiest|largest|"
                                          r"biggest|rarest|fewest|quietest|top|bottom)\b", reading.text)):
        # "the most active user" read as a plain list of users: the ranking was not applied
        raise TranslationError(f"cannot place {match.group(0)!r}: say what to rank and by what, e.g. 'top 5 users by "
                               "number of calls' or 'the source IP with the most rejected flows'")
    if not intent.measures and not ranked and (
            match := re.search(r"\b(?:often|frequently|frequent|common)\b", reading.text)):
        raise TranslationError(f"cannot place {match.group(0)!r}: ask for a count, e.g. 'how many times did alice "
                               "call GetObject' or 'count of AccessDenied errors per user'")
    if intent.measures and not intent.groups and (match := re.search(r"\b(?:per|each|apiece|respectively|separately|"
                                                                      r"individually)\b", reading.text)):
        # "how many calls each" with no grouping read: one total would answer something else
        raise TranslationError(f"cannot tell what {match.group(0)!r} groups by: say 'count per user', 'per source IP', "
                               "'per event name' or 'per hour'")
    if intent.window is not None and intent.group_by and any(
            m.func == "min" and re.search(r"\b(?:seen|time|appeared|showed)\b", m.words) for m in intent.measures) \
            and not any(re.search(r"\b(?:per|each|every|by)\b", d.words or "") for d in intent.group_by) \
            and not re.search(r"\b(?:per|each|every)\b", reading.text):  # "..., with the first time it touched each"
        # "event names seen for the first time yesterday": new values are the ones not seen before the period, which
        # an answer bounded by the period cannot tell from old ones (each one's first time inside it would be listed)
        raise TranslationError(f"cannot tell what was first seen {intent.window_words!r}: the answer would need the "
                               "time before it too; ask for the first time of each over the whole range, e.g. 'first "
                               "seen time per event name', and read those that start in the period")
    if match := re.search(r"\b(?:before|after|since|until|till|prior to|following|preceding)\b", reading.text):
        # "what did bob do after the StopLogging call": a time relative to an event is not a filter on it
        raise TranslationError(f"cannot place {match.group(0)!r}: a time relative to another event is not understood; "
                               "name the time, e.g. 'after 2026-11-19 14:00' or 'in the last 2 hours', or ask for "
                               "the event's time first ('when was StopLogging called')")
    if not intent.groups and any(m.func == "count" and re.search(r"\bcounts\b", m.words) for m in intent.measures):
        # "counts" asks for several numbers: one total would answer something else
        raise TranslationError("counts of what? name what to count per, e.g. 'count per event name from 10.0.0.5' "
                               "or 'event names and counts for user alice'")


def refuse_leftover_numbers(reading: Reading) -> None:
    """A number the reading did not use (a port, a count, a threshold…) is part of the question: refuse."""
    # "from 192.0.2" / "from 192.0.2.": a partial address is a number too, never silently dropped
    if match := re.search(r"(?<![\w.:/-])(\d+(?:\.\d+)*)\.?(?![\w.:/-])", reading.text):
        if match.group(1).count(".") > 1:
            raise TranslationError(f"cannot place {match.group(1)!r}, a part of an address: write the whole address "
                                   f"or the range, e.g. '{match.group(1)}.x' or '{match.group(1)}.0/24'")
        raise TranslationError(
            f"cannot place the number {match.group(1)!r}: say what it is, e.g. 'port {match.group(1)}', "
            f"'top {match.group(1)}', 'more than {match.group(1)} calls', 'severity above {match.group(1)}'")


def refuse_foreign_words(reading: Reading, table: str) -> None:
    if match := re.search(FOREIGN_WORDS[table], reading.text):
        raise TranslationError(
            f"{match.group(0)!r} does not apply to {SOURCE_OF[table]}, which the rest of the question is about: "
            "ask about one log source at a time (CloudTrail: who called what; VPC flow logs: connections, ports, "
            "bytes; GuardDuty: findings and severity)")


# Readings no one row can satisfy together: both kept, the answer is empty and reads as "none happened".
OPPOSITES = ({"that failed", "that succeeded"}, {"with MFA", "without MFA"}, {"rejected", "accepted"})


def _fact(condition: exp.Expression) -> tuple[str, str, str] | None:
    """(column, kind, value) of a plain `col = 'v'`, `col IS NULL` or `NOT col IS NULL` filter."""
    if isinstance(condition, exp.EQ) and isinstance(condition.expression, exp.Literal):
        return condition.this.sql(), "=", condition.expression.this
    if isinstance(condition, exp.Is) and isinstance(condition.expression, exp.Null):
        return condition.this.sql(), "null", ""
    inner = condition.this if isinstance(condition, exp.Not) else None
    if isinstance(inner, exp.Is) and isinstance(inner.expression, exp.Null):
        return inner.this.sql(), "notnull", ""
    return None


# Words that join alternatives: "s3 or iam", "s3/iam", "either s3 or iam", "s3 and/or iam"
_ALTERNATIVE = r"\s*(?:,\s*)?(?:or|and/or|/|\|)\s*(?:(?:the|an?)\s+)?"


def merge_alternatives(intent: Intent, text: str) -> None:
    """'calls to s3 or iam': two values of one column joined by 'or' are one IN (...), not a conflict.

    Only values whose words stand side by side in the question joined by an 'or' are merged; any other
    pair of values of one column stays two filters and is refused as a conflict below.
    """
    by_column: dict[str, list[Filter]] = {}
    for item in intent.filters:
        fact = _fact(item.condition)
        if fact is not None and fact[1] == "=" and not item.entities:
            by_column.setdefault(fact[0], []).append(item)
    for items in by_column.values():
        if len({_fact(i.condition)[2] for i in items}) < 2:  # type: ignore[index]
            continue
        spans = sorted((text.find(i.words), i) for i in items if i.words and text.find(i.words) >= 0)
        if len(spans) != len(items):
            continue
        joined = all(re.fullmatch(_ALTERNATIVE, text[a + len(x.words):b])
                     for (a, x), (b, _) in zip(spans, spans[1:], strict=False))
        if not joined:
            continue
        condition = exp.In(this=items[0].condition.this.copy(),
                           expressions=[i.condition.expression.copy() for _, i in spans])
        merged = Filter(condition, " or ".join(i.words for _, i in spans),
                        " or ".join(i.description for _, i in spans))
        at = intent.filters.index(items[0])
        intent.filters = [f for f in intent.filters if f not in items]
        intent.filters.insert(at, merged)


def _listed(condition: exp.Expression) -> tuple[str, set[str]] | None:
    """(column, values) of a `col = 'v'` or `col IN ('v', …)` filter."""
    if isinstance(condition, exp.EQ) and isinstance(condition.expression, exp.Literal):
        return condition.this.sql(), {condition.expression.this}
    if isinstance(condition, exp.In) and all(isinstance(e, exp.Literal) for e in condition.expressions):
        return condition.this.sql(), {e.this for e in condition.expressions}
    return None


def drop_explanations(intent: Intent, text: str) -> None:
    """'who tampered with logging (trail stopped, flow logs deleted)': a parenthesis naming members of a
    concept read outside it explains the concept; ANDed, it would narrow the answer to one member."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"\([^()]*\)", text)]
    if not spans:
        return
    inside = lambda words: bool(words) and any(text.find(words, a) >= 0 and text.find(words, a) + len(words) <= b  # noqa: E731
                                               for a, b in spans)
    outer = [(f, _listed(f.condition)) for f in intent.filters if not inside(f.words)]
    members = [f for f in intent.filters if inside(f.words) and not f.entities and (listed := _listed(f.condition))
               and any(o and o[0] == listed[0] and listed[1] <= o[1] and g is not f for g, o in outer)]
    # one member named in brackets may narrow the concept ("logging tampering (StopLogging)"): only an
    # enumeration of several reads as the explanation, even when some of its items are plain words ("credential
    # access (secrets, new keys)": 'secrets' reads as nothing, 'new keys' as one member); a named value (a mention)
    # is never dropped
    listing = any(re.search(r",|/|\band\b|\bor\b", text[a:b]) for a, b in spans
                  if any(text.find(f.words, a) >= a and text.find(f.words, a) + len(f.words) <= b for f in members))
    if len(members) >= 2 or members and listing:
        intent.filters = [f for f in intent.filters if f not in members]


def refuse_conflicting_filters(intent: Intent, text: str = "") -> None:
    """'successful and failed calls': two readings that exclude each other are refused, never ANDed to nothing."""
    both = re.search(r"\bboth\b", text)
    if both and (listed := next((f for f in intent.filters if len(f.entities) > 1), None)):
        # "users who called both ListBuckets and GetObject": each of the values, not either one
        raise TranslationError(f"cannot answer 'both' {listed.words!r} in one query: a row holds one value; ask for "
                               f"a count per value instead, e.g. 'count per user and event name for {listed.words}'")
    said = {f.description: f.words for f in intent.filters}
    for pair in OPPOSITES:
        if pair <= said.keys():
            a, b = sorted(pair)
            raise TranslationError(
                f"conflicting readings: {said[a]!r} ({a}) and {said[b]!r} ({b}) cannot both hold for one row: ask for "
                "one, or for a count per outcome, e.g. 'console logins per source IP, successes vs failures'")
    sets: dict[str, list[tuple[set[str], str]]] = {}
    for item in intent.filters:  # "GetObject … the public bucket thing": one call and a list it is not in
        if (listed := _listed(item.condition)) is not None:
            sets.setdefault(listed[0], []).append((listed[1], item.words))
    for column, seen in sets.items():
        if len(seen) > 1 and not set.intersection(*(values for values, _ in seen)):
            words = " and ".join(repr(w) for _, w in seen)
            raise TranslationError(f"conflicting readings: {words} ask for different values of {column} in the same "
                                   "row: ask for one, or for a count per value")
    facts: dict[str, list[tuple[str, str, str]]] = {}
    for item in intent.filters:
        if (fact := _fact(item.condition)) is not None:
            facts.setdefault(fact[0], []).append((fact[1], fact[2], item.words))
    for column, seen in facts.items():
        kinds = {k for k, _, _ in seen}
        values = {v for k, v, _ in seen if k == "="}
        if len(values) > 1 or kinds >= {"null", "notnull"} or kinds >= {"null", "="}:
            words = " and ".join(repr(w) for _, _, w in seen)
            raise TranslationError(f"conflicting readings: {words} ask for different values of {column} in the same "
                                   "row: ask for one, or for a count per value")


# Nouns that name no condition of their own (neutral.py) but, after "which", ask for a column: left unread, the
# answer would be a plain listing that ignores them ("which codes did heidi.smith use").
_ASKED_NOUN = re.compile(r"\b(?:which|what)\s+(?:the\s+|all\s+|of\s+the\s+)?(codes?|names?|hosts?|types?|keys?|"
                         r"identit(?:y|ies)|principals?|users?|roles?|accounts?|ports?|regions?|address(?:es)?|ips?|"
                         r"sources?|destinations?|services?|buckets?|secrets?|errors?|instances?|resources?|things?)\b")


def refuse_unread_noun(text: str) -> None:
    if match := _ASKED_NOUN.search(text):
        raise TranslationError(f"cannot tell which column {match.group(0)!r} asks for: name it, e.g. 'which error "
                               "codes', 'which event names', 'which source IPs', 'which user agents'")


# An "or" that joins a bound to its number ("8 or higher") or two directions ("to or from") joins no conditions
_OR = re.compile(r"(?<!\bto )(?<!\bfrom )(?<!and/)\bor\b(?!\s+(?:more|higher|above|over|greater|fewer|less|lower|"
                 r"under|below|later|earlier|so|not)\b)")


def refuse_mixed_alternatives(intent: Intent, asked: str) -> None:
    """'severity 8 or higher, or type X', 'flows from 10.0.0.5 or to port 22': an 'or' between conditions on
    different columns; the filters are ANDed, so the answer would hold only the rows meeting both."""
    spans: list[tuple[int, int, Filter]] = []
    for item in intent.filters:
        for words in {item.words, *item.entities} - {""}:
            spans += [(m.start(), m.end(), item) for m in re.finditer(re.escape(words.lower()), asked)]
    for joint in _OR.finditer(asked):
        if any(a < joint.start() and joint.end() < b for a, b, _ in spans):
            continue  # inside one filter's words: "GetObject or PutObject", merged into one IN
        left = [(b, f) for a, b, f in spans if b <= joint.start() and re.fullmatch(
            r"[\s,;()]*(?:(?:calls?|events?|flows?|findings?|connections?|traffic|requests?|logins?)[\s,;()]*)?",
            asked[b:joint.start()])]
        right = [(a, f) for a, b, f in spans if a >= joint.end() and re.fullmatch(
            r"\s*(?:either\s+)?(?:[a-z]+\s+){0,2}", asked[joint.end():a])]
        if left and right and (one := max(left, key=lambda x: x[0])[1]) is not (
                other := min(right, key=lambda x: x[0])[1]):
            raise TranslationError(f"cannot combine {one.words!r} or {other.words!r}: an 'or' between conditions on "
                                   "different columns is not understood; ask for each on its own")
