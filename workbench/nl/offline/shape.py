"""The modifiers of a question → the intent's shape: counts, "per X", time buckets, "top N",
"which X", first/last time, most recent N. A modifier that names something the table cannot be
grouped by is refused, never dropped. The nouns listed or grouped by are read in dimensions.py,
the functions of numbers in measures.py; this module puts them together.
"""

from __future__ import annotations

import re

from workbench.nl.base import TranslationError
from workbench.nl.intent import Dimension, Intent, Measure, Order
from workbench.nl.offline.dimensions import (
    GROUP,
    ROWS,
    Dim,
    N,
    number,
    read_dimensions,
    refuse_unplaced_group,
    sized_bucket,
    time_bucket,
)
from workbench.nl.offline.listing import (
    asked_columns,
    listing,
    one_event_asked,
    rows_or_values,
    severest,
    the_one_event,
)
from workbench.nl.offline.measures import counts_per, read_measure, second_measure
from workbench.nl.offline.projection import named_columns
from workbench.nl.offline.rankedrows import rank_rows
from workbench.nl.offline.reading import Reading
from workbench.nl.offline.thresholds import distinct_threshold, second_bound
from workbench.nl.offline.thresholds import threshold as read_threshold
from workbench.nl.offline.vocab import COUNT_ALIAS, TIME_COLUMN

_RANK = (r"\b(?<!at )(?:most (?:common|active|frequent|often|frequently|used|calls|events|traffic|flows|findings)|"
         r"the most\b|busiest|noisiest|loudest|biggest|largest|heaviest|chattiest|most\b)")
_LEAST = r"\b(?<!at )(?:least (?:common|active|frequent|often|frequently|used|busy)|fewest|rarest|least|quietest|bottom)\b"
_COUNT = r"\b(?:how many|how often|count|counts|counted|number of|no\. of|total|sum of|sum|tally|frequency|volume of|amount of)\b"


def read_shape(reading: Reading, intent: Intent) -> None:
    """Fill the intent's columns, grouping, measures, order and limit from the question's modifiers."""
    _read_shape(reading, intent)
    if reading.extra is not None:
        if not any(m.column == reading.extra.column for m in intent.measures) and not intent.measures:
            raise TranslationError(f"cannot place {reading.extra.words!r}: ask for the sums alone, e.g. "
                                   "'total bytes and packets from 10.0.0.5'")
        if intent.measures and all(m.column != reading.extra.column for m in intent.measures):
            intent.measures.append(reading.extra)


def _ranked_by_rows(reading: Reading, table: str) -> None:
    """'least used regions by event count', 'top 3 principals by access denied errors': ranked by how many rows.

    The rows' kind ("event count", "errors" once 'denied' is read) is the measure of a ranking, never a
    column to group by; rewritten to the 'by number of' the rest of the shape reads.
    """
    if not re.search(_RANK + "|" + _LEAST + r"|\b(?:top|bottom|ranked)\b", reading.text):
        return
    rows = ROWS[table] + r"|errors?|failures?|denials?"
    # "ranked by PutObject volume": the call named is a filter, read already; its volume is how many
    if match := re.search(rf"\b(?:ranked\s+)?by\s+(?:the\s+|their\s+)?(?:total\s+|number of\s+)?(?:eventname\s+)?"
                          rf"(?:(?:cloudtrail|vpc(?: flow)?|flow ?log|guard ?duty)\s+)?(?:(?:{rows})[- ]?counts?|(?:{rows})|volume)(?=\s|$)", reading.text):
        reading.text = reading.text[:match.start()] + "by number of" + reading.text[match.end():]


