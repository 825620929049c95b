"""Every scenario has an exercise whose tasks its ground truth answers, and a notebook that asks them,
committed without outputs, with a `parameters` cell and no answers in it."""

from __future__ import annotations

import json

import nbformat
import pytest

from tests.training.conftest import NOTEBOOKS
from workbench.synth import SCENARIOS, generate
from workbench.training import EXERCISES, notebook_source
from workbench.training.workspace import answer_key_for

NAMES = EXERCISES.names()


def test_every_scenario_has_an_exercise_and_at_least_six_exist() -> None:
    assert set(NAMES) == set(SCENARIOS.names())
    assert len(NAMES) >= 6


@pytest.mark.parametrize("name", NAMES)
def test_tasks_are_answered_by_the_ground_truth_of_two_seeds(name: str) -> None:
    exercise = EXERCISES.get(name)
    assert len(exercise.tasks) >= 3
    for seed in (5, 6):
        truth = generate(1, seed, end="2026-11-20T00:00:00Z", scale=0.05, scenarios=[name]).truth.scenario(name)
        key = answer_key_for(exercise, truth, seed)
        assert set(key.digests) == set(exercise.task_names)
        for task in exercise.tasks:
            assert task.hints, f"{name}/{task.name} has no hint"
            assert key.check(exercise, task.name, truth.answers[task.name])
            assert not key.check(exercise, task.name, "certainly-not-" + truth.answers[task.name])
        text = key.model_dump_json()
        leaked = [t for t in exercise.task_names if truth.answers[t] in text and len(truth.answers[t]) > 3]
        assert not leaked, f"the answer key holds plain answers for {leaked}"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_asks_every_task_and_holds_no_outputs_or_answers(name: str) -> None:
    path = NOTEBOOKS / f"{name}.ipynb"
    assert notebook_source(name) == path
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "commit notebooks without outputs"
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for parameter in ("workspace =", "answers = {}", "trainee =", "seed ="):
        assert parameter in tagged[0].source
    source = "\n".join(c.source for c in code)
    assert f'open_exercise("{name}"' in source
    for task in EXERCISES.get(name).task_names:
        assert f'ex.task("{task}")' in source
    assert "ex.submit()" in source and "ex.debrief()" in source
    assert "%hunt" in source or "%%athena" in source  # the trainee is shown the hunting tools
    raw = json.dumps(nb)
    assert "ground_truth" not in raw and "answer_key" not in raw and ".truth" not in raw
