"""The double's Glue catalog: databases, tables (columns, partitions, storage, projection), views.

Partition projection follows Athena's documented table properties: `projection.enabled`,
`projection.<col>.type` enum / integer / date / injected, `.values`, `.range` (dates may say
`NOW`, `NOW-3DAYS` …), `.digits`, `.format` (Java date pattern), `.interval` / `.interval.unit`,
and `storage.location.template` with `${col}` placeholders. Without a template a partition lives
at `<location>/<col>=<value>/…`, Hive style.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field

from sqlglot import exp

# Java date-pattern letters → (strftime directive, regex) for the ones log layouts use.
_JAVA_DATE = {"yyyy": ("%Y", r"\d{4}"), "MM": ("%m", r"\d{2}"), "dd": ("%d", r"\d{2}"),
              "HH": ("%H", r"\d{2}"), "mm": ("%M", r"\d{2}"), "ss": ("%S", r"\d{2}")}
_JAVA_TOKEN = re.compile("|".join(sorted(_JAVA_DATE, key=len, reverse=True)))
_NOW = re.compile(r"^NOW(?:\s*([+-])\s*(\d+)\s*(YEAR|MONTH|WEEK|DAY|HOUR|MINUTE|SECOND)S?)?$", re.IGNORECASE)


class CatalogError(Exception):
    """A statement names something the catalog does not hold; the text is Athena's message."""


def _java_parts(pattern: str) -> list[tuple[bool, str]]:
    """(is_literal, text) pieces: DateTimeFormatter quotes literal text ('year='yyyy), '' is a quote."""
    parts = re.split(r"('(?:[^']|'')*')", pattern)
    return [(True, p[1:-1].replace("''", "'")) if p.startswith("'") and len(p) > 1 else (False, p)
            for p in parts if p]


def java_to_strftime(pattern: str) -> str:
    return "".join(text.replace("%", "%%") if literal else
                   _JAVA_TOKEN.sub(lambda m: _JAVA_DATE[m.group(0)][0], text)
                   for literal, text in _java_parts(pattern))


def java_to_regex(pattern: str) -> str:
    out = []
    for literal, text in _java_parts(pattern):
        if literal:
            out.append(re.escape(text))
            continue
        last = 0
        for match in _JAVA_TOKEN.finditer(text):
            out.append(re.escape(text[last:match.start()]))
            out.append(_JAVA_DATE[match.group(0)][1])
            last = match.end()
        out.append(re.escape(text[last:]))
    return "".join(out)


