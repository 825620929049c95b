"""The nouns a question lists, groups or ranks by → dimensions: "which X", "per X", "top N X", "who", and
the buckets over time ("per hour", "every 15 minutes"). A grouping the table does not have is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.nl.base import TranslationError
from workbench.nl.intent import Dimension
from workbench.nl.offline.reading import Reading
from workbench.nl.offline.thresholds import THRESHOLD
from workbench.nl.offline.vocab import DIMENSIONS, TIME_COLUMN, vocab_dimension

NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
           "ten": 10, "twenty": 20, "fifty": 50, "hundred": 100}
N = r"(\d{1,4}|" + "|".join(NUMBERS) + ")"
GROUP = r"(?:per|by|for each|for every|each|grouped by|group by|broken down by|breakdown by|split by|across)"
_WHICH = r"(?:(?:which|what)(?:\s+single)?|list(?: the| all| of)?|distinct|unique|different|show(?: me)?(?: the)?|all the|name the|" \
         r"give me(?: the)?|get me(?: the)?|just(?: the)?|only(?: the)?|every)"
# "per vpc flow source": the log's name before the column; "per vpc" alone is the VPC, a column
_FILLER = r"(?:(?:the|most|least|active|common|frequent|distinct|unique|different|of|all|every|noisy|aws|" \
          r"top|busiest|noisiest|biggest|largest|loudest|rarest|guard ?duty|cloudtrail|vpc(?=\s+flow)|iam|s3|ec2|kms|sts|" \
          r"lambda|\d+|" + "|".join(NUMBERS) + r")\s+)*"
# "user agents used by the s3 callers": 'by' after a participle names who acted (a filter), not a grouping
_AGENT_NOT_GROUP = ("(?!(?:" + "|".join(rf"(?<=\b{verb} )" for verb in (
    "used", "made", "done", "called", "invoked", "issued", "performed", "sent", "created", "initiated", "executed", "ran",
    "run")) + r")by\s+(?:the|th[eo]se?|an?|any|some)\s)")
BUCKETS = {"minute": 16, "hour": 13, "day": 10}
ROWS = {"cloudtrail": r"events?|calls?|api calls?|activity|actions?|requests?|logins?|records?|entries",
        "vpc_flow": r"flows?|connections?|records?|entries|traffic|sessions?",
        "guardduty": r"findings?|alerts?|records?|entries"}


# What a value's placeholder is already called: "rolename role" names the role, it does not ask for roles.
_OWN_NOUNS = {
    "username": r"users?|principals?|identit(?:y|ies)|user names?", "rolename": r"roles?|sessions?", "bucketname": r"buckets?",
    "ipaddr": r"ips?|address(?:es)?|hosts?|ip address(?:es)?|sources?|source ips?", "accountnumber": r"accounts?",
    "regionname": r"regions?", "portnumber": r"ports?", "secretname": r"secrets?",
    "resourceid": r"instances?|enis?|interfaces?|vpcs?|subnets?|network interfaces?", "eventname": r"events?|calls?|apis?|actions?",
    "errorcodename": r"errors?|error codes?", "policyname": r"polic(?:y|ies)", "findingtype": r"findings?|types?",
    "trailname": r"trails?", "accesskeyid": r"(?:access )?keys?", "servicehost": r"(?:event )?sources?|services?",
}


# the columns of a CloudTrail listing that a "which" may ask for beside "who"
_LISTED = {"sourceipaddress", "eventname", "eventsource", "errorcode", "eventtime"}


@dataclass(frozen=True)
class Dim:
    dimension: Dimension
    trigger: str  # group | which | who | top | count


def number(word: str | None) -> int | None:
    if word is None:
        return None
    return int(word) if word.isdigit() else NUMBERS[word]


def time_bucket(table: str, unit: str, words: str) -> Dimension:
    column = TIME_COLUMN[table]
    if table == "vpc_flow":  # epoch seconds
        return Dimension(f"date_trunc('{unit}', from_unixtime({column}))", unit, unit, words)
    return Dimension(f"substr({column}, 1, {BUCKETS[unit]})", unit, unit, words)


def sized_bucket(table: str, seconds: int, words: str) -> Dimension:
    column = TIME_COLUMN[table]
    epoch = column if table == "vpc_flow" else f"to_unixtime(from_iso8601_timestamp({column}))"
    return Dimension(f"from_unixtime(floor({epoch} / {seconds}) * {seconds})", "bucket", f"{seconds // 60}-minute bucket",
                     words)


def read_dimensions(reading: Reading, table: str, compared: bool = False) -> list[Dim]:
    found: list[Dim] = []
    # "flows from 10.20.x.x source addresses": the noun says what the address named is, on the side it was named on,
    # never a grouping by it
    reading.text = re.sub(r"\b(?:(from\s+ipaddr)\s+(?:source|src)|(to\s+ipaddr)\s+(?:destination|dest|dst))"
                          r"(?:\s+ip)?\s+(?:address(?:es)?|ips?|hosts?)\b",
                          lambda m: (m.group(1) or m.group(2)).ljust(len(m.group(0))), reading.text)
    # "new access keys and who they were for": the user the call acted on, as "for whom" asks
    reading.text = re.sub(r"\bwho(?:m)?\s+(?:they|it|those|these|each)\s+(?:was|were|is|are)\s+(?:made\s+|created\s+)?for\b",
                          lambda m: "for whom".ljust(len(m.group(0))), reading.text)
    # "… and which user were they for", "what role was it made for": the stranded "for" asks for whom, as "for which user"
    reading.text = re.sub(r"\b(?:which|what)\s+(users?|roles?|groups?)\s+(?:was|were|is|are)\s+(?:they|it|those|these|each(?:\s+one)?|"
                          r"th[eo]se\s+\w+|the\s+\w+(?:\s+\w+)?)\s+(?:(?:made|created|issued|generated|minted|meant)\s+)?for\b",
                          lambda m: f"for which {m.group(1)}".ljust(len(m.group(0))), reading.text)
    # "… and which user they were for", "what role the key was made for": the same, in the order of a statement
    reading.text = re.sub(r"\b(?:which|what)\s+(users?|roles?|groups?)\s+(?:they|it|those|these|each(?:\s+one)?|th[eo]se\s+\w+|"
                          r"the\s+\w+(?:\s+\w+)?)\s+(?:was|were|is|are|got)\s+(?:(?:made|created|issued|generated|minted|"
                          r"meant)\s+)?for\b", lambda m: f"for which {m.group(1)}".ljust(len(m.group(0))), reading.text)
    # "which users did X create access keys for": the stranded preposition asks for whom, as "for which users"
    # (only beside calls that act on someone: "which users did 10.0.0.5 talk to" names no such call)
    if any("eventname" in f.condition.sql() for f in reading.filters):
        reading.text = re.sub(r"^(\s*)(which|what)(\s+(?:users?|roles?|groups?)\b.*\S)\s+(?:for|to)(\s*)$",
                              r"\1for \2\3\4", reading.text)
    # "what were the new users called": the names the calls gave, which the request carries
    # (the noun may have been read already as the call, "created iam users": then the call says which kind)
    calls = " ".join(f.condition.sql() for f in reading.filters)
    kind = "role" if "Role'" in calls else "group" if "Group'" in calls else "user"
    reading.text = re.sub(r"\b(?:what|how)\s+(?:were|was|are|is)\s+(?:the|th[eo]se?|its|their|it|they)\s+(?:(?:new|created|"
                          r"new(?:ly)? created)\s+(users?|roles?|groups?)\s+|\s*)(?:called|named)\b",
                          lambda m: f"for which {m.group(1) or kind}".ljust(len(m.group(0))), reading.text)
    # "who called CreateRole, and which role did they make": the one the call made, named in its request
    if calls or re.search(r"\beventname\b", reading.text):  # a named call stands as 'eventname' here
        reading.text = re.sub(r"\b(?:which|what)\s+(users?|roles?|groups?)\s+(?:did|do|does)\s+(?:they|he|she|it|each|"
                              r"th[eo]se?)\s+(?:make|create|add|delete|remove)\b",
                              lambda m: f"for which {m.group(1)}".ljust(len(m.group(0))), reading.text)
    if table == "cloudtrail":
        # "who called SendSSHPublicKey and for which instance": the instance the call acted on, as "which instance"
        reading.text = re.sub(r"\b(?:to|for|on|against)\s+((?:which|what)\s+instances?(?:\s+ids?)?)\b",
                              lambda m: m.group(1).ljust(len(m.group(0))), reading.text)
    target = re.search(r"\b(?:to|for|on|against)\s+(?:which|what|whom)(?:\s+(users?|roles?|groups?)"
                       r"(?:\s*(?:or|and|/|,)\s*(users?|roles?|groups?))?)?\b", reading.text)
    if target and table == "cloudtrail":
        # "on which user or role": each noun its own column, the request names one or the other
        for noun in dict.fromkeys(n.rstrip("s") for n in (target.group(1) or "user", target.group(2)) if n):
            field = {"user": "userName", "role": "roleName", "group": "groupName"}[noun]
            found.append(Dim(Dimension(f"json_extract_scalar(requestparameters, '$.{field}')", f"target_{noun}",
                                        f"target {noun}", target.group(0)), "which"))
        reading.consume(target)
    if "SecurityGroup" in calls:
        # "security groups opened to the world - who and which group": the group the call changed, never an IAM group
        reading.text = re.sub(r"\b(which|what)\s+(groups?)\b", r"\1 security \2", reading.text)
    sort = re.search(r"\b(?:sorted|ordered|sort|order|ranked)\s+by\s+(?:the\s+)?", reading.text)
    if sort and (hit := vocab_dimension(table, reading.text[sort.end():])):
        reading.sort = hit[0]
        reading.text = reading.text[:sort.start()] + "_" * (sort.end() + hit[1] - sort.start()) + \
            reading.text[sort.end() + hit[1]:]
    for joined in list(re.finditer(r"\b(?:together|along)\s+with\s+(?:the\s+|their\s+|its\s+)?", reading.text)):
        # "which users …, together with the source ip": a column beside the values asked for, never beside rows
        if vocab_dimension(table, reading.text[joined.end():]) and re.search(
                r"\b(?:who|whom|which|what|distinct|unique|per|by)\b", reading.text[:joined.start()]):
            reading.text = reading.text[:joined.start()] + "which".ljust(len(joined.group(0))) + reading.text[joined.end():]
    if table == "cloudtrail" and (where := re.search(r"\b(?:(?:and\s+)?from where|where\s+from)\b", reading.text)):
        # "rupert.garcia where from", "who deleted it and from where": the source addresses
        reading.text = reading.text[:where.start()] + "which source ips" + reading.text[where.end():]
    elif table == "cloudtrail" and (came := re.search(r"^(\s*)where\s+(?:did|do|does|have|had)\b(.*?)\b(?:come|came|coming|"
                                                       r"originat\w*)\s+from\b(?:\s*\(?\s*(?:source\s+)?ips?\s*\)?)?",
                                                       reading.text)):
        # "where did the failed sign-ins come from (ips)": where a call comes from is its source address
        reading.text = came.group(1) + "which source ips" + came.group(2) + reading.text[came.end():]
    from workbench.nl.offline.listing import _ASKED_WORD, asked_columns  # noqa: PLC0415 (listing reads dimensions' Dim)
    if (asked := asked_columns(reading.text, table))[0]:
        # "SendCommand calls - when, who, and which call": the question words inside a list of columns asked of each
        # row are not a distinct list of their own; blanked so the listing reads the columns
        reading.text = reading.text[:asked[1]] + _ASKED_WORD.sub(lambda m: " " * len(m.group(0)), reading.text[asked[1]:])
    # "brute force check: source ips with …", "any ip that made fewer than 20 calls": the noun a count
    # condition is about starts its clause, or follows 'any'/'every' (without a condition, 'any user' asks yes/no)
    compared = compared or re.search(THRESHOLD, reading.text) is not None
    patterns = ((r"^\s*", "start"), (r"[:;—–]\s*", "start"),
                *(((r"\b(?:any|every|all|those|the)\s+", "which"),) if compared else ()),
                (r"\b(?:" + "|".join(_OWN_NOUNS) + r")\s+", "tail"),  # "judy.byrne@tyrell.com ips"
                (r"\b(?:how many|number of|count of|total(?: number of)?)\s+", "count"),
                (_AGENT_NOT_GROUP + f"\\b{GROUP}\\s+", "group"), (rf"\b{_WHICH}\s+", "which"),
                (rf"\b(?:top|bottom)\s+(?:{N}\s+)?", "top"),
                (rf"\b{N}\s+(?:most|least)\s+\w+\s+", "top"),
                (rf"\b(?:which|what|the)\s+{N}\s+(?=\w+(?:\s+\w+)?\s+(?:\w+\s+){{0,3}}(?:the\s+)?(?:most|least|fewest)\b)", "top"),
                (r"\b(?:most|least)\s+(?:common|active|frequent|used|busy)\s+", "top"),
                (r"\b(?:busiest|noisiest|loudest|chattiest|quietest|rarest)\s+", "top"),
                (r"\b(?:most|least)\s{2,}", "most"),  # "most rejected source ip": the filter read, the noun ranked
                # "the user with the most errors", "which ip has the most rejected flows": the noun ranked
                # (a question opening on the noun, "subnet with the highest total bytes", ranks it the same way)
                (r"(?:\b(?:the|which|what)\s+|^\s*)(?=(?:[\w-]+\s+){1,2}(?:with|that (?:has|had|made|sent|got|did)|having|"
                 r"has|had)\s+the\s+(?:most|fewest|least|highest number of|lowest number of)\b)",
                 "top"))
    for pattern, kind in patterns:
        for match in list(re.finditer(pattern, reading.text)):
            trigger = kind
            rest = reading.text[match.end():]
            lead = len(rest) - len(rest.lstrip(" ")) if trigger == "most" else 0
            skipped = re.match(_FILLER, rest[lead:])
            offset = lead + (skipped.end() if skipped else 0)
            if (hit := vocab_dimension(table, rest[offset:])) is None:
                continue
            dimension, length = hit
            matched = rest[offset:offset + length]
            after = rest[offset + length:].strip()
            if re.match(r"\s*(?:" + "|".join(_OWN_NOUNS) + r")\b", rest[offset + length:]) and any(
                    re.fullmatch(nouns, matched) and not re.match(rf"{placeholder}\s+(?:{nouns})\b", after)
                    for placeholder, nouns in _OWN_NOUNS.items() if after.startswith(placeholder)):
                # ("which roles (rolename roles)" names its kind again after it: the first noun is asked for)
                continue  # "excluding port 443", "the user bob": the noun names the value after it, not a column
            if (trigger == "count" or trigger == "which" and re.match(r"show|list|give|get|display|pull|just|only|every|all",
                                                                         match.group(0))) \
                    and re.match(rf"(?:(?:api|iam|aws|console|s3)\s+)?(?:{ROWS[table]}|activity|events|calls|errors?|failures?|"
                              r"denials?)\b", after):
                continue  # "show me api activity", "list user calls": the noun says whose rows, the rows are asked
            if (trigger == "count" or trigger == "which" and re.match(r"show|list", match.group(0))) \
                    and matched in {"api", "iam"} and re.match(r"\s{2,}", rest[offset + length:]):
                continue  # "show me api errors", "count of api errors": the errors were read already, "api" only says whose
            if trigger == "which" and re.match(r"show|list", match.group(0)) and re.fullmatch(r"apis?|calls?|events?",
                                                                                           matched) \
                    and re.search(r"\S\s{2,}$", match.group(0)):
                continue  # "show me privilege escalation apis": the rows of what was read between, not event names
            if trigger == "most" and re.fullmatch(ROWS[table] + r"|events|findings|flows|connections|records|calls",
                                                  matched) and (matched.endswith("s") or dimension.expression != "eventname"):
                continue  # "the most failed calls": a count of rows; "most denied api call" (one call) ranks the calls
            if trigger == "most":
                trigger = "top"
            if trigger == "group" and matched in {"who", "whom"}:
                trigger = "who"  # "ListUsers - by who?": the callers, not a count per caller
            if trigger == "tail":
                placeholder = match.group(0).strip()
                if dimension.alias == "vpc_id":
                    continue  # "flows in the 426676542884 vpc": where the named value lives, not the VPCs asked for
                if re.fullmatch(_OWN_NOUNS[placeholder] + r"|" + ROWS[table] + r"|events|calls|findings|flows|records",
                                matched):
                    continue  # "the billing-lambda role", "AssumeRole calls": the value's own kind, not a column
                trigger = "which"
            if trigger == "count" and matched in {"error", "errors"} \
                    or trigger in {"count", "group"} and re.fullmatch(ROWS[table], matched) \
                    and (trigger == "count" or matched.endswith("s")) \
                    or trigger == "which" and re.fullmatch(r"events|findings|flows|connections|records", matched) \
                    or trigger in {"which", "start"} and re.fullmatch(r"events|findings|flows|connections|records", matched) \
                    or (trigger == "start" or re.match(r"show|list|all|only|just|every", match.group(0))) and re.fullmatch(
                        r"calls?|api calls?|actions?|requests?|operations?|events?|activity|traffic|findings?|flows?", matched) \
                    or trigger == "start" and not matched.endswith("s") \
                    or trigger == "start" and re.fullmatch(r"apis", matched) and re.search(rf"\b{GROUP}\s+", rest) \
                    or (match.group(0).strip() == "every" or re.search(r"\b(?:every|all)\b", rest[:offset])) \
                    and re.fullmatch(ROWS[table], matched):  # "every event from", "show every finding that": rows
                continue  # "how many events": rows counted, not event names
            # "by user bob" is a filter on the user, read elsewhere; "by username" is a placeholder
            start, end = match.end() + offset, match.end() + offset + length
            if trigger == "group" and re.match(r"\s*(?:username|rolename|ipaddr|principalarn)\b", reading.text[end:]):
                continue
            if "arn" in dimension.expression.lower() and (arn := re.match(r"\s*arns?\b", reading.text[end:])):
                end += arn.end()  # "principals (arn)": the ARN is how the principal is named, not a second column
            if any(d.dimension.expression == dimension.expression for d in found):
                # "which policies … give me the policy arns", "per eni (interface id), with counts": the same column
                # asked again; "identity center users … the session names": the same column, of Identity Center's sessions
                for i, d in enumerate(found):
                    if d.dimension.expression == dimension.expression and d.dimension.alias == "session_name" != \
                            dimension.alias:
                        found[i] = Dim(Dimension(dimension.expression, dimension.alias, dimension.description,
                                                 d.dimension.words), d.trigger)
                if trigger in {"which", "group"}:
                    reading.text = reading.text[:start] + "_" * (end - start) + reading.text[end:]
                continue
            found.append(Dim(Dimension(dimension.expression, dimension.alias, dimension.description,
                                        reading.text[match.start():end].strip()), "which" if trigger == "start" else trigger))
            # underscores, not spaces: "per <consumed> from" must not read as "per from"
            reading.text = reading.text[:start] + "_" * (end - start) + reading.text[end:]
            # "count by region, event source": the comma is gone from the working text, so after a grouping
            # a second column name right behind the first is grouped by too (never a kind of rows: "by user calls")
            joint = r"\s*(?:,|and|&)\s*" if trigger != "group" else r"\s*(?:,|and|&)?\s*"
            alternative = re.search(r"\bor\s+(?:by\s+|per\s+|the\s+)?", reading.text[end:end + 60])
            if trigger == "group" and alternative and vocab_dimension(table, reading.text[end + alternative.end():]) \
                    and not re.search(r"\b(?:for|from|to|in|where|with|of|on|that|which|who)\b",
                                      reading.text[end:end + alternative.start()]):
                # "count per user or region": one grouping or the other is not a query; ANDed, one would be dropped
                raise TranslationError("a grouping by one column 'or' another is ambiguous: ask for one, or for both "
                                       "with 'and', e.g. 'count per user and region'")
            while more := re.match(joint + r"(?:by\s+|per\s+|the\s+)?", reading.text[end:]):
                hit = vocab_dimension(table, reading.text[end + more.end():])
                if hit is not None and hit[0].expression == found[-1].dimension.expression:
                    # "per eni (network interface)": the same column glossed, read with it
                    start, end = end + more.end(), end + more.end() + hit[1]
                    reading.text = reading.text[:start] + "_" * (end - start) + reading.text[end:]
                    continue
                if hit is None and trigger == "group":
                    _refuse_foreign_grouping(table, reading.text[end + more.end():])
                if hit is None or any(d.dimension.expression == hit[0].expression for d in found) or (
                        not more.group(0).strip() and re.fullmatch(ROWS[table] + r"|apis?|api calls?|types?",
                                                                   reading.text[end + more.end():][:hit[1]])):
                    break
                start, end = end + more.end(), end + more.end() + hit[1]
                found.append(Dim(hit[0], trigger))
                reading.text = reading.text[:start] + "_" * (end - start) + reading.text[end:]
    if table == "vpc_flow" and found and (who := re.search(r"\bwho\s+(?:are|were|is|was)\b", reading.text)):
        # "who are the top 5 talkers": the talkers are asked, by address — not an identity
        reading.consume(who)
    if table != "cloudtrail" and re.search(r"\bwhom?\b|^\s*whose\b", reading.text):
        raise TranslationError(f"'who' cannot be answered from {table}: it records no identities; ask about "
                               "CloudTrail events instead (e.g. 'who called DeleteTrail')")
    rows_asked = re.search(r"\b(?:list|show|give|display|pull|dump|with)\s+(?:me\s+|us\s+)?(?:the\s+|all\s+(?:the\s+)?|"
                           r"their\s+|its\s+)?(?:eventname\s+)?(?:events|calls|api calls|records|rows|entries|log entries)\b",
                           reading.text)
    rows_asked = rows_asked or re.search(r"\b(?:list|show)\s+(?:me\s+)?(?:everything|it all|all of it)\b", reading.text)
    if rows_asked and (who := re.search(r"\bwho\b", reading.text)) and all(
            d.trigger == "which" and d.dimension.expression in _LISTED for d in found):
        # "who touched X (and from where)? list the events": the events say who, from where, what and when; a list
        # of names would drop them. Only columns the listing shows: "which buckets…" asks for what it lacks
        reading.consume(who)
        found = []
    if (asks := re.search(r"\bwho\s+(?:are|is|were|was)\s+(?=the\b)", reading.text)) and any(
            d.trigger in {"top", "which"} for d in found):
        reading.consume(asks)  # "who are the 4 noisiest iam users": the question word of the noun ranked
    # "whose access key is AKIA…?" opening the question asks for the owner; "roles whose sessions …" only relates
    # "which keys were used, and whose are they": a key's owner is who signed with it, a column beside the keys
    keys = any(d.dimension.alias == "accesskeyid" for d in found)
    if match := re.search(r"\b(?:who|whom|which (?:identity|identities|principals?|users?) )\b|^\s*whose\b|"
                          + (r"\band\s+whose\b(?=\s+(?:are|is|were|was)\s+(?:they|it|those|these|them)\b)" if keys else "$^"),
                          reading.text):
        expr, alias, description = DIMENSIONS["cloudtrail"]["user"]
        # "iam users who called X", "identity center users who …": the relative pronoun of the people listed
        # already, by the name asked for; a principal beside it would be a second column nobody asked for
        relative = match.group(0) == "who" and re.search(r"_\s*$", reading.text[:match.start()]) and any(
            d.dimension.alias in {"username", "identity"} for d in found)
        # "whose access key is AKIA…? user name pls": the owner asked for by the name said with it (ab087)
        relative = relative or match.group(0).strip() == "whose" and any(
            d.dimension.alias in {"username", "identity", "session_name"} for d in found)
        from workbench.nl.offline.listing import asked_columns  # noqa: PLC0415 (listing reads dimensions' Dim)
        listed, at = asked_columns(reading.text, table)
        if match.group(0) in {"who", "whom"} and match.start() >= at >= 0 and any(
                d.alias not in {"principal", TIME_COLUMN[table]} for d in listed):
            return found  # "CreateUser calls: who, ip, time": a column of each row, read with the others
        if all(d.dimension.alias != alias for d in found) and not relative:
            found.insert(0, Dim(Dimension(expr, alias, description, match.group(0).strip()), "who"))
    return found


def _refuse_foreign_grouping(table: str, rest: str) -> None:
    """'count by source, destination' on CloudTrail: a second grouping another table has, left over, would be dropped."""
    for other in DIMENSIONS:
        if other != table and (hit := vocab_dimension(other, rest)) and not vocab_dimension(table, rest):
            raise TranslationError(f"cannot group {table} by {rest[:hit[1]]!r}: it is a column of {other}; ask about "
                                   "one log source at a time")


def refuse_unplaced_group(reading: Reading, table: str) -> None:
    """'per flibber' or 'grouped by colour': a grouping this table does not have is refused."""
    if re.search(r"\b(?:avg|average|mean)\b", reading.text) and (
            each := re.search(r"\bper\s+(?:flow|connection|finding|record|row)\b", reading.text)):
        reading.consume(each)  # "avg bytes per flow": each row, the average's own denominator
    # "per guardduty finding type": the table's name before the noun grouped by says where, not what
    if match := re.search(r"\b(?:per|for each|for every|grouped by|group by|broken down by|breakdown by|split by)\s+"
                          r"(?:(?:guard ?duty|cloudtrail|vpc|flow|aws|the)\s+)*+(?!username|rolename|ipaddr|principalarn|eventname|bucketname|secretname)([a-z][\w-]*)",
                          reading.text):
        known = ", ".join(sorted({k for k in DIMENSIONS[table] if " " not in k})[:14])
        raise TranslationError(f"cannot group {table} by {match.group(1)!r}: say one of {known}, "
                               "or 'per hour' / 'per day'")
