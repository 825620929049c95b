"""Rule lint: tiny validator classes, each returning a list of issues (pySigma validators habit).

Conventions the runner relies on, which lint enforces:

- Output columns are named: a plain column (`eventname`, or `useridentity.arn` → `arn`) or an
  alias. Thresholds, dedup keys, alert fields and alert title placeholders refer to these names.
- A threshold rule returns one row per event and must output the table's time column
  (`eventtime` for cloudtrail, `start` for vpc_flow, `updatedat` for guardduty) under that name,
  so the runner can slide windows over it, and the table's event id column (`eventid` for
  cloudtrail, `id` for guardduty; vpc_flow records have none, so rows are their own identity)
  so events seen twice by overlapping runs count once. Other rules should output the time column
  too (the alert's first and last seen); lint warns when they do not.
- No `SELECT *`, no hand-written partition (`year/month/day`) or time filters: the engine
  bounds every table by the window.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from datetime import timedelta
from typing import ClassVar

from workbench.catalog import TABLES
from workbench.registry import Registry, closest
from workbench.rules.issues import LintIssue
from workbench.rules.loader import RuleSet
from workbench.rules.model import SEVERITIES, Rule
from workbench.rules.sqlcheck import QueryAnalysis, SqlProblem, analyze
from workbench.rules.tags import normalize_tag

EVENT_ID_COLUMNS: dict[str, str | None] = {"cloudtrail": "eventid", "guardduty": "id", "vpc_flow": None}
# The field carrying event time in a test event as delivered (camelCase for CloudTrail/GuardDuty).
TEST_EVENT_TIME_FIELDS: dict[str, str] = {"cloudtrail": "eventTime", "guardduty": "updatedAt",
                                          "vpc_flow": "start"}
MAX_THRESHOLD_WINDOW = timedelta(hours=24)


class Validator:
    """Checks one rule; `needs_query` validators are skipped when the SQL does not parse."""

    name: ClassVar[str]
    needs_query: ClassVar[bool] = False

    def validate(self, rule: Rule, query: QueryAnalysis) -> list[LintIssue]:
        raise NotImplementedError


VALIDATORS: Registry[type[Validator]] = Registry("lint check")


def _sql_issue(rule: Rule, problem: SqlProblem) -> LintIssue:
    line = None
    if problem.line and rule.source_map and "query" in rule.source_map.text_lines:
        line = rule.source_map.text_lines["query"] + problem.line - 1
    return rule.issue("query", problem.message, problem.level, line)  # type: ignore[arg-type]


def _not_in_output(rule: Rule, field: str, column: str, outputs: list[str], what: str) -> LintIssue:
    guess = closest(column, outputs)
    hint = f" — did you mean '{guess}'?" if guess else ""
    return rule.issue(field, f"{what} '{column}' is not an output column of the query{hint} "
                      f"(outputs: {', '.join(outputs) or 'none'})")


class _SqlKinds(Validator):
    kinds: ClassVar[tuple[str, ...]]

    def validate(self, rule: Rule, query: QueryAnalysis) -> list[LintIssue]:
        return [_sql_issue(rule, p) for p in query.of(*self.kinds)]


@VALIDATORS.register("sql-parses")
class SqlParses(_SqlKinds):
    """The query is exactly one Athena SELECT that sqlglot can parse."""

    name, kinds = "sql-parses", ("syntax", "statement")


@VALIDATORS.register("known-tables")
class KnownTables(_SqlKinds):
    name, kinds = "known-tables", ("table",)


@VALIDATORS.register("known-columns")
class KnownColumns(_SqlKinds):
    """Every column, struct field, UNNEST alias and derived column exists."""

    name, kinds = "known-columns", ("column",)


@VALIDATORS.register("no-select-star")
class NoSelectStar(_SqlKinds):
    name, kinds = "no-select-star", ("star",)


@VALIDATORS.register("named-outputs")
class NamedOutputs(_SqlKinds):
    name, kinds = "named-outputs", ("output",)


@VALIDATORS.register("no-hand-window")
class NoHandWrittenWindow(_SqlKinds):
    name, kinds = "no-hand-window", ("window",)


@VALIDATORS.register("no-query-breaking-value")
class NoQueryBreakingValue(_SqlKinds):
    """No CAST(x AS IPADDRESS) or arr[n] that one unexpected row turns into a failed query on Athena."""

    name, kinds = "no-query-breaking-value", ("athena",)


class _NeedsOutputs(Validator):
    """Checks against the query's output columns, skipped when those cannot be listed."""

    needs_query = True

    def validate(self, rule: Rule, query: QueryAnalysis) -> list[LintIssue]:
        return self.check(rule, query) if query.outputs_known else []

    def check(self, rule: Rule, query: QueryAnalysis) -> list[LintIssue]:
        raise NotImplementedError


