"""First-seen state of `new_terms` rules: per rule, each term's first and last sighting.

One registry of backends (the DESIGN's plugin habit): `sqlite` (state/terms.sqlite, the embedded
default) and `dynamodb` (a table beside the alert store's, for a team's shared state). The store
follows `settings.store.backend`, so a workspace keeps its alerts and its terms in the same place.
"""

from __future__ import annotations

from workbench.config import Settings
from workbench.detect.terms.base import (
    TERM_STORES,
    Baseline,
    OverlayTermStore,
    TermState,
    TermStore,
    term_key,
)


def _register_builtins() -> None:
    # Importing registers; boto3 is imported only when the dynamodb backend is opened.
    from workbench.detect.terms import dynamodb, sqlite  # noqa: F401


def get_term_store(settings: Settings, backend: str | None = None) -> TermStore:
    """The term store of the workspace's state backend (or the one named)."""
    _register_builtins()
    return TERM_STORES.get(backend or settings.store.backend)(settings)


__all__ = ["TERM_STORES", "Baseline", "OverlayTermStore", "TermState", "TermStore", "get_term_store", "term_key"]
