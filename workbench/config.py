"""One settings object: `mantissa.yaml` at the workspace root, overridden by `MANTISSA_*` variables.

No file is needed for the embedded default. Nested keys are reached from the environment with a
double underscore: `MANTISSA_ATHENA__WORKGROUP=primary` sets `athena.workgroup`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

CONFIG_FILE = "mantissa.yaml"
ENV_PREFIX = "MANTISSA_"


class ConfigError(ValueError):
    """A config file or variable that cannot be used; the message names the file and key."""


class AthenaSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    database: str = "mantissa"
    workgroup: str = "primary"
    output_location: str | None = Field(None, description="s3://bucket/prefix/ for query results")
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = Field(None, description="only for tests against a local AWS stand-in")
    lake_location: str | None = Field(None, description="s3://bucket/prefix/ where the Parquet lake lives")
    poll_interval: float = 0.5


class StoreSettings(BaseModel):
    """Where alert state lives: `sqlite` (a file under state/) or `dynamodb` (one table per prefix)."""

    model_config = ConfigDict(extra="forbid")

    backend: str = "sqlite"
    table_prefix: str = Field("mantissa-", description="DynamoDB table names start with this")
    endpoint_url: str | None = Field(None, description="only for tests against a local AWS stand-in")
    region: str | None = None


class DetectionSettings(BaseModel):
    """How scheduled detection walks time: window size, re-read overlap, catch-up bound."""

    model_config = ConfigDict(extra="forbid")

    interval: str = Field("15m", description="the scheduled window; the detect job runs this often")
    lookback: str = Field("15m", description="overlap re-read before each window (CloudTrail delivery delay)")
    max_catchup_windows: int = Field(96, ge=1, description="windows one run catches up after downtime")


class NLSettings(BaseModel):
    """English → SQL: which provider answers, and how the Anthropic one is reached."""

    model_config = ConfigDict(extra="forbid")

    provider: str | None = Field(None, description="anthropic | offline; unset: anthropic when a key is set")
    model: str = "claude-sonnet-4-5"
    api_key_env: str = Field("ANTHROPIC_API_KEY", description="environment variable holding the API key")
    base_url: str | None = Field(None, description="Messages API endpoint; only for proxies and tests")
    max_repairs: int = Field(2, ge=0, le=5, description="times a rejected query goes back to the model")
    timeout_s: float = 60.0


class GuardSettings(BaseModel):
    """Limits on generated and interactive SQL (the guard in workbench.sqlguard)."""

    model_config = ConfigDict(extra="forbid")

    max_limit: int = Field(100_000, ge=1, description="LIMIT cap on any guarded query")
    scan_budget_bytes: int = Field(
        10 * 1024**3, ge=0, description="local engine: refuse a query whose window selects more Parquet bytes"
    )
    max_window: str = Field("366d", description="longest window a hunting query may read, guarded or --unsafe")


class LocalEngineSettings(BaseModel):
    """The embedded DuckDB engine's sandbox: what one query may use of the machine."""

    model_config = ConfigDict(extra="forbid")

    memory_limit: str = Field("4GB", description="DuckDB memory_limit; a query needing more fails alone")
    threads: int | None = Field(None, ge=1, le=256, description="DuckDB worker threads; unset: one per core")


