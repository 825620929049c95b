"""The investigation: subjects, context queries, first-seen facts, containment, the playbook's HTML
report (escaped, self-contained, no code) and `mantissa investigate`."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.helpers import area_app
from tests.widgets.demo_site import HOSTILE_ALERT, HOSTILE_ARN, HOSTILE_IP, HOSTILE_KEY
from workbench.alerts import get_store
from workbench.investigate import first_seen_facts, investigate, render_investigation, subjects_of, suggest
from workbench.investigate.subjects import classify
from workbench.timewindow import iso_z

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("actor_arn", "arn:aws:iam::1:user/a", ("principals", "arn:aws:iam::1:user/a")),
    ("sourceIPAddress", "203.0.113.9", ("ips", "203.0.113.9")),
    ("sourceipaddress", "iam.amazonaws.com", None),  # a service, not an address
    ("srcaddr", "10.0.0.4", ("ips", "10.0.0.4")),
    ("accesskeyid", "ASIAABCDEFGHIJKLMNOP", ("access_keys", "ASIAABCDEFGHIJKLMNOP")),
    ("new_access_key_id", "AKIAABCDEFGHIJKLMNOP", None),  # created for someone: not the actor
    ("target_user", "bob", None),
    ("target", "i-0123456789abcdef0", ("instances", "i-0123456789abcdef0")),
    ("principal", "heidi.smith", ("principals", "heidi.smith")),
    ("principal", "111122223333", None),  # an account id alone names no one
], ids=["arn", "ip", "service-not-ip", "flow-ip", "key", "new-key", "target-user", "instance", "name", "acct"])
def test_classify(key: str, value: str, expected) -> None:
    assert classify(key, value) == expected


def test_first_seen_facts_compare_with_history() -> None:
    who = "arn:aws:iam::1:user/alice"
    activity = pd.DataFrame([
        {"eventtime": "2026-03-02T09:00:00Z", "principal": who, "sourceipaddress": "198.51.100.1",
         "eventsource": "iam.amazonaws.com", "eventname": "ListUsers", "awsregion": "us-east-1"},
        {"eventtime": "2026-03-02T10:00:00Z", "principal": who, "sourceipaddress": "203.0.113.9",
         "eventsource": "iam.amazonaws.com", "eventname": "CreateAccessKey", "awsregion": "eu-west-3"},
        {"eventtime": "2026-03-01T10:00:00Z", "principal": who, "sourceipaddress": "192.0.2.1",  # before since
         "eventsource": "s3.amazonaws.com", "eventname": "GetObject", "awsregion": "ap-south-1"},
    ])
    history = pd.DataFrame([{"principal": who, "username": "alice", "issuer": None, "accesskeyid": None,
                             "sourceipaddress": "198.51.100.1", "eventsource": "iam.amazonaws.com",
                             "eventname": "ListUsers", "awsregion": "us-east-1", "calls": 40}])
    facts = first_seen_facts([who], activity, history, datetime(2026, 3, 2, tzinfo=UTC), "the 14 days before")
    assert sorted(zip(facts["kind"], facts["value"], strict=True)) == [
        ("API", "iam:CreateAccessKey"), ("IP", "203.0.113.9"), ("region", "eu-west-3")]
    assert set(facts["first_at"]) == {"2026-03-02T10:00:00Z"}
    assert set(facts["history"]) == {"40 calls in the 14 days before"}


def test_investigation_of_the_top_alert(demo_site) -> None:
    with get_store(demo_site.settings) as store:
        top = store.list(limit=1, order_by="-severity")[0]
    inv = investigate(top.id, hours_around=6, settings=demo_site.settings)
    assert inv.alert.id == top.id and inv.subjects.principals and inv.subjects.access_keys
    evidence_ids = {r["eventid"] for r in top.evidence.rows}
    assert evidence_ids <= set(inv.cloudtrail["eventid"])  # the evidence events are in the activity
    times = pd.to_datetime(inv.cloudtrail["eventtime"], utc=True)
    assert times.min() >= inv.window.start and times.max() < inv.window.end
    assert inv.window.start == top.first_seen - pd.Timedelta(hours=6)
    assert not inv.facts.empty and set(inv.facts["kind"]) <= {"IP", "API", "region"}
    # The baseline ends where the window starts: the attacker's address, used in the minutes before
    # the alert, is a first-seen fact instead of "history".
    assert inv.history_window.end == inv.window.start
    early = inv.facts[(inv.facts["kind"] == "IP") & (inv.facts["first_at"] < iso_z(top.first_seen))]
    assert not early.empty, inv.facts
    assert [a.id for a in inv.related] == [a.id for a in get_store(demo_site.settings).related(top.id)]
    assert any(step.action.startswith("Deactivate access key") for step in inv.containment)
    assert all(q.error == "" for q in inv.queries) and not inv.problems


def test_containment_quotes_values_for_the_shell(hostile_site) -> None:
    with get_store(hostile_site.settings) as store:
        alert = store.get(HOSTILE_ALERT)
    subjects = subjects_of(alert)
    assert subjects.principals == [HOSTILE_ARN] and subjects.ips == [HOSTILE_IP]
    steps = suggest(alert, subjects)
    assert steps[0].command.endswith("--user-name mallory") or "mallory" in steps[0].command
    assert any(HOSTILE_IP in s.action for s in steps)


def test_unknown_alert_suggests_close_ids(demo_site) -> None:
    with pytest.raises(KeyError, match="did you mean"):
        investigate(demo_site.alert_ids[0][:-3], settings=demo_site.settings)


@pytest.fixture(scope="module")
def hostile_report(hostile_site, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("reports")
    settings = hostile_site.settings.model_copy(update={"runs_path": out / "runs"})
    return render_investigation(HOSTILE_ALERT, hours_around=24, settings=settings, output_dir=out)


def test_report_is_html_without_code_beside_its_notebook(hostile_report) -> None:
    html = hostile_report.html.read_text()
    assert hostile_report.html.name == f"{HOSTILE_ALERT}.html"
    assert hostile_report.notebook == hostile_report.html.with_suffix(".ipynb")
    assert hostile_report.archived.is_file() and "runs" in hostile_report.archived.parts
    nb = nbformat.read(str(hostile_report.notebook), as_version=4)
    assert all("ename" not in o for c in nb.cells for o in c.get("outputs", []))
    assert "from workbench.investigate import investigate" not in html  # no code cells
    assert 'class="jp-InputArea-editor' not in html and "hours_around = 6" not in html
    for heading in ("The alert and its evidence", "First-seen facts", "Related alerts", "Suggested containment",
                    "Notes", "GuardDuty findings", "Network: VPC flows"):
        assert heading in html
    assert HOSTILE_KEY in html  # found from the evidence events
    assert "Deactivate access key" in html


def test_report_loads_plotly_once_from_a_local_file(hostile_report) -> None:
    html = hostile_report.html.read_text()
    sources = re.findall(r"<script[^>]+src=\"([^\"]+)\"", html)  # nothing fetched: no CDN, no require.js
    assert len(sources) == 1 and re.fullmatch(r"\.\./assets/plotly-[\d.]+\.min\.js", sources[0]), sources
    asset = (hostile_report.html.parent / sources[0]).resolve()
    assert asset.read_text(encoding="utf-8").count("* plotly.js v") == 1
    assert "cdnjs" not in html and "unpkg.com" not in html and "* plotly.js v" not in html
    assert html.count("Plotly.newPlot(") >= 4
    assert len(html) < 1_500_000


def test_notebook_to_html_refuses_a_url_for_plotly(hostile_report) -> None:
    from workbench.investigate import notebook_to_html

    for bad in ("https://cdn.plot.ly/plotly.min.js", "//cdn.example/p.js", "javascript:alert(1)"):
        with pytest.raises(ValueError, match="must be a relative path"):
            notebook_to_html(hostile_report.notebook, plotly_src=bad)
    # A folder name with markup in it stays text, in the tag and in the missing-file message.
    odd = "../it's</script><script>alert(1)</script>/plotly.js"
    html = notebook_to_html(hostile_report.notebook, plotly_src=odd)
    assert "</script><script>alert(1)" not in html
    assert 'src="../it&#x27;s&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;/plotly.js"' in html


def test_report_escapes_log_text(hostile_report) -> None:
    html = hostile_report.html.read_text()
    assert "&lt;script&gt;alert(" in html  # the exporter may write ' back as it is: still text
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(" not in html and "<img src=x" not in html
    assert "<img src=\\\"x" not in html


def test_cli_prints_the_html_path(demo_site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from workbench.cli.investigate import register

    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "mantissa.yaml").write_text(f"engine: local\nlake_path: {demo_site.settings.lake}\n")
    shutil.copytree(demo_site.settings.state, workspace / "state")
    monkeypatch.setenv("MANTISSA_WORKSPACE", str(workspace))
    app = area_app(register)
    alert_id = demo_site.alert_ids[-1]
    result = CliRunner().invoke(app, ["investigate", alert_id, "--hours-around", "2"])
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path == workspace / "reports" / "investigations" / f"{alert_id}.html" and path.is_file()
    assert path.with_suffix(".ipynb").is_file()
    missing = CliRunner().invoke(app, ["investigate", alert_id[:-2]])
    assert missing.exit_code == 2 and "did you mean" in missing.output


@pytest.mark.parametrize("path", ["playbooks/investigate.ipynb", "notebooks/triage.ipynb", "notebooks/hunting.ipynb"])
def test_notebooks_are_committed_thin_and_clean(path: str) -> None:
    nb = nbformat.read(str(REPO / path), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    if path.startswith("playbooks/"):
        assert len(tagged) == 1
        assert re.findall(r"^(\w+) =", tagged[0].source, re.MULTILINE) == ["alert_id", "hours_around", "workspace"]
    assert all(len(c.source.splitlines()) <= 10 for c in code)  # logic lives in modules
