"""An authorizer for the tests, standing in for JupyterHub's scopes: read-only on `mantissa`."""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.authorizer import Authorizer


class ReadOnlyMantissa(Authorizer):
    """Allows everything but `execute` on the `mantissa` resource (the query API's queries)."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        return not (resource == "mantissa" and action == "execute")
