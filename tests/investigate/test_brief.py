"""The investigation brief and the summarised activity: built from the facts, escaped, labelled."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.widgets.demo_site import HOSTILE_ALERT, HOSTILE_IP, IMG, SCRIPT
from workbench.alerts import get_store
from workbench.investigate import investigate
from workbench.investigate.brief import BRIEF_CLASS, agent_mark, plural, what_happened
from workbench.investigate.sections import activity_summary, section_activity, section_brief, section_timeline


@pytest.mark.parametrize(("n", "word", "expected"), [
    (1, "GuardDuty finding", "1 GuardDuty finding"), (2, "call", "2 calls"), (0, "event", "0 events"),
    (1_204, "address", "1,204 addresses"),
], ids=["one", "two", "zero", "thousands"])
def test_plural(n: int, word: str, expected: str) -> None:
    assert plural(n, word, "addresses" if word == "address" else None) == expected


@pytest.mark.parametrize(("agent", "mark"), [
    ("aws-cli/1.22.34 Python/3.10.12 Linux/6.5.0-kali3-amd64 botocore/1.23.34", "Kali Linux"),
    ("Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/macos#23.6.0", ""),
    (None, ""),
], ids=["kali", "boto3", "none"])
def test_agent_mark(agent: str | None, mark: str) -> None:
    assert agent_mark(agent).startswith(mark) and (mark or agent_mark(agent) == "")


@pytest.fixture(scope="module")
def top_investigation(demo_site):
    with get_store(demo_site.settings) as store:
        top = max(store.list(limit=None), key=lambda a: (a.severity.rank, a.count, a.last_seen))
    return investigate(top.id, hours_around=6, settings=demo_site.settings)


def test_brief_of_the_top_alert(top_investigation) -> None:
    inv = top_investigation
    html = str(section_brief(inv))
    assert html.startswith(f'<div class="{BRIEF_CLASS}"')
    for heading in ("What happened", "Who", "From where", "What is new", "Also seen", "What to do"):
        assert f">{heading}" in html
    lines = what_happened(inv)
    assert f"matched {plural(inv.alert.count, 'event')}" in " ".join(lines)
    assert f"made {len(inv.cloudtrail):,} CloudTrail calls" in lines[-1]
    new_ips = list(inv.facts.loc[inv.facts["kind"] == "IP", "value"])
    assert new_ips and all(ip in html for ip in new_ips[:3])
    assert "<b>new</b>" in html
    assert "(public, unlisted)" in html or "documentation range" in html
    assert "Kali Linux, a penetration-testing distribution" in html  # the attacker's user agent
    # Principals the alert does not name, acting from its IPs (the user the actor created), are in "Who".
    others = set(inv.cloudtrail["principal"].dropna().astype(str)) - set(inv.subjects.principals)
    assert others and "same source IP" in html and any(o in html for o in others)
    assert inv.containment[0].action in html and "nothing here has touched AWS" in html
    if len(inv.guardduty) == 1:
        assert "1 GuardDuty finding names these subjects" in html


def test_activity_is_summarised_with_every_event_folded(top_investigation) -> None:
    inv = top_investigation
    summary = activity_summary(inv.cloudtrail)
    assert int(summary["calls"].sum()) == len(inv.cloudtrail)
    assert len(summary) < len(inv.cloudtrail)
    html = str(section_activity(inv))
    assert f"Every event ({len(inv.cloudtrail):,})" in html and "<details>" in html


def test_timeline_colours_new_source_ips(top_investigation) -> None:
    figure = section_timeline(top_investigation).figure
    names = [trace.name for trace in figure.data]
    assert any(name.startswith("new: ") for name in names), names


def test_brief_escapes_log_text(hostile_settings) -> None:
    inv = investigate(HOSTILE_ALERT, hours_around=24, settings=hostile_settings)
    html = str(section_brief(inv))
    assert HOSTILE_IP in html and "documentation range (RFC 5737)" in html
    assert SCRIPT not in html and IMG not in html
    assert "&lt;script&gt;" in html


def test_brief_without_activity(demo_site) -> None:
    inv = investigate(demo_site.alert_ids[0], hours_around=0, settings=demo_site.settings)
    inv.cloudtrail = pd.DataFrame()
    assert "No CloudTrail call by these subjects" in what_happened(inv)[-1]
    assert "From where" in str(section_brief(inv))