class RoutingSettings(BaseModel):
    """Alert routing: named destinations and the routes that pick them (checked by workbench.routing
    when the settings load, so a bad destination fails here, not at the first alert)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    base_url: str | None = Field(None, description="where reports/investigations/<alert id>.html is served")
    max_attempts: int = Field(6, ge=1, le=100, description="attempts before a delivery is parked")
    backoff_initial_s: float = Field(5.0, ge=0, description="first retry delay; doubles each attempt")
    backoff_max_s: float = Field(600.0, ge=0, description="longest retry delay")
    send_budget_s: float = Field(60.0, ge=0, description="time one detection run spends retrying deliveries")
    timeout_s: float = Field(10.0, gt=0, description="per request to a destination")
    max_age: str = Field("24h", description="alerts unchanged for longer are not announced when routing starts")
    destinations: dict[str, dict[str, Any]] = Field(default_factory=dict)
    routes: list[dict[str, Any]] = Field(default_factory=list)


class CostSettings(BaseModel):
    """Spend on queries: a daily budget whose crossing raises the `mantissa-cost-budget` alert."""

    model_config = ConfigDict(extra="forbid")

    daily_budget_usd: float | None = Field(
        None, ge=0, description="detection + hunting query cost per UTC day; unset: no budget alert")


class ReportSettings(BaseModel):
    """The daily/weekly/monthly reports (workbench.reports)."""

    model_config = ConfigDict(extra="forbid")

    post_to: list[str] | None = Field(
        None, description="destinations `mantissa report ... --post` tells; unset: every routing destination")
    false_positive_rate: float = Field(
        0.5, ge=0, le=1, description="rules at or above this false-positive rate get a backtest threshold suggestion")


class RespondSettings(BaseModel):
    """Containment across accounts: the role `workbench.respond` assumes in an alert's account."""

    model_config = ConfigDict(extra="forbid")

    role_name: str = Field("MantissaResponder", description="created in each member account, trusting this one")
    external_id: str | None = Field(None, description="the ExternalId the role's trust policy requires")
    endpoint_url: str | None = Field(None, description="only for tests against a local AWS stand-in")


