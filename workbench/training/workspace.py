"""A training workspace: one scenario on a short window of background activity, in a folder of its own.

    ws = build_workspace("leaked-key", seed=7, root=Path("alice"))
    ws.answer_key.check("initial_access_ip", "203.0.113.7")

Layout (a workspace like any other: `mantissa.yaml`, `lake/`, `state/`), plus

    training.json       the variant: scenario, seed, window, company — no answers
    answer_key.json     salted digests of the canonical answers, what answers are checked against
    .truth/             the full ground truth, read only through workbench.training (the debrief)
    <scenario>.ipynb    the exercise notebook, copied from notebooks/training/
    trainee.json        the name the trainee typed once (workbench.training.trainee); kept by --replace

The truth sits in a hidden folder rather than somewhere a trainee would browse; the notebook
never reads it, and checking an answer needs only the digests.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ValidationError

from workbench.training.exercises import EXERCISES, Exercise
from workbench.training.tasks import digest

if TYPE_CHECKING:
    from workbench.config import Settings
    from workbench.synth import ScenarioTruth

TRAINING_FILE = "training.json"
KEY_FILE = "answer_key.json"
TRUTH_DIR = ".truth"
DEFAULT_DAYS = 2
DEFAULT_SCALE = 0.5  # half the demo's background volume: still noisy, twice as fast to build and query
CONFIG_TEXT = ("# A training workspace made by `mantissa training new`; an ordinary workspace otherwise.\n"
               "engine: local\n")


class TrainingError(ValueError):
    """A workspace or answer that cannot be used; the message says what to do next."""


class WorkspaceInfo(BaseModel):
    scenario: str
    seed: int
    days: int
    scale: float
    start: str
    end: str
    company: str
    accounts: dict[str, str]
    created: str
    alerts: int | None = None  # alerts the rule pack raised when the workspace was built


class AnswerKey(BaseModel):
    scenario: str
    seed: int
    salt: str
    digests: dict[str, str]

    def check(self, exercise: Exercise, task: str, answer: object) -> bool:
        spec = exercise.task(task)
        if task not in self.digests:
            raise TrainingError(f"{KEY_FILE}: no answer for task '{task}'; rebuild the workspace with "
                                f"`mantissa training new {self.scenario} --seed {self.seed} --replace`")
        return digest(self.salt, task, spec.canonical(answer)) == self.digests[task]


@dataclass
class TrainingWorkspace:
    root: Path
    info: WorkspaceInfo

    @property
    def exercise(self) -> Exercise:
        return EXERCISES.get(self.info.scenario)

    @property
    def settings(self) -> Settings:
        from workbench.config import load_settings

        return load_settings(self.root)

    @property
    def truth_path(self) -> Path:
        return self.root / TRUTH_DIR / "ground_truth.json"

    @property
    def answer_key(self) -> AnswerKey:
        return _read_model(self.root / KEY_FILE, AnswerKey)

    def truth(self) -> ScenarioTruth:
        from workbench.synth import load_ground_truth

        return load_ground_truth(self.truth_path).scenario(self.info.scenario)

    @property
    def notebook(self) -> Path:
        return self.root / f"{self.info.scenario}.ipynb"


def _read_model(path: Path, model: type[BaseModel]):  # noqa: ANN202 - returns an instance of `model`
    try:
        return model.model_validate_json(path.read_text())
    except FileNotFoundError:
        raise TrainingError(f"{path}: missing — not a training workspace? make one with "
                            "`mantissa training new SCENARIO --seed N --dir DIR`") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}" for e in exc.errors())
        raise TrainingError(f"{path}: cannot be read ({problems}); rebuild with `mantissa training new ... "
                            "--replace`") from None


def is_workspace(root: Path | str) -> bool:
    return (Path(root) / TRAINING_FILE).is_file()


def load_workspace(root: Path | str) -> TrainingWorkspace:
    root = Path(root).expanduser().resolve()
    info = _read_model(root / TRAINING_FILE, WorkspaceInfo)
    if info.scenario not in EXERCISES:
        raise TrainingError(f"{root / TRAINING_FILE}: scenario '{info.scenario}' has no exercise "
                            f"(exercises: {', '.join(EXERCISES.names())})")
    return TrainingWorkspace(root, info)


def default_end(now: datetime | None = None) -> datetime:
    """Midnight UTC today: recent data, and the same variant all day for a given seed."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def answer_key_for(exercise: Exercise, truth: ScenarioTruth, seed: int, salt: str | None = None) -> AnswerKey:
    salt = salt or secrets.token_hex(16)
    missing = [t for t in exercise.task_names if t not in truth.answers]
    if missing:
        raise TrainingError(f"exercise '{exercise.scenario}' asks {', '.join(missing)} but the scenario's ground "
                            f"truth has no such answer (it has {', '.join(truth.answers)})")
    digests = {t.name: digest(salt, t.name, t.canonical(truth.answers[t.name])) for t in exercise.tasks}
    return AnswerKey(scenario=exercise.scenario, seed=seed, salt=salt, digests=digests)


