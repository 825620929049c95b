"""API tokens (stored hashed, shown once, revocable, expiring) and `mantissa api token ...`."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workbench.api.tokens import PREFIX, TOKENS_FILE, TokenError, TokenStore, digest

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture()
def store(tmp_path: Path) -> TokenStore:
    return TokenStore(tmp_path / TOKENS_FILE)


def test_tokens_are_random_stored_hashed_and_verified(store: TokenStore) -> None:
    one, two = store.create("ci-bot", ["query"]), store.create("grafana", ["alerts:read", "query"])
    assert one.token.startswith(PREFIX) and len(one.token) > 40 and one.token != two.token
    raw = store.path.read_bytes()
    assert one.token.encode() not in raw and two.token.encode() not in raw
    with sqlite3.connect(store.path) as con:
        assert {r[0] for r in con.execute("SELECT digest FROM api_tokens")} == {digest(one.token), digest(two.token)}
    info = store.verify(two.token)
    assert info is not None and info.identity == "api:grafana" and info.scopes == ("alerts:read", "query")
    for forged in ("", "mnt_", one.token[:-1], one.token + "x", "token " + one.token, two.token.upper()):
        assert store.verify(forged) is None


def test_revoked_and_expired_tokens_stop_verifying(store: TokenStore) -> None:
    issued = store.create("short", ["query"], expires="30d", now=NOW)
    assert issued.info.expires_at == NOW + timedelta(days=30)
    assert store.verify(issued.token, now=NOW + timedelta(days=29)) is not None
    assert store.verify(issued.token, now=NOW + timedelta(days=30)) is None
    kept = store.create("kept", ["query"])
    store.revoke("kept")
    assert store.verify(kept.token) is None
    assert {t.name: t.state(NOW + timedelta(days=31)) for t in store.list()} == {"short": "expired", "kept": "revoked"}
    assert store.delete_revoked() == 1 and [t.name for t in store.list()] == ["short"]


@pytest.mark.parametrize("name,scopes,expires,needle", [
    ("", ["query"], None, "token name"),
    ("has space", ["query"], None, "token name"),
    ("x" * 65, ["query"], None, "token name"),
    ("ok", [], None, "--scope"),
    ("ok", ["admin"], None, "unknown scope 'admin'"),
    ("ok", ["query"], "forever", "--expires"),
], ids=["empty", "space", "long", "no-scope", "bad-scope", "bad-expiry"])
def test_bad_token_requests_say_what_to_do(store: TokenStore, name: str, scopes: list[str], expires: str | None,
                                          needle: str) -> None:
    with pytest.raises(TokenError, match=needle):
        store.create(name, scopes, expires)


def test_names_are_unique_until_revoked_and_removed(store: TokenStore) -> None:
    store.create("dup", ["query"])
    with pytest.raises(TokenError, match="revoke it first"):
        store.create("dup", ["query"])
    with pytest.raises(TokenError, match="no token named 'nope'"):
        store.revoke("nope")


def test_cli_creates_shows_once_lists_and_revokes(workspace: Path) -> None:
    from workbench.cli import app

    runner = CliRunner()
    created = runner.invoke(app, ["api", "token", "create", "ci-bot", "--scope", "query", "--scope", "alerts:read",
                                  "--expires", "30d"])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[0]
    assert token.startswith(PREFIX)
    store = TokenStore(workspace / "state" / TOKENS_FILE)
    assert store.verify(token).scopes == ("query", "alerts:read")

    listed = runner.invoke(app, ["api", "token", "list"])
    assert listed.exit_code == 0 and "ci-bot" in listed.stdout and "active" in listed.stdout
    assert token not in listed.stdout and token[:10] in listed.stdout

    assert runner.invoke(app, ["api", "token", "revoke", "ci-bot"]).exit_code == 0
    assert store.verify(token) is None
    assert "revoked" in runner.invoke(app, ["api", "token", "list"]).stdout

    bad = runner.invoke(app, ["api", "token", "create", "x", "--scope", "root"])
    assert bad.exit_code == 2 and "unknown scope 'root'" in bad.output
    missing = runner.invoke(app, ["api", "token", "revoke", "ghost"])
    assert missing.exit_code == 2 and "no token named 'ghost'" in missing.output
