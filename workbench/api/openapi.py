"""The OpenAPI document of the query API: `openapi.json` beside this module, kept in the repository,
served at `/mantissa/api/openapi.json` with the server's base URL filled in."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

DOCUMENT = Path(__file__).with_name("openapi.json")


@functools.lru_cache(maxsize=1)
def _load() -> dict[str, Any]:
    return json.loads(DOCUMENT.read_text(encoding="utf-8"))


def document(base_url: str = "/") -> dict[str, Any]:
    """The document, its server being this Jupyter server's base URL (JupyterHub serves under /user/NAME/)."""
    doc = copy.deepcopy(_load())
    doc["servers"] = [{"url": base_url.rstrip("/") or "/"}]
    return doc
