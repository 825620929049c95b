"""Small HTML builders shared by the investigation report and the triage widget.

Every value is escaped here, once, at the point it becomes markup: log fields are attacker-
controlled (a user agent of `<script>…`, an error message with `<img onerror=…>`), and both the
notebook and the static report render HTML.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from workbench.timewindow import iso_z

SEVERITY_COLORS = {"critical": "#C62828", "high": "#EF6C00", "medium": "#F9A825", "low": "#1E88E5",
                   "info": "#8E8E8E"}
STATUS_COLORS = {"new": "#1E88E5", "acknowledged": "#8E24AA", "investigating": "#EF6C00",
                 "resolved": "#2E7D32", "false_positive": "#757575"}
TABLE_STYLE = ("border-collapse:collapse;font-size:12px;margin:4px 0;")
CELL_STYLE = "border-bottom:1px solid rgba(128,128,128,0.3);padding:3px 8px;text-align:left;vertical-align:top;"
MAX_CELL = 200


class Html(str):
    """A string a notebook shows as HTML (the last expression of a cell displays it)."""

    def _repr_html_(self) -> str:
        return str(self)


def esc(value: Any, limit: int | None = MAX_CELL) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = iso_z(value)
    elif isinstance(value, dict | list):
        text = json.dumps(value, default=str, sort_keys=True)
    else:
        try:
            if value != value:  # NaN / NaT
                return ""
        except (TypeError, ValueError):
            pass
        text = str(value)
    if limit and len(text) > limit:
        text = text[:limit] + "…"
    return html.escape(text, quote=True)


def badge(text: str, colour: str) -> str:
    return (f'<span style="background:{colour};color:#fff;border-radius:3px;padding:1px 6px;'
            f'font-size:11px;font-weight:600;white-space:nowrap">{esc(text)}</span>')


def severity_badge(severity: Any) -> str:
    value = str(getattr(severity, "value", severity))
    return badge(value, SEVERITY_COLORS.get(value, "#757575"))


def status_badge(status: Any) -> str:
    value = str(getattr(status, "value", status))
    return badge(value.replace("_", " "), STATUS_COLORS.get(value, "#757575"))


def table(rows: Sequence[dict[str, Any]] | Iterable[dict[str, Any]], columns: Sequence[str] | None = None,
          empty: str = "nothing", raw: Sequence[str] = ()) -> str:
    """An HTML table of dict rows; only the columns named in `raw` hold trusted markup (badges)."""
    rows = list(rows)
    if not rows:
        return f'<p style="opacity:.7"><i>{esc(empty)}</i></p>'
    if columns is None:
        columns = list(dict.fromkeys(key for row in rows for key in row))
    head = "".join(f'<th style="{CELL_STYLE}">{esc(c)}</th>' for c in columns)
    body = []
    for row in rows:
        cells = "".join(
            f'<td style="{CELL_STYLE}">{row.get(c, "") if c in raw else esc(row.get(c))}</td>' for c in columns)
        body.append(f"<tr>{cells}</tr>")
    return f'<table style="{TABLE_STYLE}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def frame_table(frame: Any, limit: int = 200, empty: str = "no rows") -> str:
    """A DataFrame as an escaped table, with a line saying how many rows were left out."""
    if frame is None or len(frame) == 0:
        return table([], empty=empty)
    shown = table(frame.head(limit).to_dict("records"), [str(c) for c in frame.columns])
    if len(frame) > limit:
        shown += f'<p style="opacity:.7">… {len(frame) - limit:,} more rows not shown</p>'
    return shown


def definition_list(pairs: Sequence[tuple[str, Any]], raw: Sequence[str] = ()) -> str:
    rows = "".join(
        f'<tr><th style="{CELL_STYLE}opacity:.75;font-weight:600">{esc(k)}</th>'
        f'<td style="{CELL_STYLE}">{v if k in raw else esc(v)}</td></tr>' for k, v in pairs)
    return f'<table style="{TABLE_STYLE}">{rows}</table>'


def pre(text: str) -> str:
    return (f'<pre style="white-space:pre-wrap;font-size:12px;padding:6px;border:1px solid '
            f'rgba(128,128,128,0.3);border-radius:4px">{esc(text, limit=None)}</pre>')


def audit_rows(alert: Any) -> list[dict[str, Any]]:
    rows = [{"when": iso_z(e.when), "who": e.who, "action": e.action,
             "changes": ", ".join(f"{k}: {_change(v)}" for k, v in e.changes.items())} for e in alert.audit]
    rows += [{"when": iso_z(n.when), "who": n.who, "action": "note", "changes": n.text} for n in alert.notes
             if not any(e.action == "note" and e.changes.get("note", [None, None])[1] == n.text for e in alert.audit)]
    return sorted(rows, key=lambda r: r["when"])


def _change(value: Any) -> str:
    if isinstance(value, list) and len(value) == 2:
        return f"{value[0]} → {value[1]}"
    return str(value)
