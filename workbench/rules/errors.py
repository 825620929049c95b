"""Pydantic validation errors turned into `file:line: field: message` issues a person can act on."""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from workbench.registry import closest, unknown_name_message
from workbench.rules.issues import LintIssue
from workbench.rules.yamlsource import SourceMap, join_path

# Fields the loader fills in; never offered as "did you mean" suggestions.
_HIDDEN = {"source_path", "source_line", "source_map", "query_template"}


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class that holds the field at `loc` (None past a dict or scalar)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(str(part))
        if field is None:
            return None
        current = _unwrap(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """Optional[X], tuple[X, ...], Annotated[X, ...] → X, so nested models can be found."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        elif origin in (tuple, list):
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation


def _message(err: dict[str, Any], model: type[BaseModel], field: str) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        name = field.rsplit(".", 1)[-1]
        return f"required field is missing; add `{name}:`"
    if kind == "extra_forbidden":
        parent = _model_at(model, tuple(err["loc"][:-1]))
        known = sorted(set(parent.model_fields) - _HIDDEN) if parent else []
        return unknown_name_message("key", str(err["loc"][-1]), known)
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind == "string_pattern_mismatch" and field == "id":
        return (f"must be a slug (lower-case letters, digits, '-' or '_'), got {err['input']!r}; "
                "name the file after it")
    if kind == "literal_error" and field == "severity":
        guess = closest(str(err["input"]), ["info", "low", "medium", "high", "critical"])
        hint = f" — did you mean '{guess}'?" if guess else ""
        return f"must be one of info, low, medium, high, critical; got {err['input']!r}{hint}"
    if kind in ("string_too_short",):
        return "must not be empty"
    got = err.get("input")
    shown = repr(got) if not isinstance(got, dict | list) else type(got).__name__
    return f"{msg[0].lower()}{msg[1:]}; got {shown}"


def validation_issues(exc: ValidationError, model: type[BaseModel], path: Path | None,
                      smap: SourceMap, rule_id: str | None) -> list[LintIssue]:
    issues = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        field = ""
        for part in loc:
            field = join_path(field, part)
        line = smap.line_of(field, smap.lines.get("", 1))
        issues.append(LintIssue(path, line, rule_id, field, _message(err, model, field)))
    return issues
