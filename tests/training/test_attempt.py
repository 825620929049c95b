"""The debrief waits for a submit that answers every task (or an explicit reveal), and the trainee is
named by the notebook, JupyterHub or the trainee — never by the OS login."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.training.test_notebooks import answer_values, leaked
from workbench.training import Attempt, TrainingError
from workbench.training.debrief import Debrief, DebriefGate
from workbench.training.trainee import HUB_VARIABLE, NAME_FILE, SAVED, clean_name, resolve


@pytest.fixture()
def space(leaked_key: SimpleNamespace, monkeypatch: pytest.MonkeyPatch):
    """seed 12's workspace, with no hub user in the environment and no name saved in it."""
    monkeypatch.delenv(HUB_VARIABLE, raising=False)
    monkeypatch.setenv("USER", "root")  # what a container says; it must never become the trainee
    ws = leaked_key.spaces[12]
    (ws.root / NAME_FILE).unlink(missing_ok=True)
    yield ws
    (ws.root / NAME_FILE).unlink(missing_ok=True)


def _gate_text(gate: DebriefGate) -> str:
    return repr(gate) + gate._repr_html_()


def test_debrief_before_any_answer_shows_no_solution(space, capsys: pytest.CaptureFixture) -> None:
    attempt = Attempt(space, trainee="alice")
    attempt.submit()  # "Run All" submits an empty attempt before it reaches the debrief
    gate = attempt.debrief()
    assert isinstance(gate, DebriefGate)
    text = _gate_text(gate)
    assert "Submit your answers first: 0/7" in text and "initial_access_ip" in text and "reveal=True" in text
    assert not leaked(text + capsys.readouterr().out, answer_values(space.exercise, space.truth().answers))
    assert attempt.record()["debrief_seen"] is False


def test_debrief_waits_for_every_task_then_a_submit(space) -> None:
    truth = space.truth().answers
    attempt = Attempt(space, trainee="alice")
    for task in space.exercise.task_names[:-1]:
        attempt.check(task, truth[task])
    attempt.submit()
    gate = attempt.debrief()
    assert isinstance(gate, DebriefGate) and "6/7" in gate.message and "exfiltrated_bucket" in gate.message
    attempt.check("exfiltrated_bucket", "not-the-bucket")  # a wrong answer is an answer…
    assert isinstance(attempt.debrief(), DebriefGate)  # …but it has not been submitted yet
    attempt.submit()
    report = attempt.debrief()
    assert isinstance(report, Debrief)
    solutions = {s["task"]: s for s in report.solutions}
    assert solutions["exfiltrated_bucket"]["expected"] == truth["exfiltrated_bucket"]
    assert solutions["exfiltrated_bucket"]["result"] == "wrong"
    assert attempt.record()["debrief_seen"] is True


def test_reveal_shows_the_solutions_and_the_score_says_so(space) -> None:
    attempt = Attempt(space, trainee="alice")
    report = attempt.debrief(reveal=True)
    assert isinstance(report, Debrief)
    assert {s["task"] for s in report.solutions} == set(space.exercise.task_names)
    assert all(s["result"] == "–" for s in report.solutions)
    assert attempt.record()["debrief_seen"] is True


def test_a_prefilled_complete_run_debriefs_after_its_submit(space) -> None:
    truth = space.truth().answers
    attempt = Attempt(space, answers={t: truth[t] for t in space.exercise.task_names}, trainee="bob")
    assert isinstance(attempt.debrief(), DebriefGate)
    attempt.submit()
    assert isinstance(attempt.debrief(), Debrief)


def test_no_name_means_no_name_not_the_login(space, capsys: pytest.CaptureFixture) -> None:
    attempt = Attempt(space)
    assert attempt.trainee == "" and attempt.record()["trainee"] is None
    attempt.submit()
    out = capsys.readouterr().out
    assert "(no name yet)" in out and "Your score has no name" in out
    assert "root" not in attempt.summary()  # (the output also holds the workspace path, /tmp/pytest-of-root/…)


