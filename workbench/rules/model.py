"""The rule model: small frozen pydantic models built `from_dict` / `from_yaml` (pySigma habit).

A rule is one YAML file under `rules/aws/<table>/<id>.yaml`. Field conventions the runner relies
on (checked by `workbench.rules.lint`):

- `query` is Athena SQL over the log tables with no partition or time filter; the engine bounds
  every table reference by the run's window.
- Without `threshold`, every output row is a match. With `threshold`, output rows are events and
  the runner raises an alert when `count` of them (or `count` distinct values of the column
  `distinct`) fall within any sliding `window`, per combination of `group_by` columns.
- With `new_terms`, a row is a match only when the combination of its `fields` values was not seen
  in the `history` before it (first-seen state kept per rule; see `workbench.detect.newterms`).
- Dedup: matches with the same `dedup.keys` values within `dedup.period` (default 60m) make one
  alert. Default keys are `threshold.group_by`; a rule with neither has one alert per rule per
  period (Panther's default, the dedup string being the rule id).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from workbench.catalog import TABLES
from workbench.rules.issues import LintIssue
from workbench.rules.tags import normalize_tag
from workbench.rules.yamlsource import SourceMap, YamlSourceError, load_yaml
from workbench.timewindow import parse_duration

SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")
Severity = Literal["info", "low", "medium", "high", "critical"]
DEFAULT_DEDUP_PERIOD = timedelta(minutes=60)
ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"must be a duration with a unit like 5m, 1h or 1d, got {value!r}")
    duration = parse_duration(value)
    if duration <= timedelta(0):
        raise ValueError(f"must be a positive duration, got {value!r}")
    return duration


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"must be a positive integer, got {value!r}")
    return value


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"must be a whole number of alerts (0 or more), got {value!r}")
    return value


def _severity(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _columns(value: Any) -> Any:
    """A single column may be written without brackets; names compare lower-case as in Athena."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list | tuple):
        return tuple(v.strip().lower() if isinstance(v, str) else v for v in value)
    return value


