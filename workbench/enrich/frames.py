"""IP labels beside a table's address columns, for hunting results, reports and the investigation.

    label_frame(frame)     # adds `sourceipaddress_label` after `sourceipaddress`, and so on
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from workbench.enrich.labels import labeler

if TYPE_CHECKING:
    from workbench.config import Settings

# Columns of our tables (and of the investigation's queries) that hold addresses.
IP_COLUMNS = ("sourceipaddress", "srcaddr", "dstaddr", "source_ip", "sourceip", "ip", "remote_ip",
              "pkt_srcaddr", "pkt_dstaddr")
SUFFIX = "_label"


def ip_columns(frame: pd.DataFrame) -> list[str]:
    return [str(c) for c in frame.columns if str(c).lower() in IP_COLUMNS and f"{c}{SUFFIX}" not in frame.columns]


def label_frame(frame: pd.DataFrame, columns: list[str] | None = None,
                settings: Settings | None = None) -> pd.DataFrame:
    """A copy of `frame` with a `<column>_label` column after each address column (named, or found by
    name). Each distinct value is labelled once, so a million-row frame costs its distinct addresses."""
    columns = ip_columns(frame) if columns is None else columns
    if frame.empty or not columns:
        return frame
    found = labeler(settings)
    out = frame.copy()
    for column in columns:
        if column not in out.columns:
            raise KeyError(f"label_frame: no column {column!r}; the frame has {', '.join(map(str, out.columns))}")
        values = out[column]
        distinct = values.dropna().astype(str).unique()
        names = {v: found.text(v) for v in distinct}
        labels = values.map(lambda v, names=names: names.get(str(v), "") if pd.notna(v) else "")
        out.insert(out.columns.get_loc(column) + 1, f"{column}{SUFFIX}", labels)
    return out
