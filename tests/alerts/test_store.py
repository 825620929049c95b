"""The store contract, run against every backend (see the `store` fixture in conftest)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from workbench.alerts import (
    EVIDENCE_ROW_CAP,
    Alert,
    AlertNotFound,
    AlertStore,
    InvalidTransition,
    Status,
)

from .conftest import T0

Make = Callable[..., Alert]


def test_upsert_creates_then_is_idempotent(store: AlertStore, make_alert: Make) -> None:
    first = store.upsert_alert(make_alert(), ["e1", "e2", "e2"])
    assert (first.action, first.events_added, first.count) == ("new", 2, 2)
    stored = store.get("a-0001")
    again = store.upsert_alert(make_alert(), ["e2", "e1"])
    assert (again.action, again.events_added, again.count) == ("unchanged", 0, 2)
    assert store.get("a-0001") == stored  # not even updated_at or version moved
    assert store.event_ids("a-0001") == {"e1", "e2"}
    assert [e.action for e in stored.audit] == ["created"]
    assert stored.version == 1 and stored.audit[0].who == "detector"


def test_upsert_merges_new_events(store: AlertStore, make_alert: Make) -> None:
    store.upsert_alert(make_alert(), ["e1"])
    later = make_alert(first_seen=T0 - timedelta(minutes=1), last_seen=T0 + timedelta(hours=1),
                       evidence={"rows": [{"eventID": "e1", "eventName": "ConsoleLogin"}, {"eventID": "e9"}],
                                 "query_id": "q-2"})
    outcome = store.upsert_alert(later, ["e1", "e9", "e10"], actor="runner-7")
    alert = store.get("a-0001")
    assert (outcome.action, outcome.events_added, alert.count) == ("updated", 2, 3)
    assert alert.first_seen == T0 - timedelta(minutes=1)
    assert alert.last_seen == T0 + timedelta(hours=1)
    assert alert.evidence.rows == [{"eventID": "e1", "eventName": "ConsoleLogin"}, {"eventID": "e9"}]
    assert alert.evidence.query_id == "q-2"
    assert alert.audit[-1].who == "runner-7" and alert.audit[-1].changes["count"] == [1, 3]
    assert alert.version == 2


def test_evidence_rows_stay_capped_across_upserts(store: AlertStore, make_alert: Make) -> None:
    rows = [{"eventID": f"r{i}"} for i in range(40)]
    store.upsert_alert(make_alert(evidence={"rows": rows}), [r["eventID"] for r in rows])
    more = [{"eventID": f"r{i}"} for i in range(30, 80)]
    store.upsert_alert(make_alert(evidence={"rows": more}), [r["eventID"] for r in more])
    alert = store.get("a-0001")
    assert alert.count == 80
    assert len(alert.evidence.rows) == EVIDENCE_ROW_CAP
    assert alert.evidence.rows[:40] == rows  # rows analysts already saw are kept, new ones fill up


def test_lifecycle_and_audit_trail(store: AlertStore, make_alert: Make) -> None:
    store.upsert_alert(make_alert(), ["e1"])
    store.acknowledge("a-0001", "ana")
    store.acknowledge("a-0001", "ana")  # a double click is a no-op
    store.assign("a-0001", "bo", actor="ana")
    store.set_status("a-0001", "investigating", "bo")
    store.add_note("a-0001", "MFA reset for alice; watching 203.0.113.7", "bo")
    alert = store.set_status("a-0001", Status.resolved, "bo", reason="password rotated")
    assert alert.status == Status.resolved and alert.assignee == "bo"
    assert [(e.who, e.action) for e in alert.audit] == [
        ("detector", "created"), ("ana", "acknowledged"), ("ana", "assigned"), ("bo", "investigating"),
        ("bo", "note"), ("bo", "resolved")]
    assert alert.audit[2].changes == {"assignee": [None, "bo"]}
    assert alert.audit[-1].changes == {"status": ["investigating", "resolved"], "reason": "password rotated"}
    assert alert.notes[0].who == "bo" and "203.0.113.7" in alert.notes[0].text
    assert alert.version == 6
    assert store.get("a-0001") == alert


def test_invalid_transitions_are_refused(store: AlertStore, make_alert: Make) -> None:
    store.upsert_alert(make_alert(), ["e1"])
    store.set_status("a-0001", "investigating", "ana")
    with pytest.raises(InvalidTransition, match="investigating: cannot move to acknowledged"):
        store.acknowledge("a-0001", "ana")
    with pytest.raises(ValueError, match="needs a reason"):
        store.set_status("a-0001", "false_positive", "ana")
    with pytest.raises(ValueError, match="unknown status 'resolvd' — did you mean 'resolved'"):
        store.set_status("a-0001", "resolvd", "ana")
    assert store.get("a-0001").version == 2  # refused changes leave no trace


def test_recurrence_reopens_resolved_but_not_false_positive(store: AlertStore, make_alert: Make) -> None:
    store.upsert_alert(make_alert("a-res"), ["e1"])
    store.upsert_alert(make_alert("a-fp"), ["e1"])
    store.set_status("a-res", "resolved", "ana")
    store.set_status("a-fp", "false_positive", "ana", reason="pen test account")
    assert store.upsert_alert(make_alert("a-res"), ["e1"]).action == "unchanged"
    outcome = store.upsert_alert(make_alert("a-res"), ["e2"])
    assert outcome.status == Status.new and store.get("a-res").audit[-1].action == "reopened"
    store.upsert_alert(make_alert("a-fp"), ["e2"])
    fp = store.get("a-fp")
    assert fp.status == Status.false_positive and fp.count == 2 and fp.audit[-1].action == "recurred"
    reopened = store.set_status("a-fp", "new", "lead")
    assert reopened.audit[-1].action == "reopened"


def test_unknown_id_suggests_close_ids(store: AlertStore, make_alert: Make) -> None:
    store.upsert_alert(make_alert("4f2a9c01"), ["e1"])
    store.upsert_alert(make_alert("4f2a77aa"), ["e1"])
    with pytest.raises(AlertNotFound) as caught:
        store.acknowledge("4f2a9c0x", "ana")
    assert caught.value.suggestions == ["4f2a9c01"]
    assert "did you mean '4f2a9c01'" in str(caught.value)
    with pytest.raises(AlertNotFound):
        store.get("zzzz")


def test_related_by_principal_access_key_or_ip(store: AlertStore, make_alert: Make) -> None:
    alice = "arn:aws:iam::111122223333:user/alice"
    store.upsert_alert(make_alert("root", group_keys={"principal": alice},
                                  fields={"accessKeyId": "AKIAEXAMPLE1", "sourceIPAddress": "203.0.113.7"}), ["e"])
    store.upsert_alert(make_alert("same-principal", group_keys={"userIdentity.arn": alice}, fields={}), ["e"])
    store.upsert_alert(make_alert("same-key", group_keys={"accesskeyid": "AKIAEXAMPLE1"}, fields={}), ["e"])
    store.upsert_alert(make_alert("same-ip", group_keys={"srcaddr": "203.0.113.7"}, fields={}), ["e"])
    store.upsert_alert(make_alert("stranger", group_keys={"principal": "arn:aws:iam::1:user/bob"},
                                  fields={"sourceIPAddress": "198.51.100.1"}), ["e"])
    assert {a.id for a in store.related("root")} == {"same-principal", "same-key", "same-ip"}
    assert [a.id for a in store.related("same-key")] == ["root"]
    assert store.related("stranger") == []


def test_checkpoints_move_forward(store: AlertStore) -> None:
    assert store.get_checkpoint("r.a") is None
    store.set_checkpoint("r.a", T0)
    store.set_checkpoint("r.a", T0 + timedelta(minutes=15))
    assert store.set_checkpoint("r.a", T0) == T0 + timedelta(minutes=15)  # an old re-run
    assert store.get_checkpoint("r.a") == T0 + timedelta(minutes=15)
    store.set_checkpoint("r.a", T0, force=True)
    store.set_checkpoint("r.b", T0 + timedelta(hours=1))
    assert store.checkpoints() == {"r.a": T0, "r.b": T0 + timedelta(hours=1)}


def test_runs_are_saved_and_listed_newest_first(store: AlertStore) -> None:
    ids = []
    for n in range(3):
        started = T0 + timedelta(minutes=15 * n)
        ids.append(store.save_run({
            "started": started, "finished": started + timedelta(seconds=4), "window_start": started - timedelta(minutes=30),
            "window_end": started, "rules_run": 12, "rules_failed": [{"rule_id": "r.x", "error": "bad SQL"}],
            "alerts_new": n, "alerts_updated": 1, "per_rule": {"r.a": {"query_s": 0.5, "bytes_scanned": 2048}},
            "cost_usd": 0.0000093, "status": "partial"}))
    runs = store.list_runs(limit=2)
    assert [r["id"] for r in runs] == [ids[2], ids[1]]
    assert runs[0]["started"] == T0 + timedelta(minutes=30) and runs[0]["window_end"] == runs[0]["started"]
    assert runs[0]["rules_failed"] == [{"rule_id": "r.x", "error": "bad SQL"}]
    assert [r["id"] for r in store.list_runs(since=T0 + timedelta(minutes=15))] == [ids[2], ids[1]]
    store.save_run({**runs[0], "status": "ok"})  # same id: an update, not a new run
    assert len(store.list_runs(limit=None)) == 3 and store.list_runs(limit=1)[0]["status"] == "ok"
