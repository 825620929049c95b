"""The pagination contract on both backends: `list()` returns a Page whose next_token resumes the
listing after its last alert, pages neither repeat nor skip alerts when others are written between
calls, and a token is only accepted by the listing that made it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from workbench.alerts import Alert, AlertStore
from workbench.alerts.paging import Page

from .conftest import T0, build_alert

SEVERITIES = ["info", "low", "medium", "high", "critical"]


def _seed(store: AlertStore, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        seen = T0 + timedelta(minutes=i)
        store.upsert_alert(build_alert(f"p{i:03d}", severity=SEVERITIES[i % 5], rule_id=f"r.{i % 3}",
                                      first_seen=seen, last_seen=seen, title=f"finding {i % 4}"), [f"e{i}"])


@pytest.fixture(scope="module")
def seeded(module_store: AlertStore) -> AlertStore:
    _seed(module_store, 23)
    for i in (1, 6, 11):
        module_store.acknowledge(f"p{i:03d}", "ana")
    for i in (2, 7):
        module_store.assign(f"p{i:03d}", "bo", "ana")
    return module_store


def _walk(store: AlertStore, limit: int, **filters: Any) -> Iterator[Page]:
    token = None
    for _ in range(100):  # bounded: a token that never ends would be a bug, not an endless loop
        page = store.list(limit=limit, page_token=token, **filters)
        yield page
        token = page.next_token
        if token is None:
            return
    raise AssertionError("pagination did not end")


@pytest.mark.parametrize("filters", [
    {}, {"status": "new"}, {"status": ["new", "acknowledged"]}, {"severity": "high"}, {"min_severity": "medium"},
    {"rule_id": "r.1"}, {"assignee": "bo"}, {"unassigned": True}, {"unassigned": True, "status": "new"}, {"since": T0 + timedelta(minutes=5)},
    {"until": T0 + timedelta(minutes=9)}, {"text": "FINDING 2"}, {"status": "new", "min_severity": "high", "text": "finding"},
    {"order_by": "last_seen"}, {"order_by": "-severity"}, {"order_by": "count"},
], ids=["all", "status", "statuses", "severity", "min-severity", "rule", "assignee", "unassigned", "unassigned-new", "since", "until", "text",
        "combined", "oldest-first", "by-severity", "by-count"])
def test_pages_cover_the_listing_exactly_once(seeded: AlertStore, filters: dict[str, Any]) -> None:
    whole = [a.id for a in seeded.list(limit=None, **filters)]
    pages = list(_walk(seeded, 4, **filters))
    assert [a.id for p in pages for a in p] == whole
    assert all(len(p) <= 4 for p in pages)
    assert pages[-1].next_token is None and all(p.next_token for p in pages[:-1])


def test_page_is_a_list_for_old_callers(seeded: AlertStore) -> None:
    page = seeded.list(limit=5)
    assert isinstance(page, list) and page.items == list(page) and len(page) == 5
    assert [a.id for a in seeded.list(limit=5, offset=5)] == [a.id for a in seeded.list(limit=5,
                                                                                         page_token=page.next_token)]
    assert seeded.list(limit=None).next_token is None


@pytest.mark.parametrize(("token", "message"), [
    ("not a token", "cannot be decoded"),
    ("", "empty"),
    ("eyJ2IjoxfQ", "of this version"),  # {"v":1}
    ("x" * 5000, "too long"),
])
def test_bad_tokens_are_refused_clearly(seeded: AlertStore, token: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"page token: .*{message}.*start again without a page token"):
        seeded.list(limit=3, page_token=token)


def test_a_token_only_serves_its_own_listing(seeded: AlertStore) -> None:
    token = seeded.list(status="new", limit=3).next_token
    assert token
    for other in ({"status": "acknowledged"}, {"status": "new", "order_by": "last_seen"}, {}):
        with pytest.raises(ValueError, match="other filters, order or store"):
            seeded.list(limit=3, page_token=token, **other)
    with pytest.raises(ValueError, match="either offset or page_token"):
        seeded.list(status="new", limit=3, offset=3, page_token=token)
    with pytest.raises(ValueError, match="assignee 'bo' and unassigned exclude each other"):
        seeded.list(assignee="bo", unassigned=True)
    with pytest.raises(ValueError, match="limit must be at least 1"):
        seeded.list(limit=0)


def test_a_forged_position_is_refused(seeded: AlertStore) -> None:
    import base64
    import json

    token = seeded.list(limit=3).next_token
    assert token
    data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    for position in ([{"$ne": 1}], [1, 2, 3], [True], [None], ["x" * 600, "p001"], ["x" * 600]):
        forged = base64.urlsafe_b64encode(json.dumps({**data, "p": position}).encode()).decode()
        with pytest.raises(ValueError, match="page token: malformed position"):
            seeded.list(limit=3, page_token=forged)


def test_paging_across_concurrent_writes(store: AlertStore, make_alert: Callable[..., Alert]) -> None:
    _seed(store, 15)
    first = store.list(status="new", limit=5)
    # Between two clicks: detection raises newer alerts, an analyst acknowledges one not yet shown
    # and another already shown, and an alert further down recurs (its last_seen moves to the top).
    _seed(store, 4, start=100)
    store.acknowledge("p003", "ana")
    store.acknowledge(first[0].id, "ana")
    store.upsert_alert(make_alert("p005", severity="critical", rule_id="r.2", first_seen=T0 + timedelta(minutes=5),
                                  last_seen=T0 + timedelta(days=1), title="finding 1"), ["e5", "e5b"])
    rest: list[str] = []
    token = first.next_token
    while token:
        page = store.list(status="new", limit=5, page_token=token)
        rest += [a.id for a in page]
        token = page.next_token
    seen = [a.id for a in first] + rest
    assert len(seen) == len(set(seen)), "an alert was listed twice"
    # Every alert still new and not moved above the cursor is listed exactly once; the newer ones
    # (and the one that recurred) belong to the top of the queue, which a fresh listing shows.
    expected_rest = [f"p{i:03d}" for i in range(14, -1, -1)
                     if f"p{i:03d}" not in {a.id for a in first} and i not in (3, 5)]
    assert rest == expected_rest
    assert {f"p{i:03d}" for i in range(100, 104)} | {"p005"} <= {a.id for a in store.list(status="new", limit=5)}


def test_rule_ids_for_a_filter_menu(seeded: AlertStore) -> None:
    assert seeded.rule_ids() == ["r.0", "r.1", "r.2"]
