"""The term store interface and a write-nothing overlay for dry runs.

A term is the tuple of a rule's `new_terms.fields` values in one output row, kept as its JSON text
(`term_key`). Per rule and term the store holds when it was first and last seen, and `new_at`:
the time detection declared it new, so re-reading the same window recognises its own first-seen
alert (same alert id, merged) instead of calling the term old. A rule's `Baseline` says from when
its history is complete and up to where the first-enable backfill read.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from workbench.config import Settings
from workbench.registry import Registry


@dataclass(frozen=True)
class TermState:
    first_seen: datetime
    last_seen: datetime
    new_at: datetime | None = None

    def merged(self, other: TermState) -> TermState:
        """Both sightings as one: the earliest first, the latest last; a declared `new_at` is kept."""
        return TermState(min(self.first_seen, other.first_seen), max(self.last_seen, other.last_seen),
                         other.new_at or self.new_at)


@dataclass(frozen=True)
class Baseline:
    """`start`: the earliest time the rule's history holds data; `through`: what backfill covered."""

    start: datetime
    through: datetime


def term_key(values: Iterable[Any]) -> str:
    """The term's identity: its values as compact JSON (text, so equal values give equal keys)."""
    return json.dumps([None if v is None else str(v) for v in values], separators=(",", ":"),
                      ensure_ascii=False)


class TermStore(ABC):
    """Per-rule first-seen state. Writes merge (min first, max last), so re-running is harmless."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings

    @abstractmethod
    def lookup(self, rule_id: str, keys: Iterable[str]) -> dict[str, TermState]:
        """The state of those of `keys` the rule has seen."""

    @abstractmethod
    def record(self, rule_id: str, sightings: Mapping[str, TermState], replace_keys: Iterable[str] = ()) -> None:
        """Merge sightings into the state; terms in `replace_keys` start over (aged out and new again)."""

    @abstractmethod
    def purge(self, rule_id: str, last_seen_before: datetime) -> int:
        """Forget terms not seen since `last_seen_before` (they aged out of the history)."""

    @abstractmethod
    def baseline(self, rule_id: str) -> Baseline | None: ...

    @abstractmethod
    def set_baseline(self, rule_id: str, baseline: Baseline) -> None: ...

    @abstractmethod
    def size(self, rule_id: str | None = None) -> int:
        """How many terms are kept (for one rule, or all)."""

    @abstractmethod
    def forget(self, rule_id: str) -> None:
        """Drop a rule's terms and baseline, so its next run backfills again."""

    def close(self) -> None:  # noqa: B027 - optional hook
        pass

    def __enter__(self) -> TermStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


TERM_STORES: Registry[type[TermStore]] = Registry("term store")


class OverlayTermStore(TermStore):
    """Reads through to a store and keeps every write in memory: a dry run, or a run with no state,
    evaluates first-seen rules exactly as a real run would without changing anything."""

    def __init__(self, base: TermStore | None = None) -> None:
        super().__init__(base.settings if base else None)
        self.base = base
        self._terms: dict[tuple[str, str], TermState] = {}
        self._purged: dict[str, datetime] = {}
        self._baselines: dict[str, Baseline] = {}

    def lookup(self, rule_id: str, keys: Iterable[str]) -> dict[str, TermState]:
        keys = list(keys)
        found = self.base.lookup(rule_id, keys) if self.base else {}
        cutoff = self._purged.get(rule_id)
        if cutoff is not None:
            found = {k: s for k, s in found.items() if s.last_seen >= cutoff}
        for key in keys:
            if (rule_id, key) in self._terms:
                found[key] = self._terms[(rule_id, key)]
        return found

    def record(self, rule_id: str, sightings: Mapping[str, TermState], replace_keys: Iterable[str] = ()) -> None:
        fresh = set(replace_keys)
        current = self.lookup(rule_id, [k for k in sightings if k not in fresh])
        for key, seen in sightings.items():
            self._terms[(rule_id, key)] = current[key].merged(seen) if key in current else replace(seen)

    def purge(self, rule_id: str, last_seen_before: datetime) -> int:
        self._purged[rule_id] = max(self._purged.get(rule_id, last_seen_before), last_seen_before)
        stale = [k for k, s in self._terms.items() if k[0] == rule_id and s.last_seen < last_seen_before]
        for key in stale:
            del self._terms[key]
        return len(stale)

    def baseline(self, rule_id: str) -> Baseline | None:
        if rule_id in self._baselines:
            return self._baselines[rule_id]
        return self.base.baseline(rule_id) if self.base else None

    def set_baseline(self, rule_id: str, baseline: Baseline) -> None:
        self._baselines[rule_id] = baseline

    def forget(self, rule_id: str) -> None:
        self._purged[rule_id] = datetime.max.replace(tzinfo=UTC)
        self._baselines.pop(rule_id, None)
        for key in [k for k in self._terms if k[0] == rule_id]:
            del self._terms[key]

    def close(self) -> None:
        if self.base is not None:
            self.base.close()

    def size(self, rule_id: str | None = None) -> int:
        mine = sum(1 for k in self._terms if rule_id is None or k[0] == rule_id)
        return mine + (self.base.size(rule_id) if self.base else 0)
