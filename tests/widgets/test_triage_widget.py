"""The triage widget and window picker, driven through their widget models (values set, buttons
clicked) against a real SQLite alert store with alerts from the bundled rules on the demo lake."""

from __future__ import annotations

import re

import pytest

from tests.widgets.demo_site import HOSTILE_ALERT, IMG, SCRIPT
from workbench.alerts import Severity, get_store
from workbench.widgets import TriageWidget, WindowPicker, triage

ANALYST = "ana.lyst"
OPEN = ["new", "acknowledged", "investigating"]


@pytest.fixture()
def widget(demo_settings, monkeypatch: pytest.MonkeyPatch) -> TriageWidget:
    monkeypatch.setenv("JUPYTERHUB_USER", ANALYST)
    from workbench.session import Session

    return triage(demo_settings, session=Session(demo_settings), page_size=5)


def test_actor_is_the_hub_user_and_the_table_pages(widget: TriageWidget) -> None:
    store = widget.store
    assert widget.actor == ANALYST
    assert widget.total == store.count(status=OPEN) > 5
    assert widget.page_ids == [a.id for a in store.list(status=OPEN, limit=5, order_by="-last_seen")]
    first_page = widget.page_ids
    widget.next.click()
    assert widget.page == 1 and set(widget.page_ids).isdisjoint(first_page)
    assert widget.prev.disabled is False
    pages = -(-widget.total // 5)
    widget.go(pages + 3)  # past the end: clamps to the last page
    assert widget.page == pages - 1 and widget.next.disabled
    shown = [row for row in widget.rows if row.alert_id]
    assert len(shown) == len(widget.page_ids) and all(r.title.layout.display == "" for r in shown)
    assert all(row.title.layout.display == "none" for row in widget.rows if not row.alert_id)


@pytest.mark.parametrize(("control", "value", "expected"), [
    ("severity", "high", {"min_severity": "high"}),
    ("severity", "critical", {"min_severity": "critical"}),
    ("status", "", {}),
    ("status", "new", {"status": "new"}),
    ("text", "console", {"text": "console"}),
    ("rule", "console-login-without-mfa", {"rule_id": "console-login-without-mfa"}),
], ids=["high+", "critical", "any-status", "new", "text", "rule"])
def test_filters_match_the_store(widget: TriageWidget, control: str, value, expected: dict) -> None:
    getattr(widget, control).value = value
    kwargs = {"status": OPEN, **expected} if control != "status" else expected
    assert widget.total == widget.store.count(**kwargs)
    assert widget.page == 0
    for alert in widget.alerts:
        if "min_severity" in expected:
            assert alert.severity >= Severity(expected["min_severity"])
        if "rule_id" in expected:
            assert alert.rule_id == expected["rule_id"]


def test_sorting_by_a_header_flips_on_the_second_click(widget: TriageWidget) -> None:
    widget.status.value = ""
    widget.headers["severity"].click()
    ranks = [a.severity.rank for a in widget.alerts]
    assert ranks == sorted(ranks, reverse=True) and widget.headers["severity"].description.endswith("▼")
    widget.headers["severity"].click()
    ranks = [a.severity.rank for a in widget.alerts]
    assert ranks == sorted(ranks) and widget.headers["severity"].description.endswith("▲")
    widget.headers["count"].click()
    counts = [a.count for a in widget.alerts]
    assert counts == sorted(counts, reverse=True)


def test_open_acknowledge_assign_false_positive_note(widget: TriageWidget) -> None:
    row = widget.rows[0]
    alert_id = row.alert_id
    row.title.click()
    detail = widget.detail
    assert detail.alert.id == alert_id and detail.layout.display == ""
    assert alert_id in detail.header.value and widget.store.get(alert_id).title[:20] in detail.header.value

    detail.acknowledge.click()
    stored = widget.store.get(alert_id)
    assert stored.status.value == "acknowledged"
    assert (stored.audit[-1].who, stored.audit[-1].action) == (ANALYST, "acknowledged")
    assert "acknowledged 1 alert as ana.lyst" in detail.message.value

    detail.assign_me.click()
    assert widget.store.get(alert_id).assignee == ANALYST
    widget.assignee.value = "me"
    assert widget.page_ids == [alert_id]
    widget.assignee.value = ""

    detail.fp_reason.value = ""
    detail.false_positive.click()  # a false positive needs a reason: refused, status unchanged
    assert widget.store.get(alert_id).status.value == "acknowledged"
    assert "needs a reason" in detail.message.value

    detail.fp_reason.value = "scheduled pen test"
    detail.false_positive.click()
    stored = widget.store.get(alert_id)
    assert stored.status.value == "false_positive"
    assert stored.audit[-1].changes["reason"] == "scheduled pen test"
    assert alert_id not in widget.page_ids  # the default filter shows open alerts only

    detail.resolve.click()  # false_positive → resolved is not a lifecycle step: shown, not raised
    assert widget.store.get(alert_id).status.value == "false_positive"
    assert "cannot move to resolved" in detail.message.value

    detail.note.value = "checked with the red team"
    detail.add_note.click()
    stored = widget.store.get(alert_id)
    assert stored.notes[-1].who == ANALYST and stored.notes[-1].text == "checked with the red team"
    assert detail.note.value == "" and "checked with the red team" in detail.audit.value


def test_bulk_acknowledge_on_checked_rows(widget: TriageWidget) -> None:
    picked = widget.page_ids[:3]
    for row in widget.rows[:3]:
        row.check.value = True
    assert widget.selected == set(picked)
    widget.bulk_ack.click()
    for alert_id in picked:
        stored = widget.store.get(alert_id)
        assert stored.status.value == "acknowledged" and stored.audit[-1].who == ANALYST
    assert widget.selected == set()
    widget.select_page.click()
    assert widget.selected == set(widget.page_ids)
    widget.bulk_assign.click()
    assert all(widget.store.get(i).assignee == ANALYST for i in widget.page_ids)


def test_sql_tab_runs_the_rule_query_and_related_tab_lists_related(widget: TriageWidget) -> None:
    widget.status.value = ""
    with_evidence = next(a for a in widget.store.list(limit=None) if a.evidence.sql and a.evidence.rows
                         and a.evidence.rows[0].get("eventid"))
    widget.open_alert(with_evidence.id)
    frame = widget.detail.run_query()
    assert frame is not None and len(frame) >= 1
    assert {r["eventid"] for r in with_evidence.evidence.rows} <= set(frame["eventid"])
    assert "rows in" in widget.detail.sql_result.value
    related = widget.store.related(with_evidence.id)
    assert [value for _, value in widget.detail.related_pick.options] == [r.id for r in related]
    if related:
        widget.detail.related_pick.value = related[0].id
        widget.detail.open_related.click()
        assert widget.detail.alert.id == related[0].id


def test_session_window_filter_follows_the_picker(widget: TriageWidget) -> None:
    picker = WindowPicker(widget.session)
    widget.period.value = "session"
    picker.set_fixed("2026-11-18T00:00:00Z", "2026-11-20T00:00:00Z")
    widget.refresh()
    assert widget.total == widget.store.count(status=OPEN, since="2026-11-18T00:00:00Z", until="2026-11-20T00:00:00Z")
    picker.set_fixed("2025-01-01", "2025-01-02")
    widget.refresh()
    assert widget.total == 0


def test_picker_sets_the_window_the_magics_use(demo_settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from IPython.core.interactiveshell import InteractiveShell

    import workbench
    from workbench.widgets.workspace import shared_session

    monkeypatch.setenv("MANTISSA_WORKSPACE", str(demo_settings.workspace))
    shell = InteractiveShell.instance()
    try:
        picker = workbench.window_picker()
        magics = shell.magics_manager.registry["WorkbenchMagics"]
        assert picker.session is magics.session is shared_session()
        picker.set_fixed("2026-11-18T00:00:00Z", "2026-11-20T00:00:00Z")
        assert str(magics.session.window()) == "[2026-11-18T00:00:00Z, 2026-11-20T00:00:00Z)"
        picker.mode.value = "7d"
        assert magics.session.describe()["window"].startswith("last 7d")
        assert picker.fixed_row.layout.display == "none"
        picker.set_fixed("not a time", "2026-11-20")
        assert "cannot read time" in picker.status.value
        assert magics.session.describe()["window"].startswith("last 7d")
    finally:
        shell.run_line_magic("unload_ext", "workbench")
        InteractiveShell.clear_instance()


def _all_html(widget: TriageWidget) -> str:
    import ipywidgets as W

    found, stack = [], [widget]
    while stack:
        node = stack.pop()
        if isinstance(node, W.HTML):
            found.append(node.value)
        stack.extend(getattr(node, "children", ()))
    return "\n".join(found)


def test_log_text_is_escaped_everywhere_in_the_widget(hostile_settings) -> None:
    from workbench.session import Session

    widget = triage(hostile_settings, session=Session(hostile_settings))
    widget.open_alert(HOSTILE_ALERT)
    widget.detail.run_query()
    markup = _all_html(widget)
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in markup
    assert not re.search(r"<script|<img", markup, re.IGNORECASE)
    # Titles go into button labels, which ipywidgets draws as text nodes: kept verbatim, not markup.
    assert SCRIPT in widget.rows[0].title.description
    assert IMG not in markup


def test_top_level_triage_reads_configured_store(demo_settings) -> None:
    import workbench

    widget = workbench.triage(demo_settings, page_size=3)
    with get_store(demo_settings) as store:
        assert widget.total == store.count(status=OPEN)
