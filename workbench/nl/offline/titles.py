"""A value a GuardDuty question looks for in the finding's title ("findings that mention X in the title",
"findings whose title names X"): the title is the column said, so the value is matched there, not in the
resource (where placement.py would look for it). Three writers read it so (dev9 l129, dev19 v034, dev25 a058).
"""

from __future__ import annotations

import re

from workbench.nl.intent import Filter, Intent, contains
from workbench.nl.offline.mentions import Mentions
from workbench.nl.offline.reading import Reading

# the words before the value: "whose title names", "with a title containing", "where the title mentions"
_BEFORE = re.compile(r"\b(?:whose\s+|with\s+(?:a\s+|the\s+)?|where\s+(?:the\s+)?|that\s+(?:have|has)\s+(?:a\s+|the\s+)?)"
                     r"titles?\s+(?:naming|names?|mentioning|mentions?|containing|contains?|including|includes?|saying|"
                     r"says?|having|has|with)\s*$")
# the words after it: "mention X in the title", "X in their titles"
_AFTER = re.compile(r"\s*in\s+(?:the|their|its|a)\s+titles?(?:\s+text)?\b")  # "in their title text" (dev27 ac074)
_TITLE_WORDS = re.compile(_BEFORE.pattern.removesuffix(r"\s*$") + r"|" + r"\bin\s+(?:the|their|its|a)\s+titles?(?:\s+text)?\b")
# a trail's name is written into the titles of the logging findings as well (dev28 ad181)
_KINDS = {"name", "user", "bucket", "resource_id", "access_key", "role", "trail"}


def title_mentions(reading: Reading, intent: Intent, found: Mentions) -> None:
    """Place each value said to be in the title as a match on the title, and read the words that said so."""
    said = [m for m in found.items if m.kind in _KINDS and not m.placed and not m.negated
            and (_BEFORE.search(m.before) or _AFTER.match(m.after))]
    if not said:
        return
    for mention in said:
        condition = contains("title", mention.value)
        intent.add(Filter(condition, mention.words, f"with {mention.value} in the title", (mention.value,)))
        # read: placement.py would look for it in the resource as well, which the title does not imply
        mention.placed, mention.kind = True, "title"
    for match in list(_TITLE_WORDS.finditer(reading.text)):
        reading.consume(match)
