"""The rows themselves as the answer: a listing's convention columns and order, or the one earliest/latest event.

shape.py decides that rows are asked (no count, grouping or ranking); this module writes them into the intent.
"""

from __future__ import annotations

import re

from sqlglot import exp

from workbench.nl.base import TranslationError
from workbench.nl.intent import Dimension, Filter, Intent, Order
from workbench.nl.offline.dimensions import ROWS, Dim
from workbench.nl.offline.vocab import DIMENSIONS, LIST_COLUMNS, TIME_COLUMN, vocab_dimension


def names_only_the_kind(intent: Intent) -> bool:
    """'most recent CreateUser event': the named value says which event, not whose, so nothing is "last seen"
    and the event itself is asked; 'last ConsoleLogin by heidi.smith' names a subject and stays a time."""
    named = [f for f in intent.filters if f.entities]
    return bool(named) and all({c.name for c in f.condition.find_all(exp.Column)} == {"eventname"} for f in named)


def one_event_asked(edge: re.Match[str], intent: Intent, text: str) -> bool:
    """'most recent CreateUser event', 'the most recent successful console sign-in': the kind of event is all the
    question names (no subject, no 'when'), so the one latest (earliest) event is asked, not a time (dev10 r014,
    dev30 af006, af007); 'last console login for alice.nguyen' names whose and stays a time."""
    if re.search(r"\bwhen\b|\btime\b|\bseen\b|\bwho\b|\bwhom\b", text):
        return False
    if edge.group(0).endswith("eventname"):
        return names_only_the_kind(intent)
    # the kind's words were read as filters ("successful console sign-in"), leaving the bare ranking word after
    # "the"; without it ("first anonymous access to any bucket", dev16) or beside the other end it stays a time
    return edge.group(0).strip() in {"last", "latest", "most recent", "first", "earliest"} and not intent.entities() \
        and bool(re.search(r"\bthe\s+(?:very\s+)?$", text[:edge.start()])) \
        and not re.search(r"\b(?:each|per|every|by)\b|\b(?:first|earliest)\s+(?:and|&)\b", text)


def the_one_event(intent: Intent, first: re.Match[str] | None, last: re.Match[str] | None,
                   both: re.Match[str] | None, dims: list[Dim], text: str) -> bool:
    """'first call from X - what and when', 'X last seen, and from what ip': the one earliest (latest) event,
    with what is asked beside its time; a value asked for each ('… per ip') is a time per group instead."""
    edge = first or last
    if both or (first is None) == (last is None) or edge is None or re.search(r"\b(?:each|per|every)\b", text):
        return False
    time_column = TIME_COLUMN[intent.table]
    if asked := [d for d in dims if d.trigger != "count"]:
        after = text[edge.end():]
        # "the most recent GetBucketPolicy on X - when and who", "who made the last DeleteBucket call": one event
        # (a singular call after 'the'), so who made it is that row's caller, not each caller's latest time
        one_call = edge.group(0).split()[-1] in {"eventname", "call", "event"} and re.search(
            r"\bthe\s+(?:very\s+)?(?:most recent|latest|last|first|earliest)\s+(?:eventname|call|event)(?:\s+call\b)?"
            r"(?!\s+calls\b)(?![\w-])(?!\s+(?:per|by|for each)\b)", edge.string)
        if one_call and all(d.trigger in {"which", "who"} for d in asked):
            intent.columns = [Dimension(time_column, time_column, time_column), *(d.dimension for d in asked)]
            intent.order = [Order(time_column, descending=last is not None)]
            intent.limit, intent.limit_words = 1, edge.group(0)
            return True
        # the value asked after the time and joined to it: "last seen, and from what ip"
        if any(d.trigger != "which" for d in asked) or not all(
                (at := after.find(d.dimension.words)) >= 0 and re.search(r"\band\b", after[:at]) for d in asked):
            return False
        intent.columns = [Dimension(time_column, time_column, time_column), *(d.dimension for d in asked)]
        intent.order = [Order(time_column, descending=last is not None)]
    elif intent.table == "cloudtrail" and re.search(
            r"\b(?:event|call|api|action|eventname)(?:\s+name)?\s*(?:and|&|\+)\s*(?:the\s+)?time(?:stamp)?\s*$|"
            r"\btime(?:stamp)?\s*(?:and|&|\+)\s*(?:the\s+)?(?:event|call|api|action|eventname)(?:\s+name)?\s*$", text):
        # "first call from X - event and time": the columns named, of the one earliest (latest) event (pass 9)
        intent.columns = [Dimension(time_column, time_column, time_column), Dimension("eventname", "eventname", "event name")]
        intent.order = [Order(time_column, descending=last is not None)]
    elif re.search(r"\bwhat and when\b|\bwhen and what\b|\bwhat (?:it|that|this) (?:was|did)\b|"
                   r"\b(?:show|see|give|get|pull)(?: me)?(?: the| that| this)? (?:whole |full |actual )?(?:event|record|row|call)\b",
                   text):
        # "first call from X and what it was", "… - show the event": the earliest row itself, not its time
        listing(intent, descending=last is not None, chronological=True)
    else:
        return False
    intent.limit, intent.limit_words = 1, edge.group(0)
    return True



