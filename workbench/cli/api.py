"""`mantissa api token create|list|revoke`: per-caller tokens for the query API (workbench/api).

The token is printed once, at creation; only its SHA-256 is kept (`<state>/api_tokens.sqlite`).
"""

from __future__ import annotations

import typer

from workbench.cli.common import fail, settings_or_exit

api_app = typer.Typer(help="The query API served by Jupyter (/mantissa/api/): its caller tokens.",
                      no_args_is_help=True)
token_app = typer.Typer(help="Issue, list and revoke API tokens (stored hashed).", no_args_is_help=True)
api_app.add_typer(token_app, name="token")


def register(app: typer.Typer) -> None:
    app.add_typer(api_app, name="api")


def _store():  # noqa: ANN202 - TokenStore, imported lazily
    from workbench.api.tokens import TokenStore

    return TokenStore.for_settings(settings_or_exit())


@token_app.command("create")
def create(
    name: str = typer.Argument(..., help="who the token is for, e.g. ci-bot (shown in the query history as api:NAME)"),
    scope: list[str] = typer.Option(..., "--scope", help="query | alerts:read (repeat for both)"),
    expires: str = typer.Option(None, "--expires", help="lifetime such as 30d or 12h (default: until revoked)"),
) -> None:
    """Issue a token; it is printed once, keep it in the caller's secret store."""
    from workbench.api.tokens import TokenError

    try:
        issued = _store().create(name, scope, expires)
    except TokenError as exc:
        raise fail(exc) from None
    info = issued.info
    until = info.expires_at.isoformat(timespec="seconds") if info.expires_at else "until revoked"
    typer.echo(issued.token)
    typer.echo(f"token '{info.name}' ({' '.join(info.scopes)}), valid {until}. It is shown only now: send it as "
               "`Authorization: Bearer <token>`.", err=True)


@token_app.command("list")
def list_tokens() -> None:
    """Every token: name, scopes, state, expiry, last use (never the token itself)."""
    tokens = _store().list()
    if not tokens:
        typer.echo("no API tokens; create one with `mantissa api token create NAME --scope query`")
        return
    typer.echo(f"{'name':<24} {'scopes':<20} {'state':<8} {'starts':<11} {'expires':<26} last used")
    for t in tokens:
        expires = t.expires_at.isoformat(timespec="seconds") if t.expires_at else "-"
        used = t.last_used_at.isoformat(timespec="seconds") if t.last_used_at else "never"
        typer.echo(f"{t.name:<24} {','.join(t.scopes):<20} {t.state():<8} {t.hint + '…':<11} {expires:<26} {used}")


@token_app.command("revoke")
def revoke(name: str = typer.Argument(..., help="the token's name (see `mantissa api token list`)")) -> None:
    """Revoke a token: the next request carrying it is answered 401."""
    from workbench.api.tokens import TokenError

    try:
        info = _store().revoke(name)
    except TokenError as exc:
        raise fail(exc) from None
    typer.echo(f"revoked '{info.name}'")