@VALIDATORS.register("rule-table")
class RuleTable(Validator):
    """The rule's table is known and is what its query reads."""

    name, needs_query = "rule-table", True

    def validate(self, rule: Rule, query: QueryAnalysis) -> list[LintIssue]:
        if rule.table is None:
            return [rule.issue("table", "cannot tell which log table this rule is for; put the file "
                               "under rules/aws/<table>/ or set `table:`")]
        if query.tables and rule.table not in query.tables:
            return [rule.issue("table", f"the rule is for '{rule.table}' (its folder or `table:`) "
                               f"but the query reads {', '.join(query.tables)}; move the file or fix the query")]
        return []


@VALIDATORS.register("severity")
class SeverityValid(Validator):
    name = "severity"

    def validate(self, rule: Rule, query: QueryAnalysis) -> list[LintIssue]:
        if rule.severity in SEVERITIES:
            return []
        return [rule.issue("severity", f"must be one of {', '.join(SEVERITIES)}; got {rule.severity!r}")]


@VALIDATORS.register("tags")
class TagsValid(Validator):
    """Tags are canonical ATT&CK tags, and a rule names at least one technique."""

    name = "tags"

    def validate(self, rule: Rule, query: QueryAnalysis) -> list[LintIssue]:
        issues = []
        for i, tag in enumerate(rule.tags):
            try:
                canonical = normalize_tag(tag)
            except ValueError as exc:
                issues.append(rule.issue(f"tags[{i}]", str(exc)))
                continue
            if canonical != tag:
                issues.append(rule.issue(f"tags[{i}]", f"write '{canonical}'", "warning"))
        if not any(t.startswith("attack.t") for t in rule.tags):
            issues.append(rule.issue("tags", "no ATT&CK technique tag (e.g. attack.t1078.004); add one "
                                     "so coverage can be mapped", "warning"))
        return issues


@VALIDATORS.register("documentation")
class Documentation(Validator):
    """An alert without a runbook leaves the analyst guessing what to do next."""

    name = "documentation"

    def validate(self, rule: Rule, query: QueryAnalysis) -> list[LintIssue]:
        issues = []
        if not rule.runbook.strip():
            issues.append(rule.issue("runbook", "empty; say what the analyst checks and does next",
                                     "warning"))
        if not rule.description.strip():
            issues.append(rule.issue("description", "empty; say what behaviour this detects and why "
                                     "it matters", "warning"))
        return issues


@VALIDATORS.register("threshold")
class ThresholdWellFormed(_NeedsOutputs):
    name = "threshold"

    def check(self, rule: Rule, query: QueryAnalysis) -> list[LintIssue]:
        t = rule.threshold
        if t is None:
            return []
        issues = []
        if t.count < 1:
            issues.append(rule.issue("threshold.count", f"must be a positive integer, got {t.count}"))
        if t.window > MAX_THRESHOLD_WINDOW:
            issues.append(rule.issue("threshold.window", f"{t.window} is longer than 24h; sliding windows "
                                     "that long belong in a scheduled report or hunt"))
        period = rule.effective_dedup.period
        if t.window > period:
            issues.append(rule.issue("threshold.window", f"{t.window} is longer than the dedup period "
                                     f"{period}, so one burst would alert more than once; raise "
                                     "dedup.period or shorten the window"))
        for i, column in enumerate(t.group_by):
            if column not in query.outputs:
                issues.append(_not_in_output(rule, f"threshold.group_by[{i}]", column, query.outputs,
                                             "group_by column"))
        if t.distinct and t.distinct not in query.outputs:
            issues.append(_not_in_output(rule, "threshold.distinct", t.distinct, query.outputs,
                                         "distinct column"))
        if query.aggregates:
            issues.append(rule.issue("query", "a threshold rule counts events, but this query aggregates "
                                     "(GROUP BY or count/sum); return one row per event", "warning"))
        return issues


