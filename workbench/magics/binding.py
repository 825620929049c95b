"""`:name` placeholders in a `%%athena` cell, bound from the notebook's variables as literals."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from workbench.sqlparams import ParameterError, bind_parameters, placeholders


def _plain(value: Any) -> Any:
    """numpy scalars and arrays, pandas Series → Python values sqlparams knows how to quote."""
    if isinstance(value, datetime):
        return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    if isinstance(value, date):
        return value
    if hasattr(value, "tolist") and not isinstance(value, str | bytes):
        return value.tolist()
    if hasattr(value, "item") and callable(value.item) and not isinstance(value, str | bytes):
        return value.item()
    return value


def bind_from_namespace(sql: str, namespace: Mapping[str, Any]) -> str:
    """The cell with each `:name` replaced by the quoted literal of the variable `name`."""
    try:
        names = placeholders(sql)
    except Exception:  # noqa: BLE001 - unparsable SQL: the guard reports it with line and column
        return sql
    if not names:
        return sql
    missing = [n for n in names if n not in namespace]
    if missing:
        raise ParameterError(
            f"no variable named {', '.join(missing)} for placeholder(s) {', '.join(':' + m for m in missing)}: "
            "assign it in a cell above, e.g. ip = '203.0.113.42'"
        )
    return bind_parameters(sql, {n: _plain(namespace[n]) for n in names})
