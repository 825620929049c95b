"""One settings object: `mantissa.yaml` at the workspace root, overridden by `MANTISSA_*` variables.

No file is needed for the embedded default. Nested keys are reached from the environment with a
double underscore: `MANTISSA_ATHENA__WORKGROUP=primary` sets `athena.workgroup`.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

CONFIG_FILE = "mantissa.yaml"
ENV_PREFIX = "MANTISSA_"


class ConfigError(ValueError):
    """A config file or variable that cannot be used; the message names the file and key."""


# A source is where Athena reads a log table: the Parquet lake, or the logs as AWS delivers them.
SOURCES = ("lake", "raw")
# The VPC flow log fields the synth writes (the v5 custom format); a default format (v2, 14 fields) is its
# prefix, so a team on the default format reads correctly with it (the other columns are NULL).
VPC_FLOW_V5_FIELDS = (
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "
    "log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id "
    "sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path"
).split()


def _s3_uri(value: str | None, key: str) -> str | None:
    if value is not None and not value.startswith("s3://"):
        raise ValueError(f"{key} must be an s3:// URI (the folder holding AWSLogs/), got {value!r}")
    return value


class RawCloudTrailSettings(BaseModel):
    """Where the trail delivers: the bucket folder holding `AWSLogs/` (default: athena.raw.location)."""

    model_config = ConfigDict(extra="forbid")

    location: str | None = Field(None, description="s3://bucket/[prefix/] holding AWSLogs/; default raw.location")

    @field_validator("location")
    @classmethod
    def _location(cls, value: str | None) -> str | None:
        return _s3_uri(value, "athena.raw.cloudtrail.location")


class RawVpcFlowSettings(BaseModel):
    """How the flow logs are delivered: file format, Hive-compatible prefixes, hourly partitions, fields."""

    model_config = ConfigDict(extra="forbid")

    location: str | None = Field(None, description="s3://bucket/[prefix/] holding AWSLogs/; default raw.location")
    format: Literal["text", "parquet"] = "text"
    hive: bool = Field(False, description="Hive-compatible prefixes (aws-account-id=…/year=…/)")
    hourly: bool = Field(False, description="hourly partitions (…/DD/HH/ or …/hour=HH/)")
    fields: list[str] = Field(default_factory=lambda: list(VPC_FLOW_V5_FIELDS),
                              description="the flow log's LogFormat fields in order (text files)")

    @field_validator("location")
    @classmethod
    def _location(cls, value: str | None) -> str | None:
        return _s3_uri(value, "athena.raw.vpc_flow.location")

    @field_validator("fields", mode="before")
    @classmethod
    def _log_format(cls, value: Any) -> Any:
        # The flow log's LogFormat pasted as is: '${version} ${account-id} …'
        return value.split() if isinstance(value, str) else value

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: list[str]) -> list[str]:
        from workbench.catalog import VPC_FLOW

        known = set(VPC_FLOW.column_names)
        names = [f.strip().strip("${}").replace("-", "_") for f in value]
        unknown = [f for f in names if f not in known]
        if unknown:
            raise ValueError(f"unknown VPC flow log field(s) {', '.join(unknown)}: list the fields of the flow "
                             "log's LogFormat, e.g. version account-id interface-id srcaddr …")
        if len(set(names)) != len(names):
            raise ValueError("a VPC flow log field is listed twice")
        return [n.replace("_", "-") for n in names]


class RawGuardDutySettings(BaseModel):
    """Where GuardDuty exports findings (its S3 publishing destination)."""

    model_config = ConfigDict(extra="forbid")

    location: str | None = Field(None, description="s3://bucket/[prefix/] holding AWSLogs/; default raw.location")

    @field_validator("location")
    @classmethod
    def _location(cls, value: str | None) -> str | None:
        return _s3_uri(value, "athena.raw.guardduty.location")


class RawSettings(BaseModel):
    """The logs where AWS delivers them: the partition projection's accounts, regions and first day."""

    model_config = ConfigDict(extra="forbid")

    location: str | None = Field(None, description="s3://bucket/[prefix/] holding AWSLogs/")
    org_id: str | None = Field(None, description="o-… for an organisation trail (AWSLogs/o-…/<account>/…)")
    accounts: list[str] = Field(default_factory=list, description="account ids, 12 digits each")
    regions: list[str] = Field(default_factory=list, description="regions the logs come from")
    start: date | None = Field(None, description="first day of logs, YYYY-MM-DD; partitions run to today")
    cloudtrail: RawCloudTrailSettings = Field(default_factory=RawCloudTrailSettings)
    vpc_flow: RawVpcFlowSettings = Field(default_factory=RawVpcFlowSettings)
    guardduty: RawGuardDutySettings = Field(default_factory=RawGuardDutySettings)

    @field_validator("location")
    @classmethod
    def _location(cls, value: str | None) -> str | None:
        return _s3_uri(value, "athena.raw.location")

    @field_validator("org_id")
    @classmethod
    def _org(cls, value: str | None) -> str | None:
        import re

        if value is not None and not re.fullmatch(r"o-[a-z0-9]{10,32}", value):
            raise ValueError(f"{value!r} is not an organisation id: it looks like o-a1b2c3d4e5 "
                             "(aws organizations describe-organization)")
        return value

    @field_validator("accounts", mode="before")
    @classmethod
    def _accounts(cls, value: Any) -> Any:
        import re

        if isinstance(value, list):
            # YAML reads an unquoted id as a number: fine with 12 digits, but a leading zero is lost (or the
            # id read as octal), so those must be quoted.
            value = [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
            bad = [str(v) for v in value if not isinstance(v, str) or not re.fullmatch(r"\d{12}", v)]
            if bad:
                raise ValueError(f"not 12-digit account ids: {', '.join(bad)} (quote them in YAML)")
            if len(set(value)) != len(value):
                raise ValueError("an account id is listed twice")
        return value

    @field_validator("regions")
    @classmethod
    def _regions(cls, value: list[str]) -> list[str]:
        import re

        bad = [r for r in value if not re.fullmatch(r"[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d", r)]
        if bad:
            raise ValueError(f"not AWS region names: {', '.join(bad)} (e.g. eu-west-1)")
        return value

    def location_of(self, table: str) -> str | None:
        """The s3:// folder holding AWSLogs/ for a table: its own location, else the shared one."""
        own: str | None = getattr(self, table).location
        return own or self.location

    def problems(self, table: str) -> list[str]:
        """What is missing before a raw table over `table` can be created, each naming its key."""
        out = []
        if not self.location_of(table):
            out.append(f"athena.raw.location (or athena.raw.{table}.location) is unset: give the s3:// folder "
                       "holding AWSLogs/")
        if not self.accounts:
            out.append("athena.raw.accounts is empty: list the account ids whose logs are delivered there")
        if not self.regions:
            out.append("athena.raw.regions is empty: list the regions the logs come from")
        if self.start is None:
            out.append("athena.raw.start is unset: give the first day of logs, YYYY-MM-DD")
        return out


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
    # Execution (workbench/engines/athenarun.py). Athena's account quota on active DML queries is
    # 20-25 per region by default and shared by everyone in the account, so a run keeps well under it.
    max_concurrent: int = Field(5, ge=1, le=50, description="statements one run keeps in flight on Athena")
    statement_timeout: str = Field(
        "5m", description="a statement running longer is stopped (StopQueryExecution); query_timeout also applies")
    run_scan_budget_bytes: int | None = Field(
        None, ge=0, description="billed bytes one run may scan; further statements are not submitted once spent")

    @field_validator("statement_timeout")
    @classmethod
    def _timeout(cls, value: str) -> str:
        from workbench.timewindow import parse_duration

        parse_duration(value)
        return value

    source: dict[str, str] = Field(
        default_factory=lambda: dict.fromkeys(("cloudtrail", "vpc_flow", "guardduty"), "lake"),
        description="lake | raw, or per table ({cloudtrail: raw, vpc_flow: lake}); unnamed tables: lake")
    raw: RawSettings = Field(default_factory=RawSettings)

    @field_validator("source", mode="before")
    @classmethod
    def _source(cls, value: Any) -> dict[str, str]:
        from workbench.catalog import TABLES

        if value is None:
            value = "lake"
        if isinstance(value, str):
            value = dict.fromkeys(TABLES, value)
        if not isinstance(value, dict):
            raise ValueError("give lake, raw, or a mapping of table to lake|raw")
        unknown = [t for t in value if t not in TABLES]
        if unknown:
            raise ValueError(f"unknown table(s) {', '.join(map(str, unknown))} (known: {', '.join(TABLES)})")
        bad = {t: s for t, s in value.items() if s not in SOURCES}
        if bad:
            raise ValueError(", ".join(f"{t}: {s!r} is not a source" for t, s in bad.items())
                             + " (give lake or raw)")
        return {t: value.get(t, "lake") for t in TABLES}

    @model_validator(mode="after")
    def _raw_complete(self) -> AthenaSettings:
        problems = [p for t, s in self.source.items() if s == "raw" for p in self.raw.problems(t)]
        if problems:
            raise ValueError("athena.source reads raw logs but " + "; ".join(dict.fromkeys(problems)))
        return self

    def raw_tables(self) -> list[str]:
        return [t for t, s in self.source.items() if s == "raw"]


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
    behind_refresh: bool = Field(False, description="scheduled windows only up to the hours the lake refresh has "
                                 "published (with lookback 0m: each window is read once, after it settled)")
    max_catchup_windows: int = Field(96, ge=1, description="windows one run catches up after downtime")


class RefreshSettings(BaseModel):
    """`mantissa lake refresh`: raw tables → the partitioned Parquet lake, inside Athena, by hour."""

    model_config = ConfigDict(extra="forbid")

    source_database: str = Field("mantissa_raw", description="Athena database of the raw-log tables it reads")
    tables: list[str] = Field(default_factory=lambda: ["cloudtrail"], description="tables it refreshes")
    settle: str = Field("20m", description="an hour is refreshed once this long has passed after its end")
    first_run: str = Field("24h", description="with no checkpoint yet, the scheduled refresh starts this far back")
    redo: str = Field("2h", description="refreshed hours the scheduled run does again beside new ones, for "
                      "late deliveries (same day: no more raw data read)")
    staging_location: str | None = Field(None, description="s3:// prefix for staged files; "
                                         "default <athena.lake_location>_refresh/")
    batch_hours: int = Field(8, ge=1, le=8, description="hours per CTAS (8 = 96 slot partitions, Athena allows 100)")

    @field_validator("settle", "first_run", "redo")
    @classmethod
    def _duration(cls, value: str) -> str:
        from workbench.timewindow import parse_duration

        parse_duration(value)
        return value


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
    refresh: RefreshSettings = Field(default_factory=RefreshSettings)
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
