"""Rules → alerts: the runner, sliding thresholds, checkpoints, backtests."""

from workbench.detect.matching import Candidate, candidates
from workbench.detect.runner import (
    DEFAULT_LOOKBACK,
    RuleOutcome,
    RunRecord,
    due_windows,
    evaluate_rule,
    run_detections,
    run_due,
)

__all__ = ["DEFAULT_LOOKBACK", "Candidate", "RuleOutcome", "RunRecord", "candidates", "due_windows",
           "evaluate_rule", "run_detections", "run_due"]