def test_the_name_comes_from_parameter_then_hub_then_what_was_typed(space, monkeypatch: pytest.MonkeyPatch) -> None:
    Attempt(space).start("  Alice   Martin ")
    assert json.loads((space.root / NAME_FILE).read_text()) == {"name": "Alice Martin"}
    again = Attempt(space)  # a restarted kernel: not asked again
    assert (again.trainee, again.trainee_source) == ("Alice Martin", SAVED)
    assert again.record()["trainee"] == "Alice Martin"
    monkeypatch.setenv(HUB_VARIABLE, "amartin")
    assert (Attempt(space).trainee, Attempt(space).trainee_source) == ("amartin", "JupyterHub")
    assert Attempt(space, trainee="instructor-run").trainee == "instructor-run"


def test_a_damaged_name_file_asks_again(space) -> None:
    (space.root / NAME_FILE).write_text("{ not json")
    assert Attempt(space).trainee == ""
    (space.root / NAME_FILE).write_text('{"name": "\\u0007bell"}')
    assert resolve("", space.root, environ={}) == ("", "")


@pytest.mark.parametrize(("name", "message"), [
    ("   ", "empty"), ("x" * 81, "81 characters"), ("eve\x1b[2J", "control characters")])
def test_bad_names_are_refused_with_what_to_do(name: str, message: str) -> None:
    with pytest.raises(TrainingError, match=message):
        clean_name(name)


def test_the_name_box_saves_once_and_reports_mistakes(space) -> None:
    from workbench.training.widgets import name_box, scoreboard

    attempt = Attempt(space)
    box, board = name_box(attempt), scoreboard(attempt)
    assert box.text.value == "" and "needed for your score" in box.status.value and "no name yet" in board.value
    box.text.value = "   "
    assert not box.save() and "empty" in box.status.value and attempt.trainee == ""
    box.text.value = "Bob <b>Stone</b>"
    box.save_button.click()
    assert attempt.trainee == "Bob <b>Stone</b>" and "recorded with your score (typed here)" in box.status.value
    assert "Bob &lt;b&gt;Stone&lt;/b&gt;" in board.value  # escaped: a name is text, not markup
    assert Path(space.root / NAME_FILE).is_file()


def test_hints_are_labelled_by_step(space) -> None:
    attempt = Attempt(space, trainee="t")
    widget = attempt.task("backdoor_user")
    widget.hint_button.click()
    widget.hint_button.click()
    assert "hint 1 of 3" in widget.hints.value and "hint 2 of 3" in widget.hints.value
    assert "hint 3 of 3" not in widget.hints.value


@pytest.mark.parametrize(("name", "graded_as"), [(None, "dana"), ("eve\x1b]0;pwned\x07", "eve?]0;pwned?")])
def test_a_score_is_graded_under_a_printable_name_or_its_folder(space, tmp_path: Path, name, graded_as) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from workbench.playbooks.runner import MIME_PREFIX
    from workbench.training import SCORE_KIND
    from workbench.training.grade import grade_folder

    attempt = Attempt(space)
    attempt.check("backdoor_user", space.truth().answers["backdoor_user"])
    # The record as an edited notebook may hold it: its name is the trainee's text, not the box's.
    record = attempt.record() | {"trainee": name}
    cell = new_code_cell("ex.submit()", outputs=[new_output(
        "display_data", data={f"{MIME_PREFIX}{SCORE_KIND}+json": record, "text/plain": attempt.summary()})])
    (tmp_path / "dana").mkdir()
    nbformat.write(new_notebook(cells=[cell]), tmp_path / "dana" / "leaked-key.ipynb")
    (row,) = grade_folder(tmp_path)
    assert (row.trainee, row.correct, row.status) == (graded_as, 1, "ok")


def test_the_last_hint_is_a_query_block_to_copy(space) -> None:
    widget = Attempt(space, trainee="t").task("exfiltrated_bucket")
    for _ in range(3):
        widget.hint_button.click()
    assert widget.hint_button.disabled
    assert "hint 3 of 3" in widget.hints.value and "<pre>%%athena\nSELECT" in widget.hints.value
    assert "&#x27;____&#x27;" in widget.hints.value  # the blank, escaped like the rest of the text
