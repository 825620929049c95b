"""A training workspace: its layout, answers checked against the hashed key, hints, the score record,
two seeds giving two variants, the debrief over the real rule pack and hunt library, the widgets."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from workbench.training import Attempt, TrainingError, build_workspace, load_workspace, open_exercise
from workbench.training.widgets import TaskWidget, scoreboard


def _truth(space) -> dict[str, str]:
    return space.truth().answers


def test_layout_keeps_answers_out_of_the_trainees_files(leaked_key: SimpleNamespace) -> None:
    ws = leaked_key.spaces[11]
    names = {p.name for p in ws.root.iterdir()}
    assert {"mantissa.yaml", "lake", "state", "training.json", "answer_key.json", ".truth", "leaked-key.ipynb"} <= names
    assert not (ws.root / ".truth" / "raw").exists()  # raw objects are dropped once ingested
    answers = _truth(ws)
    visible = "".join(p.read_text() for p in (ws.root / "training.json", ws.root / "answer_key.json", ws.notebook))
    for task in ("initial_access_ip", "compromised_principal", "backdoor_user", "exfiltrated_bucket"):
        assert answers[task] not in visible, f"{task} readable outside .truth"  # the variant's own identifiers
    info = json.loads((ws.root / "training.json").read_text())
    assert info["scenario"] == "leaked-key" and info["seed"] == 11 and info["alerts"] > 0
    assert load_workspace(ws.root).info == ws.info


def test_two_seeds_are_two_variants_and_both_grade(leaked_key: SimpleNamespace) -> None:
    one, two = leaked_key.spaces[11], leaked_key.spaces[12]
    t1, t2 = one.truth(), two.truth()
    assert set(t1.attacker_ips).isdisjoint(t2.attacker_ips)
    assert t1.answers["backdoor_user"] != t2.answers["backdoor_user"]
    assert t1.first_malicious_call.event_time != t2.first_malicious_call.event_time
    assert t1.first_malicious_call.event_id != t2.first_malicious_call.event_id
    for ws, truth in ((one, t1), (two, t2)):
        attempt = Attempt(ws, answers={t: truth.answers[t] for t in ws.exercise.task_names}, trainee="t")
        assert (attempt.correct, attempt.percent) == (len(ws.exercise.tasks), 100.0)
    # The other variant's answers are wrong here wherever the variants differ.
    crossed = Attempt(one, answers={t: t2.answers[t] for t in one.exercise.task_names})
    differ = {t for t in one.exercise.task_names
              if one.exercise.task(t).canonical(t1.answers[t]) != one.exercise.task(t).canonical(t2.answers[t])}
    assert {"initial_access_ip", "backdoor_user"} <= differ
    assert {t for t, r in crossed.results.items() if not r.correct} == differ


def test_answers_are_normalised_and_the_last_one_counts(leaked_key: SimpleNamespace) -> None:
    ws = leaked_key.spaces[11]
    truth = ws.truth()
    victim = truth.compromised
    attempt = Attempt(ws, trainee="alice")
    assert attempt.check("compromised_principal", victim.arn)
    assert attempt.check("compromised_principal", f"  {victim.username.upper()} ")
    assert attempt.check("privilege_escalation", "iam:attachuserpolicy")
    assert attempt.check("exfiltrated_bucket", f"s3://{truth.buckets[0]}/exports/")
    assert not attempt.check("initial_access_ip", "192.0.2.1")
    assert attempt.check("initial_access_ip", truth.attacker_ips[0])
    assert not attempt.check("initial_access_ip", "192.0.2.1")  # changed to a wrong answer: wrong again
    attempt.check("first_malicious_call", "")  # clearing an answer leaves the task unanswered
    record = attempt.record()
    assert record["trainee"] == "alice" and record["correct"] == 3 and record["total"] == 7
    assert record["score"] == pytest.approx(42.9)
    assert record["tasks"]["initial_access_ip"] == {"answer": "192.0.2.1", "correct": False, "hints": 0}
    assert record["tasks"]["first_malicious_call"]["answer"] is None


def test_hints_come_one_at_a_time_and_are_counted(leaked_key: SimpleNamespace) -> None:
    attempt = Attempt(leaked_key.spaces[11])
    hints = attempt.exercise.task("initial_access_ip").hints
    shown = [attempt.hint("initial_access_ip") for _ in hints]
    assert shown == list(hints)
    assert attempt.hint("initial_access_ip") is None
    assert attempt.record()["hints"] == len(hints)
    with pytest.raises(KeyError, match="did you mean 'backdoor_user'"):
        attempt.hint("backdoor_usr")


def test_misspelt_prefilled_answer_fails_loudly(leaked_key: SimpleNamespace) -> None:
    with pytest.raises(KeyError, match="initial_access_ip"):
        Attempt(leaked_key.spaces[11], answers={"initial_acess_ip": "192.0.2.1"})


def test_open_exercise_finds_the_workspace_and_refuses_the_wrong_one(
        leaked_key: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = leaked_key.spaces[12]
    monkeypatch.chdir(ws.root)
    monkeypatch.delenv("MANTISSA_WORKSPACE", raising=False)
    attempt = open_exercise("leaked-key", "", connect=False)
    assert attempt.workspace.root == ws.root and attempt.workspace.info.seed == 12
    with pytest.raises(TrainingError, match="holds the 'leaked-key' exercise, not 'port-scan'"):
        open_exercise("port-scan", ws.root, connect=False)


def test_build_refuses_to_clobber(leaked_key: SimpleNamespace, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(TrainingError, match="not a training workspace"):
        build_workspace("port-scan", 1, tmp_path, days=1, end="2026-11-20")
    with pytest.raises(TrainingError, match="--replace"):
        build_workspace("leaked-key", 11, leaked_key.spaces[11].root, days=1, end="2026-11-20")
    with pytest.raises(KeyError, match="did you mean 'port-scan'"):
        build_workspace("port-scam", 1, tmp_path / "new")


def test_debrief_names_the_rules_and_hunts_that_catch_the_attack(leaked_key: SimpleNamespace) -> None:
    from workbench.training.debrief import build_debrief

    ws = leaked_key.spaces[11]
    report = build_debrief(ws)
    fired = {h.rule_id for h in report.fired}
    assert {"iam-admin-policy-attached", "iam-new-user-given-admin", "s3-getobject-burst"} <= fired
    assert all(h.scenario_alerts > 0 for h in report.fired)
    assert fired.isdisjoint(h.rule_id for h in report.noise)
    hunts = {h.hunt: h for h in report.hunts}
    assert hunts["privilege_escalation"].finds_it and not hunts["privilege_escalation"].lead
    assert hunts["suspicious_ip"].lead and hunts["suspicious_ip"].parameters == {"ip": ws.truth().attacker_ips[0]}
    assert hunts["suspicious_ip"].scenario_rows == hunts["suspicious_ip"].rows > 0
    assert not hunts["vpc_port_scan"].finds_it
    html = report._repr_html_()
    assert "iam-admin-policy-attached" in html and "%hunt privilege_escalation" in html
    assert "rules firing on the attack" in repr(report)


def test_widgets_check_hint_and_keep_the_scoreboard_current(leaked_key: SimpleNamespace) -> None:
    ws = leaked_key.spaces[12]
    attempt = Attempt(ws, answers={"backdoor_user": ws.truth().answers["backdoor_user"]})
    board = scoreboard(attempt)
    assert "1/7" in board.value
    widget = attempt.task("initial_access_ip")
    assert isinstance(widget, TaskWidget) and widget.text.value == ""
    widget.text.value = ws.truth().attacker_ips[0]
    widget.check_button.click()
    assert "correct" in widget.verdict.value and "2/7" in board.value
    widget.hint_button.click()
    assert attempt.hints_used == {"initial_access_ip": 1} and "💡" in widget.hints.value
    assert "hints used: 1" in board.value
    prefilled = attempt.task("backdoor_user")
    assert prefilled.text.value == ws.truth().answers["backdoor_user"] and "correct" in prefilled.verdict.value
