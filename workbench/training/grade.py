"""`mantissa training grade DIR`: the scores of trainees' executed exercise notebooks, as a table.

Each notebook's last published score is read back. The answers in it are then checked again, not
taken on trust: against the answer key of the workspace named in the score if that folder is here,
else against ground truth regenerated from the scenario, seed and window (generation is
deterministic), so an edited output cell cannot raise a score. A notebook without a submitted
score, or one that cannot be read, gets a row saying so; the others are still graded.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.training.attempt import SCORE_KIND
from workbench.training.exercises import EXERCISES
from workbench.training.trainee import MAX_LENGTH
from workbench.training.workspace import KEY_FILE, TrainingError, is_workspace, load_workspace

MARKS = {True: "✓", False: "✗", None: "–"}


@dataclass
class GradeRow:
    notebook: str
    trainee: str = ""
    scenario: str = ""
    seed: int | None = None
    score: float | None = None
    correct: int = 0
    total: int = 0
    hints: int = 0
    debrief_seen: bool = False  # the solutions were shown before this score was submitted
    tasks: dict[str, bool | None] = field(default_factory=dict)  # None: not answered
    status: str = "ok"  # ok | regraded | unverified | no score | error: …

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class _Checker:
    """Re-checks answers; remembers each variant's truth so a class of trainees costs one generation."""

    def __init__(self) -> None:
        self._truths: dict[tuple, dict[str, str] | None] = {}

    def verdicts(self, record: dict[str, Any]) -> dict[str, bool] | None:
        exercise = EXERCISES.get(record["scenario"])
        answers = {name: (item or {}).get("answer") for name, item in record.get("tasks", {}).items()}
        workspace = Path(str(record.get("workspace") or ""))
        if record.get("workspace") and is_workspace(workspace) and (workspace / KEY_FILE).is_file():
            ws = load_workspace(workspace)
            if ws.info.scenario == record["scenario"] and ws.info.seed == record["seed"] and ws.info.end == record["end"]:
                key = ws.answer_key
                return {t.name: bool(answers.get(t.name)) and key.check(exercise, t.name, answers[t.name])
                        for t in exercise.tasks}
        expected = self._truth(record)
        if expected is None:
            return None
        return {t.name: bool(answers.get(t.name)) and t.name in expected
                and t.canonical(answers[t.name]) == t.canonical(expected[t.name]) for t in exercise.tasks}

    def _truth(self, record: dict[str, Any]) -> dict[str, str] | None:
        from workbench.synth import generate

        variant = (record["scenario"], record["seed"], record.get("days"), record.get("scale"), record.get("end"))
        if variant not in self._truths:
            if None in variant:
                self._truths[variant] = None
            else:
                out = generate(int(record["days"]), int(record["seed"]), end=record["end"],
                               scale=float(record["scale"]), scenarios=[record["scenario"]])
                self._truths[variant] = out.truth.scenario(record["scenario"]).answers
        return self._truths[variant]


def printable(value: object) -> str:
    """A name read from a notebook, fit for the instructor's terminal: the notebook is the trainee's
    file, and an escape sequence in it must not reach the table (control characters become '?')."""
    text = " ".join(str(value or "").split())[:MAX_LENGTH]
    return "".join("?" if unicodedata.category(ch).startswith("C") else ch for ch in text)


def grade_notebook(path: Path, root: Path | None = None, checker: _Checker | None = None) -> GradeRow:
    from workbench.playbooks import read_published

    name = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
    # Until the score names its trainee, the folder a notebook was collected into does (DIR/alice/x.ipynb).
    row = GradeRow(notebook=name, trainee=path.parent.name if root is None or path.parent != root else "")
    try:
        published = read_published(path, SCORE_KIND)
    except Exception as exc:  # noqa: BLE001 - a broken file is one row, not the end of the table
        row.status = f"error: cannot read the notebook ({type(exc).__name__}: {exc})"
        return row
    if not published:
        row.status = "no score (ex.submit() was not run)"
        return row
    record = published[-1]
    try:
        exercise = EXERCISES.get(record["scenario"])
        row.trainee = printable(record.get("trainee")) or row.trainee
        row.scenario, row.seed = record["scenario"], int(record["seed"])
        row.hints = int(record.get("hints", 0))
        row.debrief_seen = bool(record.get("debrief_seen", False))
        claimed = {t: bool((record.get("tasks", {}).get(t) or {}).get("correct")) for t in exercise.task_names}
        answered = {t for t in exercise.task_names if (record.get("tasks", {}).get(t) or {}).get("answer")}
        verdicts = (checker or _Checker()).verdicts(record)
    except (KeyError, TypeError, ValueError, TrainingError) as exc:
        row.status = f"error: the published score cannot be read ({type(exc).__name__}: {exc})"
        return row
    if verdicts is None:
        verdicts, row.status = claimed, "unverified"
    elif verdicts != claimed:
        row.status = "regraded"
    row.tasks = {t: (verdicts[t] if t in answered else None) for t in exercise.task_names}
    row.correct, row.total = sum(bool(v) for v in verdicts.values()), len(exercise.tasks)
    row.score = round(100.0 * row.correct / row.total, 1) if row.total else 0.0
    return row


def grade_folder(folder: Path | str) -> list[GradeRow]:
    """Every `*.ipynb` under `folder` (checkpoints skipped), graded, in path order."""
    root = Path(folder).expanduser().resolve()
    if not root.is_dir():
        raise TrainingError(f"{root} is not a folder of executed notebooks")
    checker = _Checker()
    paths = sorted(p for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    return [grade_notebook(p, root, checker) for p in paths]


def format_table(rows: list[GradeRow]) -> str:
    header = ["trainee", "notebook", "scenario", "seed", "score", "hints", "status", "tasks"]
    body = []
    for row in rows:
        tasks = "  ".join(f"{MARKS[v]} {t}" for t, v in row.tasks.items())
        score = f"{row.score:g}% ({row.correct}/{row.total})" if row.score is not None else "—"
        body.append([row.trainee or "—", row.notebook, row.scenario or "—",
                     "—" if row.seed is None else str(row.seed), score, str(row.hints),
                     row.status + (" (after the debrief)" if row.debrief_seen else ""), tasks or "—"])
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in [header, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def as_json(rows: list[GradeRow]) -> str:
    return json.dumps([r.as_dict() for r in rows], indent=2)
