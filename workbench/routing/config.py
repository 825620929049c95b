"""The `routing:` section of mantissa.yaml: checked when settings load, built when routing starts.

    routing:
      base_url: https://workbench.example.com/        # links to reports/investigations/<id>.html
      destinations:
        slack-sec: {type: slack, webhook_url: "${env:SLACK_WEBHOOK_URL}", min_severity: medium}
        pager:     {type: pagerduty, secret_env: PD_ROUTING_KEY}
        trail:     {type: jsonl, path: state/deliveries.jsonl}
      routes:
        - match: {min_severity: high}                  # severity | min_severity | rule_id | tags | account
          to: [pager, slack-sec]
        - match: {rule_id: "aws.iam.*", account: ["111122223333"]}
          to: slack-sec
        - to: trail                                    # no match: every alert

An alert goes to the union of the destinations of every route it matches (no routes at all: every
destination), each filtered by that destination's `min_severity` and `events`.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from workbench.alerts.model import Alert, Severity
from workbench.registry import UnknownPluginError, unknown_name_message
from workbench.routing.destinations import DESTINATIONS, Destination, DestinationConfig
from workbench.routing.secrets import ENV_REF, SM_PREFIX, check_reference, is_reference

if TYPE_CHECKING:
    from workbench.config import RoutingSettings


def _listify(value: Any) -> Any:
    return [value] if isinstance(value, str | int) else value


class Match(BaseModel):
    """Every given condition must hold; a list means any of its values (globs allowed for ids/tags)."""

    model_config = ConfigDict(extra="forbid")

    severity: list[Severity] | None = None
    min_severity: Severity | None = None
    rule_id: list[str] | None = None
    tags: list[str] | None = None
    account: list[str] | None = None

    _lists = field_validator("severity", "rule_id", "tags", "account", mode="before")(_listify)

    @field_validator("account", mode="before")
    @classmethod
    def _accounts_are_text(cls, value: Any) -> Any:
        # YAML reads 111122223333 as a number; account ids are compared as text.
        return [str(v) for v in _listify(value)] if isinstance(value, list | str | int) else value

    def matches(self, alert: Alert) -> bool:
        if self.severity is not None and alert.severity not in self.severity:
            return False
        if self.min_severity is not None and alert.severity < self.min_severity:
            return False
        if self.rule_id is not None and not any(fnmatch.fnmatchcase(alert.rule_id, p) for p in self.rule_id):
            return False
        if self.tags is not None and not any(fnmatch.fnmatch(t.lower(), p.lower())
                                             for t in alert.tags for p in self.tags):
            return False
        return self.account is None or (alert.account or "") in self.account


class Route(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    match: Match = Field(default_factory=Match)
    to: list[str] = Field(min_length=1, description="destination names")

    _to = field_validator("to", mode="before")(_listify)


def _pydantic_problems(prefix: str, exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling against the README's routing section)"
        out.append(f"{prefix}.{loc}: {msg}" if loc else f"{prefix}: {msg}")
    return out


def _loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(value: str, secret: bool) -> str | None:
    """The problem with a destination URL, or None. Never repeats the URL (it may be a secret)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https"):
        shown = f"'{parts.scheme}'" if parts.scheme else "none"
        return f"URL scheme {shown} cannot be delivered to; use https://"
    if not parts.netloc:
        return "URL has no host"
    if parts.scheme == "http" and secret and not _loopback(parts.hostname):
        return "URL carries a secret over plain http; use https:// (http is allowed only to 127.0.0.1/localhost)"
    return None


