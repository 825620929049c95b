"""One redactor for every text that leaves the process or is stored: delivery errors, NL provider
errors in query history, executed notebooks, backups.

Upstream services echo what they were sent: a receiver answers `invalid path /services/T0/B0/xyz`
(no scheme, so no URL rule catches it), Jira's proxy repeats the `Authorization: Basic …` header
(base64 of user:token, not the token itself), an API gateway quotes the key. So a secret is known
to the redactor by every piece that can come back:

- the value itself; for a URL also its path (with and without the query), every token-like path
  segment, the values of secret-sounding query parameters and a password in the userinfo;
- for HTTP basic auth, `base64(user:secret)` (`add_basic`).

`known(text)` replaces only those pieces: it is safe on data (notebook outputs, alert exports),
where rewriting every URL would damage evidence. `scrub(text)` (query history errors) also
removes, by shape: `Basic/Bearer …` credentials, `Authorization:`-like headers, secret-sounding
query parameters, Anthropic/Slack token shapes. Calling the redactor (`redactor(text)`, for
delivery errors) also drops the path of every URL (a webhook URL's path is its credential; the
host alone says where it went).

`redactor_for(settings)` knows every secret the configuration can reach: values of every variable
it references (`${env:NAME}`, `secret_env: NAME`, `*_env: NAME` such as nl.api_key_env), literal
values under secret-sounding keys, and URLs that carry a credential.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:
    from workbench.config import Settings

URL = re.compile(r"\b([a-z][a-z0-9+.-]*://[^/\s'\"<>]+)(/[^\s'\"<>]*)?", re.IGNORECASE)
SECRET_KEY = re.compile(r"secret|passw|token|api_?key|private_?key|access_?key|credential|webhook|"
                        r"routing_?key|auth_?token|authorization|dsn|cookie|signature", re.IGNORECASE)
SECRET_PARAM = re.compile(r"token|sig|secret|key|pass|pwd|auth|credential|session|code|x-amz-", re.IGNORECASE)
# Hosts whose URL path is itself the credential (incoming webhooks): host suffix → path prefix.
WEBHOOK_PATHS = {"hooks.slack.com": "/", "webhook.office.com": "/", "outlook.office.com": "/webhook",
                 "discord.com": "/api/webhooks", "discordapp.com": "/api/webhooks",
                 "events.pagerduty.com": "/integration/"}
# A path segment that reads like a token: 20+ letters and digits, both present, no hyphen (so bucket
# and account names such as org-lake-111122223333 are not taken for one).
_TOKENISH = re.compile(r"(?=[A-Za-z0-9_]*\d)(?=[A-Za-z0-9_]*[A-Za-z])[A-Za-z0-9_]{20,}")
_ENV_REF = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")
_ENV_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MASK = "***"
MIN_SECRET = 6  # shorter values ("true", "443") would be replaced everywhere they occur

_SHAPES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(Basic|Bearer|Digest|Token)(\s+)[A-Za-z0-9+/=._~-]{6,}", re.IGNORECASE), rf"\1\2{MASK}"),
    (re.compile(r"\b((?:proxy-)?authorization|x-api-key|api[-_]?key|x-auth-token|(?:access[-_]?)?token|"
                r"client[-_]?secret|password|cookie)(\"?'?\s*[:=]\s*\"?'?)(?!(?:Basic|Bearer|Digest|Token)\b)"
                r"(?!\*\*\*)[^\s\"'&,;}]{4,}", re.IGNORECASE), rf"\1\2{MASK}"),
    (re.compile(r"([?&;][A-Za-z0-9_.-]*(?:token|sig|secret|key|pass|pwd|auth|credential|session|code)"
                r"[A-Za-z0-9_.-]*=)[^&\s#\"'<>]+", re.IGNORECASE), rf"\1{MASK}"),
    (re.compile(r"\bsk-ant-[A-Za-z0-9_-]{8,}"), f"sk-ant-{MASK}"),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{8,}"), f"xox-{MASK}"),
    (re.compile(r"/services/T[A-Z0-9]{4,}/B[A-Z0-9]{4,}/[A-Za-z0-9]{8,}"), f"/services/{MASK}"),
]


def url_carries_secret(url: str) -> bool:
    """Whether a URL holds a credential: a userinfo password, a secret-sounding query parameter
    (token, sig, X-Amz-Credential, X-Amz-Signature, api_key…), an incoming-webhook path (Slack,
    Teams, Discord, PagerDuty) or a long token-like path segment."""
    try:
        parts = urlsplit(url.strip())
        password = parts.password
        host = (parts.hostname or "").lower()
    except ValueError:
        return True  # malformed enough to confuse the parser: treat as secret, never echo it
    if not parts.scheme or not parts.netloc:
        return False
    if password:
        return True
    if any(SECRET_PARAM.search(name) for name, _ in parse_qsl(parts.query, keep_blank_values=True)):
        return True
    if parts.scheme.lower() not in ("http", "https"):
        return False  # s3://bucket/key and the like: a location, not a credential
    for suffix, prefix in WEBHOOK_PATHS.items():
        if (host == suffix or host.endswith("." + suffix)) and parts.path.startswith(prefix) and len(parts.path) > 1:
            return True
    return any(_TOKENISH.fullmatch(seg) for seg in parts.path.split("/"))


def text_carries_secret_url(text: str) -> bool:
    return any(url_carries_secret(m.group(0)) for m in URL.finditer(text))


def secret_pieces(secret: str) -> list[str]:
    """The secret and every piece of it an upstream service might echo back on its own."""
    pieces = [secret]
    match = URL.fullmatch(secret.strip())
    if match:
        try:
            parts = urlsplit(secret.strip())
        except ValueError:
            return pieces
        if parts.path not in ("", "/"):
            pieces.append(parts.path + (f"?{parts.query}" if parts.query else ""))
            pieces.append(parts.path)
            pieces += [seg for seg in parts.path.split("/") if _TOKENISH.fullmatch(seg)]
        if parts.query:
            pieces.append(parts.query)
            pieces += [v for k, v in parse_qsl(parts.query) if SECRET_PARAM.search(k)]
        if parts.password:
            pieces.append(parts.password)
    return [p for p in pieces if len(p) >= MIN_SECRET]


class Redactor:
    """Scrubs known secret values (and the pieces of them that get echoed) out of text."""

    def __init__(self, secrets: Iterable[str | None] | None = None) -> None:
        self.secrets: list[tuple[str, str]] = []
        for s in secrets or []:
            self.add(s)

    def _register(self, piece: str, replacement: str) -> None:
        if len(piece) < MIN_SECRET or any(piece == known for known, _ in self.secrets):
            return
        self.secrets.append((piece, replacement))
        self.secrets.sort(key=lambda pair: len(pair[0]), reverse=True)  # a URL before the token inside it

    def add(self, secret: str | None) -> None:
        if not secret or len(secret) < MIN_SECRET:
            return
        # A secret URL keeps its host in messages (where it went), never its path (the credential).
        url = URL.fullmatch(secret.strip())
        self._register(secret, url.group(1) + "/" + MASK if url else MASK)
        for piece in secret_pieces(secret)[1:]:
            self._register(piece, MASK)

    def add_basic(self, user: str | None, secret: str | None) -> None:
        """Logins send encodings, not the secret: HTTP basic base64(user:secret), SMTP AUTH PLAIN
        base64(\\0user\\0secret), AUTH LOGIN base64(secret). An echoed exchange shows those."""
        if user is None or not secret:
            return
        self.add(secret)
        for form in (f"{user}:{secret}", f"\0{user}\0{secret}", secret):
            self._register(base64.b64encode(form.encode()).decode(), MASK)

    def extend(self, other: Redactor) -> None:
        for piece, replacement in other.secrets:
            self._register(piece, replacement)

    def known(self, text: object) -> str:
        """Only the registered secrets replaced: for data, where other URLs and tokens are evidence."""
        out = str(text)
        for secret, replacement in self.secrets:
            if secret in out:
                out = out.replace(secret, replacement)
        return out

    def scrub(self, text: object) -> str:
        """Known secrets, and credentials recognised by shape (Basic/Bearer, Authorization-like
        headers, secret query parameters, API-key formats); other URLs are kept whole."""
        out = self.known(text)
        for pattern, replacement in _SHAPES:
            out = pattern.sub(replacement, out)
        return out

    def __call__(self, text: object) -> str:
        out = self.scrub(text)
        return URL.sub(lambda m: m.group(1) + ("/" + MASK if (m.group(2) or "/") != "/" else m.group(2) or ""), out)


# ---- what the configuration can reach --------------------------------------------------------------
def env_names(data: Any, key: str = "") -> set[str]:
    """Every environment variable a config refers to: `${env:NAME}` anywhere, `secret_env: NAME`
    and `*_env: NAME` keys (nl.api_key_env)."""
    if isinstance(data, Mapping):
        return {n for k, v in data.items() for n in env_names(v, str(k))}
    if isinstance(data, list | tuple):
        return {n for v in data for n in env_names(v, key)}
    if not isinstance(data, str):
        return set()
    found = set(_ENV_REF.findall(data))
    if key.endswith("_env") and _ENV_VAR.fullmatch(data):
        found.add(data)
    return found


def literal_secrets(data: Any, key: str = "") -> list[str]:
    """Literal strings the config holds under secret-sounding keys, or URLs carrying a credential."""
    if isinstance(data, Mapping):
        return [s for k, v in data.items() for s in literal_secrets(v, str(k))]
    if isinstance(data, list | tuple):
        return [s for v in data for s in literal_secrets(v, key)]
    if not isinstance(data, str) or key.endswith("_env") or key in ("secret_env", "secretsmanager"):
        return []  # variable names and Secrets Manager references name a secret, they are not one
    if data.startswith("secretsmanager:"):
        return []
    if SECRET_KEY.search(key) and not _ENV_REF.fullmatch(data.strip()):
        return [data]
    return [m.group(0) for m in URL.finditer(data) if url_carries_secret(m.group(0))]


def redactor_for(settings: Settings | None = None, environ: Mapping[str, str] | None = None) -> Redactor:
    """A redactor that knows every secret the configuration reaches (see the module docstring)."""
    environ = os.environ if environ is None else environ
    redactor = Redactor()
    if settings is None:
        return redactor
    config = settings.model_dump(mode="json")
    for name in sorted(env_names(config)):
        redactor.add(environ.get(name))
    for value in literal_secrets(config):
        redactor.add(value)
    for dest in settings.routing.destinations.values():
        user = dest.get("user") or dest.get("username")
        if isinstance(user, str):
            for field in ("api_token", "password", "secret_env"):
                ref = dest.get(field)
                for name in env_names({field: ref} if field == "secret_env" else ref):
                    redactor.add_basic(user, environ.get(name))
    return redactor
