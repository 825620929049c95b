"""`mantissa alerts ...` through typer's CliRunner against a real SQLite store in a temp workspace."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import area_app
from workbench.alerts import Alert, AlertStore, get_store
from workbench.cli.alerts import register
from workbench.config import load_settings

app = area_app(register)
runner = CliRunner()


@pytest.fixture()
def seeded(workspace: Path, make_alert: Callable[..., Alert], monkeypatch: pytest.MonkeyPatch) -> AlertStore:
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    store = get_store(load_settings())
    store.upsert_alert(make_alert("4f2a9c01", title="Console login failures for alice\x1b[31m"), ["e1", "e2"])
    store.upsert_alert(make_alert("77b0e512", severity="low", title="Root API call"), ["e3"])
    return store


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["alerts", *args])
    return result.exit_code, result.stdout, result.stderr


def test_list_filters_and_strips_control_characters(seeded: AlertStore) -> None:
    code, out, _ = invoke("list")
    assert code == 0
    assert out.splitlines()[0].startswith("ID ") and "4f2a9c01" in out and "77b0e512" in out
    assert "\x1b" not in out and "1-2 of 2" in out
    code, out, _ = invoke("list", "--severity", "low")
    assert "77b0e512" in out and "4f2a9c01" not in out
    code, out, _ = invoke("list", "--status", "resolved")
    assert (code, out.strip()) == (0, "no alerts match")
    code, _, err = invoke("list", "--severity", "hihg")
    assert code == 2 and "did you mean 'high'" in err


def test_actions_record_the_actor(seeded: AlertStore) -> None:
    assert invoke("ack", "4f2a9c01")[:2] == (0, "4f2a9c01: acknowledged\n")
    assert invoke("assign", "4f2a9c01", "bo", "--actor", "lead")[0] == 0
    assert invoke("note", "4f2a9c01", "called alice, not her")[0] == 0
    code, _, err = invoke("resolve", "4f2a9c01", "--false-positive")
    assert code == 2 and "needs a reason" in err
    assert invoke("resolve", "4f2a9c01", "--false-positive", "--reason", "VPN egress")[0] == 0
    alert = seeded.get("4f2a9c01")
    assert alert.status.value == "false_positive" and alert.assignee == "bo"
    assert [(e.who, e.action) for e in alert.audit[1:]] == [
        ("ana", "acknowledged"), ("lead", "assigned"), ("ana", "note"), ("ana", "false_positive")]
    code, out, _ = invoke("show", "4f2a9c01")
    assert code == 0 and "called alice, not her" in out and "VPN egress" in out and "SELECT eventid" in out
    code, _, err = invoke("ack", "4f2a9c01")
    assert code == 2 and err.count("\n") == 1 and "cannot move to acknowledged" in err


def test_unknown_id_is_one_line_with_suggestion(seeded: AlertStore) -> None:
    code, out, err = invoke("show", "4f2a9")
    assert code == 2 and out == ""
    assert err == ("error: unknown alert '4f2a9' — did you mean '4f2a9c01'? "
                   "(list them with `mantissa alerts list`)\n")


def test_export_import_round_trip(seeded: AlertStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  workspace: Path) -> None:
    backup = tmp_path / "backup.jsonl"
    code, _, err = invoke("export", str(backup))
    assert code == 0 and "exported 2 alerts" in err
    original = {i: seeded.get(i) for i in seeded.all_ids()}
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv("MANTISSA_WORKSPACE", str(other))
    code, out, _ = invoke("import", str(backup))
    assert code == 0 and "2 created" in out
    restored = get_store(load_settings())
    assert {i: restored.get(i) for i in restored.all_ids()} == original
    assert invoke("import", str(backup))[1].count("2 unchanged") == 1
    backup.write_text(backup.read_text() + "garbage\n")
    code, _, err = invoke("import", str(backup))
    assert code == 1 and f"{backup}:4:" in err
    assert invoke("import", str(tmp_path / "missing.jsonl"))[0] == 2


def test_list_pages_with_tokens(seeded: AlertStore) -> None:
    code, out, _ = invoke("list", "--limit", "1")
    assert code == 0 and "1-1 of 2" in out
    last = out.splitlines()[-1]
    assert last.startswith("next page: --page-token ")
    first_id = out.splitlines()[1].split()[0]
    code, out, _ = invoke("list", "--limit", "1", "--page-token", last.split()[-1])
    assert code == 0 and "1 more of 2" in out and "next page" not in out
    second_id = out.splitlines()[1].split()[0]
    assert {first_id, second_id} == {"4f2a9c01", "77b0e512"}
    code, _, err = invoke("list", "--limit", "1", "--severity", "low", "--page-token", last.split()[-1])
    assert code == 2 and "page token: it belongs to a listing with other filters" in err
    code, _, err = invoke("list", "--page-token", "%%%")
    assert code == 2 and "start again without a page token" in err


def test_migrate_store_on_sqlite_is_a_no_op(seeded: AlertStore) -> None:
    code, out, _ = invoke("migrate-store")
    assert code == 0 and "nothing to migrate" in out


def test_list_unassigned(seeded: AlertStore) -> None:
    assert invoke("assign", "4f2a9c01", "bo")[0] == 0
    code, out, _ = invoke("list", "--unassigned")
    assert code == 0 and "77b0e512" in out and "4f2a9c01" not in out and "1-1 of 1" in out
    code, _, err = invoke("list", "--unassigned", "--assignee", "bo")
    assert code == 2 and "exclude each other" in err
