from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from workbench.hunts import HuntError, get_hunt, load_hunt, load_hunts
from workbench.sqlparams import ParameterError, bind_parameters

RUNBOOK = ["suspicious_ip", "trace_principal", "privilege_escalation"]


def test_library_has_the_runbook_hunts() -> None:
    hunts = load_hunts()
    assert set(RUNBOOK) <= set(hunts)
    for hunt in hunts.values():
        assert hunt.tables, hunt.name
        sqlglot.parse_one(hunt.query, read="athena")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("203.0.113.42", "sourceipaddress = '203.0.113.42'"),
        ("x' OR '1'='1", "sourceipaddress = 'x'' OR ''1''=''1'"),
        (42, "sourceipaddress = 42"),
        (datetime(2026, 11, 28, 9, tzinfo=UTC), "sourceipaddress = '2026-11-28T09:00:00Z'"),
    ],
    ids=["string", "injection-stays-a-literal", "number", "datetime"],
)
def test_bind_quotes_values(value: object, expected: str) -> None:
    sql = bind_parameters("SELECT eventname FROM cloudtrail WHERE sourceipaddress = :ip", {"ip": value})
    assert expected in sql
    assert len(sqlglot.parse(sql, read="athena")) == 1


def test_list_expands_inside_in() -> None:
    sql = bind_parameters("SELECT 1 FROM cloudtrail WHERE eventname IN (:names)", {"names": ["A", "B'"]})
    tree = sqlglot.parse_one(sql, read="athena")
    values = [lit.this for lit in tree.find(exp.In).expressions]
    assert values == ["A", "B'"]


def test_missing_value_is_named() -> None:
    with pytest.raises(ParameterError, match=":ip"):
        bind_parameters("SELECT 1 FROM cloudtrail WHERE sourceipaddress = :ip", {})


def test_hunt_errors_say_what_to_type() -> None:
    hunt = get_hunt("suspicious_ip")
    with pytest.raises(HuntError, match="e.g. %hunt suspicious_ip ip=203.0.113.42"):
        hunt.bind({})
    with pytest.raises(HuntError, match="no parameter 'addr'"):
        hunt.bind({"addr": "1.2.3.4"})
    with pytest.raises(HuntError, match="did you mean 'suspicious_ip'"):
        get_hunt("suspicous_ip")


def test_team_folder_overrides_and_bad_files_are_named(tmp_path: Path) -> None:
    (tmp_path / "suspicious_ip.yaml").write_text(
        "name: suspicious_ip\ntitle: ours\ntables: [cloudtrail]\n"
        "parameters: {ip: {description: addr}}\n"
        "query: SELECT eventname FROM cloudtrail WHERE sourceipaddress = :ip\n"
    )
    hunts = load_hunts([tmp_path, Path(__file__).parents[2] / "workbench" / "hunts" / "library"])
    assert hunts["suspicious_ip"].title == "ours"
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ntitle: t\nparameters: {}\nquery: SELECT 1 FROM cloudtrail WHERE x = :y\n")
    with pytest.raises(HuntError, match="bad.yaml: parameters"):
        load_hunt(bad)
