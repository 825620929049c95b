"""Sigma's CloudTrail field names → our `cloudtrail` columns, without importing pySigma.

Sigma rules name CloudTrail fields as the record delivers them (`eventName`,
`userIdentity.sessionContext.sessionIssuer.userName`, `requestParameters.bucketName`). Our table
keeps Athena's names: top-level columns and struct fields are lower case, and the request,
response and additional-data objects are JSON text. So a Sigma field becomes a *canonical path*
(`useridentity.sessioncontext.sessionissuer.username`, `requestparameters.bucketName` — JSON keys
keep their case, they are case-sensitive) and a canonical path becomes SQL:

- a column or struct field: the path itself (`useridentity.arn`);
- a key inside a JSON column: `json_extract_scalar(requestparameters, '$.bucketName')`;
- the JSON column itself (`requestParameters|contains: AllUsers`): the column's text.

Arrays (`resources`) and maps have no single value to compare, so they are refused with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pyarrow as pa

from workbench.catalog import CLOUDTRAIL_JSON_COLUMNS, TABLES
from workbench.catalog.types import arrow_type
from workbench.registry import closest

TABLE = "cloudtrail"
_JSON_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class FieldError(ValueError):
    """A Sigma field our table cannot answer; the message says why and what to write instead."""


@dataclass(frozen=True)
class ColumnRef:
    path: str   # canonical path, e.g. requestparameters.bucketName
    sql: str    # Athena expression for its value
    alias: str  # output column name in the rule's SELECT

    @property
    def projection(self) -> str:
        return self.sql if self.sql == self.alias else f"{self.sql} AS {self.alias}"


@lru_cache(maxsize=1)
def _columns() -> dict[str, pa.DataType]:
    return {c.name: arrow_type(c.type) for c in TABLES[TABLE].columns}


def canonical_path(sigma_field: str) -> str:
    """The canonical path for a Sigma CloudTrail field; FieldError when the table has no such field."""
    parts = [p for p in str(sigma_field).strip().split(".")]
    if not parts or any(not p for p in parts):
        raise FieldError(f"field '{sigma_field}' is not a dotted CloudTrail field name")
    head = parts[0].lower()
    columns = _columns()
    if head not in columns:
        guess = closest(head, list(columns))
        hint = f" — did you mean '{guess}'?" if guess else ""
        raise FieldError(f"field '{sigma_field}': CloudTrail has no field '{parts[0]}'{hint}")
    if head in CLOUDTRAIL_JSON_COLUMNS:
        for key in parts[1:]:
            if "'" in key or '"' in key:
                raise FieldError(f"field '{sigma_field}': JSON key '{key}' holds a quote, which a JSON "
                                 "path cannot name")
        return ".".join([head, *parts[1:]])
    typ = columns[head]
    walked = head
    for part in parts[1:]:
        name = part.lower()
        if pa.types.is_list(typ) or pa.types.is_map(typ):
            break  # refused below, with the reason
        if not pa.types.is_struct(typ):
            raise FieldError(f"field '{sigma_field}': '{walked}' is not an object, so it has no '{part}'")
        names = [f.name for f in typ]
        if name not in names:
            guess = closest(name, names)
            hint = f" — did you mean '{walked}.{guess}'?" if guess else ""
            raise FieldError(f"field '{sigma_field}': '{walked}' has no field '{part}'{hint} "
                             f"(fields: {', '.join(names)})")
        typ = typ.field(name).type
        walked += f".{name}"
    if pa.types.is_struct(typ):
        names = ", ".join(f.name for f in typ)
        raise FieldError(f"field '{sigma_field}' is an object; name one of its fields ({names})")
    if pa.types.is_list(typ) or pa.types.is_map(typ):
        kind = "a list" if pa.types.is_list(typ) else "a map"
        raise FieldError(f"field '{sigma_field}' is {kind} in our table (one event, many values); "
                         "Sigma field matching on it is not supported — match requestParameters or "
                         "another single-valued field instead")
    return walked


def json_path(keys: list[str]) -> str:
    """A JSON path Athena and the local engine both read: `$.a.b`, `$["x-amz-acl"]`, `$.items[0]`."""
    out = "$"
    for key in keys:
        if key.isdigit():
            out += f"[{key}]"
        elif _JSON_KEY.match(key):
            out += f".{key}"
        else:
            out += f'["{key}"]'
    return out


def alias_for(path: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", path.lower()).strip("_")


def column_ref(path: str) -> ColumnRef:
    """SQL for a canonical path (as `canonical_path` returns it)."""
    parts = path.split(".")
    head = parts[0]
    if head in CLOUDTRAIL_JSON_COLUMNS and len(parts) > 1:
        sql = f"json_extract_scalar({head}, '{json_path(parts[1:])}')"
        return ColumnRef(path, sql, alias_for(path))
    return ColumnRef(path, path, path if len(parts) == 1 else alias_for(path))
