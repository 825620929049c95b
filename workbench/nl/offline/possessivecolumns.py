"""'svc-reporting's access key id(s)', 'heidi.smith's source ips': a question that is only a name's possessive and a
column asks for that column's values among the name's events, as 'access keys of svc-reporting' does. Left as typed,
the possessive reads as a filter and the column as nothing, and the answer would list every event of the name."""

from __future__ import annotations

import re

# the columns one identity has several values of; "calls", "activity", "keys" alone are not columns
_COLUMNS = (r"access\s+keys?(?:\s+ids?(?:\s*\(s\))?)?|access\s+key\s+ids?(?:\s*\(s\))?|source\s+ips?|"
            r"source\s+ip\s+addresses|ip\s+addresses|ips|user\s*agents?(?:\s+strings?)?|regions|event\s+names|"
            r"error\s+codes")
_WHOLE = re.compile(rf"^\s*(?P<name>[\w.@+-]+)'s\s+(?P<column>{_COLUMNS})\s*\??\s*$", re.IGNORECASE)


def possessive_column(question: str) -> str:
    """The question with 'X's <column>' turned to '<column> of X' when that is the whole question."""
    if match := _WHOLE.match(question):
        # "id(s)": the plural the writer hedged, which asks for each of them as the plural does
        column = re.sub(r"\bids?\s*\(s\)", "ids", match.group("column"))
        return f"{column} of {match.group('name')}"
    return question
