"""How a query result looks in a notebook: one HTML table renderer for the magics and the triage widget.

pandas' default output suits numbers, not logs: ARNs are cut before the session name, timestamps wrap,
columns fall off the right, VPC flow times show as epoch seconds and a missing value shows as `None`
in one column and `NaN` in the next. Here:

- an ARN shows as `account:resource` (`123456789012:assumed-role/Admin/alice`), shortened in the middle
  when long so both the role and the session name stay visible; the full ARN is the cell's tooltip;
- times show as `2026-11-19 09:14:03Z` on one line, whether they arrive as datetimes, CloudTrail's ISO
  strings or VPC flow epoch seconds (`start`, `end`); the raw value is the tooltip;
- every missing value (None, NaN, NaT, pd.NA) shows as one dimmed `—`;
- long text is cut with `…` and the whole value is the tooltip; the table scrolls inside its own
  box (header kept in view) instead of pushing columns off the page;
- a result with no rows says "0 rows" and what ran, instead of a bare header.

Every value is HTML-escaped exactly once, here: log fields are attacker-controlled.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd

MAX_ROWS = 50  # a notebook output, not a spreadsheet: the frame itself is one `-o NAME` away
MAX_CELL = 60  # characters shown before `…`; the tooltip holds the rest
MAX_TOOLTIP = 4000  # a browser tooltip longer than this is no longer readable anyway
# vpc_flow's start/end are bigint epoch seconds (workbench/catalog/tables.py); plausible range only,
# so a column that happens to be called `end` but holds counts is left alone.
EPOCH_COLUMNS = frozenset({"start", "end", "start_time", "end_time"})
_EPOCH_RANGE = (946_684_800, 4_102_444_800)  # 2000-01-01 … 2100-01-01
_ARN = re.compile(r"^arn:(aws[a-z-]*):([a-z0-9-]*):([a-z0-9-]*):(\d{12})?:(.+)$")
_ISO = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]00:?00)$")

_BOX = ("max-height:440px;overflow:auto;border:1px solid rgba(128,128,128,.3);border-radius:4px;"
        "max-width:100%;margin:2px 0")
_TABLE = ("border-collapse:separate;border-spacing:0;font-size:12px;line-height:1.35;white-space:nowrap;"
          "text-align:left;font-variant-numeric:tabular-nums")
_TH = ("position:sticky;top:0;z-index:1;background:var(--jp-layout-color1,#fff);text-align:left;padding:4px 8px;"
       "border-bottom:1px solid rgba(128,128,128,.5);white-space:nowrap;font-weight:600")
# Every cell says nowrap and left explicitly: JupyterLab's own stylesheet sets `white-space: normal` and
# `text-align: right` on each td, which beats anything a cell would inherit from the table.
_TD = "padding:3px 8px;border-bottom:1px solid rgba(128,128,128,.18);white-space:nowrap;text-align:left"
_WRAP = "white-space:normal;overflow-wrap:anywhere;min-width:12em"
_MISSING = "<span style='opacity:.45' title='missing (NULL)'>—</span>"
_NOTE = "opacity:.75;font-size:12px;margin:2px 0"
_LABEL = "opacity:.65;font-size:11px"


def is_missing(value: Any) -> bool:
    """None, NaN, NaT and pd.NA alike: the one thing shown as a dimmed dash."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return False


def short_arn(arn: str, width: int = 60) -> str | None:
    """`123456789012:assumed-role/Admin/alice` for an ARN (None if it is not one).

    When that is still long, the middle of the resource goes first: the resource type, the role and the
    session (or user) name are what an analyst reads, so `assumed-role/Organiz…Role/kali-session` it is.
    """
    match = _ARN.match(arn)
    if not match:
        return None
    service, account, resource = match.group(2), match.group(4), match.group(5)
    owner = account or service
    budget = width - len(owner) - 1
    if len(resource) > budget:
        parts = resource.split("/")
        room = budget - len(parts[0]) - len(parts[-1]) - 2
        if len(parts) >= 3 and room >= 5:
            middle = "/".join(parts[1:-1])
            if len(middle) > room:
                middle = middle[: room // 2] + "…" + middle[-(room - room // 2 - 1):]
            resource = f"{parts[0]}/{middle}/{parts[-1]}"
        elif len(parts) >= 3 and len(parts[0]) + len(parts[-1]) + 4 <= budget:
            resource = f"{parts[0]}/…/{parts[-1]}"
        else:
            resource = "…" + resource[-(budget - 1):]
    return f"{owner}:{resource}"


def format_time(moment: datetime | pd.Timestamp) -> str:
    if isinstance(moment, pd.Timestamp):
        moment = moment.to_pydatetime()
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}"
    return text + "Z"