def _read_shape(reading: Reading, intent: Intent) -> None:
    table = intent.table
    if table == "guardduty" and reading.most_severe is not None:
        if grouped := re.search(r"\b(?:per|by|each|distinct|unique|count|how many|number of|(?:which|what)\s+(?!"
                                r"(?:was|is|were|are|findings?)\b)\w+)\b", reading.text):
            raise TranslationError(f"cannot rank findings by severity and read {grouped.group(0)!r} at once: ask for "
                                   "the findings ('the 3 most severe findings') or a maximum ('highest severity per type')")
        listing(intent)  # a finding listing is highest severity first already: the ranking is its first rows
        intent.limit, intent.limit_words = severest(intent, reading.most_severe, reading.severest_tied)
        return
    if table == "cloudtrail" and (said := re.search(r"\b(?:per|by|and|&)\s+(?:the\s+)?(results?|outcomes?|status(?:es)?)\b",
                                                   reading.text)):
        # "console logins per user and result": a sign-in's outcome is in its response, any other call's in its error
        console = any("ConsoleLogin" in f.condition.sql() for f in intent.filters)
        reading.text = reading.text[:said.start(1)] + ("login outcome" if console else "call outcome") + \
            reading.text[said.end(1):]
    counts_per(reading, table)
    _ranked_by_rows(reading, table)
    if table == "vpc_flow" and (who := re.search(r"\bwho(?:m)?\b", reading.text)):
        # flows hold addresses, not identities: "who talks to X" asks for the sources, "who did X reach" the peers
        sides = {f.description.split(" ")[0] for f in intent.filters if f.entities and "addr" in f.condition.sql()}
        side = "which sources" if sides == {"to"} else "which destinations" if sides == {"from"} else None
        if side:
            reading.text = reading.text[:who.start()] + side + reading.text[who.end():]
    # "in 15 minute buckets", "every 15 mins", "per 2 hours": a bucket of that many units
    if sized := re.search(r"\b(?:per|by|every|each|in|into|over|at)\s+(\d{1,3})[- ]?(minute|min|hour|hr)s?"
                          r"(?:\s+(?:buckets?|intervals?|windows?|slots?|bins?|chunks?|increments?))?\b|"
                          r"\b(\d{1,3})[- ]?(minute|min|hour|hr)s?\s+(?:buckets?|intervals?|windows?|slots?|bins?|chunks?)\b",
                          reading.text):
        n, unit = (sized.group(1), sized.group(2)) if sized.group(1) else (sized.group(3), sized.group(4))
        seconds = int(n) * (60 if unit.startswith("min") else 3600)
        if seconds == 0:
            raise TranslationError(f"cannot bucket by {sized.group(0).strip()!r}: name a size of at least one minute")
        intent.bucket = sized_bucket(table, seconds, sized.group(0).strip())
        reading.consume(sized)
    # "busiest hour", "which day had the most events": the unit is the bucket, the ranking word stays
    bucket = None if intent.bucket else re.search(rf"\b(?:{GROUP}\s+(?:the\s+)?(minute|hour|day)s?|(hourly|daily)|over time|"
                       rf"(?<=busiest )(minute|hour|day)s?|(?<=quietest )(minute|hour|day)s?|"
                       rf"(?<=which )(minute|hour|day)s?|(?<=what )(minute|hour|day)s?|(?<=^ )(minute|hour|day)s(?=(?:\s+\w+){{0,3}}?"
                       rf"\s+(?:with|having|that had|where)\s+(?:more|fewer|less|over|under|at least|at most)\b))\b", reading.text)
    if bucket:
        unit = next((g for g in (bucket.group(1), *bucket.groups()[2:]) if g), None) or {
            "hourly": "hour", "daily": "day"}.get(bucket.group(2) or "", "hour")
        intent.bucket = time_bucket(table, unit, bucket.group(0))
        reading.consume(bucket)
    # "first and last api call of X": the log named before the noun still asks when X was first/last seen
    first = re.search(r"\b(?:when|what time) did\b(?:(?!\beach\b).)*\b(?:start|begin)\b|"
                      r"\b(?:first|earliest)\s+(?:api\s+|cloudtrail\s+|vpc\s+|guard ?duty\s+)?(?:time(?:stamp)?|"
                      r"eventtime|updatedat|seen|appear\w*|show\w* up|call\w*|event|eventname|login|"
                      r"logins|sign-?in|activity|access(?![\s-]*(?:keys?|denied)\b)|"
                      r"occurrence|use|used|sighting|connection|flow|finding)\b|\bwhen (?:did|was|were)\b(?:(?!\beach\b).)*\bfirst\b|"
                      r"\b(?:(?:the\s+)?time of)\s+(?:the\s+)?(?:very\s+)?(?:earliest|oldest|first)\b|"
                      r"\bfirst\s+(?:\w+\s+)?(?:seen|appear\w*|show\w* up|used)|"
                      r"\b(?:first|earliest)\s+(?:signs?|evidence|instance|occurrence|hint|trace)\s+of\b|"
                      r"\b(?:first|earliest)(?=\s{2,})", reading.text)
    last = re.search(r"\b(?:last|latest|most recent)\s+(?:api\s+|cloudtrail\s+|vpc\s+|guard ?duty\s+)?(?:time(?:stamp)?|"
                     r"eventtime|updatedat|seen|call|event|eventname|login|logins|sign-?in|"
                     r"activity|access(?![\s-]*(?:keys?|denied)\b)|occurrence|use|used|sighting|connection|flow|finding)\b|\blast\s+seen\b|\bwhen did\b(?:(?!\beach\b).)*\blast\b|"
                     r"\bwhen was\b(?:(?!\beach\b).)*\blast\b|\b(?:last|latest|most recent)(?=\s{2,})|"
                     # "when was the latest X finding updated", "time of the most recent finding": its time
                     r"\b(?:when (?:was|were|did)|(?:the\s+)?time of)\s+(?:the\s+)?(?:very\s+)?(?:latest|most recent|newest)\b|"
                     r"\bwhen did\b.*\b(?:stop|end|finish|cease)\b", reading.text)  # "when did the scan stop"
    recent = re.search(rf"\b(?:most recent|latest|last|newest|first|earliest|oldest)\s+{N}\s+(?:{ROWS[table]})\b|"
                       rf"\b{N}\s+(?:most recent|latest|last|newest|first|earliest|oldest)\s+(?:{ROWS[table]})\b",
                       reading.text)
    # "the 5 most recent console logins": the rows' kind read as a filter already, the count and order stay
    recent = recent or re.search(rf"\b{N}\s+(?:most recent|latest|newest|earliest|oldest)(?=\s{{2,}}\S|\s*$)|"
                                 rf"\b(?:most recent|latest|last|newest|first|earliest|oldest)\s+{N}(?=\s{{2,}}\S|\s*$)",
                                 reading.text)
    if recent:  # "the 5 most recent console logins": N rows, not the latest time
        first, last = ((m if m and (m.end() <= recent.start() or m.start() >= recent.end()) else None)
                       for m in (first, last))
    both = re.search(r"\b(?:first and (?:the\s+)?last|earliest and (?:the\s+)?latest|first and (?:the\s+)?latest|"
                     r"earliest and (?:the\s+)?last)\b", reading.text)
    # "first and last flow per source ip": both ends, never the one latest row
    latest = None if both or re.search(r"\bwhen\b|\btime\b|\bseen\b", reading.text) else re.search(
        rf"\b(?:most recent|latest|newest|last|earliest|oldest|first)\s+(?:guard ?duty\s+|vpc\s+|cloudtrail\s+|api\s+)?"
        rf"(?:{ROWS[table]}|thing)\b", reading.text)  # "the very first thing X did": the earliest row
    # "198.51.100.174 - what was its very first call": the question after a dash or colon opens as well (dev26)
    asks_row = re.match(r"\s*(?:[^-–—:]*\s[-–—:]\s*)?(?:what|which|show|list|give|get|display|find|pull)\b",
                        reading.text) and not re.search(
        r"\b(?:first and (?:the\s+)?last|earliest and (?:the\s+)?latest)\b", reading.text)  # one row is never both
    if latest and not recent and not latest.group(0).endswith("s") and intent.entities() and not asks_row \
            and table != "guardduty":  # "most recent finding in <account>": a finding is read as its row
        # "earliest flow from 198.51.100.149": when that address first shows up, as "first seen" reads
        early = re.match(r"(?:earliest|oldest|first)", latest.group(0))
        first, last = (latest, None) if early else (None, latest)
    elif latest and not recent and not latest.group(0).endswith("s"):  # "the most recent finding": that one row
        first = last = None
        recent = latest
    elif (edge := first or last) and not (first and last) and not recent and one_event_asked(edge, intent, reading.text):
        first = last = None  # "most recent CreateUser event": that one event, not a time
        recent = edge
    if both and (first or last):  # "first and last time we saw X": both ends of the same span
        first = first or both
        last = last or both
    for match in (both, first, last, recent):
        if match:
            reading.consume(match)
    direction = re.search(r"\b(?:newest|latest|most recent|last)\s+first\b|\bdescending\b|\bnewest to oldest\b|"
                          r"\breverse (?:chronological )?order\b", reading.text)
    if direction:
        reading.consume(direction)
    # "count per type, most frequent first": the order of the counts, never a ranking that cuts rows
    by_count = re.search(r"[,;-]?\s*\b(?:(?:the\s+)?(?:most|largest|biggest|highest|busiest|noisiest|heaviest|top)"
                         r"(?:\s+(?:frequent|common|active|count|counts|volume))?\s+(?:ones?\s+)?(?:first|on top)|"
                         r"(?:sorted|ordered|ranked)\s+by\s+(?:the\s+)?(?:count|counts|frequency|number)"
                         r"(?:\s+desc(?:ending)?)?)\b", reading.text)
    if by_count:
        reading.consume(by_count)
    top = re.search(rf"\b(?:top|bottom)\s*-?\s*{N}?\b|\b{N}\s+(?:most|biggest|largest|busiest|noisiest|least|rarest|quietest)\b|"
                    rf"\b(?:which|what|the)\s+{N}\b(?!\s*(?:am|pm|hours?|days?|minutes?)\b)", reading.text)
    said_again = None
    if top and _top_n(top) is None and (again := re.compile(rf"\btop\s*-?\s*{N}\b").search(reading.text, top.end())):
        # "top talkers by bytes, top 4 src addrs": the ranking said twice, the second time with its number (dev2 e082,
        # dev14 q141, dev19 v080); the first 'top' still marks the noun ranked, and is read once the nouns are
        said_again, top = top, again
    # "the highest packet total": the groups' sums ranked, never the largest single flow
    summed = re.search(r"\b(?:(highest|largest|biggest|greatest)|lowest|smallest)(?=\s+(?:bytes|packets)\s+(?:total|sum)\b)",
                       reading.text)
    ranking = top or summed or re.search(_RANK, reading.text) or re.search(_LEAST, reading.text)
    ascending = re.search(_LEAST, reading.text) is not None or bool(summed and not summed.group(1))
    if summed:
        reading.consume(summed)
    if ranking and (busy := re.search(r"(?<=\bmost )busy\b|(?<=\bleast )busy\b", reading.text)):
        reading.consume(busy)  # "least busy interface": the ranking's own word, read with it
    distinct_cmp = distinct_threshold(reading, table)
    before_dims = reading.text
    dims = read_dimensions(reading, table, compared=distinct_cmp is not None)
    for said in (top, said_again):
        if said:
            reading.consume(said)
    counting = re.search(_COUNT, reading.text)
    if counting:
        reading.consume(counting)
    refuse_unplaced_group(reading, table)
    measure = read_measure(reading, table, before_dims)
    reading.extra = second_measure(reading, measure)
    count = Measure("count", COUNT_ALIAS[table], "number of " + {"cloudtrail": "events", "vpc_flow": "flows",
                                                                 "guardduty": "findings"}[table],
                    words=counting.group(0) if counting else "")
    time_column = TIME_COLUMN[table]

    if (first or last) and the_one_event(intent, first, last, both, dims, before_dims):
        return
    if first or last:
        # "first and last time we saw X": both ends
        if first:
            intent.measures.append(Measure("min", "first_seen", f"first {time_column}", time_column, first.group(0)))
        if last:
            intent.measures.append(Measure("max", "last_seen", f"last {time_column}", time_column, last.group(0)))
        intent.group_by = [d.dimension for d in dims if d.trigger != "count"]
        return
    if recent:
        n = number(next((g for g in recent.groups() if g), None)) or 1
        early = re.search(r"\b(?:first|earliest|oldest)\b", recent.group(0))
        if per := [d for d in dims if d.trigger == "group"]:
            # "latest finding per type": the latest time of each type, never the one latest row
            if n > 1:
                raise TranslationError(f"{recent.group(0)!r} per {per[0].dimension.description} is a top N within each "
                                       "group: ask for the latest time per group, or the N rows of one value")
            func, alias = ("min", "first_seen") if early else ("max", "last_seen")
            intent.measures.append(Measure(func, alias, f"{alias.replace('_', ' ')} {time_column}", time_column,
                                           recent.group(0)))
            intent.group_by = [d.dimension for d in dims if d.trigger != "count"]
            return
        # "the 3 earliest findings": the oldest first, wherever the count stands
        listing(intent, descending=not re.search(r"\b(?:first|earliest|oldest)\b", recent.group(0)), chronological=True)
        intent.limit, intent.limit_words = n, recent.group(0)
        return
    grouped = [d for d in dims if d.trigger in {"group", "top"}]
    if grouped or intent.bucket:
        # "distinct event names per user", "unique IPs by day": the distinct values counted per group
        dims = [Dim(d.dimension, "count") if d.trigger == "which" and re.search(
            r"\b(?:distinct|unique|different)\b", d.dimension.words) else d for d in dims]
    threshold = read_threshold(reading)
    # "fewer than 30 flows but more than 3": a range, both bounds on the same count
    bound = second_bound(reading, threshold)
    if reading.total:  # "destinations 10.0.0.5 sent at least 1 MB to in total": a condition on each group's sum
        if threshold or distinct_cmp:
            raise TranslationError(f"two conditions on totals ({reading.total[2]!r} and another): ask for one")
        op, amount, words, column = reading.total
        threshold, measure = (op, amount, words), Measure("sum", f"total_{column}", f"total {column}", column, words)
    if distinct_cmp:
        if threshold:
            raise TranslationError(f"two conditions on counts ({distinct_cmp[2]!r} and {threshold[2]!r}): ask for one")
        threshold, measure = distinct_cmp[:3], distinct_cmp[3]
    if intent.bucket or grouped or (ranking and dims) or threshold or (
            dims and counting and not _count_distinct(dims, counting, reading.text)):
        counted = [d for d in dims if d.trigger == "count"]
        # "number of distinct users per region", "top 3 users by number of distinct source ips"
        if counted and (grouped or intent.bucket or len(counted) < len(dims)):
            dim = counted[0].dimension
            measure = Measure("count_distinct", f"distinct_{dim.alias}", f"number of distinct {dim.description}",
                              dim.expression, dim.words)
            dims = [d for d in dims if d.trigger != "count"]
        # "… from more than one source ip, with the ip count": the distinct values counted are the measure, never
        # also a grouping (each group would hold one value)
        distinct_of = measure.column if measure is not None and measure.func == "count_distinct" else None
        intent.group_by = [d.dimension for d in dims if d.dimension.expression != distinct_of]
        if not intent.group_by and not intent.bucket and distinct_cmp and re.match(
                r"\s*(?:was|were|did|does|do|is|are|has|have|had)\b", reading.text):
            # "was the key used from more than one ip?": yes or no, answered with the evidence, the distinct values
            counted = distinct_cmp[3]
            intent.columns = [Dimension(counted.column or "", counted.alias.removeprefix("distinct_"),
                                        counted.description.removeprefix("number of distinct "), counted.words)]
            intent.distinct, intent.order = True, [Order(intent.columns[0].alias)]
            return
        if not intent.group_by and not intent.bucket:
            raise TranslationError("more or fewer than how many of what? name what to count per, e.g. 'principals "
                                   "with more than 100 AccessDenied errors'")
        intent.measures.append(measure or count)
        alias = (measure or count).alias
        if threshold:
            for op, value, words in (threshold, bound) if bound else (threshold,):
                intent.having.append((op, value, words))
        if ranking and len(intent.groups) > 1 and (pairs := re.search(r"\b(?:pairs?|combinations?|combos?|tuples?)\b",
                                                                     reading.text)):
            reading.consume(pairs)  # "top 5 source/destination pairs": each pair is one thing, ranked overall
        # ("which roles got assumed the most? top 3 role arns": one thing named twice, by name and by ARN, is one)
        elif ranking and len({d.description for d in intent.groups}) > 1:
            names = " and ".join(d.description for d in intent.groups)
            raise TranslationError(f"a top N over {names} is ambiguous (the top overall, or the top within each?): "
                                   f"ask for the top N of one thing, or 'count per {names}' without a top")
        if ranking:
            n = _top_n(top)
            one = _singular(reading, dims) if dims else bool(intent.bucket and not intent.bucket.words.endswith("s"))
            intent.limit = n if n is not None else (1 if one else 10)
            intent.limit_words = ranking.group(0)
            intent.order = [Order(alias, descending=not ascending), *(Order(d.expression) for d in intent.groups)]
        elif by_count:
            intent.order = [Order(alias, descending=True), *(Order(d.expression) for d in intent.groups)]
        else:
            intent.order = [Order(d.expression) for d in intent.groups]
        return
    if by_count:
        raise TranslationError(f"{by_count.group(0).strip(' ,;-')!r} orders counts: ask for a count per something, "
                               "e.g. 'count of findings per type, most frequent first'")
    if dims and counting:  # "how many IPs did … use": distinct values counted
        dim = dims[0].dimension
        intent.measures.append(Measure("count_distinct", f"distinct_{dim.alias}", f"number of distinct {dim.description}",
                                       dim.expression, counting.group(0)))
        return
    if dims and (asked_time := re.search(r"\b(?:and|&) when\b|\bwhen and\b|\bat what time\b|^\s*when\b.*\bby whom\b|"
                          r"^\s*when\b.*\band\s+(?:(?:from|on|in|for|to|of)\s+)?(?:which|what)\b|"  # "when …, and which bucket"
                          # "who created users, with ip and time": each event's time is asked, so the events
                          r"\b(?:with|including)\s+(?:(?:the\s+)?(?:source\s+)?ips?\s*(?:,|and|&)\s*)?(?:the\s+)?time(?:stamp)?s?\b|\S\s*[-–—,;:]?\s*(?<!since )\bwhen\s*[?.!]?\s*$", reading.text)):
        # "who created users and when", "when and from which ip": the columns it names, each event's (pass 8)
        column = TIME_COLUMN[table]
        intent.columns = named_columns(reading.text, asked_time.start(), intent, [d.dimension for d in dims])
        intent.order = [Order(column)]
        return
    if dims and measure is not None and measure.func in {"max", "min", "avg"}:
        # "which finding has the highest severity": a listing would drop the function
        raise TranslationError(f"cannot place {measure.words!r} beside a list of values: ask for it per group, "
                               f"e.g. '{measure.words} per type', or alone, e.g. 'the {measure.words}'")
    if dims:
        rows_or_values(intent, dims, before_dims)
        return
    if ranking and measure is not None:  # "top 10 largest flows": rows by the measure
        rank_rows(reading, intent, measure, _top_n(top), ranking.group(0), ascending)
        return
    if ranking:  # "the most common errors" with nothing to rank by: a listing would ignore the ranking
        raise TranslationError("top what? name what to rank and by what, e.g. 'top 10 source IPs by number of "
                               "calls' or 'top 5 talkers by bytes'")
    if counting or measure is not None:
        intent.measures.append(measure or count)
        return
    if re.match(r"\s*(?:when|(?:at\s+)?what time)\b", reading.text) and reading.sort is None:
        # "when was StopLogging called": the times, not the whole events
        column = TIME_COLUMN[table]
        intent.columns = [Dimension(column, column, column)]
        intent.order = [Order(column, descending=direction is not None)]
        return
    if direction is None and reading.sort is None and (
            oldest := re.search(r"\b(?:oldest|earliest) first\b|\bascending\b|\bold(?:est)? to new(?:est)?\b", reading.text)):
        reading.consume(oldest)  # "oldest first": the listing's own order, by time ascending
    asked, start = asked_columns(reading.text, table)
    if asked and reading.sort is None:  # "… give me the time, the region and the instance type": those, each row's
        intent.columns = asked
        intent.order = [Order(TIME_COLUMN[table], descending=direction is not None)]
        reading.text = reading.text[:start].ljust(len(reading.text))
        return
    listing(intent, descending=direction is not None, sort=reading.sort)


