"""The report's sections. Each takes an Investigation and returns something a notebook cell shows:
`Html` (escaped markup) or `Plot` (an interactive plotly figure). The playbook calls them as
`inv.brief()` (see `brief.py`), `inv.timeline()`, … (see Investigation.__getattr__)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.investigate.brief import BRIEF_CLASS, plural, section_brief  # noqa: F401 - inv.brief()
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
from workbench.investigate.layout import details, full, note, paged_table, when, with_label
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
    counts = ", ".join([plural(len(inv.cloudtrail), "CloudTrail event"), plural(len(inv.vpc_flow), "VPC flow"),
                        plural(len(inv.guardduty), "GuardDuty finding"), plural(len(inv.related), "related alert"),
                        plural(len(inv.facts), "first-seen fact")])
    out += f"<p><b>Found around it:</b> {esc(counts)}</p>"
    sentences = fact_sentences(inv.facts, inv.history_label, limit=5)
    if sentences:
        out += "<ul>" + "".join(f"<li>{esc(s)}</li>" for s in sentences) + "</ul>"
    if inv.problems:
        out += "<p><b>Gaps:</b></p><ul>" + "".join(f"<li>{esc(p)}</li>" for p in inv.problems) + "</ul>"
    return Html(out)


def _labeler(inv: Investigation) -> Any:
    from workbench.enrich import labeler

    return labeler(inv.settings).text


def section_who(inv: Investigation) -> Html:
    label = _labeler(inv)
    rows = [{"kind": r["kind"], "value": with_label(r["value"], label(r["value"])) if r["kind"] == "source IP"
             else full(r["value"])} for r in inv.subjects.as_rows()]
    return Html(table(rows, ["kind", "value"], raw=("value",),
                      empty="the alert names no principal, access key, source IP or instance"))


def section_evidence(inv: Investigation) -> Html:
    a = inv.alert
    out = '<div style="overflow-x:auto">' + frame_table(pd.DataFrame(a.evidence.rows), limit=10,
                                                       empty="the alert carries no evidence rows") + "</div>"
    if len(a.evidence.rows) > 10:
        rest = pd.DataFrame(a.evidence.rows[10:])
        out += details(f"{len(rest):,} more evidence rows", '<div style="overflow-x:auto">'
                       + frame_table(rest, limit=500) + "</div>")
    if a.evidence.sql:
        ew = a.evidence.window
        window = f" over {iso_z(ew.start)} – {iso_z(ew.end)}" if ew else ""
        out += details(f"The Athena SQL that reproduces it{window}", pre(a.evidence.sql))
    return Html(out)


SUMMARY_KEYS = ["sourceipaddress", "eventsource", "eventname", "errorcode"]


def activity_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """The window's calls grouped by source IP, call and error: how many, first and last."""
    keys = [k for k in SUMMARY_KEYS if k in frame.columns]
    stamp = pd.to_datetime(frame["eventtime"], utc=True, errors="coerce", format="ISO8601")
    grouped = (frame.assign(_when=stamp, **{k: frame[k].astype("string").fillna("") for k in keys})
               .groupby(keys, sort=False).agg(calls=("_when", "size"), first=("_when", "min"), last=("_when", "max"))
               .reset_index())
    return grouped.sort_values(["first", "calls"], ascending=[True, False], ignore_index=True)


def section_activity(inv: Investigation, first: int = 25, raw_limit: int = 500) -> Html:
    """A summary a page can hold (calls grouped by IP, call and error); every event in a fold below."""
    frame = inv.cloudtrail
    if frame.empty:
        return Html(table([], empty="no CloudTrail activity by these subjects in the window"))
    label = _labeler(inv)
    summary = activity_summary(frame)
    rows = [{"source": with_label(r["sourceipaddress"], label(r["sourceipaddress"])),
             "call": esc(f"{str(r['eventsource']).replace('.amazonaws.com', '')}:{r['eventname']}"),
             "error": esc(r.get("errorcode", "")), "calls": f"{int(r['calls']):,}",
             "first": when(r["first"]), "last": when(r["last"])} for r in summary.to_dict("records")]
    out = note(f"{plural(len(frame), 'call')} in {plural(len(summary), 'group')} (source IP, call, error), "
               "in order of first call.")
    out += paged_table(rows, ["first", "last", "source", "call", "error", "calls"], first=first,
                       raw=("first", "last", "source", "call", "error"), noun="groups")
    shown = frame[[c for c in ACTIVITY_COLUMNS if c in frame.columns]].head(raw_limit)
    events = [{**{c: esc(v) for c, v in r.items()}, "eventtime": when(r.get("eventtime"))}
              for r in shown.to_dict("records")]
    more = f"; the first {raw_limit:,} shown" if len(frame) > raw_limit else ""
    out += details(f"Every event ({len(frame):,}{more})",
                   '<div style="overflow-x:auto">' + table(events, list(shown.columns), raw=list(shown.columns))
                   + "</div>")
    return Html(out)