@dataclass(frozen=True)
class Cell:
    text: str  # what is shown (plain text, escaped on output)
    title: str | None = None  # the full value, when the text is not all of it
    kind: str = "text"  # text | number | time | missing | ip
    label: str = ""  # an address's enrichment label (kind ip)


def cell(value: Any, column: str = "", epoch: bool = False) -> Cell:
    """One value as the table shows it."""
    if is_missing(value):
        return Cell("", kind="missing")
    if isinstance(value, bool):
        return Cell("true" if value else "false")
    if isinstance(value, datetime | pd.Timestamp):
        return Cell(format_time(value), kind="time")
    if isinstance(value, date):
        return Cell(value.isoformat(), kind="time")
    if hasattr(value, "item") and not isinstance(value, str | bytes) and getattr(value, "ndim", 1) == 0:
        value = value.item()  # numpy scalar → Python
    if isinstance(value, int | float):
        if epoch and isinstance(value, int) and _EPOCH_RANGE[0] <= value <= _EPOCH_RANGE[1]:
            return Cell(format_time(datetime.fromtimestamp(value, UTC)), title=f"{column} = {value} (epoch seconds)",
                        kind="time")
        text = str(value) if isinstance(value, int) else f"{value:.6g}"
        return Cell(text, kind="number")
    if isinstance(value, dict | list | tuple) or hasattr(value, "tolist"):
        value = value.tolist() if hasattr(value, "tolist") else value
        text = json.dumps(value, default=str, sort_keys=isinstance(value, dict), separators=(", ", ": "))
        return _long(text)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value)
    if match := _ISO.match(text):
        fraction = (match.group(3) or "")[:4]
        return Cell(f"{match.group(1)} {match.group(2)}{fraction}Z", title=text, kind="time")
    if shortened := short_arn(text):
        return Cell(shortened, title=text) if shortened != text else Cell(text)
    return _long(text)


def _long(text: str) -> Cell:
    flat = " ".join(text.split()) if "\n" in text or "\t" in text else text
    if len(flat) <= MAX_CELL:
        return Cell(flat, title=text if flat != text else None)
    return Cell(flat[: MAX_CELL - 1] + "…", title=text)


def _epoch_columns(frame: pd.DataFrame) -> set[str]:
    return {str(c) for c in frame.columns
            if str(c).lower() in EPOCH_COLUMNS and pd.api.types.is_integer_dtype(frame[c].dtype)}


def _ip_labels(frame: pd.DataFrame, columns: list[str]) -> dict[str, dict[str, str]]:
    """Per address column (sourceipaddress, srcaddr, …): each shown value's enrichment label
    (AWS service and region, cloud, scanner, private or documentation range)."""
    from workbench.enrich.frames import IP_COLUMNS

    wanted = [c for c in columns if c.lower() in IP_COLUMNS]
    if not wanted:
        return {}
    from workbench.enrich.labels import labeler

    found = labeler()
    return {c: {str(v): found.text(v) for v in frame[c].dropna().unique()} for c in wanted}


def _labelled(c: Cell, label: str) -> Cell:
    if not label or c.kind == "missing":
        return c
    return Cell(c.text, title=f"{c.title or c.text} — {label}", kind="ip", label=label)


