"""English → guarded Athena SQL. Providers: `anthropic` (Claude) and `offline` (deterministic, no key).

    provider = get_provider(None, settings)          # anthropic when a key is configured, else offline
    translation = provider.translate("failed console logins yesterday", NLContext(window, now))
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from workbench.nl.base import (
    PROVIDERS,
    NLContext,
    Provider,
    Translation,
    TranslationError,
    translate_and_run,
)

if TYPE_CHECKING:
    from workbench.config import Settings

__all__ = ["PROVIDERS", "NLContext", "Provider", "Translation", "TranslationError", "default_provider_name",
           "get_provider", "translate_and_run"]


def _register_builtins() -> None:
    import workbench.nl.anthropic  # noqa: F401
    import workbench.nl.offline  # noqa: F401


def default_provider_name(settings: Settings, environ: dict[str, str] | None = None) -> str:
    """The configured provider, else `anthropic` when its key is set, else `offline`."""
    if settings.nl.provider:
        return settings.nl.provider
    environ = dict(os.environ if environ is None else environ)
    return "anthropic" if environ.get(settings.nl.api_key_env) else "offline"


def get_provider(name: str | None, settings: Settings) -> Provider:
    _register_builtins()
    return PROVIDERS.get(name or default_provider_name(settings))(settings)
