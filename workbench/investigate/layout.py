"""Layout pieces the investigation report and the period reports share: paged tables whose rest
folds into a <details>, collapsible sections, a headline box, address cells with their labels.

Everything from logs is escaped through `html.esc`/`html.table`, as everywhere else; the only markup
passed through is what these builders make themselves (badges, links, nested tables).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbench.investigate.html import esc, table

MUTED = "opacity:.7"
BOX = ("border:1px solid rgba(128,128,128,.35);border-left:4px solid {colour};border-radius:4px;"
       "padding:8px 12px;margin:6px 0 10px 0;max-width:60em")


def plural(n: int, word: str, many: str | None = None) -> str:
    """`1 call`, `2 calls`, `1,204 addresses` (with `many`)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def details(summary: str, body: str, open_: bool = False) -> str:
    """A collapsed block; `summary` is plain text (escaped), `body` is markup built by us."""
    return (f"<details{' open' if open_ else ''}><summary style=\"cursor:pointer\">{esc(summary, limit=None)}"
            f"</summary>{body}</details>")


def paged_table(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None, first: int = 15,
                empty: str = "nothing", raw: Sequence[str] = (), noun: str = "rows") -> str:
    """The first `first` rows as a table; the rest in a collapsed table below it."""
    rows = list(rows)
    shown = table(rows[:first], columns, empty=empty, raw=raw)
    if len(rows) > first:
        rest = rows[first:]
        shown += details(f"{len(rest):,} more {noun}", table(rest, columns, raw=raw))
    return shown


def headline(lines: Sequence[str], colour: str = "#1E88E5", title: str | None = None) -> str:
    """A box of plain-text lines, the first in bold: what a reader must see before anything else."""
    if not lines:
        return ""
    bold = ' style="font-weight:600"'
    items = "".join(f"<li{bold if i == 0 else ''}>{esc(line, limit=None)}</li>" for i, line in enumerate(lines))
    head = f'<div style="font-weight:700;margin-bottom:4px">{esc(title)}</div>' if title else ""
    return f'<div style="{BOX.format(colour=colour)}">{head}<ul style="margin:0;padding-left:1.2em">{items}</ul></div>'


def with_label(value: Any, label: str) -> str:
    """`value` with its enrichment label in small muted text (both escaped)."""
    if not label:
        return esc(value)
    return f'{esc(value)} <span style="{MUTED};font-size:11px">({esc(label)})</span>'


def note(text: str) -> str:
    return f'<p style="{MUTED};font-size:12px">{esc(text, limit=None)}</p>'


def when(moment: Any) -> str:
    """A time as `YYYY-MM-DD HH:MM:SSZ` that does not wrap (ISO text or a datetime)."""
    import pandas as pd

    if moment is None or moment == "":
        return ""
    try:
        stamp = pd.Timestamp(moment)
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        text = stamp.strftime("%Y-%m-%d %H:%M:%SZ")
    except (ValueError, TypeError):
        text = str(moment)
    return f'<span style="white-space:nowrap">{esc(text)}</span>'


def nowrap(value: Any) -> str:
    return f'<span style="white-space:nowrap">{esc(value)}</span>'


def full(value: Any) -> str:
    """The whole text (titles are read in full), escaped."""
    return esc(value, limit=None)


def addresses(pairs: Sequence[tuple[str, str]]) -> str:
    """Addresses with their labels, one per line."""
    return "<br>".join(with_label(ip, label) for ip, label in pairs)