def listing(intent: Intent, descending: bool = False, sort: Dimension | None = None,
             chronological: bool = False) -> None:
    """The table's convention columns; newest first when descending, oldest first when chronological."""
    columns, order = LIST_COLUMNS[intent.table]
    for item in columns.split(", "):
        expr, _, alias = item.partition(" AS ")
        intent.columns.append(Dimension(expr, alias or expr.split(".")[-1], alias or expr))
    if sort is not None:
        intent.order.append(Order(sort.expression, descending=sort.alias in {"severity", "bytes", "packets"}))
    timed = descending or chronological
    if timed:  # newest (or oldest) first: time leads, whatever the table's usual order
        time_column = TIME_COLUMN[intent.table]
        intent.order.append(Order(time_column, descending=descending))
    for item in order.split(","):
        expr, _, direction = item.strip().partition(" ")
        if (sort is None or expr != sort.expression) and not (timed and expr in {TIME_COLUMN[intent.table], "severity"}):
            intent.order.append(Order(expr, descending=(direction == "DESC") != descending))


def severest(intent: Intent, count: int, tied: bool) -> tuple[int | None, str]:
    """'the 3 most severe findings': the first rows of the listing, highest severity first. 'the most severe finding'
    with no number: every finding at the top severity among those asked about, since a LIMIT 1 would pick one of
    several tied at random. The engine bounds the inner scan by the question's window as it does the outer one."""
    if not tied:
        return count, "most severe"
    inner = exp.select(exp.Max(this=exp.column("severity"))).from_("guardduty")
    if intent.filters:
        inner = inner.where(exp.and_(*(f.condition.copy() for f in intent.filters)))
    intent.filters.append(Filter(exp.EQ(this=exp.column("severity"), expression=exp.Subquery(this=inner)),
                                 "most severe", "at the highest severity"))
    return None, ""


def rows_or_values(intent: Intent, dims: list[Dim], text: str) -> None:
    """'which users …': the distinct values; 'successful CreateAccessKey calls on the 19th and for which user the key
    was made': the calls are asked, and the value joined to them after 'and' is one more column of each call."""
    rows = re.search(rf"\b(?:{ROWS[intent.table]})\b", text)
    # a value asked in a statement's order ("and which user they were for") was reworded before its words were kept
    asked = re.search(r"\b(?:which|what|whom)\b", text[rows.end():]) if rows else None
    starts = [at if (at := text.find(d.dimension.words)) >= 0 or rows is None or asked is None
              else rows.end() + asked.start() for d in dims]
    if rows and dims and all(d.trigger == "which" for d in dims) and min(starts) >= rows.end() and not re.search(
            r"\b(?:which|what|who|whom|whose|distinct|unique|different|how many|per|by each|list|show)\b",
            text[:rows.start()]) and re.fullmatch(
            r"(?:(?!\b(?:which|what|who|whom)\b).)*?[,;]?\s*\b(?:and|plus)\s+(?:also\s+)?", text[rows.end():min(starts)]):
        listing(intent)
        # "ssh flows over 100 KB, and which src and dst": what the listing shows already is asked as distinct values
        if added := [d.dimension for d in dims if all(c.expression != d.dimension.expression for c in intent.columns)]:
            intent.columns += added
            return
        intent.columns, intent.order = [], []
    intent.columns, intent.distinct = [d.dimension for d in dims], True
    intent.order = [Order(d.alias) for d in intent.columns]


_TIME_WORDS = re.compile(r"(?:time(?:stamp)?s?|when|dates?)\b")
# "when, where (region), by whom": a bracket only glosses the word before it
_GAP = re.compile(r"(?:\s|,|\band\b|\bthe\b|\bits\b|\btheir\b|\bwhere\s*\(?(?=\s*(?:regions?|accounts?)\b)|[()])*")
# "…: when, who, and which call": a question word inside the list asks for that column of each row
_ASKED_WORD = re.compile(r"(?:from\s+)?(?:which|what)\s+(?!(?:when|who)\b)")


