"""A trainee's attempt at an exercise: answers checked against the workspace's answer key, hints, a score.

    ex = open_exercise("leaked-key", workspace="", answers={}, trainee="alice")
    ex.briefing()                         # the variant: company, accounts, window
    ex.task("initial_access_ip")          # an answer widget (Text + Check + Hint)
    ex.check("initial_access_ip", "203.0.113.7")
    ex.start(name="Alice Martin")         # who is answering (asked once, saved in the workspace)
    ex.submit()                           # publishes the score into the notebook for `mantissa training grade`
    ex.debrief()                          # the solutions, once every task has an answer and was submitted

Pre-filled `answers` (papermill parameters) are checked when the attempt opens, so an automated run
is graded whether or not the task cells ran; nothing the trainee explores changes the grade.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.training.workspace import (
    TrainingError,
    TrainingWorkspace,
    is_workspace,
    load_workspace,
    practice_workspace,
    window_of,
)

if TYPE_CHECKING:
    from workbench.session import Session
    from workbench.training.debrief import Debrief, DebriefGate

SCORE_KIND = "training-score"
DEBRIEF_KIND = "training-debrief"


@dataclass
class TaskResult:
    answer: str
    correct: bool


class Attempt:
    def __init__(self, workspace: TrainingWorkspace, *, trainee: str = "",
                 answers: dict[str, Any] | None = None) -> None:
        self.workspace = workspace
        self.exercise = workspace.exercise
        self.key = workspace.answer_key
        if self.key.scenario != workspace.info.scenario or self.key.seed != workspace.info.seed:
            raise TrainingError(f"{workspace.root}: the answer key is for {self.key.scenario} seed {self.key.seed}, "
                                f"the workspace for {workspace.info.scenario} seed {workspace.info.seed}; rebuild it")
        from workbench.training.trainee import resolve

        self.trainee, self.trainee_source = resolve(trainee, workspace.root)
        self.results: dict[str, TaskResult] = {}
        self.hints_used: dict[str, int] = {}
        self.debrief_seen = False
        self.submitted_complete = False  # a submit with every task answered: the debrief may show solutions
        self._listeners: list[Any] = []
        for name, value in (answers or {}).items():
            self.exercise.task(name)  # a misspelt task in a papermill run fails loudly, with the right names
            if value is not None and str(value).strip():
                self.check(name, value)

    # -- answering ------------------------------------------------------------------------------
    def check(self, task: str, answer: Any) -> bool:
        """Check `answer` for `task` and remember it (the last answer counts)."""
        self.exercise.task(task)  # an unknown task name says which ones exist
        text = "" if answer is None else str(answer).strip()
        if not text:
            self.results.pop(task, None)
            correct = False
        else:
            correct = self.key.check(self.exercise, task, text)
            self.results[task] = TaskResult(text, correct)
        for listener in self._listeners:
            listener(self)
        return correct

    answer = check

    def start(self, name: str) -> None:
        """Say who is answering; saved in the workspace, so a restarted kernel knows it too."""
        from workbench.training.trainee import TYPED, clean_name, save_name

        self.trainee, self.trainee_source = clean_name(name), TYPED
        save_name(self.workspace.root, self.trainee)
        for listener in self._listeners:
            listener(self)

    def hint(self, task: str) -> str | None:
        """The next hint for `task`, or None when there are no more; counted in the score record."""
        hints = self.exercise.task(task).hints
        used = self.hints_used.get(task, 0)
        if used >= len(hints):
            return None
        self.hints_used[task] = used + 1
        for listener in self._listeners:
            listener(self)
        return hints[used]

    # -- scoring --------------------------------------------------------------------------------
    @property
    def correct(self) -> int:
        return sum(1 for r in self.results.values() if r.correct)

    @property
    def total(self) -> int:
        return len(self.exercise.tasks)

    @property
    def percent(self) -> float:
        return round(100.0 * self.correct / self.total, 1) if self.total else 0.0

    @property
    def unanswered(self) -> list[str]:
        return [t.name for t in self.exercise.tasks if t.name not in self.results]

    def record(self) -> dict[str, Any]:
        """What `submit()` publishes and `mantissa training grade` reads back."""
        info = self.workspace.info
        tasks = {}
        for task in self.exercise.tasks:
            result = self.results.get(task.name)
            tasks[task.name] = {"answer": result.answer if result else None,
                                "correct": bool(result and result.correct),
                                "hints": self.hints_used.get(task.name, 0)}
        return {"scenario": info.scenario, "seed": info.seed, "days": info.days, "scale": info.scale,
                "start": info.start, "end": info.end, "workspace": str(self.workspace.root),
                "trainee": self.trainee or None, "score": self.percent, "correct": self.correct, "total": self.total,
                "hints": sum(self.hints_used.values()), "debrief_seen": self.debrief_seen, "tasks": tasks,
                "submitted": datetime.now(UTC).isoformat(timespec="seconds")}

    def submit(self) -> None:
        """Publish the score into this notebook's output (the last submit counts) and show it.

        Returns nothing, so the cell shows the summary once; `record()` gives the same data."""
        from workbench.playbooks import publish

        if not self.unanswered:
            self.submitted_complete = True
        publish(SCORE_KIND, self.record(), text=self.summary())

    def summary(self) -> str:
        who = self.trainee or "(no name yet)"
        lines = [f"{self.exercise.title} ({self.workspace.info.scenario}, seed {self.workspace.info.seed}) — "
                 f"{who}: {self.correct}/{self.total} correct, score {self.percent:g}%"]
        for task in self.exercise.tasks:
            result = self.results.get(task.name)
            mark = "–" if result is None else ("✓" if result.correct else "✗")
            lines.append(f"  {mark} {task.name}")
        if not self.trainee:
            lines.append("Your score has no name: type it in the box above the score (or run "
                         "ex.start(name=\"...\")), then submit again.")
        return "\n".join(lines)

    # -- the notebook face ----------------------------------------------------------------------
    def briefing(self) -> Any:
        from IPython.display import HTML

        info = self.workspace.info
        accounts = "".join(f"<li>{escape(name)}: <code>{escape(acct)}</code></li>" for name, acct in info.accounts.items())
        tasks = "".join(f"<li><code>{escape(t.name)}</code>: {escape(t.question)}</li>" for t in self.exercise.tasks)
        alerts = (f"<p>The rule pack raised <b>{info.alerts}</b> alerts over this window: "
                  "<code>workbench.triage()</code> shows them.</p>" if info.alerts is not None else "")
        return HTML(f"<h3>{escape(self.exercise.title)}</h3>"
                    f"<p>You are on the security team of <b>{escape(info.company)}</b>. Logs from "
                    f"<b>{escape(info.start)}</b> to <b>{escape(info.end)}</b> are in this workspace "
                    f"(<code>{escape(str(self.workspace.root))}</code>); the hunting magics are pointed at "
                    f"that window.</p><p>Accounts:</p><ul>{accounts}</ul>{alerts}<p>Tasks:</p><ol>{tasks}</ol>")

    def task(self, name: str) -> Any:
        from workbench.training.widgets import task_widget

        return task_widget(self, self.exercise.task(name))

    def scoreboard(self) -> Any:
        """The live score, under the box asking the trainee's name."""
        import ipywidgets as W

        from workbench.training.widgets import name_box, scoreboard

        return W.VBox([name_box(self), scoreboard(self)])

    def on_change(self, listener: Any) -> None:
        self._listeners.append(listener)

    def debrief(self, reveal: bool = False) -> Debrief | DebriefGate:
        """Solutions, the rules that fire on the attack and the hunts that find it; published too.

        Shown once a submit held an answer to every task; before that a note says what is missing,
        unless `reveal=True` asks for the solutions anyway (recorded as `debrief_seen` in the score).
        The rules and hunts name the attacker's addresses and users too, so they wait with the solutions.
        """
        from workbench.playbooks import publish
        from workbench.training.debrief import DebriefGate, build_debrief

        if not (self.submitted_complete or reveal):
            return DebriefGate(self.exercise.title, self.unanswered, self.total)
        self.debrief_seen = True
        truth = self.workspace.truth()
        solutions = []
        for task in self.exercise.tasks:
            result = self.results.get(task.name)
            solutions.append({"task": task.name, "expected": truth.answers.get(task.name, ""),
                              "your answer": result.answer if result else "",
                              "result": "–" if result is None else ("correct" if result.correct else "wrong")})
        report = build_debrief(self.workspace, solutions)
        publish(DEBRIEF_KIND, report.as_dict(), text=f"debrief of {report.scenario}: "
                f"{len(report.fired)} rules fire, {sum(h.finds_it for h in report.hunts)} hunts find it")
        return report


