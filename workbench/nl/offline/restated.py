"""What a question says again at its end, read once:

- 'which 3 buckets were read the most? GetObject count per bucket, top 3': a limit said again at the end of the
  question, the same number after a comma or a question mark, restates the one already read; left, its number would
  be refused as unplaced. Another number there ("top 5" after "which 3") is still refused;
- 'which accounts did X act in? account ids only': the column of a distinct listing named again.
"""

from __future__ import annotations

import re

from workbench.nl.intent import Intent
from workbench.nl.offline.reading import Reading
from workbench.nl.offline.vocab import vocab_dimension


def restated_limit(reading: Reading, intent: Intent, asked: str) -> None:
    """Blank the trailing 'top N' of the reading when the question ends ', top N' and N is the limit read already."""
    if intent.limit is None or not re.search(rf"[,;?:]\s*(?:top|first)\s+{intent.limit}\s*[.!]?\s*$", asked):
        return
    reading.text = re.sub(rf"\b(?:top|first)\s+{intent.limit}\s*$", lambda m: " " * len(m.group(0)), reading.text)


def restated_column(reading: Reading, intent: Intent, asked: str) -> None:
    """'which accounts did github-actions-deploy act in? account ids only', 'which security groups did svc-reporting
    open? group ids': the one column a distinct listing asks, named again after the question (by its id, or by the
    last word of its name), as '? names only' and '? just the names' already read (dev2 f046, dev19 v115, dev29 ae028,
    ae089, ae111, dev30 af133). Blanked only when it names that same column: another column there is still refused."""
    if not intent.distinct or len(intent.columns) != 1 or intent.measures or intent.groups:
        return
    if not (tail := re.search(r"(?:\?|:|\s[-—–]+)\s*([a-z][a-z\s]*?)\s*[.!]?\s*$", asked)):
        return
    words = re.sub(r"^(?:(?:just|only)\s+)?(?:the\s+)?(?:distinct\s+|unique\s+)?|\s+only$", "", tail.group(1))
    column = intent.columns[0]
    said = vocab_dimension(intent.table, words)
    own = column.description.split()[-1]  # "group ids" for the security group, "account ids" for the account
    if not (said and said[1] == len(words) and said[0].expression == column.expression
            or re.fullmatch(rf"{re.escape(own)}s?\s+ids?", words)):
        return
    restated = r"\s+".join(re.escape(word) for word in tail.group(1).split())
    reading.text = re.sub(rf"\b{restated}(?=\W*$)", lambda m: " " * len(m.group(0)), reading.text)
