"""The investigation brief: one to two printed pages, first on the report, written from the facts
gathered (no model involved) — what happened, who, from where, what is new, what to do.

Every sentence is built from the Investigation's data; every value from logs is escaped by the
HTML builders. The detail sections below the brief hold the evidence for each line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.investigate.html import SEVERITY_COLORS, Html, esc, severity_badge, status_badge, table
from workbench.investigate.layout import full, note, plural, when, with_label

if TYPE_CHECKING:
    from workbench.investigate.gather import Investigation

READ_PREFIXES = ("Get", "List", "Describe", "Head", "Lookup", "Search", "Scan", "Query", "Check", "Select",
                 "Batch Get", "BatchGet", "Validate", "Estimate", "Preview", "View")
# User agents that name an offensive distribution or tool: worth a word in the brief.
AGENT_MARKS = (("kali", "Kali Linux, a penetration-testing distribution"),
               ("parrot", "Parrot OS, a penetration-testing distribution"),
               ("pentoo", "Pentoo, a penetration-testing distribution"),
               ("blackarch", "BlackArch, a penetration-testing distribution"),
               ("pacu", "Pacu, an AWS exploitation framework"), ("sqlmap", "sqlmap"), ("nmap", "nmap"),
               ("masscan", "masscan"), ("zgrab", "zgrab scanner"), ("nuclei", "nuclei scanner"))
BRIEF_CLASS = "mantissa-brief"  # the browser test prints this block alone and counts its pages


def agent_mark(agent: Any) -> str:
    text = str(agent or "").lower()
    return next((label for needle, label in AGENT_MARKS if needle in text), "")


def _writes(frame: pd.DataFrame) -> pd.Series:
    names = frame["eventname"].astype("string").fillna("")
    return ~names.str.startswith(READ_PREFIXES)


def _errors(frame: pd.DataFrame) -> pd.Series:
    return frame["errorcode"].astype("string").fillna("") != "" if "errorcode" in frame else \
        pd.Series(False, index=frame.index)


def _services(frame: pd.DataFrame, top: int = 4) -> str:
    service = frame["eventsource"].astype("string").fillna("").str.replace(".amazonaws.com", "", regex=False)
    counts = service.value_counts().head(top)
    return ", ".join(f"{name} ({n:,})" for name, n in counts.items() if name)


def what_happened(inv: Investigation) -> list[str]:
    a = inv.alert
    out = []
    if inv.rule_description:
        out.append(inv.rule_description)
    span = f"at {when_text(a.first_seen)}" if a.first_seen == a.last_seen else \
        f"between {when_text(a.first_seen)} and {when_text(a.last_seen)}"
    out.append(f"The rule {a.rule_id} matched {plural(a.count, 'event')} {span}.")
    ct = inv.cloudtrail
    if not ct.empty and {"eventname", "eventsource"} <= set(ct.columns):
        writes, errors = int(_writes(ct).sum()), int(_errors(ct).sum())
        out.append(f"From {when_text(inv.window.start)} to {when_text(inv.window.end)} ({inv.hours_around:g} h "
                   f"either side) these subjects made {plural(len(ct), 'CloudTrail call')}: "
                   f"{writes:,} that change something, {errors:,} failed or denied; "
                   f"services: {_services(ct)}.")
    else:
        out.append(f"No CloudTrail call by these subjects from {when_text(inv.window.start)} to "
                   f"{when_text(inv.window.end)}.")
    return out


def when_text(moment: Any) -> str:
    return pd.Timestamp(moment).tz_convert("UTC").strftime("%Y-%m-%d %H:%M:%SZ")


def who_rows(inv: Investigation) -> list[dict[str, Any]]:
    ct = inv.cloudtrail
    rows = []
    for principal in inv.subjects.principals:
        kind = ""
        calls = 0
        if not ct.empty and "principal" in ct.columns:
            mine = ct[(ct["principal"].astype("string") == principal)
                      | (ct.get("username", pd.Series(dtype="string")).astype("string") == principal)]
            calls = len(mine)
            if calls and "identitytype" in mine.columns:
                kind = str(mine["identitytype"].dropna().astype(str).mode().iat[0]) if \
                    mine["identitytype"].notna().any() else ""
        rows.append({"who": full(principal), "type": esc(kind), "calls in window": f"{calls:,}"})
    for key in inv.subjects.access_keys:
        calls = int((ct["accesskeyid"].astype("string") == key).sum()) if "accesskeyid" in ct.columns else 0
        rows.append({"who": esc(key), "type": "access key", "calls in window": f"{calls:,}"})
    for instance in inv.subjects.instances:
        rows.append({"who": esc(instance), "type": "EC2 instance", "calls in window": "—"})
    rows += _others(inv)
    return rows


def _others(inv: Investigation, top: int = 3) -> list[dict[str, Any]]:
    """Principals the alert does not name that acted from its source IPs in the window — a user the
    actor just created, now used from the same address, is often the story."""
    ct = inv.cloudtrail
    if ct.empty or "principal" not in ct.columns:
        return []
    named = set(inv.subjects.principals)
    principal = ct["principal"].astype("string").fillna("")
    others = ct[(principal != "") & ~principal.isin(named)]
    if "username" in others.columns:
        others = others[~others["username"].astype("string").fillna("").isin(named)]
    rows = []
    for who, part in others.groupby(others["principal"].astype("string"), sort=False):
        kind = part["identitytype"].dropna().astype(str).mode() if "identitytype" in part else pd.Series([], dtype=str)
        rows.append({"who": full(who), "type": esc((kind.iat[0] + ", " if len(kind) else "") + "same source IP"),
                     "calls in window": f"{len(part):,}", "_n": len(part)})
    rows.sort(key=lambda r: -r["_n"])
    return [{k: v for k, v in r.items() if k != "_n"} for r in rows[:top]]


def where_rows(inv: Investigation, label: Any, top: int = 5) -> tuple[list[dict[str, Any]], int]:
    """The source IPs of the window's calls, the new ones first, each with its label and user agent."""
    ct = inv.cloudtrail
    new_ips = set(inv.facts.loc[inv.facts["kind"] == "IP", "value"]) if not inv.facts.empty else set()
    if ct.empty or "sourceipaddress" not in ct.columns:
        ips = [(ip, 0, "", "") for ip in inv.subjects.ips]
    else:
        stamp = pd.to_datetime(ct["eventtime"], utc=True, errors="coerce", format="ISO8601")
        frame = ct.assign(_when=stamp, _ip=ct["sourceipaddress"].astype("string").fillna(""))
        ips = []
        for ip, part in frame.groupby("_ip", sort=False):
            agents = part["useragent"].astype("string").fillna("") if "useragent" in part else pd.Series([""])
            ips.append((ip, len(part), part["_when"].min(), agents.mode().iat[0] if len(agents) else ""))
    ips.sort(key=lambda r: (r[0] not in new_ips, -r[1]))
    rows = []
    for ip, calls, first, agent in ips[:top]:
        mark = agent_mark(agent)
        agent_cell = esc(str(agent)[:90] + ("…" if len(str(agent)) > 90 else ""))
        if mark:
            agent_cell += f'<br><b style="color:{SEVERITY_COLORS["high"]}">{esc(mark)}</b>'
        rows.append({"source": with_label(ip, label(ip)), "new?": "<b>new</b>" if ip in new_ips else "seen before",
                     "calls": f"{calls:,}", "first call": when(first) if calls else "—", "user agent": agent_cell})
    return rows, max(len(ips) - top, 0)