Duration = Annotated[timedelta, BeforeValidator(_duration)]
Columns = Annotated[tuple[str, ...], BeforeValidator(_columns)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Threshold(_Frozen):
    count: Annotated[int, BeforeValidator(_positive_int)]
    window: Duration
    group_by: Columns = ()
    distinct: str | None = Field(None, description="count distinct values of this output column")

    @field_validator("distinct", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


class NewTerms(_Frozen):
    """Alert the first time a combination of output values appears (Elastic's new_terms, Datadog's
    New Value): `fields` are output columns; a term is new when unseen for `history` before it."""

    fields: Columns = Field(min_length=1, max_length=4)
    history: Duration = timedelta(days=14)
    # How much history the lake must hold before a term is called new (Datadog's "learning duration").
    # Default: all of `history`, so a workspace with a few days of logs learns instead of alerting on
    # everything; a lake that already holds the history alerts from the first run.
    learning: Duration | None = None
    @property
    def effective_learning(self) -> timedelta:
        return self.history if self.learning is None else self.learning

    alert_if: str | None = Field(None, description="an output column that must be true for a new term's "
                                 "row to alert; every row still teaches the state")

    @field_validator("alert_if", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("learning", mode="before")
    @classmethod
    def _zero_allowed(cls, value: Any) -> Any:
        return timedelta(0) if value in (0, "0", "0s", "0m", "0h", "0d") else value


class Dedup(_Frozen):
    keys: Columns | None = None
    period: Duration = DEFAULT_DEDUP_PERIOD


class AlertSpec(_Frozen):
    title: str = Field(min_length=1, description="template; {column} is replaced from the match")
    fields: Columns = ()


class Expect(_Frozen):
    count: Annotated[int, BeforeValidator(_count)]
    group_keys: tuple[dict[str, Any], ...] = ()
    titles: tuple[str, ...] = Field((), description="each must be the title of one alert")


class RuleTest(_Frozen):
    name: str = Field(min_length=1)
    # For new_terms rules: events seen before the test's events (learned, never alerted on).
    history: tuple[dict[str, Any], ...] = ()
    events: tuple[dict[str, Any], ...]
    expect: Expect
    # A tuning file's `allowlists:` / `automation:` for this test alone, in place of the
    # workspace's lists (so a test of "the IaC role stays quiet" holds whatever a team declares).
    tuning: dict[str, Any] | None = None


class Rule(_Frozen):
    id: str = Field(pattern=ID_PATTERN, description="slug, unique across the pack")
    title: str = Field(min_length=1)
    description: str = ""
    severity: Annotated[Severity, BeforeValidator(_severity)]
    enabled: bool = True
    tags: tuple[Annotated[str, BeforeValidator(normalize_tag)], ...] = ()
    runbook: str = ""
    query: str = Field(min_length=1)
    table: str | None = None
    threshold: Threshold | None = None
    new_terms: NewTerms | None = None
    dedup: Dedup | None = None
    alert: AlertSpec
    tests: tuple[RuleTest, ...] = ()
    # Where the rule came from; not settable from YAML (see RESERVED).
    source_path: Path | None = Field(None, exclude=True)
    source_line: int = Field(1, exclude=True)
    source_map: SourceMap | None = Field(None, exclude=True, repr=False)
    # The query as written, before tuning bound its allowlist placeholders (rule tests rebind it).
    query_template: str | None = Field(None, exclude=True, repr=False)

    @model_validator(mode="after")
    def _one_kind(self) -> Rule:
        if self.threshold is not None and self.new_terms is not None:
            raise ValueError("a rule has either threshold or new_terms, not both: a first-seen rule "
                             "alerts on one event; make a second rule for the burst")
        return self

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("table", mode="before")
    @classmethod
    def _table(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() not in TABLES:
            from workbench.registry import unknown_name_message

            raise ValueError(unknown_name_message("table", value, list(TABLES)))
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def effective_dedup(self) -> Dedup:
        """Dedup with its defaults filled in: keys from threshold.group_by, period 60m."""
        period = self.dedup.period if self.dedup else DEFAULT_DEDUP_PERIOD
        keys = self.dedup.keys if self.dedup and self.dedup.keys is not None else None
        if keys is None:
            keys = (self.threshold.group_by if self.threshold
                    else self.new_terms.fields if self.new_terms else ())
        return Dedup(keys=keys, period=period)

    def line_of(self, field: str) -> int:
        """The file line of `field` (e.g. `threshold.group_by[1]`), else of its nearest parent."""
        return self.source_map.line_of(field, self.source_line) if self.source_map else self.source_line

    def issue(self, field: str, message: str, level: Literal["error", "warning"] = "error",
              line: int | None = None) -> LintIssue:
        return LintIssue(self.source_path, line or self.line_of(field), self.id, field, message, level)

    @classmethod
    def from_dict(cls, data: Any, source: Path | str | None = None,
                  source_map: SourceMap | None = None) -> Rule:
        """Build a rule; RuleLoadError lists every problem with its line and field."""
        from workbench.rules.errors import validation_issues

        path = Path(source) if source is not None else None
        smap = source_map or SourceMap({}, {})
        line = smap.lines.get("", 1)
        if not isinstance(data, dict):
            kind = "empty" if data is None else f"a {type(data).__name__}"
            raise RuleLoadError([LintIssue(path, line, None, "", f"is {kind}; a rule is a mapping "
                                           "with id, title, severity, query and alert")])
        rule_id = data.get("id") if isinstance(data.get("id"), str) else None
        fields: dict[str, Any] = dict(data)
        reserved = [k for k in fields if k in RESERVED]
        if not fields.get("table"):
            fields["table"] = derive_table(path, fields.get("query"))
        try:
            if reserved:
                raise RuleLoadError([LintIssue(path, smap.line_of(k, line), rule_id, k,
                                               f"'{k}' is set by the loader, not in the file; remove it")
                                     for k in reserved])
            return cls.model_validate({**fields, "source_path": path, "source_line": line,
                                       "source_map": smap})
        except ValidationError as exc:
            raise RuleLoadError(validation_issues(exc, cls, path, smap, rule_id)) from None

    @classmethod
    def from_yaml(cls, path: Path | str) -> Rule:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RuleLoadError([LintIssue(path, 1, None, "", f"cannot read the file: {exc}")]) from None
        try:
            data, smap = load_yaml(text)
        except YamlSourceError as exc:
            raise RuleLoadError([LintIssue(path, exc.line, None, "", exc.message)]) from None
        return cls.from_dict(data, source=path, source_map=smap)


RESERVED = frozenset({"source_path", "source_line", "source_map", "query_template"})


class RuleLoadError(ValueError):
    """A rule that could not be built; `issues` holds every problem found in it."""

    def __init__(self, issues: list[LintIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(i.format() for i in issues))


def derive_table(path: Path | None, query: Any) -> str | None:
    """The folder's name when it is a log table (rules/aws/<table>/), else the query's first table."""
    if path is not None and path.parent.name.lower() in TABLES:
        return path.parent.name.lower()
    if isinstance(query, str):
        from workbench.rules.sqlcheck import catalog_tables

        found = catalog_tables(query)
        if found:
            return found[0]
    return None
