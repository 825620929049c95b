"""`record_action`: something done about an alert outside the store lands in its audit trail, with a
version bump, through the same optimistic-concurrency path as every analyst action (both backends)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from workbench.alerts import Alert, AlertNotFound, AlertStore, get_store
from workbench.config import Settings


def test_appends_an_audit_entry_and_bumps_the_version(store: AlertStore, make_alert: Callable[..., Alert]) -> None:
    store.upsert_alert(make_alert(), ["e1"])
    before = store.get("a-0001")
    changes = {"containment": [None, {"action": "deny-all", "calls": [{"method": "PutUserPolicy"}],
                                      "at": datetime(2026, 11, 28, 10, 0, tzinfo=UTC)}],
               "ticket": "SEC-42 <b>ünï</b>"}

    returned = store.record_action("a-0001", "ana", "containment-executed", changes)

    stored = store.get("a-0001")
    assert returned == stored  # what the caller gets is what a later read returns (JSON values)
    assert stored.version == before.version + 1 and stored.updated_at > before.updated_at
    entry = stored.audit[-1]
    assert (entry.who, entry.action) == ("ana", "containment-executed")
    assert entry.changes == {"containment": [None, {"action": "deny-all", "calls": [{"method": "PutUserPolicy"}],
                                                    "at": "2026-11-28T10:00:00Z"}],
                             "ticket": "SEC-42 <b>ünï</b>"}
    assert entry.when == stored.updated_at
    # Only the audit trail changed: status, assignee, notes, count are as they were.
    assert stored.model_dump(exclude={"audit", "version", "updated_at"}) == \
        before.model_dump(exclude={"audit", "version", "updated_at"})
    assert stored.audit[:-1] == before.audit


@pytest.mark.parametrize(("action", "actor", "changes", "message"), [
    ("acknowledged", "ana", {}, "'acknowledged' is a lifecycle action"),
    ("note", "ana", {}, "'note' is a lifecycle action"),
    ("  ", "ana", {}, "it is empty"),
    ("containment-executed", " ", {}, "needs an actor"),
    ("containment-executed", "ana", {"client": object()}, "changes must be JSON values"),
], ids=["status-name", "note", "empty-action", "no-actor", "not-json"])
def test_refused_without_writing(action: str, actor: str, changes: dict, message: str, store: AlertStore,
                                 make_alert: Callable[..., Alert]) -> None:
    store.upsert_alert(make_alert(), ["e1"])
    before = store.get("a-0001")
    with pytest.raises(ValueError, match=message):
        store.record_action("a-0001", actor, action, changes)
    assert store.get("a-0001") == before


def test_unknown_alert_suggests_close_ids(store: AlertStore, make_alert: Callable[..., Alert]) -> None:
    store.upsert_alert(make_alert("4f2a9c01"), ["e1"])
    with pytest.raises(AlertNotFound, match="did you mean '4f2a9c01'"):
        store.record_action("4f2a9c0", "ana", "containment-dry-run", {})


def test_concurrent_writers_lose_no_entry(store: AlertStore, backend_settings: Settings,
                                          make_alert: Callable[..., Alert]) -> None:
    store.upsert_alert(make_alert(), ["e0"])
    other = get_store(backend_settings)  # a second responder with its own connection
    each = 5
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def work(fn: Callable[[], object]) -> None:
        start.wait()  # released together so the read-modify-writes really overlap
        try:
            fn()
        except BaseException as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)

    def responder(name: str, their_store: AlertStore) -> Callable[[], None]:
        def run() -> None:
            for n in range(each):
                their_store.record_action("a-0001", name, "containment-dry-run", {"n": n})
        return run

    threads = [threading.Thread(target=work, args=(fn,)) for fn in (
        responder("ana", store), responder("bo", other), lambda: other.acknowledge("a-0001", "lead"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    other.close()
    assert not errors, errors
    alert = store.get("a-0001")
    recorded = [(e.who, e.changes["n"]) for e in alert.audit if e.action == "containment-dry-run"]
    assert sorted(recorded) == sorted((who, n) for who in ("ana", "bo") for n in range(each))
    assert alert.status.value == "acknowledged"
    assert alert.version == 1 + 2 * each + 1  # created, every action, the acknowledgement
