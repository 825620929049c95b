"""'what did heidi.smith do after signing in from 192.0.2.88': the activity that followed a sign-in, as analysts ask it.

A time relative to another event is refused elsewhere (accounting.py): it needs that event's time first. One case is
read instead, because six independent writers (dev9, dev13, dev14, dev16, dev17, dev22) read it the same way: the
calls that followed a sign-in, or a brute force that got in, are the subject's calls other than the sign-in itself,
from the address named. Every other 'after' / 'before' is still refused.
"""

from __future__ import annotations

import re

_SIGN_IN = (r"(?:(?:her|his|their|the|a|that|its)\s+)?(?:successful\s+|first\s+)?(?:console\s+)?"
            r"(?:sign(?:ing|ed)?[- ]?in|log(?:ging|ged)?[- ]?in|logon|login|sign-?in)(?:\s+(?:to|into)\s+the\s+console)?")
_BRUTE_FORCE = r"(?:the\s+)?(?:brute[- ]?force|password\s+spray(?:ing)?)(?:\s+(?:got in|succeeded|worked|attack))?"
_AFTER = re.compile(rf"\b(?:(?:right|just|immediately|straight|shortly)\s+)?after\s+(?:{_SIGN_IN}|{_BRUTE_FORCE})\b"
                    r"(?P<ip>\s+from\s+\d{1,3}(?:\.\d{1,3}){3}\b)?(?P<comma>\s*,)?", re.IGNORECASE)
# what the question asks of the time after: someone's calls, never a count of something else or a yes/no on the sign-in
_ASKS_ACTIVITY = re.compile(r"\bwhat\s+(?:else\s+)?(?:did|has|have)\b.*\b(?:do|done|make|made|call|called)\b|"
                            r"\b(?:calls?|activity|actions?|events?)\b", re.IGNORECASE)
_SIGN_IN_EXCLUDED = re.compile(r"\b(?:other than|besides|except|excluding|not|but not|apart from)\s+(?:the\s+)?"
                               r"(?:ConsoleLogin|console\s+log(?:in|ons?)|sign-?ins?)\b", re.IGNORECASE)


def after_sign_in(text: str) -> str:
    """'… do after signing in from X' → '… do from X other than ConsoleLogin'; unchanged when no such clause."""
    for _ in range(3):  # "… right after her console login? all her calls … after the successful sign-in"
        if (rewritten := _after_one(text)) == text:
            break
        text = rewritten
    return text


def _after_one(text: str) -> str:
    match = _AFTER.search(text)
    if match is None or not _ASKS_ACTIVITY.search(text[:match.start()] + text[match.end():]):
        return text
    rest = text[:match.start()] + text[match.end():]
    tail = "" if _SIGN_IN_EXCLUDED.search(rest) else " other than ConsoleLogin"
    kept = (match.group("ip") or "") + tail
    # the comma ended the clause only when something stands in its place
    replacement = kept + (match.group("comma") or "") if kept else ""
    return (text[:match.start()] + replacement + text[match.end():]).strip()
