"""The pagination contract every store keeps: `list(..., limit, page_token)` returns a `Page` — the
alerts (it *is* a list, so callers of the old signature are unchanged) plus `next_token`, an opaque
string that resumes the listing after the last alert returned, or None at the end.

Tokens are keyset positions (the sort value and id of the last alert), not offsets: a page costs a
page whatever the depth, and alerts written between two calls neither repeat nor shift the pages
that follow. A token is bound to the filters and order it was made for; any other use is refused.
Its content is only ever bound as a query parameter, so an edited token can at worst start the same
listing elsewhere; it is still checked strictly, field by field.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from workbench.alerts.filters import AlertFilter
from workbench.alerts.model import Alert

TOKEN_VERSION = 1
MAX_TOKEN_CHARS = 4096  # a real token is ~150 characters; anything longer is not one of ours
MAX_VALUE_CHARS = 512  # a sort value (time#id, rule id, id); DynamoDB refuses key values over 1 KB


class Page(list[Alert]):
    """One page of alerts; `next_token` is None when there is nothing after it.

    `scanned` counts the index entries the backend examined for this page (a listing filtered on
    something no index serves, such as text, may return fewer than `limit` alerts yet carry a
    `next_token`: the read per call is bounded, the caller asks for the next page)."""

    def __init__(self, items: list[Alert] | None = None, next_token: str | None = None, scanned: int = 0) -> None:
        super().__init__(items or [])
        self.next_token = next_token
        self.scanned = scanned

    @property
    def items(self) -> list[Alert]:
        return list(self)


def fingerprint(backend: str, flt: AlertFilter, order: str, descending: bool) -> str:
    text = json.dumps([backend, repr(flt), order, descending], default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_token(fp: str, position: list[Any]) -> str:
    raw = json.dumps({"v": TOKEN_VERSION, "f": fp, "p": position}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_token(token: str, fp: str) -> list[Any]:
    """The position inside `token`; a clear ValueError for anything that is not a token of this listing."""
    hint = "start again without a page token"
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        raise ValueError(f"page token: not a page token (empty or too long); {hint}")
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValueError(f"page token: not a page token (cannot be decoded); {hint}") from None
    if not isinstance(data, dict) or data.get("v") != TOKEN_VERSION or not isinstance(data.get("p"), list):
        raise ValueError(f"page token: not a page token of this version; {hint}")
    if data.get("f") != fp:
        raise ValueError("page token: it belongs to a listing with other filters, order or store; "
                         f"use the same filters as the first page, or {hint}")
    position = data["p"]
    if not all(isinstance(v, str | int | float) and not isinstance(v, bool)
               and not (isinstance(v, str) and len(v) > MAX_VALUE_CHARS) for v in position):
        raise ValueError(f"page token: malformed position; {hint}")
    return position
