"""Per-caller API tokens for service callers of the query API, kept hashed in `<state>/api_tokens.sqlite`.

    store = TokenStore.for_settings(settings)
    issued = store.create("ci-bot", ["query"], expires="30d")   # issued.token is shown once
    store.verify(issued.token)                                  # → TokenInfo, or None

A token is `mnt_` + 32 random bytes (urlsafe base64). Only its SHA-256 is stored: a copy of the
state folder does not let anyone call the API. A random 256-bit secret needs no slow hash (there is
nothing to brute-force), and a plain digest lets `verify` find the row by index in one lookup.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.timewindow import parse_duration

if TYPE_CHECKING:
    from workbench.config import Settings

TOKENS_FILE = "api_tokens.sqlite"
PREFIX = "mnt_"
SCOPES = ("query", "alerts:read")
MAX_NAME_CHARS = 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_tokens (
    name TEXT PRIMARY KEY,
    digest TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT,
    last_used_at TEXT
);
"""


class TokenError(ValueError):
    """A token command that cannot be done; the message says what to do instead."""


@dataclass(frozen=True)
class TokenInfo:
    name: str
    scopes: tuple[str, ...]
    hint: str  # the first characters of the token, to tell tokens apart in `list`
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def identity(self) -> str:
        """How the caller appears in the query history and in rate limits."""
        return f"api:{self.name}"

    def state(self, now: datetime | None = None) -> str:
        now = now or datetime.now(UTC)
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


@dataclass(frozen=True)
class IssuedToken:
    info: TokenInfo
    token: str  # the secret itself: shown once, never stored


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def check_scopes(scopes: list[str]) -> tuple[str, ...]:
    if not scopes:
        raise TokenError(f"give at least one --scope ({' | '.join(SCOPES)})")
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise TokenError(f"unknown scope '{unknown[0]}': use {' or '.join(SCOPES)} (repeat --scope for both)")
    return tuple(dict.fromkeys(scopes))


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class TokenStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.executescript(_SCHEMA)

    @classmethod
    def for_settings(cls, settings: Settings) -> TokenStore:
        return cls(settings.state / TOKENS_FILE)

    def _connect(self) -> sqlite3.Connection:
        # A connection per call: the CLI and the server's worker threads share the file.
        con = sqlite3.connect(self.path, timeout=10)
        con.row_factory = sqlite3.Row
        return con

    def create(self, name: str, scopes: list[str], expires: str | None = None,
               now: datetime | None = None) -> IssuedToken:
        if not name or len(name) > MAX_NAME_CHARS or not all(c.isalnum() or c in "-_." for c in name):
            raise TokenError(f"token name '{name[:MAX_NAME_CHARS]}': use 1-{MAX_NAME_CHARS} letters, digits, "
                             "'-', '_' or '.' (e.g. ci-bot)")
        chosen = check_scopes(scopes)
        now = now or datetime.now(UTC)
        expires_at = None
        if expires:
            try:
                expires_at = now + parse_duration(expires)
            except ValueError as exc:
                raise TokenError(f"--expires: {exc}") from None
        token = PREFIX + secrets.token_urlsafe(32)
        with self._connect() as con:
            if con.execute("SELECT 1 FROM api_tokens WHERE name = ?", [name]).fetchone():
                raise TokenError(f"a token named '{name}' exists; revoke it first "
                                 f"(`mantissa api token revoke {name}`) or pick another name")
            con.execute("INSERT INTO api_tokens (name, digest, hint, scopes, created_at, expires_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        [name, digest(token), token[:10], " ".join(chosen), _iso(now),
                         _iso(expires_at) if expires_at else None])
        return IssuedToken(self._get(name), token)

    def _get(self, name: str) -> TokenInfo:
        with self._connect() as con:
            row = con.execute("SELECT * FROM api_tokens WHERE name = ?", [name]).fetchone()
        if row is None:
            raise TokenError(f"no token named '{name}'; `mantissa api token list` shows them")
        return _info(row)

    def list(self) -> list[TokenInfo]:
        with self._connect() as con:
            return [_info(row) for row in con.execute("SELECT * FROM api_tokens ORDER BY created_at, name")]

    def revoke(self, name: str, now: datetime | None = None) -> TokenInfo:
        info = self._get(name)
        if info.revoked_at is None:
            with self._connect() as con:
                con.execute("UPDATE api_tokens SET revoked_at = ? WHERE name = ?", [_iso(now or datetime.now(UTC)), name])
        return self._get(name)

    def delete_revoked(self) -> int:
        """Forget revoked tokens (their names become free again)."""
        with self._connect() as con:
            return con.execute("DELETE FROM api_tokens WHERE revoked_at IS NOT NULL").rowcount

    def verify(self, token: str, now: datetime | None = None) -> TokenInfo | None:
        """The token's owner when it is ours, active and unexpired; None for anything else."""
        if not token.startswith(PREFIX) or len(token) > 200:
            return None
        now = now or datetime.now(UTC)
        with self._connect() as con:
            row = con.execute("SELECT * FROM api_tokens WHERE digest = ?", [digest(token)]).fetchone()
            if row is None:
                return None
            info = _info(row)
            if info.state(now) != "active":
                return None
            # At most one write a minute per token: a busy caller must not serialise on the file.
            if info.last_used_at is None or (now - info.last_used_at).total_seconds() >= 60:
                con.execute("UPDATE api_tokens SET last_used_at = ? WHERE name = ?", [_iso(now), info.name])
        return info


def _info(row: sqlite3.Row) -> TokenInfo:
    return TokenInfo(name=row["name"], scopes=tuple(row["scopes"].split()), hint=row["hint"],
                     created_at=datetime.fromisoformat(row["created_at"]), expires_at=_when(row["expires_at"]),
                     revoked_at=_when(row["revoked_at"]), last_used_at=_when(row["last_used_at"]))