class MetricsSettings(BaseModel):
    """Operational metrics for CloudWatch (workbench.metrics); off unless enabled."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    publisher: str = Field("emf", description="emf (Embedded Metric Format lines) | cloudwatch (PutMetricData)")
    namespace: str = "Mantissa"
    dimensions: dict[str, str] = Field(default_factory=dict, description="added to every metric, e.g. Workspace")
    emf_path: str = Field("state/metrics.emf.jsonl", description="where EMF lines go; '-' for standard output")
    region: str | None = None
    endpoint_url: str | None = Field(None, description="only for tests against a local AWS stand-in")


class DoctorSettings(BaseModel):
    """What `mantissa doctor` expects of each log source (see workbench/doctor/freshness.py)."""

    model_config = ConfigDict(extra="forbid")

    freshness: dict[str, str] = Field(
        default_factory=lambda: {"cloudtrail": "1h", "vpc_flow": "2h", "guardduty": "7d"},
        description="the newest event's greatest healthy age per table; GuardDuty's only annotates, never fails")
    guardduty_regions: list[str] = Field(
        default_factory=list, description="regions whose GuardDuty detector doctor checks is enabled (AWS API)")
    endpoint_url: str | None = Field(None, description="only for tests against a local AWS stand-in")

    @field_validator("freshness")
    @classmethod
    def _durations(cls, value: dict[str, str]) -> dict[str, str]:
        from workbench.catalog import TABLES
        from workbench.timewindow import parse_duration

        for table, age in value.items():
            if table not in TABLES:
                raise ValueError(f"unknown table '{table}' (known: {', '.join(TABLES)})")
            parse_duration(age)
        return value


class ApiSettings(BaseModel):
    """The query API served by Jupyter (`/mantissa/api/`, workbench/api): its limits per caller."""

    model_config = ConfigDict(extra="forbid")

    requests_per_minute: int = Field(60, ge=1, description="requests one identity may make per minute")
    bytes_per_day: int = Field(1024**4, ge=1, description="bytes one identity's queries may scan per UTC day")
    max_body_bytes: int = Field(64 * 1024, ge=256, le=16 * 1024**2, description="largest request body accepted")
    max_rows: int = Field(10_000, ge=1, description="rows one answer carries at most; more sets truncated")
    max_result_bytes: int = Field(8 * 1024**2, ge=1024, description="JSON bytes of rows one answer carries at most")
    query_timeout: str = Field("60s", description="an API query running longer is stopped and answered 504")
    workers: int = Field(4, ge=1, le=64, description="queries the server runs at once (threads)")

    @field_validator("query_timeout")
    @classmethod
    def _timeout(cls, value: str) -> str:
        from workbench.timewindow import parse_duration

        parse_duration(value)
        return value


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workspace: Path = Field(default_factory=Path.cwd)
    engine: str = "local"
    lake_path: Path = Path("lake")
    quarantine_keep: int = Field(100, ge=0, description="bad records of one ingested object whose raw text is "
                                 "kept in lake/_quarantine; the rest are only counted")
    # Top level, not a section: `MANTISSA_S3_ENDPOINT_URL` is the variable people (and lake/sources.py) use.
    s3_endpoint_url: str | None = Field(None, description="S3 endpoint for ingest; only for a local AWS stand-in")
    s3_lookback: str = Field("1h", description="S3 ingest re-lists each stream from the UTC day holding its "
                             "watermark minus this, for late deliveries")
    s3_parallel: int = Field(8, ge=1, le=64, description="S3 listings and downloads one ingest runs at a time")
    state_path: Path = Path("state")
    runs_path: Path = Field(Path("runs"), description="executed playbooks, archived as the audit record")
    rules_paths: list[Path] = Field(default_factory=list)
    hunts_paths: list[Path] = Field(default_factory=list)
    default_window: str = "24h"
    row_limit: int = 10_000
    query_timeout: str = Field("10m", description="a query running longer is stopped and reported as failed")
    price_per_tb_usd: float = 5.0
    athena: AthenaSettings = Field(default_factory=AthenaSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    detection: DetectionSettings = Field(default_factory=DetectionSettings)
    nl: NLSettings = Field(default_factory=NLSettings)
    guard: GuardSettings = Field(default_factory=GuardSettings)
    local: LocalEngineSettings = Field(default_factory=LocalEngineSettings)
    routing: RoutingSettings = Field(default_factory=RoutingSettings)
    cost: CostSettings = Field(default_factory=CostSettings)
    reports: ReportSettings = Field(default_factory=ReportSettings)
    doctor: DoctorSettings = Field(default_factory=DoctorSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    respond: RespondSettings = Field(default_factory=RespondSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)

    def resolve(self, path: Path) -> Path:
        """A path from config, taken relative to the workspace unless absolute."""
        path = Path(os.path.expanduser(str(path)))
        return path if path.is_absolute() else self.workspace / path

    @field_validator("s3_lookback")
    @classmethod
    def _lookback(cls, value: str) -> str:
        from workbench.timewindow import parse_duration

        parse_duration(value)
        return value

    @property
    def lake(self) -> Path:
        return self.resolve(self.lake_path)

    @property
    def state(self) -> Path:
        return self.resolve(self.state_path)

    @property
    def runs(self) -> Path:
        return self.resolve(self.runs_path)


def find_workspace(start: Path | None = None) -> Path:
    """The nearest folder holding `mantissa.yaml`, else `MANTISSA_WORKSPACE`, else the current folder."""
    if env := os.environ.get(f"{ENV_PREFIX}WORKSPACE"):
        return Path(env).expanduser().resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return here


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or key == f"{ENV_PREFIX}WORKSPACE":
            continue
        path = key[len(ENV_PREFIX):].lower().split("__")
        node = overrides
        for part in path[:-1]:
            node = node.setdefault(part, {})
        # YAML parsing lets "10", "true" and "[a, b]" arrive typed, as they would from the file.
        node[path[-1]] = yaml.safe_load(value) if value != "" else None
    return overrides


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_settings(workspace: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    environ = dict(os.environ if environ is None else environ)
    root = Path(workspace).resolve() if workspace else find_workspace()
    config_path = root / CONFIG_FILE
    data: dict[str, Any] = {}
    if config_path.is_file():
        try:
            data = yaml.safe_load(config_path.read_text()) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{config_path}: not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise ConfigError(f"{config_path}: expected a mapping of settings at the top level")
    data = _merge(data, _env_overrides(environ))
    data["workspace"] = root
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        source = config_path if config_path.is_file() else "environment"
        raise ConfigError(
            f"{source}: invalid settings — {problems} "
            f"(set them in {CONFIG_FILE} or as {ENV_PREFIX}<KEY> variables)"
        ) from exc
    if settings.routing.destinations or settings.routing.routes:
        # Routing validates its own section (destination types, secrets, URL schemes) with its registry.
        from workbench.routing.config import check_routing

        problems_found = check_routing(settings.routing, environ)
        if problems_found:
            source = config_path if config_path.is_file() else "environment"
            raise ConfigError(f"{source}: " + "; ".join(problems_found))
    return settings
