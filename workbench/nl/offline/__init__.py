"""The `offline` provider: deterministic English → Athena SQL, no key, no network."""

from __future__ import annotations

import re

from workbench.nl.base import PROVIDERS, NLContext, Provider, Translation
from workbench.nl.intent import compile_intent
from workbench.nl.offline.translator import describe, read_intent
from workbench.nl.offline.written import refuse_unused_values

# The readers use some 1,300 patterns; Python keeps 512 compiled by default, and a cache that small recompiles
# nearly all of them for every question (~200 ms instead of ~4 ms)
if getattr(re, "_MAXCACHE", 4096) < 4096:
    re._MAXCACHE = 4096  # type: ignore[attr-defined]


@PROVIDERS.register("offline")
class OfflineProvider(Provider):
    name = "offline"

    def translate(self, question: str, context: NLContext) -> Translation:
        intent = read_intent(question, context.now)
        sql = compile_intent(intent)
        refuse_unused_values(question, sql)
        return Translation(sql=sql, explanation=describe(intent), provider=self.name,
                           question=question, window=intent.window, intent=tuple(intent.lines()))