def _clear(root: Path, replace: bool) -> None:
    if not root.exists() or not any(root.iterdir()):
        return
    if not is_workspace(root):
        raise TrainingError(f"{root} exists and is not a training workspace; choose an empty or new --dir")
    if not replace:
        raise TrainingError(f"{root} already holds a training workspace; pass --replace to rebuild it "
                            "(the trainee's notebook there is kept)")
    for name in ("lake", "state", TRUTH_DIR, TRAINING_FILE, KEY_FILE):
        path = root / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def build_workspace(scenario: str, seed: int, root: Path | str, *, days: int = DEFAULT_DAYS,
                    end: datetime | str | None = None, scale: float = DEFAULT_SCALE, detect: bool = True,
                    notebook: bool = True, replace: bool = False) -> TrainingWorkspace:
    """Synthesize `days` of background with `scenario` injected, ingest it, write the answer key,
    run the rule pack (so the triage widget has the alerts a SOC would see), copy the notebook."""
    from workbench.synth import SCENARIOS, synthesize
    from workbench.timewindow import parse_time

    exercise = EXERCISES.get(scenario)  # unknown names fail here, with the closest valid one
    SCENARIOS.get(scenario)
    root = Path(root).expanduser().resolve()
    _clear(root, replace)
    root.mkdir(parents=True, exist_ok=True)
    (root / "mantissa.yaml").write_text(CONFIG_TEXT)
    hidden = root / TRUTH_DIR
    end_at = default_end() if end is None else parse_time(end)
    report = synthesize(root / "lake", days=days, seed=seed, end=end_at, scale=scale, scenarios=[scenario],
                        raw_dir=hidden / "raw", truth_path=hidden / "ground_truth.json", replace=True)
    shutil.rmtree(hidden / "raw", ignore_errors=True)  # the lake holds the same records; keep the folder small
    truth = report.truth
    key = answer_key_for(exercise, truth.scenario(scenario), seed)
    (root / KEY_FILE).write_text(key.model_dump_json(indent=2) + "\n")
    info = WorkspaceInfo(scenario=scenario, seed=seed, days=days, scale=scale, start=truth.start, end=truth.end,
                         company=truth.company, accounts=truth.accounts,
                         created=datetime.now(UTC).isoformat(timespec="seconds"))
    workspace = TrainingWorkspace(root, info)
    if detect:
        info.alerts = _detect(workspace)
    (root / TRAINING_FILE).write_text(info.model_dump_json(indent=2) + "\n")
    if notebook:
        _copy_notebook(scenario, root)
    return workspace


def _detect(workspace: TrainingWorkspace) -> int:
    from workbench.training.debrief import run_rule_pack

    return len(run_rule_pack(workspace).alerts)


def notebook_source(scenario: str) -> Path | None:
    from workbench.resources import bundled_dir

    folder = bundled_dir("notebooks")
    path = folder / "training" / f"{scenario}.ipynb" if folder else None
    return path if path is not None and path.is_file() else None


def _copy_notebook(scenario: str, root: Path) -> None:
    source, target = notebook_source(scenario), root / f"{scenario}.ipynb"
    if source is not None and not target.exists():  # never overwrite a trainee's work
        shutil.copyfile(source, target)


# ---- practice workspaces: what a notebook opened outside any workspace works in ---------------------------
def training_home() -> Path:
    """`$XDG_CACHE_HOME/mantissa/training` (~/.cache/... by default). Not a MANTISSA_* variable: those
    are all settings, and settings refuse keys they do not know."""
    cache = os.environ.get("XDG_CACHE_HOME")
    return (Path(cache).expanduser() if cache else Path.home() / ".cache") / "mantissa" / "training"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    # Two kernels opening the same practice exercise at once must not build it twice into one folder.
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def practice_workspace(scenario: str, seed: int = 1, end: datetime | str | None = None) -> TrainingWorkspace:
    """The workspace `<training home>/<scenario>-seed<N>`, built on first use and reused after."""
    home = training_home()
    root = home / f"{scenario}-seed{seed}"
    with _locked(home / f".{scenario}-seed{seed}.lock"):
        if is_workspace(root):
            with contextlib.suppress(TrainingError):
                workspace = load_workspace(root)
                if workspace.info.scenario == scenario and workspace.info.seed == seed:
                    return workspace
        if root.exists():  # a build that was interrupted: the folder is ours, start it again
            shutil.rmtree(root)
        return build_workspace(scenario, seed, root, end=end, notebook=False, replace=True)


def window_of(info: WorkspaceInfo) -> tuple[datetime, datetime]:
    from workbench.timewindow import parse_time

    start, end = parse_time(info.start), parse_time(info.end)
    return start, max(end, start + timedelta(seconds=1))
