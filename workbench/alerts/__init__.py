"""Alert state: the Alert record, its lifecycle, and the stores that keep it (sqlite, dynamodb).

    from workbench.alerts import get_store
    store = get_store()                       # backend from settings.store.backend
    store.upsert_alert(alert, event_ids)      # the detection runner
    store.acknowledge(alert.id, actor="ana")  # an analyst
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench.alerts.base import STORES, AlertStore
from workbench.alerts.filters import AlertFilter
from workbench.alerts.model import (
    EVIDENCE_ROW_CAP,
    Alert,
    AlertNotFound,
    AlertStoreError,
    AuditEntry,
    ConcurrencyError,
    Evidence,
    EvidenceWindow,
    InvalidTransition,
    Note,
    Severity,
    Status,
    UpsertOutcome,
    entities,
)
from workbench.alerts.transfer import ImportReport
from workbench.registry import UnknownPluginError

if TYPE_CHECKING:
    from workbench.config import Settings

__all__ = [
    "EVIDENCE_ROW_CAP", "STORES", "Alert", "AlertFilter", "AlertNotFound", "AlertStore", "AlertStoreError",
    "AuditEntry", "ConcurrencyError", "Evidence", "EvidenceWindow", "ImportReport", "InvalidTransition",
    "Note", "Severity", "Status", "UpsertOutcome", "entities", "get_store",
]


def _register_builtins() -> None:
    # Importing the modules registers them; boto3 itself is only imported when dynamodb is used.
    import workbench.alerts.dynamodb  # noqa: F401
    import workbench.alerts.sqlite  # noqa: F401


def get_store(settings: Settings | None = None, backend: str | None = None) -> AlertStore:
    """The configured alert store (`store.backend` in mantissa.yaml, or `backend`)."""
    from workbench.config import ConfigError, load_settings

    settings = settings or load_settings()
    _register_builtins()
    name = backend or settings.store.backend
    try:
        cls = STORES.get(name)
    except UnknownPluginError as exc:
        raise ConfigError(f"store.backend: {exc} (set it in mantissa.yaml or MANTISSA_STORE__BACKEND)") from None
    return cls(settings)


_register_builtins()
