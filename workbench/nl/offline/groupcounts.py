"""'how many source ips have fewer than 3 flows', 'number of users with more than 100 calls': the number of groups
that pass a condition on their count, one number, as 'how many X' asks for everywhere else (dev34 aj125).

The shape reads the question as the groups with their counts (`GROUP BY … HAVING`); when the counting words lead
the grouped noun itself and nothing asks for the groups or their counts, the groups are counted instead.
"""

from __future__ import annotations

import re

from workbench.nl.intent import Intent

_COUNTED = re.compile(r"(?:how many|number of|no\. of|count of|total number of)\s")
# "…, and how many calls each", "with their counts", "which ones": the groups themselves are asked for too
_GROUPS_ASKED = re.compile(r"\b(?:each|apiece|per|which|list|show|counts|with (?:the |their )?count|and how many|"
                           r"who|what are|name them|top|(?<!at )most|(?<!at )least)\b")  # "at least 5 flows" is the condition


def count_groups(intent: Intent, asked: str) -> None:
    """Count the groups that pass the HAVING when the question counts the grouped noun itself."""
    if not intent.having or intent.bucket or len(intent.group_by) != 1 or intent.limit is not None \
            or intent.distinct or len(intent.measures) != 1:
        return
    words = intent.group_by[0].words
    if not _COUNTED.match(words) or _GROUPS_ASKED.search(asked):
        return
    intent.groups_counted = words
