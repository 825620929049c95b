"""The `offline` provider: deterministic English → Athena SQL, no key, no network."""

from __future__ import annotations

from workbench.nl.base import PROVIDERS, NLContext, Provider, Translation
from workbench.nl.offline.translator import translate


@PROVIDERS.register("offline")
class OfflineProvider(Provider):
    name = "offline"

    def translate(self, question: str, context: NLContext) -> Translation:
        sql, explanation, window = translate(question, context.now)
        return Translation(sql=sql, explanation=explanation, provider=self.name, question=question,
                           window=window)
