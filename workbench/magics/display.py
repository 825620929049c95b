"""How the magics show things: highlighted SQL, the frame, one status line, provenance in metadata."""

from __future__ import annotations

import html
from typing import Any

from workbench.session import Outcome

METADATA_KEY = "mantissa"


def sql_bundle(sql: str, caption: str = "") -> dict[str, str]:
    """SQL as a highlighted HTML block plus plain text for terminals and tests."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import SqlLexer

    body = highlight(sql, SqlLexer(), HtmlFormatter(noclasses=True, nowrap=False))
    note = f"<div><em>{html.escape(caption)}</em></div>" if caption else ""
    plain = (caption + "\n" if caption else "") + sql
    return {"text/html": note + body, "text/plain": plain}


def status_bundle(text: str) -> dict[str, str]:
    return {"text/plain": text, "text/html": f"<div style='font-family:monospace;color:#555'>{html.escape(text)}</div>"}


def show_outcome(outcome: Outcome, show_sql: bool = False) -> None:
    """Display SQL (for %ask, dry runs), the frame and the status line; provenance rides along as metadata."""
    from IPython.display import display

    metadata = {METADATA_KEY: outcome.record.metadata()}
    if show_sql or outcome.result is None:
        caption = outcome.translation.explanation if outcome.translation else ""
        display(sql_bundle(outcome.sql, caption), raw=True, metadata=metadata)
    if outcome.result is not None:
        display(outcome.result.frame, metadata=metadata)
    notes = f" · {'; '.join(outcome.notes)}" if outcome.notes else ""
    display(status_bundle(outcome.status_line() + notes), raw=True, metadata=metadata)


def show_table(frame: Any) -> None:
    from IPython.display import display

    display(frame)


def show_text(text: str) -> None:
    from IPython.display import display

    display({"text/plain": text}, raw=True)