def asked_columns(text: str, table: str) -> tuple[list[Dimension], int]:
    """'for each RunInstances call give me the time, the region and the instance type': the columns named for each
    row, in order, and where their list starts; none unless two or more known columns run to the end of the question."""
    # "with the ip and region" is not among them: columns asked beside the rows add to the listing's own
    trigger = re.search(r"\b(?:give|show|get|pull)(?:\s+me)?\s+|:\s*|\s[-–—]\s+", text)
    if trigger is None:
        return [], -1
    at, found, end = trigger.end(), [], len(text.rstrip())
    asked_word = False
    while (at := _GAP.match(text, at).end()) < end:  # type: ignore[union-attr]
        if (word := _ASKED_WORD.match(text, at)) and at > trigger.end():
            at, asked_word = word.end(), True
        if moment := _TIME_WORDS.match(text, at):
            column = TIME_COLUMN[table]
            dim, length = Dimension(column, column, column, moment.group(0)), moment.end() - at
        elif table == "cloudtrail" and (who := re.match(r"(?:by\s+)?whom?\b", text[at:])):  # "…: who, ip, time": the caller
            dim, length = Dimension("useridentity.arn", "principal", "principal", "who"), who.end()
        elif hit := vocab_dimension(table, text[at:]):
            dim, length = hit
        else:
            return [], -1
        if dim.alias not in {d.alias for d in found}:
            found.append(dim)
        at += length
    # "- who, from where" (no time) asks for the distinct callers and addresses (README); with "when" each row is asked
    if asked_word and all(d.expression != TIME_COLUMN[table] for d in found):
        return [], -1
    return (found, trigger.start()) if len(found) >= 2 else ([], -1)


def refuse_unread_column(text: str, intent: Intent) -> None:
    """'which event names did X call, and the source ip of each', 'events per user with region': a column asked
    beside the answer that no reader placed would be dropped without a word; refused instead."""
    keys = _column_words(intent.table)
    shown = _shown(intent)
    for match in re.finditer(rf"\b(?:with|and|plus|including|showing)\s+(?:the\s+|their\s+|its\s+)?({keys})(?:e?s)?\b"
                             r"(?:\s+names?\b)?"  # "with the role name": the role, as a column, whatever its name says
                             r"(?=\s+(?:of|for)\s+each\b|\s+(?:each|it|they)\b|\s*$|\s*[,?.]|\s{2,})", text):
        expression = DIMENSIONS[intent.table][match.group(1)][0]
        if match.group(1) in ROW_NOUNS or expression in shown or intent.table == "cloudtrail" and not intent.distinct and not intent.groups \
                and not intent.measures and expression in LISTED:
            continue
        raise TranslationError(f"cannot add {match.group(1)!r} beside this answer: ask for it on its own, e.g. "
                               f"'distinct {match.group(1)}s', or as a grouping, e.g. 'count per {match.group(1)}'")


# the rows themselves ("and how many calls each"): counted or listed, never a column beside the answer
ROW_NOUNS = {"call", "event", "api call", "api", "action", "operation", "finding", "session", "flow", "connection"}
LISTED = {"eventtime", "useridentity.arn", "sourceipaddress", "eventsource", "eventname", "errorcode", "eventid"}


def refuse_trailing_column(text: str, intent: Intent, asked: str) -> None:
    """'which regions did svc-reporting use? source ips': a column named after the question, that no reader placed, was
    dropped without a word (the answer listed the regions alone); refused. One that restates a column shown or a
    filter ('? account ids only', 'errors from the billing-lambda role') is read already and never reaches here."""
    keys = _column_words(intent.table)
    said = re.search(rf"(?:\?|\s[-–—:]|,)\s*(?:(?:and|with|plus|just|only)\s+)?(?:the\s+|their\s+|its\s+)?({keys})(?:e?s)?"
                     r"(?:\s+(?:only|too|as\s+well|pls|please))?\s*[.?!]?\s*$", asked)
    if not said or said.group(1) in ROW_NOUNS or not re.search(rf"\b{re.escape(said.group(1))}(?:e?s)?\s*$", text):
        return
    expression = DIMENSIONS[intent.table][said.group(1)][0]
    shown = _shown(intent)
    if expression in shown or any(expression in f.condition.sql() for f in intent.filters):
        return
    raise TranslationError(f"cannot add {said.group(1)!r} beside this answer: ask for it on its own, e.g. 'distinct "
                           f"{said.group(1)}s', or as a column list, e.g. '… - {said.group(1)}, time'")


def _column_words(table: str) -> str:
    """The table's column words as one alternation, longest first so "source ip" wins over "source"."""
    return "|".join(re.escape(k) for k in sorted(DIMENSIONS[table], key=len, reverse=True))


def _shown(intent: Intent) -> set[str | None]:
    """The expressions the answer shows already: its columns, groupings and measured columns."""
    return {d.expression for d in intent.columns + intent.group_by} | {m.column for m in intent.measures}
