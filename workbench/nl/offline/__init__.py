"""The `offline` provider: deterministic English → Athena SQL, no key, no network."""

from __future__ import annotations

from workbench.nl.base import PROVIDERS, NLContext, Provider, Translation
from workbench.nl.intent import compile_intent
from workbench.nl.offline.translator import describe, read_intent


@PROVIDERS.register("offline")
class OfflineProvider(Provider):
    name = "offline"

    def translate(self, question: str, context: NLContext) -> Translation:
        intent = read_intent(question, context.now)
        return Translation(sql=compile_intent(intent), explanation=describe(intent), provider=self.name,
                           question=question, window=intent.window, intent=tuple(intent.lines()))
