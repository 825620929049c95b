"""Answer widgets: a text box, a Check button and a Hint button per task, and a live scoreboard."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import ipywidgets as W

if TYPE_CHECKING:
    from workbench.training.attempt import Attempt
    from workbench.training.tasks import Task

_OK = "<span style='color:#1a7f37'>✓ correct</span>"
_WRONG = "<span style='color:#cf222e'>✗ not quite — look again, or ask for a hint</span>"


def _verdict(attempt: Attempt, task: Task) -> str:
    result = attempt.results.get(task.name)
    if result is None:
        return ""
    return _OK if result.correct else _WRONG


def _hint_html(hint: str) -> str:
    """A query hint ("%%athena: SELECT …") as a block to copy into a cell; any other as a sentence."""
    if hint.startswith("%%athena:"):
        query = hint.split(":", 1)[1].strip()
        return f"copy into a cell and fill the blank:<pre>%%athena\n{escape(query)}</pre>"
    return escape(hint)


class TaskWidget(W.VBox):
    """One task: its question, the answer box (pre-filled from the notebook's `answers`), its hints."""

    def __init__(self, attempt: Attempt, task: Task) -> None:
        self.attempt, self.spec = attempt, task
        previous = attempt.results.get(task.name)
        self.text = W.Text(value=previous.answer if previous else "", placeholder=task.format,
                           layout=W.Layout(width="420px"))
        self.check_button = W.Button(description="Check", button_style="primary")
        self.hint_button = W.Button(description="Hint", disabled=not task.hints,
                                    tooltip=f"{len(task.hints)} hints; each one used is noted in your score")
        self.verdict = W.HTML(_verdict(attempt, task))
        self.hints = W.HTML()
        self.check_button.on_click(lambda _: self.check())
        self.hint_button.on_click(lambda _: self.reveal_hint())
        self._show_hints()
        super().__init__([
            W.HTML(f"<b>{escape(task.question)}</b> <small>({escape(task.format)})</small>"),
            W.HBox([self.text, self.check_button, self.hint_button, self.verdict]),
            self.hints,
        ])

    def check(self) -> bool:
        correct = self.attempt.check(self.spec.name, self.text.value)
        self.verdict.value = _verdict(self.attempt, self.spec) or "<i>type an answer first</i>"
        return correct

    def reveal_hint(self) -> str | None:
        hint = self.attempt.hint(self.spec.name)
        self._show_hints()
        return hint

    def _show_hints(self) -> None:
        used = self.attempt.hints_used.get(self.spec.name, 0)
        shown = self.spec.hints[:used]
        total = len(self.spec.hints)
        self.hints.value = "".join(f"<div>💡 <small>hint {i} of {total}</small> {_hint_html(h)}</div>"
                                   for i, h in enumerate(shown, 1))
        self.hint_button.disabled = used >= len(self.spec.hints)


def task_widget(attempt: Attempt, task: Task) -> TaskWidget:
    return TaskWidget(attempt, task)


class NameBox(W.HBox):
    """Asks the trainee's name once; pre-filled when the hub, a parameter or an earlier run gave it."""

    def __init__(self, attempt: Attempt) -> None:
        self.attempt = attempt
        self.text = W.Text(value=attempt.trainee, placeholder="the name your instructor knows you by",
                           description="Your name", layout=W.Layout(width="420px"))
        self.save_button = W.Button(description="Save name")
        self.status = W.HTML(self._status())
        self.save_button.on_click(lambda _: self.save())
        self.text.on_submit(lambda _: self.save())
        super().__init__([self.text, self.save_button, self.status])

    def _status(self) -> str:
        if not self.attempt.trainee:
            return "<span style='color:#bf8700'>needed for your score</span>"
        return f"<small>recorded with your score ({escape(self.attempt.trainee_source)})</small>"

    def save(self) -> bool:
        from workbench.training.workspace import TrainingError

        try:
            self.attempt.start(self.text.value)
        except TrainingError as exc:
            self.status.value = f"<span style='color:#cf222e'>{escape(str(exc))}</span>"
            return False
        self.text.value = self.attempt.trainee
        self.status.value = self._status()
        return True


def name_box(attempt: Attempt) -> NameBox:
    return NameBox(attempt)


def scoreboard(attempt: Attempt) -> W.HTML:
    """The score so far; it updates on every check and hint."""
    board = W.HTML()

    def update(current: Attempt) -> None:
        marks = " ".join(("✓" if r.correct else "✗") if (r := current.results.get(t.name)) else "·"
                         for t in current.exercise.tasks)
        who = escape(current.trainee) if current.trainee else "<i>no name yet</i>"
        board.value = (f"<b>Score: {current.correct}/{current.total} ({current.percent:g}%)</b> — {who} "
                       f"&nbsp; {marks} &nbsp; <small>hints used: {sum(current.hints_used.values())}</small>")

    update(attempt)
    attempt.on_change(update)
    return board

