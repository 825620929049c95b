"""The triage widget pages by the store's tokens: a page reads a page, however many alerts there are."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.alerts.conftest import T0, build_alert, store_settings
from workbench.alerts import get_store
from workbench.widgets import TriageWidget


class CountingStore:
    """The real store, counting the alerts each call hands back (what a widget click costs)."""

    def __init__(self, store: Any) -> None:
        self.store, self.listed, self.calls = store, 0, []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def list(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        page = self.store.list(*args, **kwargs)
        self.listed += len(page)
        return page


def fill(store: Any, n: int) -> None:
    for i in range(n):
        store.upsert_alert(build_alert(f"a-{i:05d}", first_seen=T0 + timedelta(seconds=i),
                                       last_seen=T0 + timedelta(seconds=i), assignee=None if i % 3 else "ana"),
                           [f"e{i}"])


@pytest.mark.parametrize(("backend", "alerts"), [("sqlite", 1200), ("dynamodb", 240)])
def test_paging_reads_one_page_per_click(backend: str, alerts: int, workspace, request) -> None:  # noqa: ANN001
    endpoint = request.getfixturevalue("aws_env") if backend == "dynamodb" else None
    settings = store_settings(workspace, backend, endpoint)
    with get_store(settings) as real:
        fill(real, alerts)
        store = CountingStore(real)
        widget = TriageWidget(store, settings, page_size=20, actor="ana")
        widget.status.value = ""  # every status
        seen: list[str] = list(widget.page_ids)
        store.listed = 0
        for _ in range(3):
            widget.next.click()
            seen += widget.page_ids
        assert store.listed == 3 * 20  # each click listed its own page and nothing else
        assert all("offset" not in call or not call["offset"] for call in store.calls)
        assert len(seen) == len(set(seen)) == 80  # no alert twice, none skipped
        assert seen == sorted(seen, reverse=True)  # newest first, page after page
        widget.prev.click()
        assert widget.page_ids == seen[40:60]
        widget.assignee.value = "unassigned"  # filtered by the store, not by reading everything
        assert widget.page == 0 and widget.total == sum(1 for i in range(alerts) if i % 3)
        assert all(call.get("limit") == 20 for call in store.calls)