def _top_n(top: re.Match[str] | None) -> int | None:
    return number(next((g for g in top.groups() if g), None)) if top else None


def _count_distinct(dims: list[Dim], counting: re.Match[str], text: str = "") -> bool:
    each = re.match(r"\s*(?:times\s+)?(?:each|apiece)\b", text[counting.end():]) if text else None
    if each is None and any(re.search(r"\b(?:distinct|unique|different)\b", d.dimension.words) for d in dims
                            if d.trigger == "which"):
        return True  # "distinct srcaddr count": the distinct values counted; "… and how often each": one count each
    if any(d.trigger == "count" for d in dims):
        return True  # "how many / count of / total buckets": the noun right after the count is what is counted
    if counting.group(0) not in {"how many", "number of"}:
        return False
    # "how many failed sign-ins and from which ips": the rows counted, per value of what is asked after "and"
    if re.search(r"\b(?:and|with|plus)\b", text[counting.end():].split("_")[0]):
        return False
    # "IPs used by dave, how many?" counts the IPs; "the event names and how many times each" counts per name
    if re.search(r"\band\s*$", text[:counting.start()]) and not re.search(r"\w", text[counting.end():]):
        return False  # "which services had errors, and how many": the values listed, each one's count beside it
    return all(d.trigger == "which" for d in dims) and not re.search(
        r"\b(?:each|times|calls|events|requests|flows|findings|per|apiece)\b", text)


def _singular(reading: Reading, dims: list[Dim]) -> bool:
    words = dims[0].dimension.words.split()[-1] if dims else ""
    # "address" and "class" end in s without being plural: "which source address has the most" asks for one
    plural = words.endswith("s") and not words.endswith(("ss", "us")) and (not words.endswith("is") or words == "apis")
    return bool(words) and not plural and not re.search(r"\b(?:ones|them)\b", reading.text)