def parse_destination(name: str, raw: Any, environ: Mapping[str, str]) -> tuple[
        type[Destination] | None, DestinationConfig | None, list[str]]:
    """The destination's class and validated config, and every problem found (keys named)."""
    key = f"routing.destinations.{name}"
    if not isinstance(raw, Mapping):
        return None, None, [f"{key}: expected a mapping with at least `type`"]
    kind = raw.get("type")
    if not kind:
        return None, None, [f"{key}.type: missing (one of {', '.join(DESTINATIONS.names())})"]
    try:
        cls = DESTINATIONS.get(str(kind))
    except UnknownPluginError as exc:
        return None, None, [f"{key}.type: {exc}"]
    data = dict(raw)
    if data.get("secret_env") and cls.main_secret and data.get(cls.main_secret) is None:
        data[cls.main_secret] = {"secret_env": data["secret_env"]}
    try:
        cfg = cls.Config.model_validate(data)
    except ValidationError as exc:
        return cls, None, _pydantic_problems(key, exc)
    problems = []
    for field in cls.secret_fields:
        value = getattr(cfg, field)
        if value is None:
            if cls.secret_required(cfg, field):
                problems.append(f"{key}.{field}: missing; give a reference such as "
                                f"{field}: ${{env:{name.upper().replace('-', '_')}_{field.upper()}}}")
            continue
        if problem := check_reference(value, environ):
            problems.append(f"{key}.{field}: {problem}")
    problems += header_problems(key, getattr(cfg, "headers", None), environ)
    for field in cls.url_fields:
        value = getattr(cfg, field)
        if value is None:
            continue
        text = _env_value(value, environ)
        if text is None:
            continue  # a Secrets Manager reference: its scheme is checked when routing starts
        if problem := check_url(text, secret=field in cls.secret_fields or is_reference(value)):
            problems.append(f"{key}.{field}: {problem}")
    return cls, cfg, problems


# Header names whose value is a credential; any header whose literal value reads like one counts too.
_CREDENTIAL_HEADER = re.compile(r"^(proxy-)?authorization$|cookie|api[-_]?key|auth[-_]?token|access[-_]?token|"
                                r"secret|passw|signature|session", re.IGNORECASE)
_CREDENTIAL_VALUE = re.compile(r"^\s*(basic|bearer|digest|token)\s+\S", re.IGNORECASE)


def header_problems(key: str, headers: Any, environ: Mapping[str, str]) -> list[str]:
    """A literal credential in `headers` (Authorization, Cookie, X-Api-Key…) is refused as every
    literal secret is: config files are committed and notebooks archived. A reference is fine."""
    problems: list[str] = []
    for name, value in (headers or {}).items():
        where = f"{key}.headers.{name}"
        if is_reference(value):
            if problem := check_reference(value, environ):
                problems.append(f"{where}: {problem}")
        elif not isinstance(value, str):
            problems.append(f"{where}: expected text or a secret reference, got {type(value).__name__}")
        elif _CREDENTIAL_HEADER.search(str(name)) or _CREDENTIAL_VALUE.match(value):
            env = re.sub(r"[^A-Z0-9]+", "_", f"{key.rsplit('.', 1)[-1]}_{name}".upper()).strip("_")
            problems.append(f"{where}: a literal credential is refused; use a reference such as "
                            f"{{secret_env: {env}}} or \"${{env:{env}}}\" and export {env}")
    return problems


def _env_value(value: Any, environ: Mapping[str, str]) -> str | None:
    if isinstance(value, Mapping):
        value = f"${{env:{value['secret_env']}}}" if "secret_env" in value else SM_PREFIX
    if not isinstance(value, str) or value.startswith(SM_PREFIX):
        return None
    if any(not environ.get(n) for n in ENV_REF.findall(value)):
        return None  # reported as a missing variable already
    return ENV_REF.sub(lambda m: environ[m.group(1)], value)


def parse_routes(routing: RoutingSettings, names: set[str]) -> tuple[list[Route], list[str]]:
    routes, problems = [], []
    for i, raw in enumerate(routing.routes):
        label = f"routing.routes[{i}]"
        try:
            route = Route.model_validate(raw)
        except ValidationError as exc:
            problems += _pydantic_problems(label, exc)
            continue
        for target in route.to:
            if target not in names:
                problems.append(f"{label}.to: {unknown_name_message('destination', target, names)}"
                                " — define it under routing.destinations")
        routes.append(route)
    return routes, problems


def check_routing(routing: RoutingSettings, environ: Mapping[str, str]) -> list[str]:
    """Every problem in the routing section, each naming its key; empty when it is usable."""
    from workbench.timewindow import parse_duration

    problems: list[str] = []
    for name, raw in routing.destinations.items():
        problems += parse_destination(name, raw, environ)[2]
    problems += parse_routes(routing, set(routing.destinations))[1]
    if routing.base_url and (problem := check_url(routing.base_url, secret=False)):
        problems.append(f"routing.base_url: {problem}")
    try:
        parse_duration(routing.max_age)
    except ValueError as exc:
        problems.append(f"routing.max_age: {exc}")
    return problems
