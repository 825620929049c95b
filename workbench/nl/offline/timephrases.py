"""Time phrases → a window: "last hour", "past 3 days", "yesterday", "since Monday", "between … and …".

Phrases count back from `now` (the session passes the end of a fixed window when replaying a past
incident). The matched text is removed from the question so the rest can be read for intents.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from workbench.nl.base import TranslationError
from workbench.nl.offline.clockspans import spans_as_ranges
from workbench.timewindow import Window, iso_z, parse_time

NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "24": 24}
UNITS = {"minute": timedelta(minutes=1), "min": timedelta(minutes=1), "hour": timedelta(hours=1),
         "hr": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

_ISO = r"\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2})?z?)?"
_RELATIVE = re.compile(
    r"\b(?:(?:in|during|over|for|within)\s+)?(?:the\s+)?(?:last|past|previous)\s+"
    r"(?:(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+)?"
    r"(minute|min|hour|hr|day|week)s?\b"
)
_SHORT = re.compile(r"\b(?:in\s+|over\s+)?(?:the\s+)?(?:last|past)\s+(\d+)(m|h|d|w)\b")
_BETWEEN = re.compile(rf"\b(?:between|from)\s+({_ISO})\s+(?:and|to|until)\s+({_ISO})\b")
_SINCE_DAY = re.compile(r"\bsince\s+(?:last\s+)?(" + "|".join(WEEKDAYS) + r")\b")
_SINCE_ISO = re.compile(rf"\b(?:since|after)\s+({_ISO})\b")
# "per hour for 2026-11-19", "findings from 2026-11-19": that day, as "on" names it ("from X to Y" is a range, read
# before; "from X onwards" runs on, left for the leftover check to refuse)
_ON_DAY = re.compile(r"\b(?:on|for|during|from)\s+(\d{4}-\d{2}-\d{2})\b(?![T:\d])"
                     r"(?!\s*(?:on(?:wards?)?|to|until|till|through|thru|-|and)\b)")
_YESTERDAY = re.compile(r"\byesterday\b")
_TODAY = re.compile(r"\btoday\b")


def _midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _date_only(text: str) -> bool:
    return len(text) == 10


_CLOCK = r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?"
# "between 15:00 and 16:00", "21:00-22:00"; never "severity between 4 and 7"
_CLOCK_RANGE = re.compile(rf"(?<!severity )(?<!sev )\b(?:between|from)\s+{_CLOCK}\s+(?:and|to|until|till|-)\s+{_CLOCK}"
                          rf"(?:\s*utc|\s*z)?\b|\b(\d{{1,2}}):(\d{{2}})()\s*-\s*(\d{{1,2}}):(\d{{2}})()(?:\s*utc|\s*z)?\b")
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_CLOCK_EDGE = re.compile(r"\b(after|since|from|before|until|till)\s+(\d{1,2}):(\d{2})\s*(am|pm)?(?:\s*utc|\s*z)?\b")
_MONTH_DAY = re.compile(r"\b(?:on\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})"
                        r"(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b")
_EDGE_DAY_FIRST = re.compile(r"\b(after|since|from|before|until|till)\s+((?:the\s+\d{1,2}(?:st|nd|rd|th)|(?:jan|feb|mar|apr|"
                             r"may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?|"
                             r"\d{4}-\d{2}-\d{2}))(?:,?\s+at|,)?\s+(\d{1,2}:\d{2})(?![\d:])")
# Parts of a day, UTC: "yesterday evening", "the afternoon of the 18th" narrow the one day named
PARTS_OF_DAY = {"morning": (6, 12), "afternoon": (12, 18), "evening": (18, 24)}
_PART_OF_DAY = re.compile(r"\b(?:(?:on|in|during)\s+)?(?:the\s+)?(morning|afternoon|evening)(?:\s+of\b)?")
_LEFTOVER = re.compile(r"\b\d{4}-\d{2}-\d{2}\S*|\b\d{1,2}:\d{2}(?:\s*[ap]m)?\b|\b\d{1,2}\s*[ap]m\b")


def _clock(hour: str, minute: str | None, half: str | None) -> timedelta:
    h = int(hour) % 12 + (12 if half == "pm" else 0) if half else int(hour)
    if h > 24 or int(minute or 0) > 59:
        raise TranslationError(f"cannot read the time {hour}:{minute or '00'}: write it as HH:MM (UTC)")
    return timedelta(hours=h, minutes=int(minute or 0))


def extract_window(text: str, now: datetime) -> tuple[Window | None, str, str | None]:
    """(window or None, the text without the phrase, the phrase as a description).

    A clock range ("between 15:00 and 16:00") narrows the one day another phrase names
    ("yesterday", "on 2026-11-19", "Nov 19"); a time the reader cannot place is refused, never dropped.
    """
    try:
        return _extract_window(text, now)
    except OverflowError:
        # Date arithmetic past year 9999 (or before year 1): one line, not a traceback.
        raise TranslationError("the time phrase names a window past the dates a window can hold: give dates "
                               "within a few years, e.g. between 2026-11-18 and 2026-11-20") from None


def _extract_window(text: str, now: datetime) -> tuple[Window | None, str, str | None]:
    text = re.sub(r"\bmidnight\b", "00:00", text)
    text = re.sub(r"\b(?:noon|midday)\b", "12:00", text)
    # "the last half hour", "past quarter of an hour", "an hour and a half": the minutes the phrases below read
    text = re.sub(r"\b(?:an?\s+|one\s+)?hour\s+and\s+a\s+half\b", "90 minutes", text)
    text = re.sub(r"\bhalf(?:\s+an|\s+a|-an)?[\s-]+hour\b", "30 minutes", text)
    text = re.sub(r"\b(?:a\s+)?quarter(?:\s+of)?(?:\s+an|\s+a)?[\s-]+hour\b", "15 minutes", text)
    # "events from 2 days ago": that calendar day, as "the day before yesterday" reads
    words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
    text = re.sub(r"\b(?:from\s+|on\s+)?(\d{1,2}|one|two|three|four|five|six|seven)\s+days?\s+ago\b",
                  lambda m: "on " + (now - timedelta(days=int(words.get(m.group(1), m.group(1) if m.group(1).isdigit()
                                                                         else 0)))).strftime("%Y-%m-%d"), text)
    # "between 6 and 7 pm", "6-7pm": the half of the day said once at the end holds for both ends when the first
    # hour comes before the second ("between 11 and 1 pm" already reads 11:00-13:00 without it)
    text = re.sub(r"\b((?:between|from)\s+)(\d{1,2})((?::\d{2})?)(\s+(?:and|to|until|till|-)\s+|\s*-\s*)(\d{1,2})((?::\d{2})?\s*(am|pm))\b",
                  lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)} {m.group(7)}{m.group(4)}{m.group(5)}{m.group(6)}"
                  if 1 <= int(m.group(2)) < int(m.group(5)) < 12 else m.group(0), text)
    # "since 6pm yesterday", "before 9:30am": the 24-hour clock the phrases below read
    text = re.sub(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b",
                  lambda m: f"{int(m.group(1)) % 12 + (12 if m.group(3) == 'pm' else 0):02d}:{m.group(2) or '00'}"
                  if 1 <= int(m.group(1)) <= 12 else m.group(0), text)
    # "since the 18th at 12:00", "after nov 19 18:00": the day said before the time, as "since 12:00 on the 18th"
    text = _EDGE_DAY_FIRST.sub(r"\1 \3 on \2", text)
    text = spans_as_ranges(text)  # "at 21:16 utc", "in the hour after 15:54": a clock range of that day
    clock = _CLOCK_RANGE.search(text)
    if clock:
        text = (text[: clock.start()] + " " + text[clock.end():]).strip()
    edge = None if clock else _CLOCK_EDGE.search(text)
    # "on nov 18 after 18:00": the day was named first, so the time falls within it; "after 16:19 on the 18th"
    # names a starting moment instead, and runs to the end of the data
    day_first = bool(edge) and _is_one_day(_day_or_range(text[: edge.start()], now)[0])
    if edge:
        text = (text[: edge.start()] + " " + text[edge.end():]).strip()
    part = None if clock or edge else _PART_OF_DAY.search(text)
    if part:
        # "of 2026-11-18" names the day as "on 2026-11-18" would
        joint = " on " if part.group(0).endswith("of") else " "
        text = (text[: part.start()] + joint + text[part.end():]).strip()
    window, rest, phrase = _day_or_range(text, now)
    if part:
        if window is None or window.end - window.start != timedelta(days=1):
            raise TranslationError(f"{part.group(0).strip()!r} needs a day: say e.g. 'yesterday {part.group(1)}' or "
                                   f"'the {part.group(1)} of 2026-11-19' (UTC)")
        start, end = PARTS_OF_DAY[part.group(1)]
        window = Window(window.start + timedelta(hours=start), window.start + timedelta(hours=end))
        phrase = f"{phrase}, in the {part.group(1)} (UTC)"
    if edge:
        window, phrase = _from_clock_edge(edge, window, phrase, now, within_day=day_first)
    if clock:
        if window is None or window.end - window.start != timedelta(days=1):
            raise TranslationError(f"{clock.group(0)!r} needs a day: say e.g. '{clock.group(0)} yesterday' or "
                                   f"'{clock.group(0)} on 2026-11-19' (times are UTC)")
        ends = clock.group(1, 2, 3, 4, 5, 6) if clock.group(1) else clock.group(7, 8, 9, 10, 11, 12)
        start = window.start + _clock(*ends[:3])
        end = window.start + _clock(*ends[3:])
        if end <= start:
            raise TranslationError(f"{clock.group(0)!r} ends before it starts: times are UTC, 00:00-24:00")
        window, phrase = Window(start, end), f"{phrase}, {clock.group(0)}"
    if leftover := _LEFTOVER.search(rest):
        raise TranslationError(
            f"cannot place the time {leftover.group(0)!r}: say 'between 2026-11-19T15:00 and 2026-11-19T16:00', "
            "'on 2026-11-19', 'since 2026-11-19T10:00', 'yesterday' or 'in the last 6 hours' (UTC)")
    return window, rest, phrase


def _is_one_day(window: Window | None) -> bool:
    return window is not None and window.end - window.start == timedelta(days=1)


def _from_clock_edge(edge: re.Match[str], window: Window | None, phrase: str | None,
                     now: datetime, *, within_day: bool = False) -> tuple[Window, str]:
    """"after 15:54 on nov 19" runs from that minute to now: "after" / "since" name a start, not a day.

    "before 09:30 on the 19th" is that day up to the minute, and so is "on the 19th after 09:30" from it to
    midnight. A bare "since 18:00" is the most recent 18:00.
    """
    after = edge.group(1) in {"after", "since", "from"}
    offset = _clock(*edge.group(2, 3, 4))
    if window is None and after:
        at = _midnight(now) + offset
        at = at if at < now else at - timedelta(days=1)
        return Window(at, now), f"since {iso_z(at)}"
    if window is None or window.end - window.start != timedelta(days=1):
        raise TranslationError(f"{edge.group(0)!r} needs a day: say e.g. '{edge.group(0)} yesterday' or "
                               f"'{edge.group(0)} on 2026-11-19' (times are UTC)")
    at = window.start + offset
    if not after:
        return Window(window.start, at), f"{phrase}, {edge.group(0)}"
    if at >= now:
        raise TranslationError(f"{edge.group(0)!r} on {iso_z(window.start)[:10]} is after the end of the data "
                               f"({iso_z(now)}): name an earlier time")
    if within_day:
        return Window(at, min(window.end, now)), f"{phrase}, {edge.group(0)}"
    return Window(at, now), f"since {iso_z(at)}"


_NTH = re.compile(r"\b(?:on\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)\b")


def _day_or_range(text: str, now: datetime) -> tuple[Window | None, str, str | None]:
    if match := _NTH.search(text):  # "on the 19th": that day of the current month (or the last one)
        day_of_month = int(match.group(1))
        month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        if day_of_month >= now.day + (1 if now > _midnight(now) else 0):
            month_start = (month_start - timedelta(days=1)).replace(day=1)
        try:
            day = month_start.replace(day=day_of_month)
        except ValueError:
            raise TranslationError(f"{match.group(0).strip()!r} is not a day of {month_start:%B}: name the date, "
                                   "e.g. 'on 2026-11-19'") from None
        return _one_day_or_since(text, match, day, now)
    if match := _MONTH_DAY.search(text):
        month = MONTHS.index(match.group(1)[:3]) + 1
        day = parse_time(f"{int(match.group(3) or now.year):04d}-{month:02d}-{int(match.group(2)):02d}")
        return _one_day_or_since(text, match, day, now)
    if match := _BETWEEN.search(text):
        start, end = parse_time(match.group(1).upper()), parse_time(match.group(2).upper())
        if _date_only(match.group(2)):
            end += timedelta(days=1)  # "between the 18th and the 19th" includes the 19th
        return _cut(text, match, Window(start, end), f"between {match.group(1)} and {match.group(2)}")
    if match := _RELATIVE.search(text):
        count = match.group(1) or "1"
        n = int(count) if count.isdigit() else NUMBER_WORDS[count]
        unit = match.group(2)
        phrase = f"in the last {n} {unit}{'s' if n != 1 else ''}"
        return _cut(text, match, Window(now - n * UNITS[unit], now), phrase)
    if match := _SHORT.search(text):
        unit = {"m": "minute", "h": "hour", "d": "day", "w": "week"}[match.group(2)]
        n = int(match.group(1))
        return _cut(text, match, Window(now - n * UNITS[unit], now), f"in the last {n}{match.group(2)}")
    if match := re.search(r"\b(?:since|from)\s+(?:the\s+)?(?:start\s+of\s+)?yesterday\b(?!\s+(?:at|\d))", text):
        # "since yesterday": from yesterday's midnight until now, today included
        return _cut(text, match, Window(_midnight(now) - timedelta(days=1), now), "since yesterday")
    if match := _YESTERDAY.search(text):
        today = _midnight(now)
        return _cut(text, match, Window(today - timedelta(days=1), today), "yesterday")
    if match := _TODAY.search(text):
        today = _midnight(now)
        if now <= today:
            raise TranslationError(f"'today' has not started yet at {iso_z(now)}: say 'yesterday' or 'last 24 hours'")
        return _cut(text, match, Window(today, now), "today")
    if match := _SINCE_DAY.search(text):
        target = WEEKDAYS.index(match.group(1))
        start = _midnight(now) - timedelta(days=(now.weekday() - target) % 7)
        if start >= now:
            start -= timedelta(weeks=1)
        return _cut(text, match, Window(start, now), f"since {match.group(1).title()}")
    if match := _SINCE_ISO.search(text):
        return _cut(text, match, Window(parse_time(match.group(1).upper()), now), f"since {match.group(1)}")
    if match := _ON_DAY.search(text):
        day = parse_time(match.group(1))
        return _cut(text, match, Window(day, day + timedelta(days=1)), f"on {match.group(1)}")
    return None, text, None


# "on wed nov 18", "thursday the 19th": a weekday said beside the date restates it
_WEEKDAY_BEFORE = re.compile(r"\b(mon|tue|wed|thu|fri|sat|sun)(?:day|sday|nesday|rsday|urday|s|rs|r)?\.?,?\s+$")


def _one_day_or_since(text: str, match: re.Match[str], day: datetime, now: datetime) -> tuple[Window, str, str]:
    """'on the 19th' is that day; 'since the 18th', as 'since 2026-11-18' and 'since monday', runs from its midnight."""
    if weekday := _WEEKDAY_BEFORE.search(text[:match.start()]):
        if [w[:3] for w in WEEKDAYS].index(weekday.group(1)) != day.weekday():
            # a weekday that is not the date's: one of the two is mistyped, and either reading may be the one meant
            raise TranslationError(f"{weekday.group(0).strip()!r} does not fall on {iso_z(day)[:10]} (a "
                                   f"{WEEKDAYS[day.weekday()].title()}): name the date, e.g. 'on {iso_z(day)[:10]}'")
        text = text[:weekday.start()] + " " * len(weekday.group(0)) + text[weekday.end():]
    if since := re.search(r"\bsince\s+$", text[:match.start()]):
        text = text[:since.start()] + " " * len(since.group(0)) + text[since.end():]
        return _cut(text, match, Window(day, now), f"since {iso_z(day)[:10]}")
    return _cut(text, match, Window(day, day + timedelta(days=1)), f"on {iso_z(day)[:10]}")


def _cut(text: str, match: re.Match[str], window: Window, phrase: str) -> tuple[Window, str, str]:
    return window, (text[: match.start()] + " " + text[match.end():]).strip(), phrase
