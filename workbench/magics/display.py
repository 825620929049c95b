"""How the magics show things: highlighted SQL, the frame, one status line, provenance in metadata."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from workbench.resulttable import ResultTable
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
        display(result_bundle(outcome), raw=True, metadata=metadata)
    notes = f" · {'; '.join(outcome.notes)}" if outcome.notes else ""
    display(status_bundle(outcome.status_line() + notes), raw=True, metadata=metadata)


def result_bundle(outcome: Outcome) -> dict[str, str]:
    """The frame as the results table; with no rows, "0 rows", the window and the SQL that ran."""
    frame = outcome.result.frame if outcome.result is not None else None
    if frame is not None and len(frame):
        return ResultTable(frame).bundle()
    empty = f"0 rows over {outcome.window}" if outcome.window else "0 rows"
    bundle = ResultTable(frame, empty=empty).bundle()
    code = sql_bundle(outcome.sql, "the query that returned them:")
    return {"text/html": bundle["text/html"] + code["text/html"], "text/plain": empty + "\n" + outcome.sql}


def show_table(frame: Any, wrap: Sequence[str] | bool = ()) -> None:
    """A frame the magics made themselves (the hunt list, the history): the results table, wrapping
    the columns named in `wrap` so that nothing in them is cut."""
    from IPython.display import display

    display(ResultTable(frame, wrap=wrap).bundle(), raw=True)


def show_text(text: str) -> None:
    from IPython.display import display

    display({"text/plain": text}, raw=True)
