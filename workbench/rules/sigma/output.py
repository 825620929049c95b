"""Our rule format from a converted Sigma rule: the dict the loader reads, and its YAML text."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from workbench.rules.model import DEFAULT_DEDUP_PERIOD
from workbench.rules.sigma.fields import column_ref
from workbench.rules.tags import normalize_tag

# Shown with every imported rule so an alert says who did what from where, whatever the Sigma
# rule matched on; the fields the detection reads follow.
CONTEXT_PATHS = ("eventsource", "eventname", "useridentity.arn", "sourceipaddress", "awsregion",
                 "recipientaccountid")
LEVELS = {"informational": "info", "low": "low", "medium": "medium", "high": "high", "critical": "critical"}
DISABLED_STATUSES = {"deprecated", "unsupported"}
MAX_ID = 64


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def rule_id(title: str, sigma_id: str | None, used: set[str]) -> str:
    """`sigma-<title slug>`, with the Sigma id's first block appended when the slug is taken."""
    base = ("sigma-" + slug(title))[:MAX_ID].rstrip("-") or "sigma-rule"
    candidate = base
    if candidate in used:
        suffix = (sigma_id or "").split("-")[0] or str(len(used))
        candidate = f"{base[:MAX_ID - len(suffix) - 1]}-{suffix}"
    n = 2
    while candidate in used:
        candidate, n = f"{base[:MAX_ID - 4]}-{n}", n + 1
    used.add(candidate)
    return candidate


def split_and(condition: str) -> str:
    """One top-level AND term a line, so a reviewer reads the detection the way Sigma wrote it."""
    terms, depth, quoted, start, i = [], 0, False, 0, 0
    while i < len(condition):
        ch = condition[i]
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and depth == 0 and condition.startswith(" AND ", i):
            terms.append(condition[start:i])
            start = i = i + len(" AND ")
            continue
        i += 1
    terms.append(condition[start:])
    return "\n  AND ".join(terms)


def duration_text(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _tags(rule: Any, notes: list[str]) -> list[str]:
    tags: list[str] = []
    for tag in rule.tags or []:
        try:
            canonical = normalize_tag(str(tag))
        except ValueError:
            notes.append(f"tag '{tag}' dropped (not an ATT&CK technique or tactic)")
            continue
        if canonical not in tags:
            tags.append(canonical)
    return tags


def _text(rule: Any, source: Path) -> tuple[str, str]:
    description = (rule.description or "").strip()
    origin = f"Imported from Sigma rule {rule.id or '(no id)'} ({source.name})"
    if rule.author:
        origin += f" by {rule.author}"
    description = f"{description}\n\n{origin}." if description else f"{origin}."
    runbook = ("Review the matching events: who acted (useridentity_arn), from where (sourceipaddress), "
               "and what the request asked for. Confirm with the principal's owner whether it was planned.")
    falsepositives = [str(f) for f in (rule.falsepositives or []) if str(f).strip()]
    if falsepositives:
        runbook += " Known false positives (from the Sigma rule): " + "; ".join(falsepositives) + "."
    references = [str(r) for r in (rule.references or [])]
    if references:
        runbook += " References: " + " ".join(references)
    return description, runbook


def build_rule(rule: Any, source: Path, condition: str, fields: list[str], threshold: dict[str, Any] | None,
               used_ids: set[str], notes: list[str]) -> dict[str, Any]:
    """Our rule dict for Sigma `rule` (a SigmaRule or correlation) whose detection is `condition`."""
    level = rule.level.name.lower() if rule.level else None
    if level is None:
        notes.append("no level in the Sigma rule; severity set to medium")
    refs = [column_ref(p) for p in dict.fromkeys([*CONTEXT_PATHS, *fields])]
    projections = ",\n       ".join(["eventtime", "eventid", *(r.projection for r in refs)])
    query = f"SELECT {projections}\nFROM cloudtrail\nWHERE {split_and(condition)}\n"
    title = (rule.title or "Sigma rule").strip()
    description, runbook = _text(rule, source)
    escaped_title = title.replace("{", "{{").replace("}", "}}")
    out: dict[str, Any] = {
        "id": rule_id(title, str(rule.id) if rule.id else None, used_ids),
        "title": title,
        "description": description,
        "severity": LEVELS.get(level or "medium", "medium"),
        "enabled": (rule.status.name.lower() if rule.status else "") not in DISABLED_STATUSES,
        "tags": _tags(rule, notes),
        "runbook": runbook,
        "table": "cloudtrail",
        "query": query,
    }
    alert_fields = ["eventtime", *(r.alias for r in refs)]
    if threshold:
        group_by = [column_ref(p).alias for p in threshold["group_by"]]
        window = timedelta(seconds=threshold["seconds"])
        out["threshold"] = {"count": threshold["count"], "window": duration_text(threshold["seconds"])}
        if group_by:
            out["threshold"]["group_by"] = group_by
        if threshold["distinct"]:
            out["threshold"]["distinct"] = column_ref(threshold["distinct"]).alias
        if window > DEFAULT_DEDUP_PERIOD:
            # A burst longer than the dedup period would alert twice (lint refuses it).
            out["dedup"] = {"period": duration_text(threshold["seconds"])}
        keys = ", ".join(f"{g}={{{g}}}" for g in group_by)
        out["alert"] = {"title": f"{escaped_title} ({keys})" if keys else escaped_title,
                        "fields": alert_fields}
    else:
        out["alert"] = {"title": f"{escaped_title}: {{eventname}} by {{useridentity_arn}}",
                        "fields": alert_fields}
    return out


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_rule(rule: dict[str, Any]) -> str:
    return yaml.dump(rule, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
