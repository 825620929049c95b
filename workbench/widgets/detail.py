"""The triage widget's detail pane: one alert's facts, evidence, SQL, audit trail, related alerts,
the analyst's actions and the investigation report."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as W
import pandas as pd

from workbench.investigate.html import definition_list, esc, pre, severity_badge, status_badge, table
from workbench.resulttable import ResultTable
from workbench.timewindow import Window, iso_z
from workbench.widgets.links import files_url

if TYPE_CHECKING:
    from workbench.alerts import Alert
    from workbench.widgets.triage import TriageWidget

TABS = ("Overview", "Evidence", "SQL", "Audit", "Related", "Investigate")


def _button(label: str, style: str = "", tip: str = "", width: str = "auto") -> W.Button:
    return W.Button(description=label, button_style=style, tooltip=tip, layout=W.Layout(width=width))


def _address_labels(alert: Alert) -> list[tuple[str, str]]:
    """`source: 203.0.113.9` → its enrichment label (AWS service and region, cloud, scanner, private)."""
    from workbench.enrich.frames import IP_COLUMNS
    from workbench.enrich.labels import ip_label

    seen: dict[str, str] = {}
    for key, value in [*alert.group_keys.items(), *alert.fields.items()]:
        if str(key).lower() in IP_COLUMNS and value and str(value) not in seen:
            seen[str(value)] = ip_label(value)
    return [(f"about {address}", label) for address, label in seen.items() if label]


class AlertDetail(W.VBox):
    def __init__(self, triage: TriageWidget) -> None:
        self.triage = triage
        self.alert: Alert | None = None
        self.last_frame: pd.DataFrame | None = None
        self.last_report: Path | None = None
        self.header = W.HTML()
        self.acknowledge = _button("Acknowledge", "info", "mark as seen: you are on it")
        self.investigating = _button("Investigating", "warning", "status: investigating")
        self.resolve = _button("Resolve", "success", "close: handled")
        self.assignee = W.Text(placeholder="name", layout=W.Layout(width="140px"))
        self.assign = _button("Assign", tip="assign to the name typed")
        self.assign_me = _button("Assign to me", tip=f"assign to {triage.actor}")
        self.fp_reason = W.Text(placeholder="why it is benign (required)", layout=W.Layout(width="240px"))
        self.false_positive = _button("False positive", "danger", "close as benign, with the reason typed")
        self.note = W.Textarea(placeholder="a note for the audit trail", layout=W.Layout(width="420px", height="48px"))
        self.add_note = _button("Add note")
        self.overview, self.evidence, self.sql_text, self.audit = W.HTML(), W.HTML(), W.HTML(), W.HTML()
        self.run_sql = _button("Run this query", "primary", "run the SQL over the evidence window into a DataFrame")
        self.sql_result = W.HTML()
        self.related_html = W.HTML()
        self.related_pick = W.Dropdown(options=[], description="open", layout=W.Layout(width="520px"))
        self.open_related = _button("Open")
        self.hours = W.BoundedIntText(value=6, min=0, max=24 * 30, description="hours around",
                                      layout=W.Layout(width="200px"))
        self.investigate = _button("Investigate", "primary", "run the investigation playbook and render its HTML")
        self.report_link = W.HTML()
        self.message = W.HTML()  # what the last action here did, next to the buttons that did it
        self._investigation: threading.Thread | None = None
        self.tabs = W.Tab(children=[
            self.overview, self.evidence, W.VBox([self.sql_text, self.run_sql, self.sql_result]), self.audit,
            W.VBox([self.related_html, W.HBox([self.related_pick, self.open_related])]),
            W.VBox([W.HBox([self.hours, self.investigate]), self.report_link]),
        ], titles=TABS)
        actions = W.VBox([
            W.HBox([self.acknowledge, self.investigating, self.resolve, W.HTML("&nbsp;"), self.assignee,
                    self.assign, self.assign_me]),
            W.HBox([self.fp_reason, self.false_positive]),
            W.HBox([self.note, self.add_note]),
            self.message,
        ])
        self._wire()
        super().__init__([self.header, actions, self.tabs],
                         layout=W.Layout(border="1px solid rgba(128,128,128,0.35)", padding="6px", margin="8px 0 0 0"))
        self.add_class("mw-detail")
        self.header.add_class("mw-detail-head")
        self.show(None)

    def _wire(self) -> None:
        act = self.triage.act
        self.acknowledge.on_click(lambda _: self._act("acknowledge"))
        self.investigating.on_click(lambda _: self._act("investigating"))
        self.resolve.on_click(lambda _: self._act("resolve"))
        self.assign.on_click(lambda _: self._act("assign", assignee=self.assignee.value.strip() or None))
        self.assign_me.on_click(lambda _: self._act("assign", assignee=self.triage.actor))
        self.false_positive.on_click(lambda _: self._act("false_positive", reason=self.fp_reason.value))
        self.add_note.on_click(lambda _: self._note())
        self.run_sql.on_click(lambda _: self.run_query())
        self.open_related.on_click(lambda _: self.related_pick.value and self.triage.open_alert(self.related_pick.value))
        self.investigate.on_click(lambda _: self.run_investigation())
        self._act_fn = act

    def _act(self, action: str, **kwargs: Any) -> None:
        if self.alert is not None:
            self._act_fn(action, [self.alert.id], say=self._say, **kwargs)

    def _note(self) -> None:
        if self.alert is not None and self._act_fn("note", [self.alert.id], say=self._say, text=self.note.value):
            self.note.value = ""

    def _say(self, text: str, failures: list[str] | None = None, error: bool = False) -> None:
        from workbench.widgets.triage import message_html

        self.message.value = message_html(text, failures, error)

    # ---- showing ------------------------------------------------------------------------------
    def show(self, alert: Alert | None) -> None:
        changed = alert is None or self.alert is None or alert.id != self.alert.id
        self.alert = alert
        self.layout.display = "none" if alert is None else ""
        if alert is None:
            return
        if changed:
            self.sql_result.value, self.report_link.value, self.message.value, self.last_frame = "", "", "", None
            self.assignee.value, self.fp_reason.value = alert.assignee or "", ""
        self.header.value = (f"<div style='font-size:14px'>{severity_badge(alert.severity)} "
                             f"{status_badge(alert.status)} <b>{esc(alert.title)}</b></div>"
                             f"<div style='opacity:.7;font-size:11px'>{esc(alert.id)}</div>")
        self.overview.value = definition_list([
            ("rule", alert.rule_id), ("severity", alert.severity.value), ("status", alert.status.value),
            ("assignee", alert.assignee or "—"), ("count", alert.count), ("first seen", iso_z(alert.first_seen)),
            ("last seen", iso_z(alert.last_seen)), ("account", alert.account or "—"),
            *[(f"group key: {k}", v) for k, v in alert.group_keys.items()],
            *[(f"field: {k}", v) for k, v in alert.fields.items()],
            *_address_labels(alert),
        ])
        self.evidence.value = _frame_html(pd.DataFrame(alert.evidence.rows), "no evidence rows")
        window = alert.evidence.window
        where = f"over [{iso_z(window.start)}, {iso_z(window.end)})" if window else "over the alert's first/last seen"
        self.sql_text.value = (f"<p>Athena SQL that reproduces the alert, {esc(where)}:</p>"
                               + pre(alert.evidence.sql or "(the rule recorded no SQL)"))
        self.run_sql.disabled = not alert.evidence.sql
        self.audit.value = table(audit_trail(alert), ["when", "who", "action", "changes"], empty="no changes yet")
        self._show_related(alert)

    def _show_related(self, alert: Alert) -> None:
        related = self.triage.store.related(alert.id)
        rows = [{"severity": severity_badge(r.severity), "status": status_badge(r.status), "title": r.title,
                 "count": r.count, "last seen": iso_z(r.last_seen), "id": r.id} for r in related]
        self.related_html.value = table(rows, ["severity", "status", "title", "count", "last seen", "id"],
                                        empty="no other alert shares a principal, access key or source IP",
                                        raw=("severity", "status"))
        # Dropdown labels are drawn as text, not HTML, so titles need no escaping here.
        self.related_pick.options = [(f"[{r.severity.value}] {r.title[:80]}", r.id) for r in related]
        self.tabs.set_title(TABS.index("Related"), f"Related ({len(related)})")

    # ---- running --------------------------------------------------------------------------------
    def run_query(self) -> pd.DataFrame | None:
        """Run the alert's SQL through the session's engine over its evidence window."""
        alert = self.alert
        if alert is None or not alert.evidence.sql:
            return None
        ew = alert.evidence.window
        window = Window(ew.start, ew.end) if ew else Window(alert.first_seen, alert.last_seen + timedelta(seconds=1))
        try:
            result = self.triage.engine().run(alert.evidence.sql, window)
        except Exception as exc:  # shown in the pane; the widget keeps working
            from workbench.magics.errors import explain_sql_error

            self.sql_result.value = f"<p style='color:#C62828'>{esc(explain_sql_error(exc, alert.evidence.sql))}</p>"
            return None
        self.last_frame = result.frame
        self.sql_result.value = (f"<p>{esc(result.status_line())} · the frame: <code>queue.detail.last_frame</code></p>"
                                 + _frame_html(result.frame, f"0 rows over {window}"))
        return result.frame

    def run_investigation(self, wait: bool = False) -> Path | None:
        """Run the investigation playbook for this alert in the background and link its HTML report.

        The playbook runs in a kernel of its own for several seconds; meanwhile the pane counts them and
        the button stays disabled, so a second click cannot start a second run. `wait=True` blocks until
        the report is written (scripts and tests) and returns its path.
        """
        if self.alert is None or (self._investigation is not None and self._investigation.is_alive()):
            return None
        alert_id, hours = self.alert.id, self.hours.value
        self.investigate.disabled = True
        self.report_link.value = _running(0)
        self._investigation = threading.Thread(target=self._investigate, args=(alert_id, hours),
                                               name=f"investigate-{alert_id}", daemon=True)
        self._investigation.start()
        if wait:
            self._investigation.join()
            return self.last_report
        return None

    def _investigate(self, alert_id: str, hours: float) -> None:
        from workbench.investigate import render_investigation

        done = threading.Event()

        def tick() -> None:
            started = time.monotonic()
            while not done.wait(1.0):
                self.report_link.value = _running(time.monotonic() - started)

        ticker = threading.Thread(target=tick, daemon=True)
        ticker.start()
        try:
            # Self-contained: the report opens in the server's sandboxed /files/ tab (see render_investigation).
            paths = render_investigation(alert_id, hours, settings=self.triage.settings, self_contained=True)
            failure = None
        except Exception as exc:  # noqa: BLE001 - shown in the pane; a failed playbook names its kept notebook
            paths, failure = None, exc
        finally:
            done.set()
            ticker.join()  # before the last word, so a late tick cannot overwrite it
            self.investigate.disabled = False
        if paths is None:
            self.report_link.value = f"<p style='color:#C62828'>{esc(failure)}</p>"
            return
        self.last_report = paths.html
        self.report_link.value = report_link_html(paths.html, paths.notebook)


def _running(seconds: float) -> str:
    return (f"<p>⏳ running the investigation playbook in its own kernel… {seconds:.0f} s "
            "<span style='opacity:.7'>(it gathers the activity around the alert and draws the plots; "
            "usually 5–15 s)</span></p>")


def report_link_html(report: Path, notebook: Path) -> str:
    """A link that opens the report with its plots drawing (see `links`); the paths for a terminal."""
    url = files_url(report)
    if url is not None:
        opened = (f"<a href='{esc(url)}' target='_blank' rel='noopener'><b>open the report</b></a> "
                  f"<span style='opacity:.7'>(a new browser tab, plots interactive)</span>")
    else:
        opened = (f"<b>{esc(report.name)}</b> is outside the Jupyter server's folder: open it in a browser "
                  "(its plots need the page's scripts, so not in JupyterLab's HTML viewer)")
    return (f"<p>{opened}<br><span style='opacity:.7'>{esc(report)}<br>executed notebook: "
            f"{esc(notebook)}</span></p>")


def _frame_html(frame: pd.DataFrame, empty: str) -> str:
    return ResultTable(frame, max_rows=100, empty=empty).bundle()["text/html"]


def audit_trail(alert: Alert) -> list[dict[str, Any]]:
    """The audit trail as rows: `status: new → acknowledged`; a first value reads `count: 1`, not
    `count: None → 1`."""
    rows = [{"when": iso_z(e.when), "who": e.who, "action": e.action,
             "changes": ", ".join(f"{k}: {_change(v)}" for k, v in e.changes.items())} for e in alert.audit]
    noted = {e.changes.get("note", [None, None])[1] for e in alert.audit if e.action == "note"}
    rows += [{"when": iso_z(n.when), "who": n.who, "action": "note", "changes": n.text} for n in alert.notes
             if n.text not in noted]
    return sorted(rows, key=lambda r: r["when"])


def _change(value: Any) -> str:
    if isinstance(value, list | tuple) and len(value) == 2:
        before, after = ("—" if v is None or v == "" else v for v in value)
        return str(after) if before == "—" else f"{before} → {after}"
    return str(value)