MAX_NEW_TERMS_HISTORY = timedelta(days=90)


@VALIDATORS.register("new-terms")
class NewTermsWellFormed(_NeedsOutputs):
    """First-seen fields are output columns, and the time column is there to order first sightings."""

    name = "new-terms"

    def check(self, rule: Rule, query: QueryAnalysis) -> list[LintIssue]:
        spec = rule.new_terms
        if spec is None:
            return [rule.issue(f"tests[{i}].history", "history events only mean something to a new_terms "
                               "rule; move them into events", "warning")
                    for i, t in enumerate(rule.tests) if t.history]
        issues = [_not_in_output(rule, f"new_terms.fields[{i}]", column, query.outputs, "new_terms field")
                  for i, column in enumerate(spec.fields) if column not in query.outputs]
        if spec.history > MAX_NEW_TERMS_HISTORY:
            issues.append(rule.issue("new_terms.history", f"{spec.history} is longer than "
                                     f"{MAX_NEW_TERMS_HISTORY.days}d; the first-enable backfill reads the "
                                     "whole history, so keep it to what a term's recurrence needs"))
        if spec.history < timedelta(hours=1):
            issues.append(rule.issue("new_terms.history", f"{spec.history} is shorter than 1h: nearly "
                                     "every term would be new again each run"))
        table = TABLES.get(rule.table or "")
        if table is not None and query.outputs and table.time_column not in query.outputs:
            issues.append(rule.issue("query", f"does not output the time column '{table.time_column}'; a "
                                     "new_terms rule orders first sightings by it"))
        if spec.alert_if and spec.alert_if not in query.outputs:
            issues.append(_not_in_output(rule, "new_terms.alert_if", spec.alert_if, query.outputs,
                                         "alert_if column"))
        return issues


@VALIDATORS.register("event-columns")
class EventColumns(_NeedsOutputs):
    """The time and event id columns the runner needs (see the module docstring)."""

    name = "event-columns"

    def check(self, rule: Rule, query: QueryAnalysis) -> list[LintIssue]:
        table = TABLES.get(rule.table or "")
        if table is None or not query.outputs:
            return []
        issues = []
        level = "error" if rule.threshold else "warning"
        why = ("the runner slides threshold windows over it" if rule.threshold
               else "alerts take first and last seen from it")
        if table.time_column not in query.outputs:
            issues.append(rule.issue("query", f"does not output the time column '{table.time_column}'; "
                                     f"add it to the SELECT — {why}", level))  # type: ignore[arg-type]
        id_column = EVENT_ID_COLUMNS.get(table.name)
        if rule.threshold and id_column and id_column not in query.outputs:
            issues.append(rule.issue("query", f"does not output the event id column '{id_column}'; add it "
                                     "so events read twice by overlapping runs count once"))
        return issues


@VALIDATORS.register("dedup")
class DedupKeys(_NeedsOutputs):
    name = "dedup"

    def check(self, rule: Rule, query: QueryAnalysis) -> list[LintIssue]:
        if rule.dedup is None or rule.dedup.keys is None:
            return []
        return [_not_in_output(rule, f"dedup.keys[{i}]", key, query.outputs, "dedup key")
                for i, key in enumerate(rule.dedup.keys) if key not in query.outputs]


@VALIDATORS.register("alert")
class AlertTemplate(_NeedsOutputs):
    """Title placeholders and shown fields are output columns."""

    name = "alert"

    def check(self, rule: Rule, query: QueryAnalysis) -> list[LintIssue]:
        issues = []
        try:
            names = [f for _, f, _, _ in string.Formatter().parse(rule.alert.title) if f is not None]
        except ValueError as exc:
            return [rule.issue("alert.title", f"not a valid template ({exc}); write {{column}} "
                               "placeholders and double braces for literal ones")]
        for name in names:
            column = name.split(".")[0].split("[")[0].strip().lower()
            if not column:
                issues.append(rule.issue("alert.title", "empty {} placeholder; name an output column"))
            elif column not in query.outputs:
                issues.append(_not_in_output(rule, "alert.title", column, query.outputs, "placeholder"))
        for i, column in enumerate(rule.alert.fields):
            if column not in query.outputs:
                issues.append(_not_in_output(rule, f"alert.fields[{i}]", column, query.outputs, "field"))
        if not rule.alert.fields:
            issues.append(rule.issue("alert.fields", "no fields listed; name the output columns an "
                                     "analyst needs to triage", "warning"))
        return issues


