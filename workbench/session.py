"""The hunting session behind the magics: engine, window, row limit, NL provider, query history.

Everything a magic does is a method here, so notebooks, widgets and tests call the same code:

    session = Session()
    session.set_window("2026-11-18T00:00:00Z", "2026-11-20T00:00:00Z")
    outcome = session.ask("failed console logins without MFA")
    outcome.result.frame, outcome.record.metadata()

A widget that picks a window calls `session.set_window(...)`; every later query uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.config import Settings, load_settings
from workbench.engines import Engine, EngineError, Result, get_engine
from workbench.history import HISTORY_FILE, QueryHistory, QueryRecord
from workbench.nl import NLContext, Provider, Translation, TranslationError, get_provider, translate_and_run
from workbench.sqlguard import GuardedQuery, GuardError, check_window, guard_for
from workbench.timewindow import Window, compact_duration, is_duration, parse_duration
from workbench.unsafe import UNSAFE_NOTE


class SessionError(ValueError):
    """A setting the session cannot take; the message says what it accepts."""


@dataclass
class Outcome:
    """One query from a magic: what ran (or would run), its result and its provenance record."""

    sql: str  # Athena SQL as it runs (guarded) or would run (dry run)
    record: QueryRecord
    result: Result | None = None
    guarded: GuardedQuery | None = None
    translation: Translation | None = None
    window: Window | None = None
    notes: list[str] = field(default_factory=list)

    def status_line(self) -> str:
        if self.result is None:
            return f"dry run on {self.record.engine}: not executed, window {self.window}"
        line = self.result.status_line()
        if self.translation is not None:
            line += f" · answered by {self.translation.provider}"
        return line


class Session:
    def __init__(self, settings: Settings | None = None, *, engine: str | None = None,
                 window: str | Window | None = None, row_limit: int | None = None,
                 provider: str | None = None) -> None:
        self.settings = settings or load_settings()
        self.engine_name = engine or self.settings.engine
        self._window: str | Window = window or self.settings.default_window
        self._window_listeners: list[Callable[[], None]] = []
        self.row_limit = row_limit or self.settings.row_limit
        self.provider_name = provider
        self._engines: dict[str, Engine] = {}
        self._provider: Provider | None = None
        self._history: QueryHistory | None = None
        self.last: Outcome | None = None

    # -- settings -------------------------------------------------------------------------------

    def set_engine(self, name: str) -> None:
        import workbench.engines.athena  # noqa: F401
        import workbench.engines.local  # noqa: F401
        from workbench.engines import ENGINES

        ENGINES.get(name)  # unknown names fail here, with the closest valid one
        self.engine_name = name

    def set_window(self, spec: str | Window, end: str | None = None) -> Window:
        """`"24h"` (rolling, ends now), a Window, or a start and an end (fixed, for replaying)."""
        if isinstance(spec, Window):
            self._window = spec
        elif end is not None:
            if is_duration(f"{spec} {end}"):  # `%wb window 3 days` arrives as two words
                self._window = compact_duration(f"{spec} {end}")
            else:
                try:
                    self._window = Window.between(spec, end)
                except ValueError as exc:
                    raise SessionError(f"{exc}; for a window ending now give a duration instead, e.g. "
                                       "%wb window 3d (or '3 days', '90 minutes')") from None
        else:
            try:
                parse_duration(spec)
            except ValueError as exc:
                raise SessionError(f"{exc}; or give a start and an end: %wb window 2026-11-18 2026-11-20") from None
            self._window = compact_duration(spec)
        for listener in list(self._window_listeners):
            listener()
        return self.window()

    def on_window_change(self, callback: Callable[[], None]) -> None:
        """Call `callback()` after every window change, whoever makes it (the picker, `%wb window`)."""
        self._window_listeners.append(callback)

    def rolling(self) -> str | None:
        """The rolling window's duration ('24h'), or None when the window is fixed."""
        return None if isinstance(self._window, Window) else self._window

    def set_row_limit(self, limit: int) -> None:
        if limit < 1 or limit > self.settings.guard.max_limit:
            raise SessionError(f"row limit must be between 1 and {self.settings.guard.max_limit:,} (guard.max_limit)")
        self.row_limit = limit

    def set_provider(self, name: str | None) -> None:
        from workbench.nl import PROVIDERS, _register_builtins

        _register_builtins()
        if name is not None:
            PROVIDERS.get(name)
        self.provider_name = name
        self._provider = None

    # -- derived --------------------------------------------------------------------------------

    def window(self, window: str | None = None, start: str | None = None, end: str | None = None) -> Window:
        """The window for one query: its own options, else the session's."""
        try:
            chosen = Window.from_options(window=window, start=start, end=end)
        except ValueError as exc:
            raise SessionError(str(exc)) from None
        if chosen is not None:
            return chosen
        if isinstance(self._window, Window):
            return self._window
        return Window.last(self._window)

    def now(self) -> datetime:
        """Where time phrases count back from: a fixed window's end (replaying an incident), else now."""
        return self._window.end if isinstance(self._window, Window) else datetime.now(UTC)

    def engine(self, name: str | None = None) -> Engine:
        name = name or self.engine_name
        if name not in self._engines:
            self._engines[name] = get_engine(name, self.settings)
        return self._engines[name]

    @property
    def provider(self) -> Provider:
        if self._provider is None:
            self._provider = get_provider(self.provider_name, self.settings)
        return self._provider

    @property
    def history(self) -> QueryHistory:
        if self._history is None:
            from workbench.redaction import redactor_for

            self._history = QueryHistory(self.settings.state / HISTORY_FILE, redactor_for(self.settings))
        return self._history

    def _record(self, record: QueryRecord) -> None:
        """Into the query history, and (when metrics are on) to CloudWatch."""
        from workbench import metrics

        self.history.record(record)
        metrics.publish(self.settings, metrics.query(record))

    def describe(self) -> dict[str, Any]:
        from workbench.nl import default_provider_name

        rolling = not isinstance(self._window, Window)
        return {
            "engine": self.engine_name,
            "window": f"last {self._window} {self.window()}" if rolling else f"fixed {self.window()}",
            "row limit": self.row_limit,
            "NL provider": self.provider_name or f"{default_provider_name(self.settings)} (default)",
            "history": str(Path(self.settings.state) / HISTORY_FILE),
        }

    # -- running --------------------------------------------------------------------------------

    def run_sql(self, sql: str, *, kind: str = "athena", question: str | None = None, window: Window | None = None,
                limit: int | None = None, dry_run: bool = False, unsafe: bool = False, engine: str | None = None,
                translation: Translation | None = None) -> Outcome:
        """Guard (unless `unsafe`), bound by the window, run, record. Refusals are recorded too."""
        eng = self.engine(engine)
        window = window or self.window()
        record = QueryRecord(kind=kind, status="ok", question=question, sql=sql, engine=eng.name,
                             provider=translation.provider if translation else None, window=str(window),
                             model_s=round(translation.elapsed_s, 4) if translation else None)
        guarded: GuardedQuery | None = None
        try:
            if limit is not None and not 1 <= limit <= self.settings.guard.max_limit:
                raise SessionError(f"--limit must be between 1 and {self.settings.guard.max_limit:,} (guard.max_limit)")
            if unsafe:
                check_window(window, self.settings)  # the window limit is never skipped
                to_run, notes = sql, [UNSAFE_NOTE]
            else:
                guarded = guard_for(sql, window, self.settings, engine=eng, row_limit=limit or self.row_limit)
                to_run, notes = guarded.sql, list(guarded.notes)
            record.notes = notes
            if dry_run:
                record.status, record.executed_sql = "dry-run", eng.prepare(to_run, window)
                outcome = Outcome(to_run, record, None, guarded, translation, window, notes)
            else:
                result = eng.run(to_run, window)
                record.executed_sql, record.query_id = result.executed_sql, result.query_id
                record.elapsed_s, record.bytes_scanned = round(result.elapsed_s, 4), result.bytes_scanned
                record.cost_usd, record.rows = result.cost_usd, result.rows
                outcome = Outcome(to_run, record, result, guarded, translation, window, notes)
        except GuardError as exc:
            record.status, record.error = "refused", exc.reason
            self._record(record)
            raise
        except (EngineError, SessionError) as exc:
            record.status, record.error = "error", str(exc)
            self._record(record)
            raise
        self._record(record)
        self.last = outcome
        return outcome

    def ask(self, question: str, *, window: Window | None = None, dry_run: bool = False,
            engine: str | None = None, limit: int | None = None) -> Outcome:
        """English → guarded SQL → result; rejections go back to the provider for repair."""
        base = window or self.window()
        context = NLContext(window=base, now=self.now() if window is None else base.end, row_limit=limit or self.row_limit)
        provider = self.provider

        def attempt(translation: Translation) -> Outcome:
            return self.run_sql(translation.sql, kind="ask", question=question, window=translation.window or base,
                                dry_run=dry_run, engine=engine, limit=limit, translation=translation)

        try:
            translation, outcome = translate_and_run(provider, question, context, attempt,
                                                     max_repairs=self.settings.nl.max_repairs,
                                                     rejections=(GuardError, EngineError))
        except TranslationError as exc:
            self._record(QueryRecord(kind="ask", status="untranslated", question=question,
                                            provider=provider.name, error=str(exc), window=str(base)))
            raise
        outcome.translation = translation
        return outcome

    def hunts(self) -> dict[str, Any]:
        from workbench.hunts import LIBRARY, load_hunts
        from workbench.resources import search_paths

        folders = [p for p in search_paths("hunts", self.settings) if p.resolve() != LIBRARY.resolve()]
        return load_hunts([*folders, LIBRARY])

    def hunt(self, name: str, values: dict[str, Any], *, window: Window | None = None, dry_run: bool = False,
             engine: str | None = None, limit: int | None = None) -> Outcome:
        from workbench.hunts import get_hunt

        hunt = get_hunt(name, self.hunts())
        sql = hunt.bind(values)
        question = f"%hunt {name} " + " ".join(f"{k}={v}" for k, v in values.items())
        return self.run_sql(sql, kind="hunt", question=question.strip(), window=window, dry_run=dry_run,
                            engine=engine, limit=limit)

    def close(self) -> None:
        for engine in self._engines.values():
            engine.close()
        self._engines.clear()
