"""One small registry per plugin kind (engines, stores, destinations, NL providers).

Modelled on papermill's engine registry: built-ins register themselves at the bottom of their
module, `get()` turns an unknown name into an error that suggests the closest valid one.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class UnknownPluginError(KeyError):
    """Raised for a name no plugin is registered under; the message suggests the closest name."""

    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        self.kind, self.name, self.known = kind, name, known
        super().__init__(name)

    def __str__(self) -> str:
        return unknown_name_message(self.kind, self.name, self.known)


def closest(name: str, candidates: list[str] | set[str]) -> str | None:
    matches = difflib.get_close_matches(name.lower(), sorted(candidates), n=1, cutoff=0.5)
    return matches[0] if matches else None


def unknown_name_message(kind: str, name: str, known: list[str] | set[str]) -> str:
    """The one-line error for an unknown name: `unknown engine 'duckb' — did you mean 'local'?`."""
    guess = closest(name, known)
    hint = f" — did you mean '{guess}'?" if guess else ""
    choices = ", ".join(sorted(known)) or "none registered"
    return f"unknown {kind} '{name}'{hint} (known: {choices})"


class Registry(Generic[T]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str, item: T | None = None) -> Callable[[T], T] | T:
        """Register `item` under `name`; used bare as a decorator when `item` is omitted."""
        if item is not None:
            self._items[name] = item
            return item

        def decorator(obj: T) -> T:
            self._items[name] = obj
            return obj

        return decorator

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise UnknownPluginError(self.kind, name, list(self._items)) from None

    def names(self) -> list[str]:
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())