def _find_workspace(scenario: str, workspace: str | Path | None, seed: int | None) -> TrainingWorkspace:
    if workspace:
        found = load_workspace(workspace)
        if found.info.scenario != scenario:
            raise TrainingError(f"{found.root} holds the '{found.info.scenario}' exercise, not '{scenario}': open "
                                f"{found.info.scenario}.ipynb there, or build one with "
                                f"`mantissa training new {scenario} --seed N`")
        return found
    for candidate in (Path.cwd(), os.environ.get("MANTISSA_WORKSPACE")):
        if candidate and is_workspace(candidate):
            found = load_workspace(candidate)
            if found.info.scenario == scenario and (seed is None or seed == found.info.seed):
                return found
    return practice_workspace(scenario, seed if seed is not None else 1)


def _point_session(workspace: TrainingWorkspace) -> Session:
    """Make the notebook's hunting session (the magics' and widgets') read this workspace and window."""
    from workbench.session import Session
    from workbench.timewindow import Window
    from workbench.widgets.workspace import shared_session, use_workspace

    settings = use_workspace(workspace.root)
    session = shared_session(settings)
    if Path(session.settings.workspace).resolve() != workspace.root:
        # The magics were used before the exercise opened, on another workspace: start them afresh here.
        from IPython import get_ipython

        magics = get_ipython().magics_manager.registry.get("WorkbenchMagics")
        session = Session(settings)
        magics._session = session  # noqa: SLF001 - the magics take a session; this is the one to use now
    session.set_window(Window(*window_of(workspace.info)))
    return session


def open_exercise(scenario: str, workspace: str | Path | None = "", *, seed: int | None = None,
                  answers: dict[str, Any] | None = None, trainee: str = "", connect: bool = True) -> Attempt:
    """Open the exercise for `scenario` in `workspace`; with none given, in the current folder if it
    is one, else in a practice workspace built under the training home (`seed`, default 1).

    `connect` points the notebook's hunting magics and widgets at the workspace and its window.
    """
    from workbench.training.exercises import EXERCISES

    EXERCISES.get(scenario)
    found = _find_workspace(scenario, workspace, seed)
    attempt = Attempt(found, trainee=trainee, answers=answers)
    if connect:
        _point_session(found)
    return attempt
