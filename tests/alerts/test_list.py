"""Listing, counting, ordering and paging over one seeded store per backend (read-only tests)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from workbench.alerts import AlertStore

from .conftest import T0, build_alert


@pytest.fixture(scope="module")
def seeded(module_store: AlertStore) -> AlertStore:
    store = module_store
    plan = [("a1", "info", "r.a", 0), ("a2", "low", "r.a", 1), ("a3", "medium", "r.b", 2),
            ("a4", "high", "r.b", 3), ("a5", "critical", "r.c", 4), ("a6", "high", "r.c", 5)]
    for alert_id, severity, rule, hour in plan:
        seen = T0 + timedelta(hours=hour)
        store.upsert_alert(build_alert(alert_id, severity=severity, rule_id=rule, first_seen=seen,
                                      last_seen=seen + timedelta(minutes=10), title=f"{rule} finding {alert_id}"),
                           [f"{alert_id}-{n}" for n in range(hour + 1)])
    store.acknowledge("a4", "ana")
    store.assign("a5", "bo", "ana")
    return store


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, ["a6", "a5", "a4", "a3", "a2", "a1"]),
    ({"status": "new"}, ["a6", "a5", "a3", "a2", "a1"]),
    ({"status": ["acknowledged", "investigating"]}, ["a4"]),
    ({"severity": "high"}, ["a6", "a4"]),
    ({"min_severity": "high"}, ["a6", "a5", "a4"]),
    ({"rule_id": "r.b"}, ["a4", "a3"]),
    ({"assignee": "bo"}, ["a5"]),
    ({"since": T0 + timedelta(hours=3)}, ["a6", "a5", "a4"]),
    ({"until": T0 + timedelta(hours=1)}, ["a1"]),
    ({"since": T0 + timedelta(hours=1), "until": T0 + timedelta(hours=3)}, ["a3", "a2"]),
    ({"text": "R.C FINDING"}, ["a6", "a5"]),
    ({"text": "100%_"}, []),
    ({"status": "new", "min_severity": "medium", "rule_id": "r.c"}, ["a6", "a5"]),
    ({"status": "open", "min_severity": "high"}, ["a6", "a5", "a4"]),
    ({"status": ["closed", "acknowledged"]}, ["a4"]),
], ids=["all", "status", "statuses", "severity", "min-severity", "rule", "assignee", "since", "until",
        "since-until", "text", "text-wildcards-literal", "combined", "open-group", "closed-group"])
def test_list_and_count_filters(seeded: AlertStore, filters: dict, expected: list[str]) -> None:
    assert [a.id for a in seeded.list(**filters)] == expected
    assert seeded.count(**filters) == len(expected)


@pytest.mark.parametrize(("order_by", "expected"), [
    ("-last_seen", ["a6", "a5", "a4", "a3", "a2", "a1"]),
    ("first_seen", ["a1", "a2", "a3", "a4", "a5", "a6"]),
    ("-severity", ["a5", "a6", "a4", "a3", "a2", "a1"]),
    ("-count", ["a6", "a5", "a4", "a3", "a2", "a1"]),
], ids=["recent", "oldest", "severity", "count"])
def test_list_order(seeded: AlertStore, order_by: str, expected: list[str]) -> None:
    assert [a.id for a in seeded.list(order_by=order_by)] == expected


def test_status_group_names_in_the_unknown_status_error(seeded: AlertStore) -> None:
    with pytest.raises(ValueError, match="unknown status 'opne' — did you mean 'open'"):
        seeded.count(status="opne")


def test_list_pages(seeded: AlertStore) -> None:
    pages = [[a.id for a in seeded.list(limit=4, offset=offset)] for offset in (0, 4, 8)]
    assert pages == [["a6", "a5", "a4", "a3"], ["a2", "a1"], []]
    with pytest.raises(ValueError, match="did you mean 'last_seen'"):
        seeded.list(order_by="-last_sen")