@VALIDATORS.register("tests")
class RuleTests(Validator):
    """Positive and negative tests exist, events carry their time, expectations are consistent."""

    name = "tests"

    def validate(self, rule: Rule, query: QueryAnalysis) -> list[LintIssue]:
        if not rule.tests:
            return [rule.issue("tests", "no tests; add one that alerts and one that must not", "warning")]
        issues = []
        if not any(t.expect.count > 0 for t in rule.tests):
            issues.append(rule.issue("tests", "no positive test (expect.count > 0)", "warning"))
        if not any(t.expect.count == 0 for t in rule.tests):
            issues.append(rule.issue("tests", "no negative test (expect.count: 0)", "warning"))
        keys = set(rule.effective_dedup.keys or ()) | set(rule.threshold.group_by if rule.threshold else ())
        time_field = TEST_EVENT_TIME_FIELDS.get(rule.table or "")
        for i, test in enumerate(rule.tests):
            where = f"tests[{i}]"
            if test.expect.group_keys and len(test.expect.group_keys) != test.expect.count:
                issues.append(rule.issue(f"{where}.expect.group_keys", f"lists {len(test.expect.group_keys)} "
                                         f"alerts but expect.count is {test.expect.count}"))
            for j, group in enumerate(test.expect.group_keys):
                unknown = sorted(k for k in group if str(k).lower() not in keys)
                if unknown:
                    issues.append(rule.issue(
                        f"{where}.expect.group_keys[{j}]", f"{', '.join(unknown)} not among the rule's "
                        f"group/dedup keys ({', '.join(sorted(keys)) or 'none'})"))
            for j, event in enumerate(test.events):
                if time_field and not any(str(k).lower() == time_field.lower() for k in event):
                    issues.append(rule.issue(f"{where}.events[{j}]", f"has no '{time_field}'; test events "
                                             "are records as delivered, with their time"))
        return issues


@VALIDATORS.register("test-tuning")
class TestTuning(Validator):
    """A rule test's own `tuning:` is a tuning file's allowlists and automation, checked as one.
    Checked here rather than at load: binding it parses the query again, which every detection
    run would pay for nothing."""

    name = "test-tuning"

    def validate(self, rule: Rule, query: QueryAnalysis) -> list[LintIssue]:
        from workbench.rules.tuning import tuned_for_test

        issues: list[LintIssue] = []
        for index, test in enumerate(rule.tests):
            if test.tuning is not None:
                issues.extend(i for i in tuned_for_test(rule, index)[1] if i.field.startswith("tests["))
        return issues


def lint_rule(rule: Rule, validators: Iterable[str] | None = None) -> list[LintIssue]:
    query = analyze(rule.query)
    parsed = query.ast is not None and not query.of("syntax", "statement")
    issues: list[LintIssue] = []
    for name in validators or VALIDATORS.names():
        validator = VALIDATORS.get(name)()
        if validator.needs_query and not parsed:
            continue
        issues.extend(validator.validate(rule, query))
    return issues


def unique_ids(rules: Iterable[Rule]) -> list[LintIssue]:
    first: dict[str, Rule] = {}
    issues = []
    for rule in rules:
        if rule.id in first:
            other = first[rule.id]
            issues.append(rule.issue("id", f"duplicate id '{rule.id}', already used by "
                                     f"{other.source_path}:{other.line_of('id')}; rename one of them"))
        else:
            first[rule.id] = rule
    return issues


def lint_rules(ruleset: RuleSet, validators: Iterable[str] | None = None) -> list[LintIssue]:
    """Load errors first, then every validator's findings on every loaded rule, in file order."""
    names = list(validators) if validators is not None else None
    issues = list(ruleset.errors) + unique_ids(ruleset.rules)
    for rule in ruleset.rules:
        issues.extend(lint_rule(rule, names))
    return sorted(issues, key=lambda i: (str(i.path), i.line))
