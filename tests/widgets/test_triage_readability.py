"""The triage queue as an analyst reads it: whole titles, filters that say "any", messages where the click
was, an audit trail without `None`, and an investigation that shows progress and links a report whose
plots draw."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from workbench.widgets import TriageWidget, triage
from workbench.widgets.detail import audit_trail
from workbench.widgets.links import files_url

ANALYST = "ana.lyst"


@pytest.fixture()
def widget(demo_settings, monkeypatch: pytest.MonkeyPatch) -> TriageWidget:
    monkeypatch.setenv("JUPYTERHUB_USER", ANALYST)
    from workbench.session import Session

    return triage(demo_settings, session=Session(demo_settings), page_size=50)


def test_every_title_is_whole_in_the_label_and_the_tooltip(widget: TriageWidget) -> None:
    widget.status.value = ""
    shown = [(row, alert) for row, alert in zip(widget.rows, widget.alerts, strict=False)]
    assert any(alert.title.startswith("arn:aws:") for _, alert in shown)  # the case that used to be cut
    for row, alert in shown:
        assert row.title.tooltip == alert.title and row.title.description == alert.title
        assert "mw-title" in row.title._dom_classes  # the style that lets a long label wrap


def test_filter_dropdowns_show_any_instead_of_a_blank(widget: TriageWidget) -> None:
    assert (widget.severity.label, widget.period.label, widget.status.label) == ("any", "any time", "open")
    widget.status.value = ""
    assert widget.status.label == "any" and widget.filter_kwargs()["status"] is None
    assert widget.filter_kwargs()["min_severity"] is None and "since" not in widget.filter_kwargs()


def test_times_are_short_with_the_iso_time_on_hover(widget: TriageWidget) -> None:
    alert, row = widget.alerts[0], widget.rows[0]
    iso = alert.last_seen.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f"title='{iso}'" in row.cells["last"].value
    assert f">{alert.last_seen:%b %d}<br>{alert.last_seen:%H:%M}<" in row.cells["last"].value


def test_false_positive_without_reason_says_what_to_do_beside_the_button(widget: TriageWidget) -> None:
    alert_id = widget.rows[0].alert_id
    widget.open_alert(alert_id)
    detail = widget.detail
    detail.fp_reason.value = "  "
    detail.false_positive.click()
    message = detail.message.value
    assert "needs a reason" in message and "type why it is benign in the box left of" in message
    assert alert_id not in message and "--reason" not in message
    assert widget.message.value == ""  # nothing above the list, out of view
    assert widget.store.get(alert_id).status.value == "new"


def test_bulk_false_positive_without_reason_names_the_box(widget: TriageWidget) -> None:
    widget.rows[0].check.value = True
    widget.bulk_fp.click()
    assert "“why they are benign” box" in widget.message.value
    assert widget.store.get(widget.rows[0].alert_id).status.value == "new"


def test_audit_shows_first_values_plainly(widget: TriageWidget) -> None:
    alert_id = widget.rows[0].alert_id
    widget.open_alert(alert_id)
    widget.detail.acknowledge.click()
    stored = widget.store.get(alert_id)
    assert any(None in v for e in stored.audit for v in e.changes.values() if isinstance(v, list))
    rows = audit_trail(stored)
    assert "None" not in widget.detail.audit.value and all("None" not in r["changes"] for r in rows)
    assert any(r["changes"] == "status: new → acknowledged" for r in rows)


def test_the_open_alert_is_marked_in_the_list(widget: TriageWidget) -> None:
    widget.rows[2].title.click()
    assert ["mw-open" in r.title._dom_classes for r in widget.rows[:4]] == [False, False, True, False]
    widget.rows[3].title.click()
    assert ["mw-open" in r.title._dom_classes for r in widget.rows[:4]] == [False, False, False, True]


# -- the report link ----------------------------------------------------------------------------


def test_files_url_points_into_the_server_that_runs_this_kernel(tmp_path: Path) -> None:
    report = tmp_path / "lab" / "demo" / "reports" / "investigations" / "a b#1.html"
    mine = {"root_dir": str(tmp_path / "lab"), "base_url": "/user/ana/", "pid": 4242}
    other = {"root_dir": str(tmp_path), "base_url": "/", "pid": 1}
    assert files_url(report, [other, mine], parent_pid=4242) == \
        "/user/ana/files/demo/reports/investigations/a%20b%231.html"
    assert files_url(report, [other], parent_pid=4242) == "/files/lab/demo/reports/investigations/a%20b%231.html"
    assert files_url(report, [{"root_dir": str(tmp_path / "elsewhere"), "base_url": "/", "pid": 4242}]) is None


def test_files_url_reads_the_running_servers_runtime_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The runtime file a real server writes (jpserver-<pid>.json), found the way `jupyter server list` finds it."""
    import json

    runtime = tmp_path / "runtime"
    runtime.mkdir()
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    pid = os.getpid()  # a live process, as list_running_servers checks
    (runtime / f"jpserver-{pid}.json").write_text(json.dumps(
        {"base_url": "/", "hostname": "127.0.0.1", "password": False, "pid": pid, "port": 8888, "secure": False,
         "sock": "", "token": "", "url": "http://127.0.0.1:8888/", "version": "2", "root_dir": str(tmp_path)}))
    assert files_url(tmp_path / "r.html", parent_pid=pid) == "/files/r.html"


@pytest.mark.timeout(300)
def test_investigate_shows_progress_then_links_the_report(widget: TriageWidget, demo_settings,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    runtime = demo_settings.workspace.parent / "runtime"
    runtime.mkdir(exist_ok=True)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    (runtime / f"jpserver-{os.getpid()}.json").write_text(json.dumps(
        {"base_url": "/", "pid": os.getpid(), "port": 1, "url": "http://127.0.0.1:1/", "token": "",
         "root_dir": str(demo_settings.workspace)}))
    widget.open_alert(widget.rows[0].alert_id)
    detail = widget.detail
    assert detail.run_investigation() is None  # returns at once: the playbook runs in the background
    assert detail.investigate.disabled and "running the investigation playbook" in detail.report_link.value
    assert detail.run_investigation() is None and detail._investigation is not None  # a second click: no second run
    detail._investigation.join(timeout=240)
    assert not detail.investigate.disabled and detail.last_report is not None and detail.last_report.exists()
    href = re.search(r"href='([^']+)'", detail.report_link.value).group(1)
    assert href == "/files/" + detail.last_report.relative_to(demo_settings.workspace).as_posix()
    assert "open the report" in detail.report_link.value and "target='_blank'" in detail.report_link.value


def test_a_failed_investigation_says_why_and_frees_the_button(widget: TriageWidget) -> None:
    alert = widget.open_alert(widget.rows[0].alert_id)
    widget.detail.alert = alert.model_copy(update={"id": "no-such-alert-0000"})  # gone from the store meanwhile
    assert widget.detail.run_investigation(wait=True) is None
    assert "no-such-alert-0000" in widget.detail.report_link.value and "#C62828" in widget.detail.report_link.value
    assert "running the investigation" not in widget.detail.report_link.value
    assert not widget.detail.investigate.disabled
