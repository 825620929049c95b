"""Address labels where an analyst looks: hunting result tables and the triage detail."""

from __future__ import annotations

import pandas as pd

from workbench.resulttable import render_frame


def test_result_tables_label_each_address_beside_it_and_in_its_tooltip() -> None:
    frame = pd.DataFrame({"sourceipaddress": ["10.1.2.3", "203.0.113.9", None], "eventname": ["A", "B", "C"],
                          "srcaddr": ["192.168.0.1", "10.0.0.1", "10.0.0.2"]})
    html = render_frame(frame)
    assert "10.1.2.3 <span" in html and "private" in html
    assert "title='203.0.113.9 — documentation" in html
    assert html.count("<span style='opacity:.65;font-size:11px'>") == 5  # the missing address has none


def test_a_label_is_escaped_like_every_cell() -> None:
    frame = pd.DataFrame({"sourceipaddress": ["<script>alert(1)</script>"]})
    html = render_frame(frame)
    assert "<script>" not in html and "&lt;script&gt;" in html