def _plot(name: str, *args: Any, **kwargs: Any) -> Plot:
    from workbench import plots

    return Plot(getattr(plots, name)(*args, **kwargs))


def section_timeline(inv: Investigation) -> Plot:
    """Coloured by where each call came from, so a source IP new in this window stands out."""
    frame = inv.cloudtrail
    if frame.empty or "sourceipaddress" not in frame.columns:
        return _plot("activity_timeline", frame, title="Activity of the principals, keys and IPs")
    label = _labeler(inv)
    new_ips = set(inv.facts.loc[inv.facts["kind"] == "IP", "value"]) if not inv.facts.empty else set()
    source = frame["sourceipaddress"].astype("string").fillna("")
    origin = source.map(lambda ip: f"new: {ip} ({label(ip)})" if ip in new_ips else "IPs seen before")
    return _plot("activity_timeline", frame.assign(origin=origin), color_by="origin",
                 title="Activity of the principals, keys and IPs, by where it came from")


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
    label = _labeler(inv)
    rows = [{**r, "srcaddr": with_label(r["srcaddr"], label(r["srcaddr"])),
             "dstaddr": with_label(r["dstaddr"], label(r["dstaddr"])), "first": when(r["first"]),
             "last": when(r["last"]), "bytes": f"{int(r['bytes']):,}"} for r in top.to_dict("records")]
    return Html(paged_table(rows, ["srcaddr", "dstaddr", "dstport", "action", "flows", "bytes", "first", "last"],
                            first=15, raw=("srcaddr", "dstaddr", "first", "last"), noun="flow groups"))


def section_guardduty_findings(inv: Investigation) -> Html:
    return Html(frame_table(inv.guardduty, empty="no GuardDuty finding names these subjects in the window"))


def section_related_alerts(inv: Investigation) -> Html:
    rows = [{"severity": severity_badge(r.severity), "status": status_badge(r.status), "title": full(r.title),
             "count": r.count, "first seen": when(r.first_seen), "last seen": when(r.last_seen), "id": r.id}
            for r in inv.related]
    return Html(paged_table(rows, ["severity", "status", "title", "count", "first seen", "last seen", "id"],
                            first=10, empty="no other alert shares a principal, access key or source IP",
                            raw=("severity", "status", "title", "first seen", "last seen"), noun="related alerts"))


def section_related_trend(inv: Investigation) -> Plot | Html:
    """A trend only says something with a few alerts; with fewer the table above says it all."""
    if len(inv.related) < 3:
        return Html("")
    return _plot("alert_trend", [inv.alert, *inv.related], title="This alert and related alerts by severity")


def section_first_seen(inv: Investigation) -> Html:
    head = (f"<p>Compared with {esc(inv.history_label)} ({esc(str(inv.history_window))}): "
            f"{len(inv.history):,} distinct (principal, IP, call, region) combinations in that history.</p>")
    label = _labeler(inv)
    rows = [{**r, "value": with_label(r["value"], label(r["value"])) if r["kind"] == "IP" else esc(r["value"]),
             "principal": full(r["principal"]), "first_at": when(r["first_at"])} for r in inv.facts.to_dict("records")]
    return Html(head + paged_table(rows, ["principal", "kind", "value", "first_at", "calls", "history"], first=20,
                                   raw=("principal", "value", "first_at"), noun="first-seen facts",
                                   empty="nothing new: every IP, API and region was used before"))


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
    out += "".join(details(f"SQL: {q.purpose}", pre(q.sql)) for q in inv.queries)
    return Html(out)
