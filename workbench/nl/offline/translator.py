"""The offline translator: a question → a typed intent → one Athena SELECT, or a clear refusal.

Reading order: requests to act and data no table holds are refused (refusals.py); named values
are taken out with where they stood (mentions.py); the time phrase (timephrases.py); the
analysts' vocabulary (concepts.py), which with the mentions decides the table; the modifiers
(shape.py); then every mention is placed as a filter on that table. A mention or modifier that
cannot be placed refuses the question with what to ask instead: a refusal costs the analyst a
rephrase, a wrong answer costs an investigation.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from workbench.nl.base import TranslationError
from workbench.nl.intent import (
    Intent,
    compile_intent,
)
from workbench.nl.offline.accounting import (
    SOURCE_OF,
    drop_explanations,
    merge_alternatives,
    refuse_conflicting_filters,
    refuse_foreign_words,
    refuse_leftover_numbers,
    refuse_mixed_alternatives,
    refuse_stray_modifiers,
    refuse_unread_noun,
)
from workbench.nl.offline.actions import late_verb_object_events
from workbench.nl.offline.actiontypes import action_types
from workbench.nl.offline.alternatives import services_beside_address
from workbench.nl.offline.ambiguity import (
    refuse_ambiguous_names,
    refuse_bare_change,
    refuse_partial_possessive,
)
from workbench.nl.offline.callverbs import verbs_of_named_calls
from workbench.nl.offline.columnasks import column_asked
from workbench.nl.offline.columnlist import apply_column_list, column_list, take_column_list
from workbench.nl.offline.columns import listed_columns_asked
from workbench.nl.offline.comparisons import compare
from workbench.nl.offline.concepts import port_in_request, security_group_ports
from workbench.nl.offline.conventions import apply_conventions, per_value
from workbench.nl.offline.creations import named_creations, place_creations
from workbench.nl.offline.findingsums import rank_by_occurrences, ranked_by_occurrences
from workbench.nl.offline.firstseen import first_seen_within, without_gloss
from workbench.nl.offline.flowends import destination_ends, rejects_counted
from workbench.nl.offline.glossedcalls import calls_spelling_out_a_concept
from workbench.nl.offline.groupcounts import count_groups
from workbench.nl.offline.instances import named_calls, own_columns
from workbench.nl.offline.leads import unread_lead
from workbench.nl.offline.listing import refuse_trailing_column, refuse_unread_column
from workbench.nl.offline.mentions import ACTOR_VERB, Mentions, extract
from workbench.nl.offline.neutral import unexplained, without_descriptions
from workbench.nl.offline.normalise import normalise, without_lead_in
from workbench.nl.offline.numbertalk import either_way, number_talk
from workbench.nl.offline.outcomes import cloudtrail_outcomes
from workbench.nl.offline.pairs import pairs_as_columns
from workbench.nl.offline.placement import place_cloudtrail, place_guardduty, place_vpc, refuse_unplaced
from workbench.nl.offline.possessivecolumns import possessive_column
from workbench.nl.offline.rarephrases import plain_rare_phrases
from workbench.nl.offline.rarevalues import take_rare_values
from workbench.nl.offline.reading import Reading
from workbench.nl.offline.refusals import (
    refuse_back_reference,
    refuse_compound,
    refuse_follow_up,
    refuse_nested,
    refuse_unanswerable,
    refuse_unreadable_values,
)
from workbench.nl.offline.requested import (
    ipv6_world,
    place_request_values,
    possessive_targets,
    refuse_both_worlds,
    request_values,
    trail_destination,
)
from workbench.nl.offline.restated import restated_column, restated_limit
from workbench.nl.offline.seentimes import place_seen, seen_time
from workbench.nl.offline.shape import read_shape
from workbench.nl.offline.spelling import correct, correct_typed
from workbench.nl.offline.tablechoice import choose_table
from workbench.nl.offline.tailphrases import tail_phrases
from workbench.nl.offline.timephrases import extract_window
from workbench.nl.offline.titles import title_mentions
from workbench.nl.offline.typepatterns import place_type_patterns, take_type_patterns
from workbench.nl.offline.useragents import require_cloudtrail, take_user_agent
from workbench.nl.offline.vocab import DIMENSIONS, SUGGESTIONS, TABLE_CUES, TIME_COLUMN, WELL_KNOWN_PORTS
from workbench.nl.offline.written import refuse_unused_values
from workbench.timewindow import Window

TABLE_NAMES = {"cloudtrail": "CloudTrail events", "guardduty": "GuardDuty findings", "vpc_flow": "VPC flows"}

# what is done to a bucket, in the passive ("was X first hit", "were X ever read anonymously")
_PASSIVE = re.compile(r"\s*(?:(?:first|last|ever|recently|actually|really|just|also)\s+)?(?:hit|accessed|read|touched|"
                      r"downloaded|uploaded|listed|modified|deleted|written|reached|probed|scanned|enumerated|"
                      r"exposed|copied|emptied|fetched|made\s+public)\b")
# a scope before the noun ("which external ips did it connect to") was read already: it goes with the noun
_DANGLING_TO = re.compile(r"^(\s*(?:what|which|where)\b)(\s+(?:(?:internal|external|private|public)\s+)?"
                          r"(?:hosts?|address\w*|ips?|servers?|machines?)\b)?"
                          r"(?!\s+(?:destinations?|ports?|instances?|interfaces?|enis?|network\s+interfaces?)\b)"  # "which instances did it reach": instance_id
                          r"(.*\b(?:connect\w*|talk\w*|communicat\w*|reach\w*|contact\w*|send|sent|go|went|"
                          r"ssh(?:ed|'d)?|rdp(?:ed|'d)?|pivot\w*))\s+(?:to|into)\s*$")


def _refuse_foreign_dimension(reading: Reading, table: str, intent: Intent) -> None:
    """'which ports did dave use': a column another table has but this one lacks is refused, not dropped."""
    own = own_columns(intent.filters, table)  # CloudTrail's instance only beside the calls naming one
    for other, vocab in DIMENSIONS.items():
        if other == table:
            continue
        # "regions" where this table has "region": the same column, not another table's
        singular = {k: re.sub(r"ies$", "y", k) if k.endswith("ies") else k.removesuffix("s") for k in vocab}
        for key in sorted((k for k, one in singular.items() if k not in own and one not in own), key=len, reverse=True):
            # "what instance types": this table's own longer key ("instance type") is no other table's column
            tails = "|".join(re.escape(k[len(key) + 1:]) for k in own if k.startswith(f"{key} "))
            own_longer = rf"(?!\s+(?:{tails})(?:es|s)?\b)" if tails else ""
            if re.search(rf"\b(?:which|what|per|by|each|top \d+|how many|distinct)\s+(?:the\s+)?{re.escape(key)}(?:es|s)?\b"
                         + own_longer,
                         reading.text) and key not in {"source", "destination", "target", "host", "peer", "kind"}:
                raise TranslationError(
                    f"{key!r} is in {SOURCE_OF[other]}, but the rest of the question is about {SOURCE_OF[table]}: "
                    "ask about one log source at a time")


def read_intent(question: str, now: datetime) -> Intent:
    try:
        return _read_intent(question, now)
    except TranslationError:
        # "ok last thing before standup — how many …": refused as a whole, the question proper may still read
        if (proper := without_lead_in(question)) == question:
            # "possible miner. any RunInstances in …": a lead that reads as nothing is only the reason for asking
            proper = unread_lead(question, lambda lead: _read_intent(lead, now))
        if proper == question:
            raise
        try:
            return _read_intent(proper, now)
        except TranslationError:
            pass
        raise


def _read_intent(question: str, now: datetime) -> Intent:
    if not question.strip():
        raise TranslationError("ask a question, e.g. " + "; ".join(f"'{s}'" for s in SUGGESTIONS[:3]))
    refuse_both_worlds(question)
    refuse_unanswerable(question)  # as typed: "can you block …" is a request to act before it is anything else
    question = pairs_as_columns(possessive_column(number_talk(question)))
    asked = question.lower()
    question = without_gloss(compare(normalise(tail_phrases(plain_rare_phrases(question))), now))
    question, listed = take_column_list(question)  # "- src, dst, bytes": before its words read as anything else
    refuse_unanswerable(question)
    refuse_unreadable_values(question)
    refuse_follow_up(question)
    refuse_bare_change(question)
    refuse_nested(question)
    refuse_compound(question)
    question, agent = take_user_agent(question)  # "curl in the user agent": a tool's name, never a user's
    question, rare = take_rare_values(question)
    question, type_patterns = take_type_patterns(question)  # "findings whose type starts with Recon"
    found = extract(correct_typed(question))
    refuse_ambiguous_names(found)
    refuse_back_reference(found.text, {m.kind for m in found.items})
    window, text, phrase = extract_window(column_asked(correct(found.text)), now)
    if found.of("role"):  # "what did the X role do after being assumed": its sessions, which a role filter is
        text = re.sub(r"\bafter (?:being|it was|it got|getting|it's been|it has been|they were) assumed\b",
                      lambda m: " " * len(m.group(0)), text)
    s3_events = any(re.search(r"Object|Bucket", e.value) for e in found.of("event")) or re.search(
        r"\b(?:reads?|download\w*|upload\w*)\b", found.text)
    # "in 15 minute buckets", "hourly buckets": a span of time, never an S3 bucket
    bucket_talk = re.search(r"\b(?:buckets?|s3|public|acl|objects?)\b", re.sub(
        r"\b(?:\d+\s*-?\s*)?(?:min(?:ute)?s?|hours?|hrs?|hourly|days?|daily|seconds?|secs?|time)\s*-?\s*buckets?\b", "", text))
    for mention in found.of("name", "user", "bucket"):
        if re.search(r"\blog\s*groups?\s+(?:of|for|named|called)?\s*(?:the\s+)?$", mention.before) or re.match(
                r"\s*(?:cloudwatch\s+)?log\s*groups?\b", mention.after):
            # a log group is named only inside CloudWatch Logs requests: neither a user nor a bucket filter
            raise TranslationError(f"the log group {mention.value!r} is named only inside CloudWatch Logs requests, which "
                                   "cannot be filtered by name here: ask 'FilterLogEvents calls yesterday' and look for "
                                   "it in the requests")
    for mention in found.of("name"):  # "who made tyrell-backups-33c922 public": a bucket, not a user
        # the one acting is a user ("which buckets did svc-reporting touch"); what S3 calls act on is a bucket
        # ("GetObject calls on tyrell-backups-33c922"); an address with '@' is an Identity Center user
        # a person's first.last is not a bucket name in practice, unless the question calls it a bucket
        person = re.fullmatch(r"[a-z]+\.[a-z]+", mention.value) and not re.search(r"\bbuckets?\s+$", mention.before)
        # "when was tyrell-backups-33c922 first hit": the passive's subject is what was acted on
        passive = re.search(r"\b(?:was|were|is|are|been|got|get)\s+$", mention.before) and _PASSIVE.match(mention.after)
        # "terraform-runner-aed5 -> which buckets did it GetObject from?": the name the later "it" acts for
        # acted (dev5 e105, dev12 o029, dev24 y058, dev31 ag028 read it so)
        subject = person or not passive and (re.search(
            r"\b(?:did|does|has|have|had|was|by|user|principal|identity|for user)\s+$", mention.before)
            or ACTOR_VERB.match(mention.after) or re.search(r"\b(?:did|does|has|had)\s+it\b(?!\s+(?:get|got|been)\b)",
                                                            mention.after))
        acted_on = s3_events and (re.search(r"\b(?:on|in|into|to|from|of)\s+(?:the\s+)?$", mention.before) or re.search(
            r"(?:^|[-.])(?:[0-9a-f]{6,}|backups?|logs?|data|lake|archive|assets|bucket|artifacts?|uploads?|exports?|"
            r"static|media|reports?|cloudtrail)(?:[-.]|$)", mention.value))
        # "did terraform-runner-aed5 touch tyrell-invoices-33c922": the object of a verb, shaped like a bucket name
        # "how many distinct ips hit tyrell-data-lake-33c922": what is hit (dev5 e056, dev11 n053, dev31 ag124); the
        # requests or calls of a name ending in the lake's 6-hex bucket suffix are those it received (dev31 ag126/ag131)
        object_of = (re.search(r"\b(?:touch\w*|access\w*|read|reads|wrote|write|writes|download\w*|upload\w*|list\w*|hit|"
                              r"modif\w*|delet\w*|on|in|into|against|(?:did|done|does|do|access\w*|requests?|calls?|hits?|reads?|writes?|"
                              r"uploads?|traffic)\s+to)\s+(?:the\s+)?$", mention.before) or passive
                     or re.match(r"\s*(?:s3\s+)?(?:requests|calls)\b", mention.after)
                     and re.search(r"-(?=[0-9a-f]*\d)[0-9a-f]{6}$", mention.value)) and re.search(
            r"(?:^|[-.])(?:[0-9a-f]{6,}|backups?|logs?|data|lake|archive|assets|bucket|artifacts?|uploads?|exports?|"
            r"invoices?|static|media|reports?)(?:[-.]|$)", mention.value)
        mention.kind = "bucket" if (bucket_talk or acted_on or object_of) and "@" not in mention.value and not subject \
            else "user"
        mention.typed = False
    possessive_targets(found)
    text, made = named_creations(found, text)
    in_request = request_values(found)
    console = {(e.value, e.negated) for e in found.of("event")} == {("ConsoleLogin", False)}
    # "acl and policy changes on tyrell-backups-33c922", "which buckets had their policy or ACL changed": the bucket's
    # policy, not IAM's (dev9 j100, dev14 s146, dev29 ae019)
    if found.of("bucket") or re.search(r"\b(?:which|what|distinct|per|by|list)\s+(?:s3\s+)?buckets\b.*\btheir\s+polic", text):
        text = re.sub(r"\b(\w+\s+)?(polic(?:y|ies))\b", lambda m: m.group(0) if m.group(1) and m.group(1).split()[0] in {
            "bucket", "iam", "key", "kms", "role", "user", "group", "trust", "managed", "inline", "policyname"}
            else f"{m.group(1) or ''}bucket {m.group(2)}", text)
    table, reading = choose_table(found, Reading(f" {text} ", buckets=bool(found.of("bucket")), console=console))
    if table == "cloudtrail":
        _refuse_people_as_endpoints(found)
        trail_destination(reading)
        verbs_of_named_calls(reading, found)
        late_verb_object_events(reading, found)
    if table == "vpc_flow":
        # "what did 10.0.0.5 connect to", "where did it ssh into", "which hosts did it reach to": the dangling
        # "to" asks for the destinations, whatever noun names the ends. Matched on the words as typed, since
        # reading the table consumed "ssh"; consuming keeps lengths, so the places match the working text
        typed, working = f" {text} ", reading.text
        if (dangling := _DANGLING_TO.match(typed if len(typed) == len(working) else working)) is not None:
            noun_end = dangling.end(2) if dangling.group(2) else dangling.end(1)
            asked_for = re.sub(r"\bwhere\b", "which", working[:dangling.end(1)])  # "where did it go to": which ends
            reading.text = (asked_for + " destinations" + working[noun_end:dangling.end(3)] + " "
                            + " " * (len(working) - dangling.end(3)))
    if table == "cloudtrail" and any("/" in m.value for m in found.of("ip")):  # flows: which side is not said
        # "the 192.0.2.x addresses": a range's plural noun asks for its members, not the range's own kind
        # ("calls from 10.x addresses": after a preposition the range is where the calls came from, a filter)
        reading.text = re.sub(r"(?<!\bfrom )(?<!\bvia )(?<!\bby )\bipaddr (?=(?:ip |source ip )?(?:addresses|ips|hosts)\b)|(?<=\bevery )ipaddr (?=(?:ip |source ip )?"
                              r"(?:address|ip|host)\b)", "which  ", reading.text)
    intent = Intent(table=table, window=window, window_words=phrase or "")
    place_type_patterns(intent, type_patterns)
    place_creations(intent, made)
    if table == "cloudtrail":
        if security_group_ports(reading):
            for mention in found.of("port"):
                port_in_request(reading, int(mention.value), mention.words)
                mention.placed = True
            for name, port in WELL_KNOWN_PORTS.items():
                if match := reading.find(rf"\b{name}\b"):
                    port_in_request(reading, port, reading.consume(match))
        # "errors but not AccessDenied": a code named only to exclude it still leaves "errors" to read
        cloudtrail_outcomes(reading, error_codes_named=any(not m.negated for m in found.of("error_code")),
                            console_named=console)
    if table == "cloudtrail":
        place_cloudtrail(intent, found, reading.concepts, reading.filters)
        place_request_values(intent, in_request)
    else:
        if table == "guardduty":  # "findings that mention X in the title": matched in the title, not the resource
            title_mentions(reading, intent, found)
            action_types(reading)
        {"vpc_flow": place_vpc, "guardduty": place_guardduty}[table](intent, found)
    refuse_unplaced(found, table)
    seen = seen_time(reading) if table == "guardduty" else None
    # "the AdministratorAccess policy": the noun after a policy name is that name's kind, already placed
    reading.text = re.sub(r"\bpolicyname(\s+(?:managed\s+|iam\s+)?polic(?:y|ies))\b",
                          lambda m: "policyname" + " " * len(m.group(1)), reading.text)
    require_cloudtrail(agent or (rare[0] if rare else None), table)
    for item in [*reading.filters, *([agent] if agent else []), *rare]:
        intent.add(item)
    services_beside_address(reading, intent)
    _refuse_foreign_dimension(reading, table, intent)
    asked_list = column_list(listed, table, {*named_calls(intent.filters), *(m.value for m in found.of("event") if not m.negated)},
                             console or "console" in reading.concepts)
    ranked = ranked_by_occurrences(reading) if table == "guardduty" else None  # the findings' own count, ranked
    read_shape(reading, intent)
    rank_by_occurrences(intent, ranked)
    column = TIME_COLUMN[table]
    if intent.bucket is not None and re.search(rf"\(\s*(?:by\s+)?{column}\s*\)", asked):
        # "findings per day (by updatedat)": the bracket names the column the bucket is over already
        reading.text = re.sub(rf"(?:\bby\s+)?\b{column}\b", lambda m: " " * len(m.group(0)), reading.text)
    apply_column_list(intent, asked_list)
    if seen is not None:
        place_seen(intent, seen)
    restated_column(reading, intent, asked)
    listed_columns_asked(reading, intent)
    refuse_unread_column(reading.text, intent)
    refuse_trailing_column(reading.text, intent, asked)
    refuse_unread_noun(reading.text)
    per_value(intent, found, reading.text)
    reading.text = first_seen_within(intent, reading.text)
    refuse_stray_modifiers(reading, intent)
    merge_alternatives(intent, text)
    drop_explanations(intent, asked)
    calls_spelling_out_a_concept(intent, asked)  # "iam enumeration (ListUsers, …, GetRole)": the list
    refuse_conflicting_filters(intent, found.text)
    refuse_mixed_alternatives(intent, asked)
    apply_conventions(intent)
    destination_ends(intent, found)
    rejects_counted(intent, found.text)
    either_way(reading, intent)
    ipv6_world(asked, intent)
    _one_column_each(intent)
    count_groups(intent, asked)
    refuse_foreign_words(reading, table)
    restated_limit(reading, intent, asked)
    refuse_leftover_numbers(reading)
    refuse_partial_possessive(reading.text)
    if left := unexplained(without_descriptions(reading.text)):
        raise TranslationError(
            f"cannot translate: did not understand {', '.join(repr(w) for w in dict.fromkeys(left))} in the question, "
            "and an answer would ignore it: rephrase with the terms in the suggestions, or name the value exactly. Try: "
            + "; ".join(f"'{s}'" for s in SUGGESTIONS[:4]))
    explicit_all = re.search(r"\b(?:all|every|everything|any)\b", reading.text) and any(
        re.search(rf"\b{re.escape(c)}\b", found.text) for cues in TABLE_CUES.values() for c in cues)
    only_who = intent.distinct and all(d.alias == "principal" and d.words.startswith("who") for d in intent.columns)
    cue = any(re.search(rf"\b{re.escape(c)}\b", found.text) for cues in TABLE_CUES.values() for c in cues)
    bare_count = (intent.measures and all(m.column is None for m in intent.measures) and not intent.filters
                  and not intent.groups and not cue and window is None)  # "how many?" counts nothing named
    descending = any(o.descending for o in intent.order)
    # "and yesterday?": a time alone, with nothing to count or list, is a follow-up too
    if not intent.filters and not cue and (window is None or not (intent.measures or intent.groups or intent.distinct)) and re.match(
            r"\s*(?:(?:ok|okay|thanks|thank you|great|cool|nice)\W+)*(?:and|also|now|then|what about|how about)\b", asked):
        # "thanks, and per hour?": a follow-up to an earlier question, whose filters this one does not carry
        raise TranslationError("this reads as a follow-up: each question is translated on its own, so repeat what to "
                               "count or list, e.g. 'failed console logins per hour'")
    if (summary := re.search(r"\b(?:summar\w+|overview|recap|digest|report|rundown|highlights)\b", found.text)) and \
            not intent.filters and not intent.measures and not intent.groups and not intent.distinct:
        # "a summary of yesterday": every event of the day would not be a summary; what to summarise is not said
        raise TranslationError(f"ambiguous: {summary.group(0)!r} of what? name what to count or list, e.g. 'count per "
                               "event name yesterday' or 'GuardDuty findings per severity band yesterday'")
    if bare_count or not intent.filters and not intent.measures and (not intent.distinct or only_who) \
            and intent.limit is None and not explicit_all and window is None and reading.sort is None and not descending:
        raise TranslationError(
            f"cannot translate {question.strip()!r}: no IP, user, event, service, finding or traffic term I "
            "know. Try: " + "; ".join(f"'{s}'" for s in SUGGESTIONS))
    return intent


def _one_column_each(intent: Intent) -> None:
    """'per iam user, users w/ at least 3': a grouping said twice (or two words a convention makes one column) is one
    column; twice, the answer would show it twice and order by it twice."""
    def once(items: list[Any]) -> list[Any]:
        seen: set[str] = set()
        return [i for i in items if not (i.expression in seen or seen.add(i.expression))]
    intent.group_by, intent.columns, intent.order = once(intent.group_by), once(intent.columns), once(intent.order)


_TRAFFIC_VERB = r"(?:contact\w*|talk\w*|connect\w*|communicat\w*|reach\w*)"


def _refuse_people_as_endpoints(found: Mentions) -> None:
    """'who contacted alice.smith', 'who did alice.smith talk to': traffic is between addresses, never people, and
    CloudTrail holds the calls a person made, not whom they reached; an answer would drop the verb."""
    for mention in found.of("user"):
        if re.search(rf"\b{_TRAFFIC_VERB}\s+(?:out\s+)?(?:to|with)?\s*$", mention.before) or re.match(
                rf"\s*{_TRAFFIC_VERB}\s+(?:to|with)\s*\??\s*$", mention.after):
            raise TranslationError(f"traffic is recorded between addresses, not people like {mention.value!r}: ask "
                                   f"what {mention.value} did ('what did {mention.value} do yesterday'), or which "
                                   "addresses talked to an IP ('flows to 10.0.1.25')")


def describe(intent: Intent) -> str:
    what = TABLE_NAMES[intent.table]
    said = [f.description for f in intent.filters]
    if said:
        what += f" ({', '.join(said)})"
    groups = ", ".join(d.description for d in intent.groups)
    measure = intent.measures[0].description if intent.measures else ""
    if intent.groups_counted:
        text = f"number of {groups} ({', '.join(w for _, _, w in intent.having)}) among {what}"
    elif intent.measures and groups:
        text = f"{measure} of {what} per {groups}"
        if intent.limit is not None:
            text = f"the top {intent.limit} by {measure}: {what} per {groups}"
    elif intent.measures:
        text = f"{measure} of {what}"
    elif intent.distinct:
        text = f"each distinct {', '.join(d.description for d in intent.columns)} among {what}"
    else:
        text = f"{what}" + (f", {intent.limit} rows" if intent.limit is not None else "")
    window = f", {intent.window_words}" if intent.window_words else ", within the session window"
    return text[0].upper() + text[1:] + window + "."


def translate(question: str, now: datetime) -> tuple[str, str, Window | None]:
    """(Athena SQL, one-line explanation, the question's own window or None)."""
    intent = read_intent(question, now)
    sql = compile_intent(intent)
    refuse_unused_values(question, sql)
    return sql, describe(intent), intent.window
