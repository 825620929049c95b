"""The exercise notebooks end to end: nbmake runs each top to bottom unanswered (score 0, and not one
answer printed); papermill runs with every answer right (100%) and with some wrong (0 on those);
`mantissa training grade` tabulates them."""

from __future__ import annotations

import json
import re
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


def output_text(nb: nbformat.NotebookNode) -> str:
    """Every text a run put in front of the trainee: streams, errors, every mime type of every display
    (HTML, plain text, published JSON, widget views), and any saved widget state."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(str(output.get("text", "")))
            parts += [str(line) for line in output.get("traceback", [])]
            for value in output.get("data", {}).values():
                parts.append(value if isinstance(value, str) else json.dumps(value))
    parts.append(json.dumps(nb.metadata.get("widgets", {})))
    return "\n".join(parts)


def answer_values(exercise, answers: dict[str, str]) -> dict[str, str]:
    """value -> task, for every answer a printed output could give away: each item of a list answer.
    Yes/no answers are left out: "No" is in any page of English and gives nothing away by itself."""
    values = {}
    for task in exercise.tasks:
        if task.kind == "yes_no":
            continue
        items = answers[task.name].split(",") if task.kind == "list" else [answers[task.name]]
        values |= {item.strip(): task.name for item in items if item.strip()}
    return values


def leaked(text: str, values: dict[str, str]) -> dict[str, str]:
    # Whole tokens only: the answer 465 is not leaked by a row count of 1465 or the IP 10.0.0.46.
    return {v: t for v, t in values.items()
            if re.search(rf"(?<![\w.@-]){re.escape(v)}(?![\w@-]|\.\w)", text, re.IGNORECASE)}


@pytest.mark.slow
@pytest.mark.parametrize("name", EXERCISES.names())
def test_run_all_on_a_fresh_notebook_prints_no_answer_and_scores_zero(name: str, kernel_env: Path) -> None:
    from workbench.training import load_workspace

    result = NotebookRun(NOTEBOOKS / f"{name}.ipynb", default_timeout=300).execute()
    assert result.error is None, result.error.trace[-3000:]
    executed = Path(kernel_env.parent / f"{name}-executed.ipynb")
    nbformat.write(result.nb, executed)
    score = read_published(executed, SCORE_KIND)[-1]
    assert (score["scenario"], score["seed"], score["score"], score["correct"]) == (name, 1, 0.0, 0)
    assert score["total"] == len(EXERCISES.get(name).tasks) and score["workspace"].startswith(str(kernel_env))
    assert score["trainee"] is None and not score["debrief_seen"]  # nobody said who; not the OS login

    answers = load_workspace(score["workspace"]).truth().answers
    text = output_text(result.nb)
    assert not leaked(text, answer_values(EXERCISES.get(name), answers)), "Run All printed an answer"
    assert read_published(executed, DEBRIEF_KIND) == []
    assert "Submit your answers first: 0/" in text and "ex.debrief(reveal=True)" in text
    assert "Your score has no name" in text


def test_answer_matching_finds_whole_tokens_only() -> None:
    """The leak check above is only as good as its matcher: it must see an answer wherever it is
    printed, in any case and inside an ARN, and not inside a longer number or address."""
    values = {"203.0.113.7": "ip", "465": "ports", "fatima.silva": "user", "CreateAccessKey": "call"}
    assert set(leaked("arn:aws:iam::1:user/fatima.silva", values)) == {"fatima.silva"}
    assert set(leaked("<td>203.0.113.7</td> createaccesskey", values)) == {"203.0.113.7", "CreateAccessKey"}
    assert set(leaked('{"ports": 465}', values)) == {"465"}
    assert not leaked("203.0.113.70 10.0.113.7 1465 4650 fatima.silva2 CreateAccessKeys", values)


@pytest.mark.slow
@pytest.mark.parametrize("name", EXERCISES.names())
def test_the_debrief_finds_every_scenario_with_a_library_hunt(name: str, practice_home: Path) -> None:
    from workbench.training import load_workspace
    from workbench.training.debrief import build_debrief

    report = build_debrief(load_workspace(practice_home / "mantissa" / "training" / f"{name}-seed1"))
    assert [h.hunt for h in report.hunts if h.finds_it], f"no library hunt finds {name}"
    assert not report.rules_failed


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
