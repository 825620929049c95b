"""Workspaces with real alerts for the triage, plot, investigation and browser tests.

`demo_site`: the synthetic lake (2 days, seed 7, ending 2026-11-20) with the bundled rule pack run over
it, built once per test process. `hostile_site`: a tiny lake whose log fields carry HTML/JS payloads,
and one alert whose evidence holds them. `demo_settings` / `hostile_settings` give each test its own
copy of the site's alert store (`fresh_copy`), so actions in one test never show in another. A folder's
conftest.py imports the four fixtures from here.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

SCRIPT = "<script>alert('xss')</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE_ARN = "arn:aws:iam::111122223333:user/mallory"
HOSTILE_IP = "203.0.113.66"
HOSTILE_KEY = "AKIAHOSTILE000000001"
HOSTILE_ALERT = "hostile-console-login-0001"
_cache: dict[str, SimpleNamespace] = {}


def _write_config(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "mantissa.yaml").write_text("engine: local\n")


def build_demo_site(root: Path) -> SimpleNamespace:
    from workbench.alerts import get_store
    from workbench.config import load_settings
    from workbench.detect import run_detections
    from workbench.engines import get_engine
    from workbench.resources import bundled_dir
    from workbench.rules import load_rules
    from workbench.synth import synthesize
    from workbench.timewindow import parse_time

    _write_config(root)
    report = synthesize(root / "lake", days=2, seed=7, end="2026-11-20T00:00:00Z", progress=False)
    settings = load_settings(root, environ={})
    rules = load_rules([bundled_dir("rules")]).rules
    with get_engine("local", settings) as engine, get_store(settings) as store:
        run_detections(rules, parse_time(report.truth.start), parse_time(report.truth.end), engine, store,
                       checkpoint=False)
        alerts = store.list(limit=None, order_by="-severity")
    assert len(alerts) >= 10, "the demo lake should raise a good handful of alerts"
    return SimpleNamespace(workspace=root, settings=settings, truth=report.truth, alert_ids=[a.id for a in alerts])


def _event(n: int, when: str, name: str, *, agent: str, error: str | None = None, ip: str = HOSTILE_IP) -> dict:
    return {"eventVersion": "1.08", "eventTime": when, "eventSource": "signin.amazonaws.com" if name == "ConsoleLogin"
            else "iam.amazonaws.com", "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": ip,
            "userAgent": agent, "errorCode": "AccessDenied" if error else None, "errorMessage": error,
            "userIdentity": {"type": "IAMUser", "principalId": "AIDAHOSTILE", "arn": HOSTILE_ARN,
                             "accountId": "111122223333", "userName": "mallory", "accessKeyId": HOSTILE_KEY},
            "requestParameters": {"userName": f"victim{IMG}"}, "responseElements": None,
            "eventID": f"00000000-0000-4000-8000-{n:012d}", "readOnly": False, "eventType": "AwsApiCall",
            "managementEvent": True, "recipientAccountId": "111122223333", "eventCategory": "Management"}


def build_hostile_site(root: Path) -> SimpleNamespace:
    from workbench.alerts import Alert, Evidence, EvidenceWindow, get_store
    from workbench.config import load_settings
    from workbench.lake import write_records
    from workbench.timewindow import parse_time

    _write_config(root)
    events = [_event(1, "2026-03-01T09:00:00Z", "ListUsers", agent="aws-cli/2.15", ip="198.51.100.7"),
              _event(2, "2026-03-02T09:10:00Z", "ConsoleLogin", agent=SCRIPT),
              _event(3, "2026-03-02T09:12:00Z", f"CreateAccessKey{SCRIPT}", agent=IMG, error=IMG),
              _event(4, "2026-03-02T09:14:00Z", "ListUsers", agent=SCRIPT, error=SCRIPT)]
    settings = load_settings(root, environ={})
    write_records("cloudtrail", events, settings.lake)
    rows = [{"eventtime": e["eventTime"], "eventid": e["eventID"], "eventname": e["eventName"],
             "actor_arn": HOSTILE_ARN, "sourceipaddress": HOSTILE_IP, "useragent": e["userAgent"],
             "errormessage": e["errorMessage"]} for e in events[1:]]
    alert = Alert(id=HOSTILE_ALERT, rule_id="hostile-console-login", title=f"Console login {SCRIPT} by mallory",
                  severity="high", first_seen=parse_time("2026-03-02T09:10:00Z"),
                  last_seen=parse_time("2026-03-02T09:14:00Z"),
                  group_keys={"actor_arn": HOSTILE_ARN, "note": IMG}, fields={"sourceipaddress": HOSTILE_IP},
                  evidence=Evidence(rows=rows, sql="SELECT eventtime, eventname, useragent, errormessage, eventid "
                                    "FROM cloudtrail WHERE sourceipaddress = '203.0.113.66'",
                                    window=EvidenceWindow(start=parse_time("2026-03-02T09:00:00Z"),
                                                          end=parse_time("2026-03-02T10:00:00Z"))))
    with get_store(settings) as store:
        store.upsert_alert(alert, [r["eventid"] for r in rows])
        store.add_note(HOSTILE_ALERT, f"attacker said {SCRIPT}", actor="detector")
    return SimpleNamespace(workspace=root, settings=settings, alert_id=HOSTILE_ALERT)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    if "demo" not in _cache:
        _cache["demo"] = build_demo_site(tmp_path_factory.mktemp("triage-demo"))
    return _cache["demo"]


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    if "hostile" not in _cache:
        _cache["hostile"] = build_hostile_site(tmp_path_factory.mktemp("hostile"))
    return _cache["hostile"]


def fresh_copy(site: SimpleNamespace, tmp_path: Path):
    """The site's settings with a private copy of its alert store (state/)."""
    state = tmp_path / "state"
    shutil.copytree(site.settings.state, state)
    return site.settings.model_copy(update={"state_path": state})


@pytest.fixture()
def demo_settings(demo_site: SimpleNamespace, tmp_path: Path):
    """The demo site with this test's own copy of the alert store."""
    return fresh_copy(demo_site, tmp_path)


@pytest.fixture()
def hostile_settings(hostile_site: SimpleNamespace, tmp_path: Path):
    return fresh_copy(hostile_site, tmp_path)
