"""The exercise notebooks end to end: nbmake runs each top to bottom unanswered (score 0); papermill runs
with every answer right (100%) and with some wrong (0 on those); `mantissa training grade` tabulates them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
import typer
from nbmake.nb_run import NotebookRun
from typer.testing import CliRunner

from tests.helpers import area_app
from tests.training.conftest import NOTEBOOKS
from workbench.playbooks import read_published
from workbench.training import DEBRIEF_KIND, EXERCISES, SCORE_KIND

WRONG = {"initial_access_ip": "192.0.2.99", "backdoor_user": "not-the-backdoor", "exfiltrated_bucket": "some-bucket"}


def _papermill(ws, out: Path, answers: dict[str, str], trainee: str) -> Path:
    import papermill

    papermill.execute_notebook(
        str(ws.notebook), str(out), parameters={"answers": answers, "trainee": trainee}, kernel_name="python3",
        cwd=str(ws.root), progress_bar=False, log_output=False,
        kernel_manager_class="workbench.playbooks.runner.LocalKernelManager")
    return out


@pytest.fixture(scope="module")
def executed(leaked_key: SimpleNamespace, tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """Three trainees' executed notebooks: two variants answered right, one with three wrong answers."""
    import os

    os.environ.pop("ANTHROPIC_API_KEY", None)  # %ask in a kernel must answer offline
    folder = tmp_path_factory.mktemp("submissions")
    one, two = leaked_key.spaces[11], leaked_key.spaces[12]
    right = {ws.info.seed: {t: ws.truth().answers[t] for t in ws.exercise.task_names} for ws in (one, two)}
    (folder / "alice").mkdir()
    (folder / "bob").mkdir()
    (folder / "carol").mkdir()
    paths = SimpleNamespace(
        alice=_papermill(one, folder / "alice" / "leaked-key.ipynb", right[11], "alice"),
        bob=_papermill(two, folder / "bob" / "leaked-key.ipynb", right[12], "bob"),
        carol=_papermill(one, folder / "carol" / "leaked-key.ipynb", right[11] | WRONG, "carol"),
        folder=folder, right=right)
    return paths


@pytest.mark.slow
@pytest.mark.parametrize("name", EXERCISES.names())
def test_nbmake_runs_every_notebook_unanswered_to_score_zero(name: str, kernel_env: Path) -> None:
    result = NotebookRun(NOTEBOOKS / f"{name}.ipynb", default_timeout=300).execute()
    assert result.error is None, result.error.trace[-3000:]
    executed = Path(kernel_env.parent / f"{name}-executed.ipynb")
    nbformat.write(result.nb, executed)
    score = read_published(executed, SCORE_KIND)[-1]
    assert (score["scenario"], score["seed"], score["score"], score["correct"]) == (name, 1, 0.0, 0)
    assert score["total"] == len(EXERCISES.get(name).tasks) and score["workspace"].startswith(str(kernel_env))
    debrief = read_published(executed, DEBRIEF_KIND)[-1]
    assert debrief["hunts_finding"], f"no library hunt finds {name}"
    assert not debrief["rules_failed"]


def test_every_answer_right_scores_100_on_both_seeds(executed: SimpleNamespace) -> None:
    for path, seed in ((executed.alice, 11), (executed.bob, 12)):
        score = read_published(path, SCORE_KIND)[-1]
        assert (score["seed"], score["score"], score["correct"], score["total"]) == (seed, 100.0, 7, 7)
        assert all(item["correct"] for item in score["tasks"].values())


def test_wrong_answers_score_zero_on_those_tasks(executed: SimpleNamespace) -> None:
    score = read_published(executed.carol, SCORE_KIND)[-1]
    wrong = {t for t, item in score["tasks"].items() if not item["correct"]}
    assert wrong == set(WRONG)
    assert score["correct"] == 4 and score["score"] == pytest.approx(57.1)
    debrief = read_published(executed.carol, DEBRIEF_KIND)[-1]
    assert "iam-admin-policy-attached" in debrief["rules_fired"]


def _grade_app() -> typer.Typer:
    from workbench.cli.training import register

    return area_app(register)


def test_grade_prints_the_table_and_rechecks_what_it_reads(executed: SimpleNamespace, tmp_path: Path) -> None:
    folder = tmp_path / "class"
    shutil.copytree(executed.folder, folder)
    # dave edited his output cell to claim full marks; erin never ran hers; frank's notebook is not JSON.
    dave = nbformat.read(folder / "carol" / "leaked-key.ipynb", as_version=4)
    for cell in dave.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {}).get(f"application/vnd.mantissa.{SCORE_KIND}+json")
            if data:
                data.update(trainee="dave", score=100.0, correct=7)
                for item in data["tasks"].values():
                    item["correct"] = True
    (folder / "dave").mkdir()
    nbformat.write(dave, folder / "dave" / "leaked-key.ipynb")
    (folder / "erin").mkdir()
    shutil.copyfile(NOTEBOOKS / "leaked-key.ipynb", folder / "erin" / "leaked-key.ipynb")
    (folder / "frank").mkdir()
    (folder / "frank" / "leaked-key.ipynb").write_text("{ not json")

    result = CliRunner().invoke(_grade_app(), ["training", "grade", str(folder)])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[2:] if line.strip()}
    assert "100% (7/7)" in lines["alice"] and " 11 " in lines["alice"] and "ok" in lines["alice"].split()
    assert "100% (7/7)" in lines["bob"] and " 12 " in lines["bob"]
    assert "57.1% (4/7)" in lines["carol"] and "✗ initial_access_ip" in lines["carol"]
    assert "✓ compromised_principal" in lines["carol"]
    assert "57.1% (4/7)" in lines["dave"] and "regraded" in lines["dave"].split()
    assert "no score" in lines["erin"]
    assert "error: cannot read the notebook" in result.output
    assert "4 graded, 2 without a score; mean 78.6%" in result.output

    as_json = CliRunner().invoke(_grade_app(), ["training", "grade", str(folder), "--json"])
    rows = {Path(r["notebook"]).parent.name: r for r in json.loads(as_json.output)}
    assert rows["carol"]["tasks"]["backdoor_user"] is False and rows["alice"]["status"] == "ok"


def test_grade_without_the_workspace_regenerates_the_truth(executed: SimpleNamespace, tmp_path: Path) -> None:
    from workbench.training.grade import grade_folder

    folder = tmp_path / "elsewhere"
    folder.mkdir()
    nb = nbformat.read(executed.carol, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {}).get(f"application/vnd.mantissa.{SCORE_KIND}+json")
            if data:
                data["workspace"] = str(tmp_path / "gone")  # graded on another machine
    nbformat.write(nb, folder / "carol.ipynb")
    (row,) = grade_folder(folder)
    assert (row.trainee, row.score, row.status) == ("carol", pytest.approx(57.1), "ok")
    assert {t for t, ok in row.tasks.items() if ok is False} == set(WRONG)
