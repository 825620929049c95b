"""Training: graded exercises on replayable attack scenarios.

    mantissa training new leaked-key --seed 7 --dir alice     # a workspace with its own lake and answer key
    # in alice/leaked-key.ipynb:
    from workbench import training
    ex = training.open_exercise("leaked-key", workspace, answers=answers, trainee=trainee)
    ex.task("initial_access_ip"); ex.hint("initial_access_ip"); ex.submit(); ex.debrief()
    mantissa training grade submissions/                        # the score table

Answers are checked against a salted digest of the scenario's ground truth, never against a
constant in the notebook; `workbench.training.tasks` says how answers are normalised.
"""

from workbench.training.attempt import DEBRIEF_KIND, SCORE_KIND, Attempt, TaskResult, open_exercise
from workbench.training.exercises import EXERCISES, Exercise
from workbench.training.tasks import FORMATS, Task, canonical
from workbench.training.workspace import (
    AnswerKey,
    TrainingError,
    TrainingWorkspace,
    WorkspaceInfo,
    build_workspace,
    is_workspace,
    load_workspace,
    notebook_source,
    practice_workspace,
    training_home,
)

__all__ = [
    "DEBRIEF_KIND", "SCORE_KIND", "Attempt", "TaskResult", "open_exercise",
    "EXERCISES", "Exercise", "FORMATS", "Task", "canonical",
    "AnswerKey", "TrainingError", "TrainingWorkspace", "WorkspaceInfo", "build_workspace", "is_workspace",
    "load_workspace", "notebook_source", "practice_workspace", "training_home",
]
