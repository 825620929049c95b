"""Detection-as-code: rule model, loader with `file:line` errors, and lint (see each module)."""

from workbench.rules.issues import LintIssue
from workbench.rules.lint import EVENT_ID_COLUMNS, VALIDATORS, Validator, lint_rule, lint_rules
from workbench.rules.loader import RuleSet, load_rules, rule_files
from workbench.rules.model import (
    SEVERITIES,
    AlertSpec,
    Dedup,
    Expect,
    NewTerms,
    Rule,
    RuleLoadError,
    RuleTest,
    Threshold,
)
from workbench.rules.sqlcheck import QueryAnalysis, analyze
from workbench.rules.tags import normalize_tag

__all__ = [
    "EVENT_ID_COLUMNS", "SEVERITIES", "VALIDATORS", "AlertSpec", "Dedup", "Expect", "NewTerms", "LintIssue",
    "QueryAnalysis", "Rule", "RuleLoadError", "RuleSet", "RuleTest", "Threshold", "Validator",
    "analyze", "lint_rule", "lint_rules", "load_rules", "normalize_tag", "rule_files",
]
