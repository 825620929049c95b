"""'which 3 buckets were read the most? GetObject count per bucket, top 3': a limit said again at the end of the
question, the same number after a comma or a question mark, restates the one already read; left, its number would be
refused as unplaced. Another number there ("top 5" after "which 3") is still refused."""

from __future__ import annotations

import re

from workbench.nl.intent import Intent
from workbench.nl.offline.reading import Reading


def restated_limit(reading: Reading, intent: Intent, asked: str) -> None:
    """Blank the trailing 'top N' of the reading when the question ends ', top N' and N is the limit read already."""
    if intent.limit is None or not re.search(rf"[,;?:]\s*(?:top|first)\s+{intent.limit}\s*[.!]?\s*$", asked):
        return
    reading.text = re.sub(rf"\b(?:top|first)\s+{intent.limit}\s*$", lambda m: " " * len(m.group(0)), reading.text)
