"""Two analysts (threads, and for SQLite two processes) editing one alert at once lose nothing."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from workbench.alerts import Alert, AlertStore, get_store
from workbench.config import Settings

from .conftest import store_settings


def _run_threads(workers: list[Callable[[], None]]) -> None:
    start = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def go(work: Callable[[], None]) -> None:
        start.wait()  # release them together so their writes really overlap
        try:
            work()
        except BaseException as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=go, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors


def test_concurrent_analysts_lose_no_change(store: AlertStore, backend_settings: Settings,
                                            make_alert: Callable[..., Alert]) -> None:
    store.upsert_alert(make_alert(), ["e0"])
    # Each analyst has their own store object (their own connection), as in separate notebooks.
    other = get_store(backend_settings)
    notes_each = 6

    def analyst(name: str, their_store: AlertStore) -> Callable[[], None]:
        def work() -> None:
            for n in range(notes_each):
                their_store.add_note("a-0001", f"{name} note {n}", name)
        return work

    def assigner() -> None:
        other.assign("a-0001", "carol", "lead")
        other.acknowledge("a-0001", "lead")

    def detector() -> None:
        for n in range(1, 5):
            store.upsert_alert(make_alert(), [f"e{n}"])

    _run_threads([analyst("ana", store), analyst("bo", other), assigner, detector])
    other.close()
    alert = store.get("a-0001")
    assert sorted(n.text for n in alert.notes) == sorted(
        f"{who} note {n}" for who in ("ana", "bo") for n in range(notes_each))
    assert (alert.assignee, alert.status.value, alert.count) == ("carol", "acknowledged", 5)
    # Every change is in the audit trail exactly once, and each bumped the version by one.
    assert len(alert.audit) == 1 + 2 * notes_each + 2 + 4
    assert alert.version == len(alert.audit)


_PROCESS_SCRIPT = """
import sys
from workbench.alerts import get_store
from workbench.config import load_settings
store = get_store(load_settings(sys.argv[1], environ={}))
for n in range(int(sys.argv[3])):
    store.add_note("a-0001", f"{sys.argv[2]} note {n}", sys.argv[2])
    store.upsert_alert(store.get("a-0001"), [f"{sys.argv[2]}-{n}"], actor=sys.argv[2])
"""


def test_sqlite_two_processes(workspace: Path, make_alert: Callable[..., Alert]) -> None:
    store = get_store(store_settings(workspace, "sqlite"))
    store.upsert_alert(make_alert(), ["e0"])
    per_process = 15
    procs = [subprocess.Popen([sys.executable, "-c", _PROCESS_SCRIPT, str(workspace), name, str(per_process)],
                              stderr=subprocess.PIPE, text=True) for name in ("p1", "p2")]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    alert = store.get("a-0001")
    assert len(alert.notes) == 2 * per_process
    assert alert.count == 1 + 2 * per_process
    assert alert.version == len(alert.audit) == 1 + 4 * per_process
    store.close()
