"""The report's sections. Each takes an Investigation and returns something a notebook cell shows:
`Html` (escaped markup) or `Plot` (an interactive plotly figure). The playbook calls them as
`inv.summary()`, `inv.timeline()`, … (see Investigation.__getattr__)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.investigate.facts import fact_sentences
from workbench.investigate.html import (
    Html,
    audit_rows,
    definition_list,
    esc,
    frame_table,
    pre,
    severity_badge,
    status_badge,
    table,
)
from workbench.timewindow import iso_z

if TYPE_CHECKING:
    from workbench.investigate.gather import Investigation

ACTIVITY_COLUMNS = ["eventtime", "principal", "accesskeyid", "sourceipaddress", "eventsource", "eventname",
                    "awsregion", "errorcode", "errormessage", "useragent"]


class Plot:
    """A plotly figure as the cell's output: interactive in JupyterLab and in the HTML report."""

    def __init__(self, figure: Any) -> None:
        self.figure = figure

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from workbench.plots import figure_bundle

        return figure_bundle(self.figure)


def section_summary(inv: Investigation) -> Html:
    a = inv.alert
    pairs: list[tuple[str, Any]] = [
        ("alert", a.id), ("rule", a.rule_id), ("severity", severity_badge(a.severity)),
        ("status", status_badge(a.status)), ("assignee", a.assignee or "—"), ("count", a.count),
        ("first seen", iso_z(a.first_seen)), ("last seen", iso_z(a.last_seen)),
        ("investigated window", str(inv.window)), ("engine", inv.engine),
    ]
    pairs += [(f"group key: {k}", v) for k, v in a.group_keys.items()]
    out = f"<h3>{esc(a.title)}</h3>" + definition_list(pairs, raw=("severity", "status"))
    counts = (f"{len(inv.cloudtrail):,} CloudTrail events, {len(inv.vpc_flow):,} VPC flows, "
              f"{len(inv.guardduty):,} GuardDuty findings, {len(inv.related):,} related alerts, "
              f"{len(inv.facts):,} first-seen facts")
    out += f"<p><b>Found around it:</b> {esc(counts)}</p>"
    sentences = fact_sentences(inv.facts, inv.history_label, limit=5)
    if sentences:
        out += "<ul>" + "".join(f"<li>{esc(s)}</li>" for s in sentences) + "</ul>"
    if inv.problems:
        out += "<p><b>Gaps:</b></p><ul>" + "".join(f"<li>{esc(p)}</li>" for p in inv.problems) + "</ul>"
    return Html(out)


def section_who(inv: Investigation) -> Html:
    return Html(table(inv.subjects.as_rows(), ["kind", "value"],
                      empty="the alert names no principal, access key, source IP or instance"))


def section_evidence(inv: Investigation) -> Html:
    a = inv.alert
    out = frame_table(pd.DataFrame(a.evidence.rows), empty="the alert carries no evidence rows")
    if a.evidence.sql:
        ew = a.evidence.window
        window = f" over {iso_z(ew.start)} – {iso_z(ew.end)}" if ew else ""
        out += f"<p><b>The query that reproduces it</b>{esc(window)}:</p>" + pre(a.evidence.sql)
    return Html(out)


def section_activity(inv: Investigation, limit: int = 300) -> Html:
    frame = inv.cloudtrail
    if frame.empty:
        return Html(table([], empty="no CloudTrail activity by these subjects in the window"))
    shown = frame[[c for c in ACTIVITY_COLUMNS if c in frame.columns]]
    return Html(frame_table(shown, limit=limit))


def _plot(name: str, *args: Any, **kwargs: Any) -> Plot:
    from workbench import plots

    return Plot(getattr(plots, name)(*args, **kwargs))


def section_timeline(inv: Investigation) -> Plot:
    return _plot("activity_timeline", inv.cloudtrail, title="Activity of the principals, keys and IPs")


def section_breakdown(inv: Investigation) -> Plot:
    return _plot("event_breakdown", inv.cloudtrail)


def section_heatmap(inv: Investigation) -> Plot:
    return _plot("hour_day_heatmap", inv.cloudtrail)


def section_source_ips(inv: Investigation) -> Plot:
    return _plot("source_ips_per_principal", inv.cloudtrail)


def section_entity_graph(inv: Investigation) -> Plot:
    return _plot("entity_graph", inv.cloudtrail)


def section_flows(inv: Investigation) -> Plot:
    return _plot("flow_bytes", inv.vpc_flow)


def section_flow_table(inv: Investigation) -> Html:
    if inv.vpc_flow.empty:
        return Html(table([], empty="no VPC flows to or from these IPs or instances in the window"))
    frame = inv.vpc_flow.assign(start=pd.to_datetime(inv.vpc_flow["start"], unit="s", utc=True))
    top = (frame.groupby(["srcaddr", "dstaddr", "dstport", "action"], dropna=False)
           .agg(flows=("bytes", "size"), bytes=("bytes", "sum"), first=("start", "min"), last=("start", "max"))
           .sort_values("bytes", ascending=False).reset_index().head(50))
    return Html(frame_table(top))


def section_guardduty_findings(inv: Investigation) -> Html:
    return Html(frame_table(inv.guardduty, empty="no GuardDuty finding names these subjects in the window"))


def section_related_alerts(inv: Investigation) -> Html:
    rows = [{"severity": severity_badge(r.severity), "status": status_badge(r.status), "title": r.title,
             "count": r.count, "first seen": iso_z(r.first_seen), "last seen": iso_z(r.last_seen), "id": r.id}
            for r in inv.related]
    return Html(table(rows, ["severity", "status", "title", "count", "first seen", "last seen", "id"],
                      empty="no other alert shares a principal, access key or source IP", raw=("severity", "status")))


def section_related_trend(inv: Investigation) -> Plot:
    return _plot("alert_trend", [inv.alert, *inv.related], title="This alert and related alerts by severity")


def section_first_seen(inv: Investigation) -> Html:
    head = (f"<p>Compared with {esc(inv.history_label)} ({esc(str(inv.history_window))}): "
            f"{len(inv.history):,} distinct (principal, IP, call, region) combinations in that history.</p>")
    return Html(head + frame_table(inv.facts, empty="nothing new: every IP, API and region was used before"))


def section_containment_steps(inv: Investigation) -> Html:
    items = []
    for step in inv.containment:
        command = f"<br><code>{esc(step.command, limit=None)}</code>" if step.command else ""
        items.append(f"<li><b>{esc(step.action)}</b> — {esc(step.why)}{command}</li>")
    return Html("<p>Suggestions to review, not actions taken: nothing here has touched AWS.</p>"
                f"<ol>{''.join(items)}</ol>")


def section_notes(inv: Investigation) -> Html:
    rows = [r for r in audit_rows(inv.alert)]
    return Html("<p>The alert's notes and audit trail at the time of this report. Add notes with "
                "<code>mantissa alerts note</code> or the triage widget.</p>"
                + table(rows, ["when", "who", "action", "changes"], empty="no notes yet"))


def section_query_log(inv: Investigation) -> Html:
    rows = [{"purpose": q.purpose, "window": q.window, "rows": q.rows, "seconds": q.elapsed_s,
             "bytes scanned": q.bytes_scanned, "query id": q.query_id, "error": q.error} for q in inv.queries]
    out = table(rows, ["purpose", "window", "rows", "seconds", "bytes scanned", "query id", "error"])
    out += "".join(f"<details><summary>{esc(q.purpose)}</summary>{pre(q.sql)}</details>" for q in inv.queries)
    return Html(out)