def new_rows(inv: Investigation, label: Any, top: int = 8) -> tuple[list[dict[str, Any]], int]:
    facts = inv.facts
    if facts.empty:
        return [], 0
    order = {"IP": 0, "region": 1, "API": 2}
    ranked = facts.assign(_o=facts["kind"].map(order)).sort_values(["_o", "first_at"])
    rows = []
    for row in ranked.head(top).itertuples():
        value = with_label(row.value, label(row.value)) if row.kind == "IP" else esc(row.value)
        rows.append({"first": f"{esc(row.kind)}", "value": value, "by": full(row.principal),
                     "at": when(row.first_at), "calls": f"{int(row.calls):,}"})
    return rows, max(len(facts) - top, 0)


def _new_columns(inv: Investigation) -> list[str]:
    """`by` only when more than one principal has facts (else the heading's principal says it)."""
    several = not inv.facts.empty and inv.facts["principal"].nunique() > 1
    return ["first", "value", *(["by"] if several else []), "at", "calls"]


def corroboration(inv: Investigation) -> list[str]:
    out = []
    gd = inv.guardduty
    if not gd.empty:
        titles = "; ".join(dict.fromkeys(gd["title"].astype(str).head(3))) if "title" in gd.columns else ""
        out.append(f"{plural(len(gd), 'GuardDuty finding')} {'names' if len(gd) == 1 else 'name'} these subjects: "
                   f"{titles}")
    if inv.related:
        worst = max(inv.related, key=lambda r: r.severity.rank)
        verb = "shares" if len(inv.related) == 1 else "share"
        out.append(f"{plural(len(inv.related), 'other alert')} {verb} a principal, key or IP "
                   f"(worst: {worst.severity.value}, “{worst.title[:120]}”)")
    if not out:
        out.append("No GuardDuty finding and no other alert name these subjects.")
    return out