def _td(c: Cell, wrap: bool) -> str:
    if c.kind == "missing":
        return f"<td style='{_TD}'>{_MISSING}</td>"
    if c.kind == "ip":  # the address, and its label small beside it
        return (f"<td style='{_TD}' title='{html.escape((c.title or '')[:MAX_TOOLTIP], quote=True)}'>"
                f"{html.escape(c.text, quote=True)} <span style='{_LABEL}'>{html.escape(c.label, quote=True)}</span></td>")
    if wrap and c.kind == "text":  # a wrapped column shows its whole value: nothing is left to hover for
        return f"<td style='{_TD};{_WRAP}'>{html.escape((c.title or c.text)[:MAX_TOOLTIP], quote=True)}</td>"
    style = _TD + (";text-align:right" if c.kind == "number" else "")
    title = f" title='{html.escape(c.title[:MAX_TOOLTIP], quote=True)}'" if c.title else ""
    return f"<td style='{style}'{title}>{html.escape(c.text, quote=True)}</td>"


def render_frame(frame: pd.DataFrame, *, max_rows: int = MAX_ROWS, wrap: Sequence[str] | bool = (),
                 empty: str = "0 rows") -> str:
    """The frame as one escaped, scrollable HTML table; `wrap` names columns whose text may wrap."""
    if frame is None or len(frame) == 0:
        columns = ", ".join(str(c) for c in getattr(frame, "columns", []))
        listed = f" <span style='opacity:.7'>(columns: {html.escape(columns)})</span>" if columns else ""
        return f"<div style='{_NOTE}'><b>{html.escape(empty)}</b>{listed}</div>"
    columns = [str(c) for c in frame.columns]
    wrapped = set(columns) if wrap is True else {str(c) for c in (wrap or ())}
    epoch = _epoch_columns(frame)
    head = "".join(f"<th style='{_TH}' title='{html.escape(f'{c} ({frame.dtypes.iloc[i]})', quote=True)}'>"
                   f"{html.escape(c)}</th>" for i, c in enumerate(columns))
    shown = frame.head(max_rows)
    labels = _ip_labels(shown, columns)
    body = []
    for row in shown.itertuples(index=False, name=None):
        body.append("<tr>" + "".join(
            _td(_labelled(cell(v, c, c in epoch), labels[c].get(str(v), "")) if c in labels
                else cell(v, c, c in epoch), c in wrapped)
            for c, v in zip(columns, row, strict=True)) + "</tr>")
    note = ""
    if len(frame) > max_rows:
        note = (f"<div style='{_NOTE}'>showing the first {max_rows:,} of {len(frame):,} rows · all of them: "
                "add <code>-o NAME</code> to keep the DataFrame</div>")
    return (f"<div style='{_BOX}'><table style='{_TABLE}'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>{note}")


def render_text(frame: pd.DataFrame, *, max_rows: int = MAX_ROWS, wrap: Sequence[str] | bool = (),
                empty: str = "0 rows") -> str:
    """The plain-text twin (terminals, logs, tests): the same cell text; `wrap` columns in full."""
    if frame is None or len(frame) == 0:
        return empty
    epoch = _epoch_columns(frame)
    wrapped = {str(c) for c in frame.columns} if wrap is True else {str(c) for c in (wrap or ())}
    shown = frame.head(max_rows)

    def text(value: Any, column: str) -> str:
        c = cell(value, column, column in epoch)
        if c.kind == "missing":
            return "—"
        return c.title if column in wrapped and c.title and c.kind == "text" else c.text

    texts = pd.DataFrame({str(c): [text(v, str(c)) for v in shown[c]] for c in shown.columns})
    out = texts.to_string(index=False)
    if len(frame) > max_rows:
        out += f"\n… showing the first {max_rows:,} of {len(frame):,} rows"
    return out


@dataclass
class ResultTable:
    """A frame as a notebook shows it (display() it, or make it a cell's last expression)."""

    frame: pd.DataFrame
    max_rows: int = MAX_ROWS
    wrap: Sequence[str] | bool = field(default=())
    empty: str = "0 rows"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return self.bundle()

    def bundle(self) -> dict[str, str]:
        return {"text/html": render_frame(self.frame, max_rows=self.max_rows, wrap=self.wrap, empty=self.empty),
                "text/plain": render_text(self.frame, max_rows=self.max_rows, wrap=self.wrap, empty=self.empty)}
