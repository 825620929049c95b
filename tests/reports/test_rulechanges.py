"""New and changed rules: from git history in a checkout, from modification times outside git."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from workbench.reports.rulechanges import rule_changes
from workbench.rules import load_rules

RULE = """id: {id}
title: {title}
severity: medium
query: SELECT eventid, eventtime FROM cloudtrail WHERE eventname = 'DeleteTrail'
alert:
  title: "Trail deleted at {{eventtime}}"
"""


def _git(repo: Path, *args: str, when: datetime) -> None:
    stamp = f"{int(when.timestamp())} +0000"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_NAME": "Rae",
           "GIT_AUTHOR_EMAIL": "rae@example.com", "GIT_COMMITTER_NAME": "Rae", "GIT_COMMITTER_EMAIL": "rae@example.com"}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def test_git_history_tells_new_from_changed(tmp_path: Path) -> None:
    repo, folder = tmp_path / "repo", tmp_path / "repo" / "rules"
    folder.mkdir(parents=True)
    t0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
    _git(repo, "init", "-q", when=t0)
    (folder / "old.yaml").write_text(RULE.format(id="old-rule", title="Old"))
    _git(repo, "add", ".", when=t0)
    _git(repo, "commit", "-q", "-m", "old", when=t0)
    week = t0 + timedelta(days=14)
    (folder / "old.yaml").write_text(RULE.format(id="old-rule", title="Old, tuned"))
    (folder / "new.yaml").write_text(RULE.format(id="new-rule", title="New"))
    _git(repo, "add", ".", when=week)
    _git(repo, "commit", "-q", "-m", "tune and add", when=week)
    ruleset = load_rules([folder], tuning=False)
    assert not ruleset.errors, ruleset.errors
    frame = rule_changes(ruleset.rules, [folder], week - timedelta(days=1), week + timedelta(days=1))
    got = {(r["rule"], r["change"], r["who"], r["source"]) for r in frame.to_dict("records")}
    assert got == {("old-rule", "changed", "Rae", "git"), ("new-rule", "new", "Rae", "git")}
    before = rule_changes(ruleset.rules, [folder], t0 - timedelta(days=1), t0 + timedelta(days=1))
    assert list(before["rule"]) == ["old-rule"] and list(before["change"]) == ["new"]


@pytest.mark.parametrize("inside", [True, False], ids=["in-period", "outside-period"])
def test_outside_git_modification_times_are_used(tmp_path: Path, inside: bool) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    path = folder / "r.yaml"
    path.write_text(RULE.format(id="plain-rule", title="Plain"))
    when = datetime(2026, 11, 18, 12, tzinfo=UTC)
    os.utime(path, (when.timestamp(), when.timestamp()))
    start = when - timedelta(hours=1) if inside else when + timedelta(hours=1)
    frame = rule_changes(load_rules([folder], tuning=False).rules, [folder], start, start + timedelta(days=1))
    if inside:
        assert frame.to_dict("records")[0]["change"] == "modified"
        assert frame.to_dict("records")[0]["source"] == "mtime"
    else:
        assert frame.empty


def test_weekly_reads_the_workspaces_rules_not_the_bundled_pack(tmp_path: Path) -> None:
    from workbench.config import load_settings
    from workbench.reports.weekly import team_rule_roots
    from workbench.resources import bundled_dir, search_paths

    (tmp_path / "mantissa.yaml").write_text("engine: local\n")
    settings = load_settings(tmp_path, environ={})
    assert team_rule_roots(settings, search_paths("rules", settings)) == []
    own = tmp_path / "rules"
    own.mkdir()
    (own / "team.yaml").write_text(RULE.format(id="team-rule", title="Ours"))
    roots = search_paths("rules", settings)
    team = team_rule_roots(settings, roots)
    assert team == [own] and bundled_dir("rules") in roots
    rules = load_rules(roots, tuning=False).rules
    start, end = datetime(2020, 1, 1, tzinfo=UTC), datetime.now(UTC) + timedelta(days=1)
    everything = rule_changes(rules, team, start, end)
    assert len(set(everything["rule"])) > 1  # without only_roots, the bundled pack's files count too
    assert list(rule_changes(rules, team, start, end, only_roots=True)["rule"]) == ["team-rule"]
