"""`mantissa alerts ...`: triage from a terminal, and backup/restore of the alert store.

The actor recorded in the audit trail is the JupyterHub user when set, else the OS user; `--actor`
overrides it (e.g. for a shared service account acting on someone's behalf).
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from workbench.cli.common import fail
from workbench.cli.terminal import safe

if TYPE_CHECKING:
    from workbench.alerts import Alert, AlertStore

alerts_app = typer.Typer(help="Triage alerts: list, show, acknowledge, assign, resolve, note; export/import; "
                         "deliveries and redeliver (the routing outbox).",
                         no_args_is_help=True)

ActorOption = typer.Option(None, "--actor", help="who is acting (default: JUPYTERHUB_USER or the OS user)")


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")


def current_actor() -> str:
    return os.environ.get("JUPYTERHUB_USER") or getpass.getuser()


@contextlib.contextmanager
def _store() -> Iterator[AlertStore]:
    """The configured store; every store error becomes one clean line on stderr."""
    from workbench.alerts import AlertNotFound, AlertStoreError, get_store
    from workbench.config import ConfigError, load_settings

    try:
        store = get_store(load_settings())
    except ConfigError as exc:
        raise fail(str(exc)) from None
    except AlertStoreError as exc:  # e.g. a DynamoDB table of an older layout: not a usage error
        raise fail(str(exc), 1) from None
    try:
        yield store
    except AlertNotFound as exc:
        raise fail(str(exc)) from None
    except (ValueError, AlertStoreError) as exc:  # InvalidTransition, missing reason, bad filter
        raise fail(str(exc), 2 if isinstance(exc, ValueError) else 1) from None
    finally:
        store.close()


def _when(moment: object) -> str:
    from workbench.timewindow import iso_z

    return iso_z(moment) if moment else "-"  # type: ignore[arg-type]


@alerts_app.command("list")
def list_alerts(
    status: list[str] = typer.Option(None, "--status", help="new, acknowledged, investigating, resolved, false_positive; open = the first three, closed = the last two (repeatable)"),
    severity: str = typer.Option(None, "--severity", help="only this severity"),
    min_severity: str = typer.Option(None, "--min-severity", help="this severity or worse"),
    rule: str = typer.Option(None, "--rule", help="rule id"),
    assignee: str = typer.Option(None, "--assignee"),
    unassigned: bool = typer.Option(False, "--unassigned", help="only alerts nobody is assigned to"),
    text: str = typer.Option(None, "--text", help="substring of title, id, rule, group keys"),
    since: str = typer.Option(None, "--since", help="active at or after this time (ISO 8601)"),
    limit: int = typer.Option(50, "--limit", min=1),
    offset: int = typer.Option(0, "--offset", min=0, help="skip this many (reads them all; prefer --page-token)"),
    page_token: str = typer.Option(None, "--page-token", help="continue a listing: the token the previous page "
                                   "printed (same filters)"),
) -> None:
    """Alerts, most recently seen first. A page ends with the --page-token of the next one."""
    with _store() as store:
        filters = {"status": status or None, "severity": severity, "min_severity": min_severity, "rule_id": rule,
                   "assignee": assignee, "text": text, "since": since, "unassigned": unassigned}
        alerts = store.list(**filters, limit=limit, offset=offset, page_token=page_token)
        total = store.count(**filters)
        if not alerts:
            typer.echo("no alerts match" if total == 0 else f"no alerts on this page ({total} match)")
            return
        # Ids are printed whole: they are what `alerts show|ack|assign|resolve` take.
        width = max(len("ID"), *(len(a.id) for a in alerts))
        typer.echo(f"{'ID':<{width}} {'SEVERITY':<8} {'STATUS':<14} {'COUNT':>5}  {'LAST SEEN':<20} "
                   f"{'ASSIGNEE':<10} TITLE")
        for a in alerts:
            typer.echo(safe(f"{a.id:<{width}} {a.severity.value:<8} {a.status.value:<14} {a.count:>5}  "
                            f"{_when(a.last_seen):<20} {_one_line(a.assignee or '-', 10):<10} "
                            f"{_one_line(a.title, 70)}"))
        if page_token:
            typer.echo(f"{len(alerts)} more of {total}")
        else:
            typer.echo(f"{offset + 1}-{offset + len(alerts)} of {total}")
        if alerts.next_token:
            # Last line, token last: scripts take it with `tail -1 | awk '{print $NF}'`.
            typer.echo(f"next page: --page-token {alerts.next_token}")


@alerts_app.command("migrate-store")
def migrate_store() -> None:
    """Move a DynamoDB alert table to the current layout (stop the scheduler first; safe to re-run)."""
    from workbench.alerts.dynamodb_migrate import migrate_layout
    from workbench.config import ConfigError, load_settings

    try:
        settings = load_settings()
    except ConfigError as exc:
        raise fail(str(exc)) from None
    if settings.store.backend != "dynamodb":
        typer.echo(f"store.backend is '{settings.store.backend}': nothing to migrate (the SQLite store updates "
                   "its own indexes when opened)")
        return
    try:
        report = migrate_layout(settings, progress=lambda msg: typer.echo(msg, err=True))
    except TimeoutError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"table {report.table}: layout {report.from_layout} -> 2; {report.alerts} alerts rewritten, "
               f"{report.counters} counters, indexes created {report.created_indexes or 'none'}, "
               f"dropped {report.deleted_indexes or 'none'}")


def _one_line(text: str, width: int = 80) -> str:
    # Titles are built from log fields: terminal control characters are shown escaped, never sent.
    from workbench.cli.terminal import clip

    return clip(text, width)


@alerts_app.command("show")
def show(alert_id: str, as_json: bool = typer.Option(False, "--json", help="the full record as JSON")) -> None:
    """One alert: what, when, evidence, notes and audit trail."""
    with _store() as store:
        alert = store.get(alert_id)
        if as_json:
            typer.echo(alert.model_dump_json(indent=2))
            return
        typer.echo(_describe(alert))


def _describe(a: Alert) -> str:
    lines = [
        f"{a.id}  [{a.severity.value}] {_one_line(a.title, 200)}",
        f"  rule {a.rule_id} · status {a.status.value} · assignee {a.assignee or '-'} · count {a.count} · v{a.version}",
        f"  seen {_when(a.first_seen)} → {_when(a.last_seen)}" + (f" · account {a.account}" if a.account else ""),
    ]
    if a.group_keys:
        lines.append("  group keys: " + ", ".join(f"{k}={_one_line(v, 80)}" for k, v in a.group_keys.items()))
    for key, value in a.fields.items():
        lines.append(f"  {key}: {_one_line(str(value), 120)}")
    if a.tags:
        lines.append("  tags: " + ", ".join(a.tags))
    ev = a.evidence
    if ev.sql:
        lines += ["  evidence SQL:", *("    " + line for line in ev.sql.splitlines())]
    if ev.query_id or ev.bytes_scanned is not None:
        lines.append(f"  query {ev.query_id or '-'} · {ev.bytes_scanned or 0:,} bytes scanned")
    lines.append(f"  evidence rows: {len(ev.rows)}")
    for row in ev.rows[:5]:
        lines.append("    " + _one_line(json.dumps(row, sort_keys=True), 160))
    for note in a.notes:
        lines.append(f"  note {_when(note.when)} {note.who}: {_one_line(note.text, 200)}")
    lines.append("  audit:")
    for entry in a.audit:
        changes = ", ".join(f"{k}={_one_line(json.dumps(v), 80)}" for k, v in entry.changes.items())
        lines.append(f"    {_when(entry.when)} {entry.who} {entry.action} {changes}".rstrip())
    # Each line escaped whole: rule ids, tags, notes and evidence SQL may all quote log values.
    return "\n".join(safe(line) for line in lines)


@alerts_app.command("ack")
def ack(alert_id: str, actor: str = ActorOption) -> None:
    """Acknowledge an alert (someone is on it)."""
    with _store() as store:
        alert = store.acknowledge(alert_id, actor or current_actor())
        typer.echo(f"{alert.id}: {alert.status.value}")


@alerts_app.command("assign")
def assign(alert_id: str, name: str, actor: str = ActorOption) -> None:
    """Assign an alert to NAME ('-' to unassign)."""
    with _store() as store:
        alert = store.assign(alert_id, None if name == "-" else name, actor or current_actor())
        typer.echo(f"{alert.id}: assigned to {alert.assignee or 'nobody'}")


@alerts_app.command("resolve")
def resolve(
    alert_id: str,
    false_positive: bool = typer.Option(False, "--false-positive", help="benign: close as a false positive"),
    reason: str = typer.Option(None, "--reason", help="why (required with --false-positive)"),
    actor: str = ActorOption,
    deliver: bool = typer.Option(True, "--deliver/--no-deliver",
                                 help="tell the routed destinations now (e.g. resolve the PagerDuty incident)"),
) -> None:
    """Close an alert as resolved, or as a false positive with a reason."""
    with _store() as store:
        status = "false_positive" if false_positive else "resolved"
        alert = store.set_status(alert_id, status, actor or current_actor(), reason=reason)
        typer.echo(f"{alert.id}: {alert.status.value}")
        if deliver:
            _deliver_now(store, budget_s=15.0)


@alerts_app.command("note")
def note(alert_id: str, text: str, actor: str = ActorOption) -> None:
    """Add a note to an alert."""
    with _store() as store:
        alert = store.add_note(alert_id, text, actor or current_actor())
        typer.echo(f"{alert.id}: {len(alert.notes)} notes")


EXPORT_LABELS = {"alert": "alerts", "checkpoint": "checkpoints", "run": "runs", "delivery": "deliveries",
                 "attempt": "delivery attempts", "routed": "routed versions"}


@alerts_app.command("export")
def export(file: Path = typer.Argument(None, help="JSON lines file to write (default: standard output)")) -> None:
    """Back up alerts, event ids, checkpoints, runs and the delivery outbox as JSON lines."""
    with _store() as store:
        if file is None or str(file) == "-":
            counts = store.export_jsonl(sys.stdout)
        else:
            with file.open("w", encoding="utf-8") as fp:
                counts = store.export_jsonl(fp)
        summary = ", ".join(f"{n} {EXPORT_LABELS.get(kind, kind)}" for kind, n in counts.items())
        typer.echo(f"exported {summary}" + (f" to {file}" if file else ""), err=True)


@alerts_app.command("import")
def import_(file: Path = typer.Argument(..., help="a file written by `mantissa alerts export`")) -> None:
    """Restore a backup; safe to repeat (newer alerts are never overwritten by older copies)."""
    if not file.is_file():
        raise fail(f"{file}: no such file")
    with _store() as store, file.open(encoding="utf-8") as fp:
        report = store.import_jsonl(fp)
    for error in report.errors:
        typer.echo(safe(f"skipped {error}"), err=True)
    typer.echo(f"imported {file}: {report.summary()}")
    if report.errors:
        raise typer.Exit(1)


# ---- the routing outbox -------------------------------------------------------------------------
def _deliver_now(store: AlertStore, budget_s: float | None = None) -> None:
    """Route and send what is owed; one summary line. Routing problems are reported, not raised:
    whatever could not go stays in the outbox for the next run."""
    from workbench.config import ConfigError, load_settings
    from workbench.routing import deliver, summary_line

    try:
        run = deliver(load_settings(), store, budget_s=budget_s)
    except ConfigError as exc:
        typer.echo(f"deliveries not sent: {exc}", err=True)
        return
    if run is None:
        typer.echo("no routing destinations configured (routing.destinations in mantissa.yaml)")
        return
    typer.echo(safe(summary_line(run.as_dict())))
    for error in run.sent.errors[-5:]:
        typer.echo(safe(f"  {error}"), err=True)


@alerts_app.command("deliveries")
def deliveries(
    status: list[str] = typer.Option(None, "--status", help="pending, sending, delivered, failed, parked "
                                     "(repeatable; parked = the dead letters)"),
    alert: str = typer.Option(None, "--alert", help="one alert's deliveries"),
    destination: str = typer.Option(None, "--destination", help="one destination's deliveries"),
    limit: int = typer.Option(50, "--limit", min=1),
    stats: bool = typer.Option(False, "--stats", help="per destination: attempts, failures, latency"),
    since: str = typer.Option(None, "--since", help="with --stats: attempts at or after this time (default 24h ago)"),
) -> None:
    """The delivery outbox: what was sent where, what is retrying, what is parked."""
    with _store() as store:
        if stats:
            _print_stats(store, since)
            return
        rows = store.deliveries(status=status or None, alert_id=alert, destination=destination, limit=limit)
        if not rows:
            typer.echo("no deliveries match")
            return
        from workbench.redaction import redactor_for

        # Errors are redacted when stored; this also covers ones stored by an older version.
        redact = redactor_for(store.settings)
        typer.echo(f"{'DELIVERY':<23} {'ALERT':<20} {'DESTINATION':<14} {'KIND':<8} {'STATUS':<9} "
                   f"{'TRIES':>5}  {'WHEN':<20} LAST ERROR")
        for d in rows:
            when = d.delivered_at if d.delivered_at else d.next_attempt_at
            typer.echo(f"{d.id:<23} {d.alert_id:<20} {d.destination[:14]:<14} {d.kind:<8} "
                       f"{d.status.value:<9} {d.attempts:>5}  {_when(when):<20} {_one_line(redact(d.last_error or ''), 90)}")
        parked = sum(1 for d in rows if d.status.value == "parked")
        typer.echo(f"{len(rows)} shown" + (f"; {parked} parked — retry with `mantissa alerts redeliver "
                                           "--all-parked` once the destination is fixed" if parked else ""))


def _print_stats(store: AlertStore, since: str | None) -> None:
    from datetime import timedelta

    from workbench.alerts.model import utcnow
    from workbench.timewindow import parse_time

    start = parse_time(since) if since else utcnow() - timedelta(hours=24)
    table = store.delivery_stats(start, None)
    if not table:
        typer.echo(f"no delivery attempts since {_when(start)}")
        return
    typer.echo(f"since {_when(start)}")
    typer.echo(f"{'DESTINATION':<16} {'ATTEMPTS':>8} {'DELIVERED':>9} {'FAILURES':>8} {'PARKED':>6} "
               f"{'P50 MS':>8} {'P95 MS':>8} {'OWED':>5} {'PARKED NOW':>10}")
    for name, row in table.items():
        p50 = "-" if row["latency_ms_p50"] is None else f"{row['latency_ms_p50']:.0f}"
        p95 = "-" if row["latency_ms_p95"] is None else f"{row['latency_ms_p95']:.0f}"
        typer.echo(f"{name[:16]:<16} {row['attempts']:>8} {row['delivered']:>9} {row['failures']:>8} "
                   f"{row['parked']:>6} {p50:>8} {p95:>8} {row['open_now']:>5} {row['parked_now']:>10}")


@alerts_app.command("redeliver")
def redeliver(
    ids: list[str] = typer.Option(None, "--id", help="a delivery id to retry (repeatable)"),
    all_parked: bool = typer.Option(False, "--all-parked", help="retry every parked delivery"),
    no_send: bool = typer.Option(False, "--no-send", help="only put them back in the queue; the next "
                                 "detection run sends them"),
) -> None:
    """Retry parked (or failed) deliveries with a fresh attempt budget, then send what is owed.
    With no option: just route and send whatever is due now."""
    from workbench.alerts.outbox import DeliveryNotFound

    with _store() as store:
        try:
            requeued = store.requeue_deliveries(ids or [], parked=all_parked)
        except DeliveryNotFound as exc:
            raise fail(str(exc)) from None
        if ids or all_parked:
            typer.echo(f"requeued {len(requeued)} deliveries")
        if not no_send:
            _deliver_now(store)
