"""The triage detail labels the alert's addresses (AWS, cloud, scanner, private, documentation)."""

from __future__ import annotations


def test_the_triage_detail_labels_the_alerts_addresses(demo_settings) -> None:  # noqa: ANN001
    from workbench.alerts import get_store
    from workbench.session import Session
    from workbench.widgets import triage

    widget = triage(demo_settings, session=Session(demo_settings))
    with get_store(demo_settings) as store:
        alert = next(a for a in store.list(limit=200)
                     if any(k.lower() in ("sourceipaddress", "srcaddr") for k in [*a.group_keys, *a.fields]))
    widget.detail.show(alert)
    assert "about " in widget.detail.overview.value