def _resolve_date(text: str, fmt: str, now: dt.datetime) -> dt.datetime:
    match = _NOW.match(text.strip())
    if not match:
        return dt.datetime.strptime(text.strip(), java_to_strftime(fmt))
    sign, amount, unit = match.groups()
    if not sign:
        return now
    amount_i = int(amount) * (1 if sign == "+" else -1)
    unit = unit.upper()
    if unit in ("YEAR", "MONTH"):
        months = now.year * 12 + now.month - 1 + amount_i * (12 if unit == "YEAR" else 1)
        return now.replace(year=months // 12, month=months % 12 + 1, day=min(now.day, 28))
    seconds = {"WEEK": 604800, "DAY": 86400, "HOUR": 3600, "MINUTE": 60, "SECOND": 1}[unit]
    return now + dt.timedelta(seconds=seconds * amount_i)


@dataclass(frozen=True)
class Projection:
    """One projected partition column; `accepts` says whether a value lies in its domain."""

    column: str
    kind: str
    props: dict[str, str]

    def value_regex(self) -> str:
        if self.kind == "date" and "format" in self.props:
            return java_to_regex(self.props["format"])
        return r"[^/]+"

    def accepts(self, value: str) -> bool:
        props = self.props
        if self.kind == "enum":
            return value in [v.strip() for v in props.get("values", "").split(",")]
        if self.kind == "integer":
            low, high = (int(v) for v in props["range"].split(","))
            digits = int(props.get("digits", "0") or 0)
            return value.isdigit() and low <= int(value) <= high and value == f"{int(value):0{digits}d}"
        if self.kind == "date":
            fmt = props.get("format", "yyyy-MM-dd")
            try:
                moment = dt.datetime.strptime(value, java_to_strftime(fmt))
            except ValueError:
                return False
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            start, end = (_resolve_date(v, fmt, now) for v in props["range"].split(","))
            return start <= moment <= end
        return True  # injected: any value the query names


@dataclass
class TableDef:
    database: str
    name: str
    columns: list[tuple[str, exp.DataType]]
    partition_keys: list[tuple[str, exp.DataType]]
    location: str
    storage: str  # parquet | json | cloudtrail | text
    properties: dict[str, str] = field(default_factory=dict)
    field_delimiter: str = "\x01"
    registered: set[tuple[str, ...]] = field(default_factory=set)  # MSCK / INSERT-added partitions

    @property
    def qualified(self) -> str:
        return f"{self.database}.{self.name}"

    @property
    def projected(self) -> dict[str, Projection]:
        if self.properties.get("projection.enabled", "false").lower() != "true":
            return {}
        out = {}
        for key, _ in self.partition_keys:
            prefix = f"projection.{key}."
            props = {k[len(prefix):]: v for k, v in self.properties.items() if k.startswith(prefix)}
            out[key] = Projection(key, props.get("type", "injected"), props)
        return out

    def template(self) -> str:
        default = self.location.rstrip("/") + "".join(f"/{k}=${{{k}}}" for k, _ in self.partition_keys)
        return self.properties.get("storage.location.template", default) if self.projected else default

    def partition_pattern(self) -> re.Pattern[str]:
        """A regex over `bucket/key` whose named group `p<i>` captures the i-th partition key
        (group names must be identifiers; column names such as `aws-region` are not)."""
        template = self.template().removeprefix("s3://").rstrip("/")
        projected = self.projected
        index = {k: i for i, (k, _) in enumerate(self.partition_keys)}
        out, last = [], 0
        for match in re.finditer(r"\$\{([\w-]+)\}", template):
            out.append(re.escape(template[last:match.start()]))
            column = match.group(1)
            if column not in index:
                raise CatalogError(f"storage.location.template of {self.qualified} names ${{{column}}}, "
                                   "which is not a partition column")
            regex = projected[column].value_regex() if column in projected else r"[^/]+"
            out.append(f"(?P<p{index[column]}>{regex})")
            last = match.end()
        out.append(re.escape(template[last:]))
        return re.compile("^" + "".join(out) + "/")

    def partition_location(self, values: dict[str, str]) -> str:
        return re.sub(r"\$\{([\w-]+)\}", lambda m: values[m.group(1)], self.template()).rstrip("/") + "/"


@dataclass
class ViewDef:
    database: str
    name: str
    sql: str


class Catalog:
    """Databases → tables and views, shared by every query thread."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.databases: set[str] = {"default"}
        self.tables: dict[tuple[str, str], TableDef] = {}
        self.views: dict[tuple[str, str], ViewDef] = {}

    def create_database(self, name: str, if_not_exists: bool) -> None:
        with self.lock:
            if name.lower() in self.databases and not if_not_exists:
                raise CatalogError(f"Database {name.lower()} already exists")
            self.databases.add(name.lower())

    def require_database(self, name: str) -> str:
        if name.lower() not in self.databases:
            raise CatalogError(f"SCHEMA_NOT_FOUND: Schema '{name.lower()}' does not exist")
        return name.lower()

    def add_table(self, table: TableDef, if_not_exists: bool) -> None:
        with self.lock:
            self.require_database(table.database)
            key = (table.database, table.name)
            if key in self.tables or key in self.views:
                if if_not_exists:
                    return
                raise CatalogError(f"AlreadyExistsException: Table {table.qualified} already exists")
            self.tables[key] = table

    def add_view(self, view: ViewDef, replace: bool) -> None:
        with self.lock:
            self.require_database(view.database)
            key = (view.database, view.name)
            if key in self.tables or (key in self.views and not replace):
                raise CatalogError(f"line 1:1: View '{view.database}.{view.name}' already exists")
            self.views[key] = view

    def drop(self, database: str, name: str, if_exists: bool, kind: str) -> None:
        with self.lock:
            store = self.tables if kind == "TABLE" else self.views
            if store.pop((database.lower(), name.lower()), None) is None and not if_exists:
                raise CatalogError(f"{kind.title()} {database.lower()}.{name.lower()} not found")

    def table(self, database: str, name: str) -> TableDef | None:
        return self.tables.get((database.lower(), name.lower()))

    def view(self, database: str, name: str) -> ViewDef | None:
        return self.views.get((database.lower(), name.lower()))
