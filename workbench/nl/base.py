"""What every English → SQL provider gives and takes, and the repair loop around them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, TypeVar

from workbench.registry import Registry
from workbench.timewindow import Window

if TYPE_CHECKING:
    from workbench.config import Settings

T = TypeVar("T")


class TranslationError(ValueError):
    """The provider could not turn the question into SQL; the message says why and what to try."""


@dataclass(frozen=True)
class NLContext:
    """What a provider may know besides the question: never log data, only the session's frame."""

    window: Window  # the session window; a time phrase in the question overrides it
    now: datetime  # "yesterday", "last hour" count back from here
    row_limit: int = 10_000


@dataclass(frozen=True)
class Translation:
    sql: str
    explanation: str
    provider: str
    question: str
    window: Window | None = None  # set when the question named its own time range
    elapsed_s: float = 0.0
    rejected: tuple[str, ...] = field(default=())  # errors earlier attempts were refused with
    intent: tuple[str, ...] = field(default=())  # the typed intent, one piece per line (offline provider)


class Provider:
    name: ClassVar[str]
    can_repair: ClassVar[bool] = False
    """Whether a rejected answer can go back to the provider with the error."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def translate(self, question: str, context: NLContext) -> Translation:
        raise NotImplementedError

    def repair(self, question: str, context: NLContext, previous: Translation, error: str) -> Translation:
        raise TranslationError(f"{self.name} cannot repair a rejected query: {error}")


PROVIDERS: Registry[type[Provider]] = Registry("NL provider")


def timed(func: Callable[[], Translation]) -> Translation:
    started = time.perf_counter()
    translation = func()
    return replace(translation, elapsed_s=time.perf_counter() - started)


def translate_and_run(
    provider: Provider,
    question: str,
    context: NLContext,
    attempt: Callable[[Translation], T],
    max_repairs: int = 2,
    rejections: tuple[type[Exception], ...] = (ValueError, RuntimeError),
) -> tuple[Translation, T]:
    """Translate, then `attempt` (guard + run); a rejection goes back for up to `max_repairs` repairs.

    The last rejection propagates when the provider cannot repair or the repairs run out.
    """
    translation = timed(lambda: provider.translate(question, context))
    for round_ in range(max_repairs + 1):
        try:
            return translation, attempt(translation)
        except rejections as exc:
            if isinstance(exc, TranslationError) or not provider.can_repair or round_ == max_repairs:
                raise
            error = str(exc)
            previous = translation
            repaired = timed(lambda p=previous, e=error: provider.repair(question, context, p, e))
            translation = replace(repaired, rejected=(*previous.rejected, error))
    raise AssertionError("unreachable")  # pragma: no cover
