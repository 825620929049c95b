"""Hints are progressive — a nudge, then where to look, then an almost-complete query with a blank —
never name an answer, never repeat a starter cell, and the query of the last one, its blanks filled
with what the earlier tasks found, really shows the answer on a workspace."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from tests.training.conftest import NOTEBOOKS
from tests.training.test_notebooks import answer_values, leaked
from workbench.synth import generate
from workbench.training import EXERCISES

NAMES = EXERCISES.names()
BLANK = "____"

# What each blank of a last hint stands for, in order: a task's answer, or ("=", a literal the trainee
# reads off the hint's own words). Tasks whose hint has no blank are absent.
FILLS: dict[str, dict[str, list[str]]] = {
    "leaked-key": {"compromised_principal": ["initial_access_ip"], "first_malicious_call": ["initial_access_ip"],
                   "privilege_escalation": ["initial_access_ip"], "backdoor_user": ["initial_access_ip"],
                   "persistence_mechanism": ["backdoor_user"], "exfiltrated_bucket": ["backdoor_user"]},
    "console-brute-force": {"compromised_principal": ["initial_access_ip"],
                            "first_malicious_call": ["initial_access_ip"], "mfa_used": ["initial_access_ip"],
                            "persistence_mechanism": ["initial_access_ip"],
                            "persistence_target": ["persistence_mechanism", "initial_access_ip"]},
    "logging-tampering": {"compromised_principal": ["initial_access_ip"], "first_malicious_call": ["initial_access_ip"],
                          "logging_disabled_call": ["initial_access_ip"], "trail": ["logging_disabled_call"],
                          "detectors_deleted": ["=Delete"], "flow_log_deleted": ["initial_access_ip"]},
    "public-bucket": {"responsible_principal": ["exposed_bucket"], "first_malicious_call": ["exposed_bucket"],
                      "exposure_mechanism": ["exposed_bucket"], "initial_access_ip": ["=anonymous"]},
    "port-scan": {"scanner_ip": ["=REJECT"], "target_instance": ["scanner_ip"], "ports_scanned": ["scanner_ip"]},
    "crypto-mining": {"initial_access_ip": ["=Run"], "compromised_principal": ["initial_access_ip"],
                      "first_malicious_call": ["initial_access_ip"], "execution_call": ["initial_access_ip"],
                      "regions": ["execution_call", "initial_access_ip"],
                      "instance_types": ["execution_call", "initial_access_ip"]},
    "lateral-movement": {"compromised_principal": ["initial_access_ip"], "first_malicious_call": ["initial_access_ip"],
                         "execution_call": ["initial_access_ip"], "pivot_instance": ["initial_access_ip"]},
}


def _norm(text: str) -> str:
    text = re.sub(r"--[^\n]*", " ", text)  # a starter's comment line is not its query
    text = re.sub(r":[a-z_]+\b|'____%?'", "?", text.replace("%%athena", "").replace("%%athena:", ""))
    return " ".join(text.lower().replace(";", " ").split()).strip(": ")


def _starters(name: str) -> list[str]:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code" and c.source.lstrip().startswith(("%%athena", "%hunt"))]


@pytest.mark.parametrize("name", NAMES)
def test_three_hints_each_a_step_further(name: str) -> None:
    for task in EXERCISES.get(name).tasks:
        assert len(task.hints) == 3, f"{name}/{task.name}: a nudge, where to look, an almost-complete query"
        nudge, where, query = task.hints
        assert "SELECT" not in nudge and "%hunt" not in nudge, f"{name}/{task.name}: hint 1 is a nudge, not a query"
        assert len(set(task.hints)) == 3
        assert query.startswith("%%athena: SELECT"), f"{name}/{task.name}: hint 3 is a query"
        # The query's table and columns were named in hint 2 or are the query's own business.
        assert re.search(r"\b(cloudtrail|vpc_flow)\b", query)
        assert name in FILLS and (task.name in FILLS[name]) == (BLANK in query), (
            f"{name}/{task.name}: a blank in hint 3 needs a fill in FILLS, and a fill a blank")


@pytest.mark.parametrize("name", NAMES)
def test_no_hint_names_an_answer_of_its_exercise(name: str) -> None:
    exercise = EXERCISES.get(name)
    for seed in (5, 6):
        truth = generate(1, seed, end="2026-11-20T00:00:00Z", scale=0.05, scenarios=[name]).truth.scenario(name)
        values = answer_values(exercise, truth.answers)
        for task in exercise.tasks:
            found = leaked(" ".join(task.hints), values)
            assert not found, f"{name}/{task.name}: its hints give away {found}"


@pytest.mark.parametrize("name", NAMES)
def test_no_hint_repeats_a_starter_cell(name: str) -> None:
    starters = [_norm(s) for s in _starters(name)]
    assert starters, f"{name}: the notebook shows no query skeleton"
    for task in EXERCISES.get(name).tasks:
        for hint in task.hints:
            hint_query = _norm(hint.split(":", 1)[1]) if hint.startswith("%%athena:") else _norm(hint)
            for starter in starters:
                assert hint_query != starter and hint_query not in starter, (
                    f"{name}/{task.name}: a hint repeats the starter cell\n{starter}")


def test_the_normaliser_sees_a_starter_in_a_hint() -> None:
    starter = "%%athena\n-- what one address did\nSELECT eventname FROM cloudtrail\nWHERE sourceipaddress = :ip"
    assert _norm(starter) == _norm("%%athena: SELECT eventname FROM cloudtrail WHERE sourceipaddress = '____'")
    assert _norm(starter) != _norm("SELECT eventname FROM cloudtrail WHERE eventsource = '____'")


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_the_last_hint_filled_in_shows_the_answer(name: str, practice_home: Path) -> None:
    from workbench.config import load_settings
    from workbench.session import Session
    from workbench.timewindow import Window
    from workbench.training import load_workspace
    from workbench.training.workspace import window_of

    ws = load_workspace(practice_home / "mantissa" / "training" / f"{name}-seed1")
    answers = ws.truth().answers
    session = Session(load_settings(ws.root))
    window = Window(*window_of(ws.info))
    try:
        for task in ws.exercise.tasks:
            query = task.hints[2].split(":", 1)[1]
            for fill in FILLS[name].get(task.name, []):
                query = query.replace(BLANK, fill[1:] if fill.startswith("=") else answers[fill], 1)
            assert BLANK not in query
            frame = session.run_sql(query, window=window).result.frame
            assert 0 < len(frame) <= 50, f"{name}/{task.name}: {len(frame)} rows is no almost-answer"
            shown = frame.astype(str).to_string()
            values = answer_values(ws.exercise, {task.name: answers[task.name]} | {
                t: "" for t in ws.exercise.task_names if t != task.name})
            if task.kind == "yes_no":
                assert answers[task.name].lower() in shown.lower()
            else:
                assert set(leaked(shown, values)) == set(values), f"{name}/{task.name}: the filled query misses it"
    finally:
        session.close()