def section_brief(inv: Investigation) -> Html:
    from workbench.enrich import labeler

    a = inv.alert
    label = labeler(inv.settings).text
    colour = SEVERITY_COLORS.get(a.severity.value, "#757575")
    head = (f'<div style="border-left:5px solid {colour};padding:6px 12px;margin:4px 0 10px 0">'
            f'<div style="font-size:18px;font-weight:700;line-height:1.3">{full(a.title)}</div>'
            f'<div style="margin-top:4px">{severity_badge(a.severity)} {status_badge(a.status)} '
            f'<span style="opacity:.8">rule {esc(a.rule_id)} · alert {esc(a.id)} · '
            f'assignee {esc(a.assignee or "nobody")}</span></div></div>')
    parts = [head, _h("What happened"), _ul(what_happened(inv))]
    parts += [_h("Who"), table(who_rows(inv), ["who", "type", "calls in window"], raw=("who", "type"),
                               empty="the alert names no principal, access key or instance")]
    where, more = where_rows(inv, label)
    parts += [_h("From where"), table(where, ["source", "new?", "calls", "first call", "user agent"],
                                      raw=("source", "new?", "first call", "user agent"),
                                      empty="no source IP in the window")]
    if more:
        parts.append(note(f"{plural(more, 'more source address', 'more source addresses')} in the details below."))
    fresh, more = new_rows(inv, label)
    columns = _new_columns(inv)
    by = "" if "by" in columns or inv.facts.empty else f" for {inv.facts['principal'].iat[0]}"
    parts += [_h(f"What is new{by} (not in {inv.history_label})"),
              table(fresh, columns, raw=("value", "by", "at"),
                    empty="nothing: every IP, region and API in the window was used before")]
    if more:
        parts.append(note(f"{plural(more, 'more first-seen fact')} in “First-seen facts” below."))
    parts += [_h("Also seen"), _ul(corroboration(inv))]
    parts += [_h("What to do"), _steps(inv)]
    if inv.problems:
        parts += [_h("Gaps in this report"), _ul(inv.problems)]
    return Html(f'<div class="{BRIEF_CLASS}" style="max-width:62em">{"".join(parts)}</div>')


def _h(text: str) -> str:
    return f'<h4 style="margin:12px 0 4px 0">{esc(text, limit=None)}</h4>'


def _ul(lines: Sequence[str]) -> str:
    return '<ul style="margin:0;padding-left:1.3em">' + "".join(f"<li>{esc(x, limit=None)}</li>" for x in lines) \
        + "</ul>"


def _steps(inv: Investigation, top: int = 4) -> str:
    items = []
    for step in inv.containment[:top]:
        command = f'<br><code style="font-size:11px">{esc(step.command, limit=None)}</code>' if step.command else ""
        items.append(f"<li><b>{esc(step.action)}</b> — {esc(step.why)}{command}</li>")
    out = '<ol style="margin:0;padding-left:1.3em">' + "".join(items) + "</ol>"
    rest = len(inv.containment) - top
    if rest > 0:
        out += note(f"{plural(rest, 'more step')} in “Suggested containment” below. Nothing here has touched AWS.")
    else:
        out += note("Suggestions to weigh: nothing here has touched AWS.")
    return out
